package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/teethtool/teeth/initcfg"
	"github.com/teethtool/teeth/internal/hint"
)

// init is "teeth init [--write] [--python PATH] [PROJECT]": it prints the
// [tool.teeth] table teeth would use, found from the project's gate, or a
// gate conftest to start from; --write adds the table to pyproject.toml.
func (a *app) init(ctx context.Context, args []string) error {
	stdout, stderr := a.stdout, a.stderr
	fs := flag.NewFlagSet("teeth init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	write := fs.Bool("write", false, "add the table to PROJECT/pyproject.toml (never over an existing [tool.teeth])")
	python := fs.String("python", "", "the project's interpreter (default: PROJECT/.venv or PROJECT/venv, else python3)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return hint.New(fmt.Sprintf("init takes one project directory, got %d: %s", len(pos), strings.Join(pos, " ")), `run "teeth init -h" for usage`)
	}
	project := "."
	if len(pos) == 1 {
		project = pos[0]
	}
	dir, err := filepath.Abs(project)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if info, serr := os.Stat(dir); err != nil || serr != nil || !info.IsDir() {
		return hint.New("project directory "+project+" does not exist", "pass the directory of a Python project")
	}
	p, err := initcfg.Propose(ctx, initcfg.Options{Dir: dir, Python: *python})
	if p != nil {
		for _, n := range p.Notes {
			fmt.Fprintf(stderr, "teeth: note: %s\n", n)
		}
	}
	if err != nil {
		return err
	}
	if p.Template != "" {
		return offerTemplate(p, project, *write, stdout, stderr)
	}
	fmt.Fprint(stdout, p.Table())
	if !*write {
		if p.HasTable {
			fmt.Fprintf(stderr, "teeth: %s already has a [tool.teeth] table: compare it with the one above\n", filepath.Join(project, "pyproject.toml"))
		}
		return nil
	}
	file := filepath.Join(dir, "pyproject.toml")
	if err := initcfg.Write(file, p.Table()); errors.Is(err, initcfg.ErrExists) {
		return hint.New(filepath.Join(project, "pyproject.toml")+" already has a [tool.teeth] table; teeth init --write never overwrites it",
			"edit it by hand to match the table above, or delete it and run teeth init --write again")
	} else if err != nil {
		return hint.New("writing "+file+": "+err.Error(), "fix that file, or paste the table above into it")
	}
	fmt.Fprintf(stderr, "teeth: added [tool.teeth] to %s; next: teeth verify %s\n", filepath.Join(project, "pyproject.toml"), project)
	return nil
}

// offerTemplate prints a gate conftest for a project that has none.
func offerTemplate(p *initcfg.Proposal, project string, write bool, stdout, stderr io.Writer) error {
	fmt.Fprint(stdout, p.Template)
	where := filepath.Join(project, filepath.FromSlash(p.TemplatePath))
	if write {
		return hint.New("no Blockbuster gate in any conftest.py of "+project+", so there is no [tool.teeth] to write",
			fmt.Sprintf("save the gate conftest printed above as %s, add anchor tests beside it, and run teeth init --write again", where))
	}
	fmt.Fprintf(stderr, "teeth: no Blockbuster gate in any conftest.py of %s; above is one to start from: save it as %s, add anchor tests beside it, and run teeth init again\n", project, where)
	return nil
}
