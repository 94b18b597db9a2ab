// Package regfile reads the project's files as teeth must: a regular file
// only, and never blocking on anything else a tree may hold (a FIFO, a
// device), since teeth reads trees it does not own.
package regfile

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// Read reads at most limit bytes of the regular file at path (limit < 0:
// all of it). Anything but a regular file is an error, and opening it
// never blocks.
func Read(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if limit < 0 {
		return io.ReadAll(f)
	}
	return io.ReadAll(io.LimitReader(f, limit))
}
