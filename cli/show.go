package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/pipeline"
	"github.com/teethtool/teeth/render"
	"github.com/teethtool/teeth/report"
)

// mutantArgs parses "ID [PROJECT]" plus flags for show and apply: the
// configuration flags that say where the sites are, and show's --report.
func mutantArgs(name string, args []string, stderr io.Writer, withReport bool) (f *runFlags, id, reportFile string, err error) {
	fs := flag.NewFlagSet("teeth "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f = &runFlags{fs: fs, siteOnly: true}
	fs.StringVar(&f.configFile, "config", "", "pyproject.toml to read [tool.teeth] from (default PROJECT/pyproject.toml)")
	fs.Var(&f.sourceRoots, "source-root", "package directory whose offloads may be mutated (repeatable)")
	fs.StringVar(&f.python, "python", "", "the project's interpreter (parses the sources)")
	if withReport {
		fs.StringVar(&reportFile, "report", "", "a JSON report to print the site's last evidence from")
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, "", "", err
	}
	switch len(pos) {
	case 1:
		f.project = "."
		return f, pos[0], reportFile, nil
	case 2:
		f.project = pos[1]
		return f, pos[0], reportFile, nil
	}
	return nil, "", "", hint.New(name+" takes a site id and an optional project directory", fmt.Sprintf(`teeth %s 'app/x.py:Svc.load:read#0' path/to/project`, name))
}

// findMutant loads the configuration and returns the mutant of the site with this id.
func findMutant(ctx context.Context, f *runFlags, id string) (*config.Config, *pipeline.Mutant, error) {
	c, err := f.config()
	if err != nil {
		return nil, nil, err
	}
	m, err := pipeline.FindMutant(ctx, c, id)
	return c, m, err
}

// show is "teeth show ID [PROJECT]": the mutant's diff and, from a
// report, its last evidence.
func (a *app) show(ctx context.Context, args []string) error {
	f, id, reportFile, err := mutantArgs("show", args, a.stderr, true)
	if err != nil {
		return err
	}
	_, m, err := findMutant(ctx, f, id)
	if err != nil {
		return err
	}
	s := m.Site
	fmt.Fprintf(a.stdout, "site %s\n  %s:%d in %s, %s (%s)\n\n%s", s.ID, s.Path, s.Line, s.Function, s.Offload, s.Shape, m.Diff())
	if reportFile == "" {
		return nil
	}
	r, err := readReport(reportFile)
	if err != nil {
		return err
	}
	return showEvidence(a.stdout, r, id)
}

func showEvidence(w io.Writer, r *report.Report, id string) error {
	if !render.Evidence(w, r, id) {
		return hint.New("the report has no site "+id, "pass the report of a run that mutated it")
	}
	return nil
}
