package cli

import (
	"flag"
	"io"
	"os"

	"github.com/teethtool/teeth/internal/atomicfile"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/render"
	"github.com/teethtool/teeth/report"
)

// outputs are the report files a run writes, besides the summary.
type outputs struct {
	json, markdown, junit, sarif, html string
}

func (o *outputs) register(fs *flag.FlagSet) {
	fs.StringVar(&o.json, "json", "", "write the JSON report (schema_version 1) to this file")
	fs.StringVar(&o.markdown, "markdown", "", "write a pull-request-comment-ready Markdown report to this file")
	fs.StringVar(&o.junit, "junit", "", "write a JUnit XML report (an anchor per test case) to this file")
	fs.StringVar(&o.sarif, "sarif", "", "write a SARIF 2.1.0 report (findings at sites and anchors) to this file")
	fs.StringVar(&o.html, "html", "", "write a self-contained HTML report with the anchors x sites matrix to this file")
}

// write writes every requested report atomically; on GitHub Actions it also
// appends the Markdown report to the step summary and prints annotations.
func (o *outputs) write(r *report.Report, stdout io.Writer) error {
	md := func(w io.Writer) error { return render.Markdown(w, r, render.MarkdownOptions{FailOn: r.FailOn}) }
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{
		{o.json, func(w io.Writer) error { return report.WriteJSON(w, r) }},
		{o.markdown, md},
		{o.junit, func(w io.Writer) error { return render.JUnit(w, r, r.FailOn) }},
		{o.sarif, func(w io.Writer) error { return render.SARIF(w, r, r.FailOn) }},
		{o.html, func(w io.Writer) error { return render.HTML(w, r) }},
	} {
		if out.path == "" {
			continue
		}
		if err := atomicfile.Write(out.path, 0o644, out.write); err != nil {
			return &hint.Error{Msg: "writing " + out.path + ": " + err.Error(), Code: 2}
		}
	}
	if summary := os.Getenv("GITHUB_STEP_SUMMARY"); summary != "" {
		f, err := os.OpenFile(summary, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return &hint.Error{Msg: "appending to GITHUB_STEP_SUMMARY: " + err.Error(), Code: 2}
		}
		err = md(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return &hint.Error{Msg: "appending to GITHUB_STEP_SUMMARY: " + err.Error(), Code: 2}
		}
	}
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		render.Annotations(stdout, r, r.FailOn)
	}
	return nil
}
