package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/teethtool/teeth/internal/atomicfile"
	"github.com/teethtool/teeth/render"
	"github.com/teethtool/teeth/report"
)

// outputs are the report files a run writes, besides the summary.
type outputs struct {
	json, markdown, junit, sarif, html string
	// noSources leaves the project's files out of the HTML report: teeth
	// merge, whose shard reports may come from another machine.
	noSources bool
}

func (o *outputs) register(fs *flag.FlagSet) {
	fs.StringVar(&o.json, "json", "", "write the JSON report (schema_version 1) to this file")
	fs.StringVar(&o.markdown, "markdown", "", "write a pull-request-comment-ready Markdown report to this file")
	fs.StringVar(&o.junit, "junit", "", "write a JUnit XML report (an anchor per test case) to this file")
	fs.StringVar(&o.sarif, "sarif", "", "write a SARIF 2.1.0 report (findings at sites and anchors) to this file")
	fs.StringVar(&o.html, "html", "", "write a self-contained HTML report (overview, each file's source with its sites, anchors) to this file")
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
		{o.html, func(w io.Writer) error { return render.HTML(w, r, o.htmlOptions(r)) }},
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

// maxSourceFile is the largest source file the HTML report reads; a larger
// one is shown as its site lines alone.
const maxSourceFile = 4 << 20

// htmlOptions reads, for the HTML report's file views, the text of every
// file with sites from the project directory (read only; a file that
// cannot be read is shown without its source).
func (o *outputs) htmlOptions(r *report.Report) render.HTMLOptions {
	if o.noSources || r.Project == "" {
		return render.HTMLOptions{}
	}
	sources, tried := map[string][]byte{}, map[string]bool{}
	for _, s := range r.Sites {
		if tried[s.Path] || !filepath.IsLocal(filepath.FromSlash(s.Path)) {
			continue
		}
		tried[s.Path] = true
		file := filepath.Join(r.Project, filepath.FromSlash(s.Path))
		if fi, err := os.Stat(file); err != nil || !fi.Mode().IsRegular() || fi.Size() > maxSourceFile {
			continue
		}
		if data, err := os.ReadFile(file); err == nil {
			sources[s.Path] = data
		}
	}
	return render.HTMLOptions{Sources: sources}
}
