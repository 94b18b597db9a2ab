package cli

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/teethtool/teeth/internal/atomicfile"
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
// A report that cannot be written does not stop the others: write returns
// what failed, for the command to say after its summary (see failed).
func (o *outputs) write(r *report.Report, stdout io.Writer) []writeError {
	md := func(w io.Writer) error { return render.Markdown(w, r, render.MarkdownOptions{FailOn: r.FailOn}) }
	var failed []writeError
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
			failed = append(failed, writeError{out.path, err})
		}
	}
	if summary := os.Getenv("GITHUB_STEP_SUMMARY"); summary != "" {
		f, err := os.OpenFile(summary, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			err = md(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			failed = append(failed, writeError{"GITHUB_STEP_SUMMARY (" + summary + ")", err})
		}
	}
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		render.Annotations(stdout, r, r.FailOn)
	}
	return failed
}

// writeError is a report file that could not be written, and why.
type writeError struct {
	path string
	err  error
}

// failed says, on stderr after the summary, which reports could not be
// written and why, and a hint; the run's exit code stays the verdict's.
func failed(stderr io.Writer, errs []writeError) {
	for _, e := range errs {
		fmt.Fprintf(stderr, "teeth: could not write %s: %v\n", e.path, e.err)
	}
	if len(errs) > 0 {
		fmt.Fprintf(stderr, "teeth: hint: check that the directory exists and is writable; the summary above and the other reports are complete, and the exit code is the verdict's\n")
	}
}
