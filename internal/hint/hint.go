// Package hint owns teeth's one error type: a one-line message, the hint
// that says what to do about it, and the exit code the run ends with. Every
// package returns it for bad input, configuration or environment; the
// command line prints it as "teeth: MSG" and "teeth: hint: HINT".
package hint

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
