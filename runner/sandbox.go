// Package runner owns everything that runs the target's tests: sandbox
// copies of the project, pytest processes with teeth's plugin under a
// process-group kill, and the verify pipeline (baseline, mutants, restore).
package runner

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
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
	Dir  string // the copy's project directory
	src  string // the user's project directory, never written
	real string // Dir free of symlinks
}

// NewSandbox copies the project at src into dst, skipping version control,
// virtualenvs, caches, bytecode, avoid (teeth's scratch directory, should
// it lie inside the project) and what tree (ScanTree's, or nil) skips, and
// re-pointing the symlinks tree re-points. File times are not preserved, so
// no bytecode cache can ever be taken for a mutant's. Every copied file and
// directory is writable by its owner, whatever the checkout's modes (a
// read-only checkout, say): teeth writes its probe and the mutants there.
func NewSandbox(src, dst, avoid string, tree *Tree) (*Sandbox, error) {
	if tree == nil {
		tree = &Tree{}
	}
	opt := cp.Options{
		Skip: func(info os.FileInfo, path, dest string) (bool, error) {
			if path == avoid || tree.skip[path] || tree.links[path] != "" {
				return true, nil // teeth's own scratch space, odd entries, links made below
			}
			return skip(info, path, dest)
		},
		OnSymlink: func(link string) cp.SymlinkAction {
			if tree.deep[link] {
				return cp.Deep // a source root, or on its way: mutants are written there
			}
			return cp.Shallow
		},
		PreserveTimes:     false,
		PermissionControl: cp.AddPermission(0o200), // u+w, in the sandbox only
	}
	if err := cp.Copy(src, dst, opt); err != nil {
		return nil, fmt.Errorf("copying the project into a sandbox: %w", err)
	}
	for link, target := range tree.links {
		rel, err := filepath.Rel(src, link)
		if err == nil {
			err = os.Symlink(target, filepath.Join(dst, rel))
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) { // its directory was skipped
			return nil, fmt.Errorf("copying the project into a sandbox: %w", err)
		}
	}
	real, err := filepath.EvalSymlinks(dst)
	if err != nil {
		return nil, err
	}
	return &Sandbox{Dir: dst, src: src, real: real}, nil
}

func skip(info os.FileInfo, src, _ string) (bool, error) {
	if !info.IsDir() {
		return filepath.Ext(src) == ".pyc", nil
	}
	return skippedDir(src, info.Name()), nil
}

// skippedDir reports whether the directory at p, named name, stays out of
// sandboxes: version control, caches, virtualenvs.
func skippedDir(p, name string) bool {
	if skippedDirs[name] {
		return true
	}
	_, err := os.Stat(filepath.Join(p, "pyvenv.cfg"))
	return err == nil
}

// Write replaces the sandbox's copy of rel with data. A symlink there is
// replaced by a regular file first: writing through it could reach a file
// outside the sandbox, the user's own among them.
func (s *Sandbox) Write(rel string, data []byte) error {
	p := filepath.Join(s.Dir, filepath.FromSlash(rel))
	if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil && !within(dir, s.real) {
		return fmt.Errorf("the sandbox's %s lies outside the sandbox through a symlink (%s); teeth never writes there", rel, dir)
	}
	if info, err := os.Lstat(p); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return os.WriteFile(p, data, 0o644)
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
