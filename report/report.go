// Package report owns teeth's verdicts and the reports that carry them: the
// per-anchor and per-site verdict rules and the reasons they give, the merge
// of shard reports, the tally of re-runs, and the JSON report (schema
// version 1) with its schema, written and read back (checked against the
// schema). Package render writes a report in the human and CI formats.
package report

import (
	_ "embed"

	"github.com/teethtool/teeth/audit"
)

// SchemaVersion is the version of the JSON report's schema.
const SchemaVersion = 1

// Report is the whole result of a teeth run; it is what --json writes.
type Report struct {
	SchemaVersion int      `json:"schema_version"`
	Tool          string   `json:"tool"`
	Version       string   `json:"version"`
	Project       string   `json:"project"`
	Command       []string `json:"command"`
	Shard         string   `json:"shard,omitempty"`   // "i/n" for one shard of a sharded run
	Run           *RunID   `json:"run,omitempty"`     // which run this is: teeth merge takes the shards of one run only
	Partial       *Partial `json:"partial,omitempty"` // a merge of some of a run's shards (teeth merge --partial)
	FailOn        []string `json:"fail_on"`           // anchor verdicts that fail the run
	Scope         *Scope   `json:"scope,omitempty"`   // what a --changed run covered
	Mode          string   `json:"mode"`              // "verify", or "audit" (no mutants were run)
	// NoSite is the policy for tests that reach no offload site: "list"
	// (anchors with a verdict; omitted) or "count" (counted in
	// Summary.Counted, not listed, never failing the run).
	NoSite string        `json:"no_site,omitempty"`
	Audit  *audit.Report `json:"audit,omitempty"`
	// GateAllows is what the project's gate deliberately allows, read from
	// the live gate during the baseline: functions it deactivated, and its
	// can_block_in exemptions. Absent when it allows nothing of its own.
	GateAllows   *Allowances `json:"gate_allows,omitempty"`
	Anchors      []Anchor    `json:"anchors"`
	Sites        []Site      `json:"sites"`
	Wrappers     []Wrapper   `json:"wrappers"`
	SkippedFiles []FileError `json:"skipped_files"`
	Summary      Summary     `json:"summary"`
}

// RunID tells one run of teeth from another: the shards of one run share it.
type RunID struct {
	// Config digests what the verdicts depend on: teeth's version and the
	// configuration (source roots, anchors, exclude, wrappers, detectors,
	// opt-out marker, pytest arguments, fail_on, time limits) and the
	// selection (--site, --changed, --full-matrix); not the machine's
	// (interpreter path, workers, warm path, cache).
	Config string `json:"config"`
	// Sources digests the source files that hold offload sites (their paths
	// and contents).
	Sources string `json:"sources"`
	// Commit is the project's git HEAD, "" outside git.
	Commit string `json:"commit,omitempty"`
}

// Partial says which shards a partial merge holds and which it lacks: the
// sites of the missing shards were never run.
type Partial struct {
	Shards  []string `json:"shards"`  // "i/n" of each shard merged
	Missing []string `json:"missing"` // "i/n" of each shard missing
}

// Anchor is one anchor test (a pytest node id) with its verdict and evidence.
type Anchor struct {
	NodeID  string `json:"nodeid"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
	GateOff bool   `json:"gate_off"`
	// Gate is whether the gate was on while the anchor ran at baseline, as
	// observed ("on" or "off"); "" when it could not be observed.
	Gate string `json:"gate,omitempty"`
	// OptOut is whether the anchor carries the gate's opt-out marker.
	OptOut   bool `json:"opt_out,omitempty"`
	SelfTest bool `json:"self_test"`
	Baseline Run  `json:"baseline"`
	Restore  *Run `json:"restore,omitempty"`
	// RestoreReruns are the runs of the restored code after a restore run
	// that was not green, until baseline, restore and re-runs settle.
	RestoreReruns []Run      `json:"restore_reruns,omitempty"`
	Sites         []string   `json:"sites"`
	Mutants       []Evidence `json:"mutants"`
}

// Policies for tests that reach no offload site (Report.NoSite, the no_site key).
const (
	NoSiteList  = "list"  // each is an anchor with its verdict (no-site fails the run by default)
	NoSiteCount = "count" // counted, not listed, never failing the run: a suite-wide gate
)

// Observed gate states of an anchor (Anchor.Gate).
const (
	GateObservedOn  = "on"
	GateObservedOff = "off"
)

// Run is the record of one test in one pytest process.
type Run struct {
	Outcome   string   `json:"outcome"`
	ExitCode  int      `json:"exit_code"`
	DurationS float64  `json:"duration_s"`
	Detector  []string `json:"detector"`
	// DetectorAt is, for each detector message, the innermost source-root
	// frame ("path:line") on the stack when the detector was constructed.
	DetectorAt []string `json:"detector_at,omitempty"`
	Excerpt    string   `json:"excerpt,omitempty"`
	// Blocked is what the un-offloaded call did in a mutant run, when it ran.
	Blocked *Blocked `json:"blocked,omitempty"`
	// Crash is the detector's own crash behind a failure: it raised
	// something else than its exception while checking a call.
	Crash *Crash `json:"detector_crash,omitempty"`
	// Hang is what the event loop's thread was doing when the run was
	// killed on its time limit (a timeout).
	Hang *Hang `json:"hang,omitempty"`
	// StartedS and EndedS are when the test started and ended, in seconds
	// from the start of the teeth run that ran it: the runs that
	// overlapped (absent for an outcome from the cache).
	StartedS *float64 `json:"started_s,omitempty"`
	EndedS   *float64 `json:"ended_s,omitempty"`
}

// Evidence is what one mutant did to one anchor.
type Evidence struct {
	Site    string `json:"site"`
	Outcome string `json:"outcome"`
	Run     Run    `json:"run"`
	Retry   *Run   `json:"retry,omitempty"`
	// Reruns are the runs after Retry of a pair whose runs disagreed; Tally
	// holds the outcome of every run in order (Run, Retry, Reruns), and
	// Outcome is then settled from it (see Settle).
	Reruns    []Run    `json:"reruns,omitempty"`
	Tally     []string `json:"tally,omitempty"`
	Cached    bool     `json:"cached,omitempty"` // taken from --cache, not run this time
	Diff      string   `json:"diff"`
	Reproduce string   `json:"reproduce"`
}

// Site is one offload site with its verdict.
type Site struct {
	ID       string   `json:"id"`
	Path     string   `json:"path"`
	Line     int      `json:"line"`
	Function string   `json:"function"`
	Callee   string   `json:"callee"`
	Offload  string   `json:"offload"`
	Shape    string   `json:"shape"`
	Verdict  string   `json:"verdict"`
	Reason   string   `json:"reason,omitempty"` // why, in one line (set by Finalize)
	Anchors  []string `json:"anchors"`
	Invalid  string   `json:"invalid,omitempty"`
	Diff     string   `json:"diff,omitempty"`
	// RuleProposal is the RULE route of a survived site: the detector rule
	// for what its call blocked the loop in, and its proof (teeth rule, or
	// teeth verify, unless --no-prove-rules).
	RuleProposal *RuleProposal `json:"rule_proposal,omitempty"`
}

// Wrapper is a project-local offload wrapper whose call sites are mutated.
type Wrapper struct {
	Name string `json:"name"`
	Path string `json:"path"`
	Line int    `json:"line"`
}

// FileError is a source file that was skipped, with the reason.
type FileError struct {
	Path string `json:"path"`
	Line int    `json:"line"`
	Msg  string `json:"msg"`
}

// Summary holds the counts of a run.
type Summary struct {
	Anchors        int            `json:"anchors"`
	Sites          int            `json:"sites"`
	Mutants        int            `json:"mutants"`
	PytestRuns     int            `json:"pytest_runs"`
	AnchorVerdicts map[string]int `json:"anchor_verdicts"`
	SiteVerdicts   map[string]int `json:"site_verdicts"`
	DurationS      float64        `json:"duration_s"`
	MutantsPerS    float64        `json:"mutants_per_s"`
	CachedOutcomes int            `json:"cached_outcomes"`
	WarmRuns       int            `json:"warm_runs"`
	LazyRuns       int            `json:"lazy_runs,omitempty"` // warm runs whose child imported the mutated module itself
	FreshRuns      int            `json:"fresh_runs"`
	Fallbacks      map[string]int `json:"fallbacks"`
	// RunsAtOnce is the most pytest runs (processes and warm children)
	// that ran at once: the workers, and those started while the cores
	// idled because the runs waited.
	RunsAtOnce int `json:"runs_at_once,omitempty"`
	// Reach is how reach was recorded: "call" (the offload call ran) or
	// "line" (its line ran) when any run of the report traced per line.
	Reach  string `json:"reach,omitempty"`
	Failed bool   `json:"failed"`
	// Counted are the tests that reach no offload site under no_site =
	// "count", by the verdict they would have had (no-site, skipped,
	// xfailed, gate-off): counted, not listed among the anchors.
	Counted map[string]int `json:"counted,omitempty"`
	// RuleRuns and RuleS are the pytest processes and the seconds the rule
	// proofs took (teeth rule, teeth verify), apart from the above.
	RuleRuns int     `json:"rule_runs,omitempty"`
	RuleS    float64 `json:"rule_s,omitempty"`
}

// Schema is the JSON Schema (draft 2020-12) of the report, schema_version 1.
//
//go:embed schema.json
var Schema []byte

// Scope is what a changed-only run (--changed) covered and left out.
type Scope struct {
	Base               string   `json:"base"`
	MergeBase          string   `json:"merge_base"`
	Dirty              bool     `json:"dirty"`
	ChangedFiles       []string `json:"changed_files"`
	ChangedSites       []string `json:"changed_sites"`        // sites in functions changed since the merge base
	ReachedSites       []string `json:"reached_sites"`        // sites in same-file async functions changed code newly calls
	TouchedAnchorFiles []string `json:"touched_anchor_files"` // changed test files and conftests
	LeftOut            string   `json:"left_out"`
}
