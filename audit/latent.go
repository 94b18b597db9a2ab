package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// KindLatent is a blocking call the gate caught at baseline inside a test
// that still passed: something between the blocking frame and the test
// swallowed the detector's exception.
const KindLatent = "latent"

// Kinds of catcher: who swallowed a detector exception.
const (
	CatcherProject = "project" // an except or with statement in the source roots
	CatcherTest    = "test"    // the test's own code (or a conftest): in the project, outside the source roots
	CatcherLibrary = "library" // a library's code (Package names it)
	CatcherLogging = "logging" // logging's Handler.emit: handleError printed it, the record was lost
	CatcherTask    = "task"    // it ended an asyncio task that nothing retrieved it from
	CatcherNative  = "native"  // it left Python code into the C code that called it, which dropped it
	CatcherUnknown = "unknown" // teeth could not follow it
)

// Caught is one detector exception raised for project code during a test,
// and the frame that caught it, as the plugin recorded them at baseline.
type Caught struct {
	Primitive string  `json:"primitive"` // what blocked, in the detector's words ("os.getcwd")
	At        string  `json:"at"`        // the innermost source-root frame, "path:line"
	Function  string  `json:"function"`  // its function's qualified name
	Catcher   Catcher `json:"catcher"`
}

// Catcher is the frame that caught a detector exception.
type Catcher struct {
	Kind     string `json:"kind"`               // one of the Catcher kinds
	At       string `json:"at,omitempty"`       // "path:line" of its handler: the except clause, the with statement
	Function string `json:"function,omitempty"` // the function holding it
	// How is the handler: "except Exception", "with contextlib.suppress",
	// "never retrieved" (a task).
	How     string `json:"how,omitempty"`
	Package string `json:"package,omitempty"` // a library catcher's package (and distribution)
	Detail  string `json:"detail,omitempty"`  // what happened, in words, when the kind needs them
}

// Latent is a latent blocking finding: one blocking call in project code,
// caught by the gate at baseline and swallowed, with the anchors that pass
// over it. Findings are grouped by primitive, blocking frame and catcher.
type Latent struct {
	Kind      string   `json:"kind"` // KindLatent
	Primitive string   `json:"primitive"`
	At        string   `json:"at"` // "path:line" of the blocking frame
	Path      string   `json:"path"`
	Line      int      `json:"line"`
	Function  string   `json:"function"`
	Catcher   Catcher  `json:"catcher"`
	Detail    string   `json:"detail"`
	Anchors   []string `json:"anchors"`
}

// latent groups the detector exceptions caught in passing anchors into
// findings, in file and line order. Gate self-tests expect the detector,
// and anchors that ran with the gate off or did not pass are judged
// otherwise: neither is a finding.
func latent(anchors []Anchor) []Latent {
	out := []Latent{}
	index := map[string]int{}
	for _, a := range anchors {
		if a.Outcome != "passed" || a.SelfTest || a.GateOff {
			continue
		}
		for _, c := range a.Latent {
			if c.At == "" {
				continue
			}
			key := c.Primitive + "\x00" + c.At + "\x00" + c.Catcher.Kind + "\x00" + c.Catcher.At
			i, ok := index[key]
			if !ok {
				i = len(out)
				index[key] = i
				path, line := splitAt(c.At)
				out = append(out, Latent{Kind: KindLatent, Primitive: c.Primitive, At: c.At, Path: path, Line: line,
					Function: c.Function, Catcher: c.Catcher, Detail: latentDetail(c)})
			}
			if !slices.Contains(out[i].Anchors, a.NodeID) {
				out[i].Anchors = append(out[i].Anchors, a.NodeID)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Latent) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Primitive, b.Primitive))
	})
	return out
}

// latentDetail is a finding's one line: what blocked where, and who
// swallowed the gate's error.
func latentDetail(c Caught) string {
	where := c.At
	if c.Function != "" {
		where += " in " + c.Function
	}
	return fmt.Sprintf("%s blocks the event loop at %s: the gate raised, %s", c.Primitive, where, c.Catcher.Text())
}

// Text says who swallowed the detector's error, for a finding's detail:
// "swallowed by except Exception at app/paths.py:12 in root (project code)".
func (c Catcher) Text() string {
	at := c.At
	if c.Function != "" {
		at += " in " + c.Function
	}
	how := c.How
	if how == "" {
		how = "a handler"
	}
	switch c.Kind {
	case CatcherProject:
		return fmt.Sprintf("swallowed by %s at %s (project code)", how, at)
	case CatcherTest:
		return fmt.Sprintf("swallowed by %s at %s (the test's own code)", how, at)
	case CatcherLibrary:
		return fmt.Sprintf("swallowed by %s at %s (library %s)", how, at, c.Package)
	case CatcherLogging:
		return "swallowed by logging: " + c.Detail
	case CatcherTask:
		return "swallowed by its task: " + c.Detail
	}
	if c.Detail != "" {
		return "lost: " + c.Detail
	}
	return "and teeth could not tell who swallowed it"
}

// splitAt splits "path:line".
func splitAt(at string) (string, int) {
	i := strings.LastIndexByte(at, ':')
	if i < 0 {
		return at, 0
	}
	n, err := strconv.Atoi(at[i+1:])
	if err != nil {
		return at, 0
	}
	return at[:i], n
}
