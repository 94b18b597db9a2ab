//go:build !linux

package proc

import (
	"errors"
	"syscall"
)

// Gone reports whether the process pid has exited. Without /proc a zombie
// still counts as running.
func Gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
