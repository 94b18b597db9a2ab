package report

import (
	"fmt"
	"slices"
	"strings"
)

// Crash is a detector that crashed while checking a call: it raised an
// exception other than its own (Blockbuster's read check raising
// AttributeError on a tarfile member), so the test failed through neither
// its assertions nor the gate.
type Crash struct {
	Type    string `json:"type"`    // the exception's class, "AttributeError"
	Message string `json:"message"` // its message's first line
	At      string `json:"at"`      // where it was raised: "path:line in function"
	// DetectorAt is the detector's innermost frame on the way:
	// "blockbuster/blockbuster.py:431 in file_read_exclude".
	DetectorAt string `json:"detector_at"`
	// Checking is the function the detector was checking, when its wrapper
	// names it ("io.BufferedReader.read").
	Checking string `json:"checking,omitempty"`
}

// Text says in one clause what crashed: "the detector crashed while
// checking io.BufferedReader.read: AttributeError: ... (at ...)".
func (c *Crash) Text() string {
	what := "the detector crashed"
	if c.Checking != "" {
		what += " while checking " + c.Checking
	}
	exc := c.Type
	if c.Message != "" {
		exc += ": " + c.Message
	}
	where := c.DetectorAt
	if c.At != "" && c.At != c.DetectorAt {
		where = c.At + ", from " + c.DetectorAt
	}
	return fmt.Sprintf("%s: %s (at %s)", what, exc, where)
}

// States of the event loop's thread when a run was killed on its time limit.
const (
	HangBlocked = "blocked" // in a call on the loop's thread: the loop was blocked
	HangIdle    = "idle"    // in its selector: waiting for I/O or a timer that never came
	HangNoLoop  = "no-loop" // no thread was running an event loop
)

// Hang is what the event loop's thread was doing when teeth killed a run on
// its time limit, from its stack sampled then.
type Hang struct {
	State string   `json:"state"`
	At    string   `json:"at"`    // "path:line in function": the call it was blocked in, or its selector
	Stack []string `json:"stack"` // its innermost frames, most recent first
}

// Text says in one clause what the loop was doing.
func (h *Hang) Text() string {
	switch h.State {
	case HangBlocked:
		return "the loop's thread was blocked in a call at " + h.At
	case HangIdle:
		return "the loop was not blocked: it sat idle in its selector (" + h.At + "), waiting for I/O or an event that never came, such as a reply from a dead peer"
	}
	return "no event loop was running: the test was stuck at " + h.At
}

// Allowances are what a gate deliberately allows, read from the live gate
// at run time: the functions of its table it deactivated, and the
// exemptions the project added with can_block_in.
type Allowances struct {
	Deactivated []string    `json:"deactivated"`
	Exempt      []Exemption `json:"exempt"`
}

// Exemption is one can_block_in call of the project's gate: the detector
// function, and the file and functions where it may block.
type Exemption struct {
	Function  string   `json:"function"`
	File      string   `json:"file"`
	Functions []string `json:"functions"`
}

// Add merges b into a, keeping each entry once, in order.
func (a *Allowances) Add(b *Allowances) {
	if b == nil {
		return
	}
	for _, d := range b.Deactivated {
		if !slices.Contains(a.Deactivated, d) {
			a.Deactivated = append(a.Deactivated, d)
		}
	}
	for _, e := range b.Exempt {
		if !slices.ContainsFunc(a.Exempt, func(x Exemption) bool {
			return x.Function == e.Function && x.File == e.File && slices.Equal(x.Functions, e.Functions)
		}) {
			a.Exempt = append(a.Exempt, e)
		}
	}
}

// Empty reports whether the gate allows nothing beyond the detector's defaults.
func (a *Allowances) Empty() bool {
	return a == nil || len(a.Deactivated) == 0 && len(a.Exempt) == 0
}

// Text lists the allowances in one line.
func (a *Allowances) Text() string {
	var parts []string
	if len(a.Deactivated) > 0 {
		parts = append(parts, "deactivated "+strings.Join(a.Deactivated, ", "))
	}
	for _, e := range a.Exempt {
		parts = append(parts, fmt.Sprintf("%s may block in %s (%s)", e.Function, e.File, strings.Join(e.Functions, ", ")))
	}
	return strings.Join(parts, "; ")
}

// AllowedPrimitive is a patched primitive the un-offloaded call ran that the
// gate deliberately allows there: Why is "deactivated", or the can_block_in
// exemption that covers it.
type AllowedPrimitive struct {
	Name  string  `json:"name"`
	Calls int     `json:"calls"`
	S     float64 `json:"s"`
	Why   string  `json:"why"`
}
