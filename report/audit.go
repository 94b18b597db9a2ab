package report

import (
	"fmt"
	"io"

	"github.com/teethtool/teeth/audit"
)

// WriteAudit writes the audit findings as a terminal table.
func WriteAudit(w io.Writer, a *audit.Report) {
	if a == nil {
		return
	}
	fmt.Fprintln(w, "audit:")
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
		for _, f := range sec.list {
			fmt.Fprintf(w, "    %-11s %s\n    %-11s   %s\n", f.Kind, f.Anchor, "", f.Detail)
		}
	}
	u := a.Unguarded
	fmt.Fprintf(w, "  offload sites no anchor reaches: %d of %d (coverage %.1f%%)\n", u.Sites-u.Reached, u.Sites, u.Coverage*100)
	for _, f := range u.Files {
		fmt.Fprintf(w, "    %s: %d\n", f.Path, len(f.Sites))
		for _, s := range f.Sites {
			fmt.Fprintf(w, "      %-11s line %d in %s\n", s.Risk, s.Line, s.Function)
		}
	}
	fmt.Fprintf(w, "  static findings on async paths no anchor reaches: %d\n", len(a.Static))
	for _, f := range a.Static {
		fmt.Fprintf(w, "    %-7s %s:%s %s: %s\n", f.Priority, f.Location.Path, f.Location.Function, f.BlockingCall.Symbol, f.Reason)
	}
}
