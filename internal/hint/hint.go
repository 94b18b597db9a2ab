// Package hint owns teeth's one error type: a one-line message, the hint
// that says what to do about it, and the exit code the run ends with. Every
// package returns it for bad input, configuration or environment; the
// command line prints it as "teeth: MSG" and "teeth: hint: HINT".
package hint

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// Error is an error a person can act on.
type Error struct {
	Msg  string // one line, lowercase, no "teeth:" prefix; "" prints nothing
	Hint string // what to do about it; "" prints no hint line
	Code int    // the process exit code
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

// ExitCode returns the process exit code.
func (e *Error) ExitCode() int { return e.Code }

// New is a usage, configuration or environment error: exit code 2.
func New(msg, hint string) *Error { return &Error{Msg: msg, Hint: hint, Code: 2} }

// Exit ends the run with code and prints nothing: the output has said it.
func Exit(code int) *Error { return &Error{Code: code} }

// For is the hint for an error that carries none: Env's, or where to look.
func For(err error) string {
	if h := Env(err); h != "" {
		return h
	}
	return "nothing was judged: fix what the message names and run teeth again"
}

// Env is what to do about the environment's errors teeth meets (a
// permission, a full disk, a file-size limit, a read-only file system, too
// many open files); "" for any other error.
func Env(err error) string {
	tmp := os.TempDir()
	switch {
	case errors.Is(err, syscall.EFBIG):
		return "a file-size limit (ulimit -f) cut a write: teeth copies the project into " + tmp +
			" and writes its runs' results there; raise the limit (ulimit -f unlimited) for teeth"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "the file system of " + tmp + " is full: free space, or point TMPDIR at a larger one"
	case errors.Is(err, syscall.EROFS):
		return "teeth writes only under " + tmp + ": point TMPDIR at a writable directory"
	case errors.Is(err, fs.ErrPermission):
		return "teeth reads the project and writes only under " + tmp + ": check the permissions of the path named above"
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return "too many open files: raise the limit (ulimit -n) or run with fewer workers (-j)"
	}
	return ""
}
