package regfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("abcdef"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(file, -1); err != nil || string(got) != "abcdef" {
		t.Errorf("Read(f, -1) = %q, %v", got, err)
	}
	if got, err := Read(file, 3); err != nil || string(got) != "abc" {
		t.Errorf("Read(f, 3) = %q, %v", got, err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, err := Read(fifo, -1); err == nil { // a FIFO with no writer: it must neither block nor be read
		t.Error("Read(fifo) succeeded")
	}
	if _, err := Read(dir, -1); err == nil {
		t.Error("Read(dir) succeeded")
	}
}
