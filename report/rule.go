package report

import "strings"

// Statuses of a rule proposal (Site.RuleProposal).
const (
	RuleProven   = "proven"   // red with the rule and the offload removed, green with the rule and the offload restored
	RuleRefuted  = "refuted"  // the proof ran and the rule did not do both
	RuleUnproven = "unproven" // proposed from the evidence; the proof was not run
	RuleNone     = "none"     // no rule to propose: the call blocked nothing a detector rule would catch
)

// Outcomes of one anchor in a rule's proof run (RuleRun.Outcome).
const (
	RuleRed       = "red"       // failed, and the rule fired
	RuleRedOther  = "red-other" // failed, the rule did not fire
	RuleGreen     = "green"     // passed, the rule did not fire
	RuleSwallowed = "swallowed" // passed although the rule fired
)

// RuleProposal is the RULE route for a survived site: the detector rule
// that would catch what its un-offloaded call blocked the loop in, proven in
// the sandbox, or why there is none.
type RuleProposal struct {
	Status string `json:"status"`
	// Reason says in one line why the proposal has its status.
	Reason string `json:"reason"`
	// Primitive is the blocking primitive the rule patches, in the
	// detector's spelling ("os.fsync").
	Primitive string `json:"primitive,omitempty"`
	// Via is how the call that proposed it named the primitive.
	Via *Binding `json:"via,omitempty"`
	// Alternatives are the call's other unpatched blocking primitives, each
	// a rule of its own (teeth rule --primitive NAME).
	Alternatives []string `json:"alternatives,omitempty"`
	// Detector is the detector distribution the proof ran with ("blockbuster 1.5.29").
	Detector string `json:"detector,omitempty"`
	// Rule is the entry in the detector's own API:
	// BlockBusterFunction(None, "os.fsync", scanned_modules=SCANNED_MODULES).
	Rule string `json:"rule,omitempty"`
	// ScannedModules are the modules the gate scans, which the rule is
	// scoped to; absent when the gate scans every module.
	ScannedModules []string `json:"scanned_modules,omitempty"`
	// Gate is where the gate is built ("tests/blocking_io/conftest.py:27").
	Gate string `json:"gate,omitempty"`
	// Patch is the unified diff that adds the rule to the gate's file;
	// Snippet is the code to add by hand when the gate's shape cannot be
	// patched mechanically (then Patch is empty and Reason says why).
	Patch   string `json:"patch,omitempty"`
	Snippet string `json:"snippet,omitempty"`
	// SnippetWhy says why the snippet is to be added by hand.
	SnippetWhy string `json:"snippet_why,omitempty"`
	// Anchors are the anchors whose survived run called Primitive on the loop.
	Anchors []string `json:"anchors,omitempty"`
	// Red are their runs with the rule in and the offload removed; Green
	// with the rule in and the offload restored.
	Red   []RuleRun `json:"red,omitempty"`
	Green []RuleRun `json:"green,omitempty"`
	// Collateral are the other anchors, green at baseline, in whose run of
	// the whole anchor suite with the rule (no mutant) the rule fired: other
	// calls of the primitive already on the loop. SuiteAnchors counts the
	// anchors of that run.
	Collateral   []RuleRun `json:"collateral,omitempty"`
	SuiteAnchors int       `json:"suite_anchors,omitempty"`
	// Commit is a commit message for the rule's own commit, with the evidence.
	Commit string `json:"commit,omitempty"`
}

// RuleRun is one anchor's run in a rule's proof.
type RuleRun struct {
	Anchor  string `json:"anchor"`
	Outcome string `json:"outcome"` // red, red-other, green, swallowed, timeout, error
	Run     Run    `json:"run"`
}

// Fires reports whether one of a run's detector messages names the
// primitive: Blockbuster says "Blocking call to os.fsync". It attributes a
// firing to its rule when several rules are in one run.
func Fires(detector []string, prim string) bool {
	for _, d := range detector {
		if d == prim || strings.HasSuffix(d, " "+prim) {
			return true
		}
	}
	return false
}

// RuleRunBrief is one proof run in a few words: "failed: Blocking call to
// os.fsync at app/fileio.py:41".
func RuleRunBrief(r RuleRun) string {
	s := r.Run.Outcome
	if len(r.Run.Detector) > 0 {
		s += ": " + r.Run.Detector[0]
		if len(r.Run.DetectorAt) > 0 && r.Run.DetectorAt[0] != "" {
			s += " at " + r.Run.DetectorAt[0]
		}
	} else if r.Run.Outcome != "passed" {
		if first := FirstLine(r.Run.Excerpt); first != "" {
			s += ": " + ClipBytes(first, 200)
		}
	}
	return s
}
