package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/teethtool/teeth/internal/hint"
)

// resolve makes paths absolute against the config file's directory and
// checks that everything the run needs exists.
func (c *Config) Resolve(base string) error {
	if c.Dir == "" {
		c.Dir = base
	} else if !filepath.IsAbs(c.Dir) {
		c.Dir = filepath.Join(base, c.Dir)
	}
	abs, err := filepath.Abs(c.Dir)
	if err != nil {
		return err
	}
	if c.Dir, err = filepath.EvalSymlinks(abs); err != nil {
		return hint.New("project directory "+abs+" does not exist", "pass the directory of a Python project")
	}
	if len(c.SourceRoots) == 0 {
		return hint.New("no source_roots configured for "+c.Dir,
			`run "teeth init" to write [tool.teeth] (source_roots: the package directories to mutate), or pass --source-root`)
	}
	for _, r := range c.SourceRoots {
		if err := c.checkInside("source root", r, true); err != nil {
			return err
		}
	}
	for _, a := range c.Anchors {
		p, _, _ := strings.Cut(a, "::")
		if err := c.checkInside("anchors path", p, false); err != nil {
			return err
		}
	}
	return c.resolveCommand()
}

func (c *Config) checkInside(what, rel string, wantDir bool) error {
	if filepath.IsAbs(rel) || strings.HasPrefix(filepath.Clean(rel), "..") {
		return hint.New(fmt.Sprintf("%s %s is not inside the project directory", what, rel), "give it relative to "+c.Dir)
	}
	info, err := os.Stat(filepath.Join(c.Dir, rel))
	if err != nil {
		return hint.New(fmt.Sprintf("%s %s not found in %s", what, rel, c.Dir), "check [tool.teeth] in pyproject.toml or the flags")
	}
	if wantDir && !info.IsDir() {
		return hint.New(fmt.Sprintf("%s %s is not a directory", what, rel), "name the package directory, e.g. app or src/mypkg")
	}
	return nil
}
