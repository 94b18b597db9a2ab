package render

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/report"
)

// auditCounts is the audit findings in one line of counts.
func auditCounts(a *audit.Report) string {
	u := a.Unguarded
	out := ""
	if n := len(a.Latent); n > 0 {
		out = report.Plural(n, "latent blocking call") + " · "
	}
	out += fmt.Sprintf("%d stale · %d bypassing · %d opted out · %d dangling · %d duplicate · %d of %d sites unguarded (coverage %.1f%%) · %d static findings unreached",
		len(a.Stale), len(a.Bypass), len(a.OptedOut), len(a.Dangling), len(a.Duplicates), u.Sites-u.Reached, u.Sites, u.Coverage*100, len(a.Static))
	if c := countedText(a.Counted); c != "" {
		out += " · counted, not listed: " + c
	}
	return out
}

// countedText is "4340 no-site, 60 skipped" for findings (or tests) counted, not listed.
func countedText(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	order := slices.Clone(audit.Kinds)
	for _, v := range report.AnchorVerdicts {
		if !slices.Contains(order, v) {
			order = append(order, v)
		}
	}
	return counts(m, order)
}

// ListFirst is how many entries of a list the terminal summary and the
// audit show before "… and N more": the JSON report holds them all.
const ListFirst = 20

// more writes the "… and N more" line of a list cut to ListFirst entries.
func more(w io.Writer, indent string, n int) {
	if n > ListFirst {
		fmt.Fprintf(w, "%s… and %d more (the JSON report lists them all)\n", indent, n-ListFirst)
	}
}

// AuditRun writes teeth audit's terminal output: the anchors that are
// not green at baseline, the audit findings, the files skipped, and the counts.
func AuditRun(w io.Writer, r *report.Report) {
	var broken []report.Anchor
	for _, a := range r.Anchors {
		if a.Verdict == report.Broken {
			broken = append(broken, a)
		}
	}
	fmt.Fprintf(w, "anchors not green at baseline (broken): %d\n", len(broken))
	for _, a := range broken[:min(len(broken), ListFirst)] {
		fmt.Fprintf(w, "  %-15s %s\n  %-15s   %s\n", a.Verdict, a.NodeID, "", a.Reason)
	}
	more(w, "  ", len(broken))
	writeAuditAndCounts(w, r)
}

// writeAuditAndCounts writes the audit findings, the files skipped, and the
// counts lines that verify and audit both end with.
func writeAuditAndCounts(w io.Writer, r *report.Report) {
	Audit(w, r.Audit)
	for _, fe := range r.SkippedFiles {
		fmt.Fprintf(w, "skipped %s:%d: %s\n", fe.Path, fe.Line, fe.Msg)
	}
	if g := r.GateAllows; !g.Empty() {
		fmt.Fprintf(w, "the gate allows (read from the live gate): %s\n", g.Text())
	}
	s := r.Summary
	fmt.Fprintf(w, "anchors: %s\n", counts(s.AnchorVerdicts, report.AnchorVerdicts))
	if c := countedText(s.Counted); c != "" {
		fmt.Fprintf(w, "tests that reach no offload site, counted, not listed (no_site = \"count\"): %s\n", c)
	}
	fmt.Fprintf(w, "sites: %s\n", counts(s.SiteVerdicts, report.SiteVerdicts))
	if r.Audit != nil {
		fmt.Fprintf(w, "audit: %s\n", auditCounts(r.Audit))
	}
}

// Audit writes the audit findings as a terminal table.
func Audit(w io.Writer, a *audit.Report) {
	if a == nil {
		return
	}
	fmt.Fprintln(w, "audit:")
	latentList(w, a.Latent)
	for _, sec := range []struct {
		title string
		list  []audit.Finding
	}{
		{"anchors that guard nothing (no-site)", a.Stale},
		{"gate self-tests (not stale)", a.SelfTests},
		{"anchors that bypass the production offload", a.Bypass},
		{"opted out or not running", a.OptedOut},
		{"dangling references", a.Dangling},
		{"duplicate anchors", a.Duplicates},
	} {
		fmt.Fprintf(w, "  %s: %d\n", sec.title, len(sec.list))
		for _, f := range sec.list[:min(len(sec.list), ListFirst)] {
			fmt.Fprintf(w, "    %-11s %s\n    %-11s   %s\n", f.Kind, f.Anchor, "", f.Detail)
		}
		more(w, "    ", len(sec.list))
	}
	if c := countedText(a.Counted); c != "" {
		fmt.Fprintf(w, "  tests that reach no offload site, counted, not listed: %s\n", c)
	}
	u := a.Unguarded
	fmt.Fprintf(w, "  offload sites no anchor reaches: %d of %d (coverage %.1f%%)\n", u.Sites-u.Reached, u.Sites, u.Coverage*100)
	for _, f := range u.Files[:min(len(u.Files), ListFirst)] {
		fmt.Fprintf(w, "    %s: %d\n", f.Path, len(f.Sites))
		for _, s := range f.Sites[:min(len(f.Sites), ListFirst)] {
			fmt.Fprintf(w, "      %-11s line %d in %s\n", s.Risk, s.Line, s.Function)
		}
		more(w, "      ", len(f.Sites))
	}
	more(w, "    ", len(u.Files))
	fmt.Fprintf(w, "  static findings on async paths no anchor reaches: %d\n", len(a.Static))
	for _, f := range a.Static[:min(len(a.Static), ListFirst)] {
		fmt.Fprintf(w, "    %-7s %s:%s %s: %s\n", f.Priority, f.Location.Path, f.Location.Function, f.BlockingCall.Symbol, f.Reason)
	}
	more(w, "    ", len(a.Static))
}

// latentList writes the latent blocking calls: each blocking frame, who
// swallowed the gate's error, and the anchors that pass over it.
func latentList(w io.Writer, list []audit.Latent) {
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(w, "  blocking calls the gate caught at baseline, swallowed (latent): %d\n", len(list))
	for _, f := range list[:min(len(list), ListFirst)] {
		fmt.Fprintf(w, "    %-11s %s at %s in %s\n", f.Kind, f.Primitive, f.At, f.Function)
		fmt.Fprintf(w, "    %-11s   %s\n", "", f.Catcher.Text())
		fmt.Fprintf(w, "    %-11s   anchors (%d): %s\n", "", len(f.Anchors), firstNames(f.Anchors, 3))
	}
	more(w, "    ", len(list))
}

// firstNames is the first n names, and how many more.
func firstNames(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}
