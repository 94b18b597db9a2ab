// Package runner owns everything that runs the target's tests: sandbox
// copies of the project, pytest processes with teeth's plugin under a
// process-group kill, and the verify pipeline (baseline, mutants, restore).
package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	cp "github.com/otiai10/copy"
)

// skippedDirs are never copied into a sandbox.
var skippedDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "__pycache__": true,
	".pytest_cache": true, ".mypy_cache": true, ".ruff_cache": true,
	".tox": true, ".nox": true, "node_modules": true, ".venv": true, "venv": true,
}

// Sandbox is a private copy of the project that mutants are written into.
type Sandbox struct {
	Dir string // the copy's project directory
	src string // the user's project directory, never written
}

// NewSandbox copies the project at src into dst, skipping version control,
// virtualenvs, caches, bytecode and avoid (teeth's scratch directory, should
// it lie inside the project). File times are not preserved, so no
// bytecode cache can ever be taken for a mutant's.
func NewSandbox(src, dst, avoid string) (*Sandbox, error) {
	opt := cp.Options{
		Skip: func(info os.FileInfo, path, dest string) (bool, error) {
			if path == avoid {
				return true, nil // teeth's own scratch space inside the project
			}
			return skip(info, path, dest)
		},
		OnSymlink:     func(string) cp.SymlinkAction { return cp.Shallow },
		PreserveTimes: false,
	}
	if err := cp.Copy(src, dst, opt); err != nil {
		return nil, fmt.Errorf("copying the project into a sandbox: %w", err)
	}
	return &Sandbox{Dir: dst, src: src}, nil
}

func skip(info os.FileInfo, src, _ string) (bool, error) {
	if !info.IsDir() {
		return filepath.Ext(src) == ".pyc", nil
	}
	if skippedDirs[info.Name()] {
		return true, nil
	}
	_, err := os.Stat(filepath.Join(src, "pyvenv.cfg"))
	return err == nil, nil
}

// Write replaces the sandbox's copy of rel with data.
func (s *Sandbox) Write(rel string, data []byte) error {
	return os.WriteFile(filepath.Join(s.Dir, filepath.FromSlash(rel)), data, 0o644)
}

// Restore writes the original bytes of rel back and checks them.
func (s *Sandbox) Restore(rel string, orig []byte) error {
	if err := s.Write(rel, orig); err != nil {
		return err
	}
	return s.Check(rel, orig)
}

// Check reports an error unless the sandbox's copy of rel holds want.
func (s *Sandbox) Check(rel string, want []byte) error {
	got, err := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("sandbox copy of %s was not restored", rel)
	}
	return nil
}
