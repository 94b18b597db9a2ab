package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/teethtool/teeth/internal/atomicfile"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/render"
	"github.com/teethtool/teeth/report"
)

// mutantArgs parses "ID [PROJECT]" plus flags for show and apply: the
// configuration flags that say where the sites are, and show's --report.
func mutantArgs(name string, args []string, stderr io.Writer, withReport bool) (f *verifyFlags, id, reportFile string, err error) {
	fs := flag.NewFlagSet("teeth "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f = &verifyFlags{fs: fs, siteOnly: true}
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
	return nil, "", "", usageError(name+" takes a site id and an optional project directory", fmt.Sprintf(`teeth %s 'app/x.py:Svc.load:read#0' path/to/project`, name))
}

// findMutant discovers the project's sites and returns the one with this id,
// the original file and its mutant.
func findMutant(ctx context.Context, f *verifyFlags, id string) (*config, mutate.Site, []byte, []byte, error) {
	c, err := f.config()
	if err != nil {
		return nil, mutate.Site{}, nil, nil, err
	}
	disc, err := mutate.Discover(ctx, c.helperPython(), c.Dir, c.SourceRoots, c.Exclude, c.Wrappers)
	if err != nil {
		return nil, mutate.Site{}, nil, nil, usageError("finding offload sites: "+err.Error(), "check the project's interpreter")
	}
	for _, s := range disc.Sites {
		if s.ID != id {
			continue
		}
		src, err := os.ReadFile(filepath.Join(c.Dir, filepath.FromSlash(s.Path)))
		if err != nil {
			return nil, s, nil, nil, err
		}
		mut, err := s.Apply(src)
		return c, s, src, mut, err
	}
	return nil, mutate.Site{}, nil, nil, usageError("no site has the id "+id, "site ids are listed in the summary and the JSON report")
}

// showCmd is "teeth show ID [PROJECT]": the mutant's diff and, from a
// report, its last evidence.
func showCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, id, reportFile, err := mutantArgs("show", args, stderr, true)
	if err != nil {
		return err
	}
	_, s, src, mut, err := findMutant(ctx, f, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "site %s\n  %s:%d in %s, %s (%s)\n\n%s", s.ID, s.Path, s.Line, s.Function, s.Offload, s.Shape, mutate.Diff(s.Path, src, mut))
	if reportFile == "" {
		return nil
	}
	r, err := readReport(reportFile)
	if err != nil {
		return err
	}
	return showEvidence(stdout, r, id)
}

func showEvidence(w io.Writer, r *report.Report, id string) error {
	if !render.Evidence(w, r, id) {
		return usageError("the report has no site "+id, "pass the report of a run that mutated it")
	}
	return nil
}

// applyCmd is "teeth apply ID [PROJECT]": it writes the mutant into the
// working tree for a person to reproduce by hand, and refuses when the file
// has uncommitted changes.
func applyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, id, _, err := mutantArgs("apply", args, stderr, false)
	if err != nil {
		return err
	}
	c, s, _, mut, err := findMutant(ctx, f, id)
	if err != nil {
		return err
	}
	path := filepath.Join(c.Dir, filepath.FromSlash(s.Path))
	if err := checkClean(c.Dir, s.Path); err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	err = atomicfile.WriteBytes(path, 0o644, mut)
	if err != nil {
		return err
	}
	if err := os.Chmod(path, info.Mode().Perm()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied the mutant of %s to %s\nundo it with: git -C %s checkout -- %s\n", id, s.Path, quote(c.Dir), quote(s.Path))
	return nil
}

// checkClean refuses a file that git does not track unchanged.
func checkClean(dir, rel string) error {
	out, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--", rel).CombinedOutput()
	if err != nil {
		return usageError("cannot check "+rel+" for uncommitted changes: "+strings.TrimSpace(string(out)),
			"teeth apply works on files in a git work tree, so that git checkout can undo it")
	}
	if len(strings.TrimSpace(string(out))) > 0 {
		return usageError(rel+" has uncommitted changes; refusing to apply a mutant over them",
			"commit or stash them first")
	}
	return nil
}
