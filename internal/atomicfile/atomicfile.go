// Package atomicfile owns writing a file so that a reader sees the old file
// or the whole new one, never a half-written one, whatever happens to the
// writer: teeth's reports, the mutant teeth apply writes, the [tool.teeth]
// table teeth init adds, and the release artefacts.
package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes what write produces to path through a temporary file in the
// same directory, synced and renamed over path. The file keeps the
// permissions of the file it replaces, or gets perm when there is none.
func Write(path string, perm fs.FileMode, write func(io.Writer) error) error {
	if info, err := os.Stat(path); err == nil {
		perm = info.Mode().Perm()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after the rename there is nothing left to remove
	err = write(f)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// WriteBytes writes data to path as Write does.
func WriteBytes(path string, perm fs.FileMode, data []byte) error {
	return Write(path, perm, func(w io.Writer) error { _, err := w.Write(data); return err })
}
