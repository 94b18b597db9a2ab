package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/report"
)

// Item is one collected test.
type Item struct {
	NodeID   string `json:"nodeid"`
	Path     string `json:"path"`
	File     string `json:"file"` // relative to the project directory
	Line     int    `json:"line"`
	GateOff  bool   `json:"gate_off"`
	SelfTest bool   `json:"self_test"`
	Doc      string `json:"doc"`
	// SelfOffloads are the callables the test body offloads itself.
	SelfOffloads []string `json:"self_offloads"`
	Markers      []string `json:"markers"` // skip, skipif, xfail
}

// Test is what the plugin recorded for one test.
type Test struct {
	NodeID   string   `json:"nodeid"`
	Outcome  string   `json:"outcome"`
	Duration float64  `json:"duration"`
	Wall     float64  `json:"wall"`
	Sites    []int    `json:"sites"`
	Funcs    []string `json:"funcs"` // "path:qualname" of source-root functions it ran (baseline)
	Detector []string `json:"detector"`
	// DetectorAt is where each detector exception was constructed: the
	// innermost source-root frame, "path:line", or "".
	DetectorAt []string `json:"detector_at"`
	Excerpt    string   `json:"excerpt"`
	// T0 and T1 are when the test started and ended (Unix seconds, the
	// clock teeth reads too): the runs that overlapped.
	T0 float64 `json:"t0"`
	T1 float64 `json:"t1"`
	// Blocked is what the mutant's un-offloaded call did on the loop, when it
	// ran in this test (mutant runs only).
	Blocked *report.Blocked `json:"blocked"`
	// Gate is whether the gate was on when the test's call phase began (or
	// the test body turned it on), as observed; nil when it could not be.
	Gate *bool `json:"gate"`
	// Allow is what the gate deliberately allowed while the test ran.
	Allow *report.Allowances `json:"allow"`
	// Crash is the detector's own crash behind a failure, if any.
	Crash *report.Crash `json:"crash"`
	// Latent are the detector exceptions raised for project code, each
	// with the frame that caught it (baseline runs only).
	Latent []audit.Caught `json:"latent"`
	// Hang is what the loop thread was doing when the run was killed on its
	// time limit (set by the runner, not the plugin).
	Hang *report.Hang `json:"hang,omitempty"`
}

// Record is t's run as the reports carry it, with the exit code of the test
// alone (see ExitCode; code is its process's); a nil t did not run ("not-run").
func (t *Test) Record(code int) report.Run {
	if t == nil {
		return report.Run{Outcome: "not-run", ExitCode: code, Detector: []string{}}
	}
	det := t.Detector
	if det == nil {
		det = []string{}
	}
	var at []string
	if len(t.DetectorAt) == len(det) && slices.ContainsFunc(t.DetectorAt, func(s string) bool { return s != "" }) {
		at = t.DetectorAt
	}
	return report.Run{Outcome: t.Outcome, ExitCode: ExitCode(t.Outcome, code), DurationS: report.Round3(t.Wall), Detector: det, DetectorAt: at,
		Excerpt: t.Excerpt, Blocked: t.Blocked, Crash: t.Crash, Hang: t.Hang}
}

// RecordAt is Record with when the test started and ended, in seconds
// from origin (the teeth run's start), when the plugin said.
func (t *Test) RecordAt(code int, origin time.Time) report.Run {
	run := t.Record(code)
	if t != nil && t.T0 > 0 && t.T1 >= t.T0 {
		at := float64(origin.UnixNano()) / 1e9
		start, end := report.Round3(t.T0-at), report.Round3(t.T1-at)
		run.StartedS, run.EndedS = &start, &end
	}
	return run
}

// ExitCode is the exit code of one test, as pytest would exit running it
// alone: 0 when it passed, was skipped or xfailed, 1 when it failed; for a
// test that did not finish (timeout, error, not run) the code of the
// process it ran in (-1 when a signal killed it).
func ExitCode(outcome string, process int) int {
	switch outcome {
	case "passed", "skipped", "xfailed":
		return 0
	case "failed":
		return 1
	}
	return process
}

// GateOff says whether the gate was off for a collected test at baseline,
// and how that is known: observed ("on" or "off") when the plugin saw the
// test's call phase begin with Blockbuster wrapped, else by the opt-out
// marker ("" observed; a skipped test never reaches its call phase).
func (r *Result) GateOff(it Item) (off bool, observed string) {
	if t := r.Tests[it.NodeID]; t != nil && t.Gate != nil {
		if *t.Gate {
			return false, report.GateObservedOn
		}
		return true, report.GateObservedOff
	}
	return it.GateOff, ""
}

// CollectError is a file pytest could not collect.
type CollectError struct {
	NodeID  string `json:"nodeid"`
	Excerpt string `json:"excerpt"`
}

// Result is one pytest process.
type Result struct {
	Items            []Item
	Tests            map[string]*Test
	Order            []string // node ids in the order they finished
	Running          string   // node id started but not finished (killed mid-test)
	CollectErrors    []CollectError
	Deselected       []string // node ids the project's own pytest configuration deselected
	MissingDetectors []string
	Loaded, Leaked   []string          // source-root files imported from the sandbox / the original tree
	LeakCauses       []LeakCause       // how each leaked file came to be imported
	Support          []string          // other project files imported: conftests, the gate, helpers
	Versions         map[string]string // detector distribution versions
	Finished         bool
	Stopped          bool   // the plugin stopped the run early at a killed test
	InPlaceFailed    string // why the warm path could not apply the mutant in place
	Unserved         string // why the mutated module came from elsewhere than the mutant's bytes (teeth_mutant)
	Applied          string // how a warm child applied the mutant: "swapped" in place, or "lazy" (imported from the sandbox)
	Reach            string // "call" or "line": how the plugin recorded reach; "" with no sites watched
	Stack            stackEvent
	Hang             *report.Hang // the loop thread when the run was killed on its time limit
	exitStatus       int          // pytest's exit status as the plugin saw it
	ExitCode         int
	TimedOut         bool
	Wall             time.Duration
	Output           string // tail of pytest's output

	// Rules are the extra detector rules of Spec.Rules, as the gate took them.
	Rules []RuleEvent
}

type event struct {
	Ev string `json:"ev"`
	Test
	Items    []Item            `json:"items"`
	NodeIDs  []string          `json:"nodeids"`
	Name     string            `json:"name"`
	Reason   string            `json:"reason"`
	How      string            `json:"how"`
	Status   int               `json:"exitstatus"`
	Loaded   []string          `json:"loaded"`
	Leaked   []string          `json:"leaked"`
	Causes   []LeakCause       `json:"leak_causes"`
	Support  []string          `json:"support"`
	Versions map[string]string `json:"versions"`
	Mode     string            `json:"mode"`
	Scanned  []string          `json:"scanned"`
	Error    string            `json:"error"`
	PID      int               `json:"pid"`
	Signal   int               `json:"signal"`
	File     string            `json:"file"`
}

// stackEvent says which process to signal for a dump of its threads' stacks
// (teeth_stack), and where the dump goes.
type stackEvent struct {
	PID, Signal int
	File        string
}

// RuleEvent is one extra detector rule of a run (Spec.Rules): added to a
// gate, scoped to the directories Scanned, or refused with Error.
type RuleEvent struct {
	Name    string
	Scanned []string
	Error   string
}

func parseResults(path string) (*Result, error) {
	res := &Result{Tests: map[string]*Test{}}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return res, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			// A line cut short by a kill is the only one that may not parse.
			continue
		}
		res.apply(&ev)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading plugin results: %w", err)
	}
	return res, nil
}

func (r *Result) apply(ev *event) {
	switch ev.Ev {
	case "collected":
		r.Items = ev.Items
	case "collect-error":
		r.CollectErrors = append(r.CollectErrors, CollectError{ev.NodeID, ev.Excerpt})
	case "detector-missing":
		r.MissingDetectors = append(r.MissingDetectors, ev.Name)
	case "start":
		r.Running = ev.NodeID
	case "test":
		t := ev.Test
		r.Tests[t.NodeID] = &t
		r.Order = append(r.Order, t.NodeID)
		r.Running = ""
	case "modules":
		r.Loaded, r.Leaked, r.Support, r.Versions = ev.Loaded, ev.Leaked, ev.Support, ev.Versions
		r.LeakCauses = ev.Causes
	case "finish":
		r.Finished, r.exitStatus = true, ev.Status
	case "deselected":
		r.Deselected = append(r.Deselected, ev.NodeIDs...)
	case "stopped":
		r.Stopped = true
	case "inplace-failed":
		r.InPlaceFailed = ev.Reason
	case "unserved":
		r.Unserved = ev.Reason
	case "mutant-applied":
		r.Applied = ev.How
	case "rule":
		r.Rules = append(r.Rules, RuleEvent{Name: ev.Name, Scanned: ev.Scanned, Error: ev.Error})
	case "reach":
		r.Reach = report.MergeReach(r.Reach, ev.Mode)
	case "stack":
		r.Stack = stackEvent{PID: ev.PID, Signal: ev.Signal, File: ev.File}
	}
}
