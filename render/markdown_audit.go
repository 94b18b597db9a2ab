package render

import (
	"fmt"
	"strings"

	"github.com/teethtool/teeth/audit"
)

// auditSection writes the audit findings as one collapsible block; in the
// compact form, one line of counts.
func (b *mdWriter) auditSection() {
	a := b.r.Audit
	if a == nil {
		return
	}
	u := a.Unguarded
	counts := auditCounts(a)
	if b.p.compact {
		b.f("**Audit:** %s\n\n", counts)
		return
	}
	b.f("<details><summary><b>Audit</b>: %s</summary>\n\n", counts)
	for _, sec := range []struct {
		title string
		list  []audit.Finding
	}{
		{"Anchors that guard nothing", a.Stale}, {"Gate self-tests (not stale)", a.SelfTests},
		{"Anchors that bypass the production offload", a.Bypass}, {"Opted out or not running", a.OptedOut},
		{"Dangling references", a.Dangling}, {"Duplicate anchors", a.Duplicates},
	} {
		if len(sec.list) == 0 {
			continue
		}
		b.f("**%s** (%d)\n\n", sec.title, len(sec.list))
		for _, f := range sec.list[:b.p.cut(len(sec.list))] {
			b.f("- %s %s: %s\n", mdText(f.Kind), codeSpan(f.Anchor, false), mdText(f.Detail))
		}
		b.more(len(sec.list))
		b.f("\n")
	}
	if len(u.Files) > 0 {
		b.f("**Offload sites no anchor reaches** (riskiest first)\n\n")
		for _, f := range u.Files[:b.p.cut(len(u.Files))] {
			var sites []string
			for _, s := range f.Sites {
				sites = append(sites, fmt.Sprintf("line %d in %s (%s)", s.Line, codeSpan(s.Function, false), s.Risk))
			}
			b.f("- %s: %s\n", codeSpan(f.Path, false), strings.Join(sites, ", "))
		}
		b.more(len(u.Files))
		b.f("\n")
	}
	if len(a.Static) > 0 {
		b.f("**Static findings on async paths no anchor reaches**\n\n")
		for _, f := range a.Static[:b.p.cut(len(a.Static))] {
			b.f("- %s %s %s: %s\n", mdText(f.Priority), codeSpan(f.Location.Path+":"+f.Location.Function, false),
				codeSpan(f.BlockingCall.Symbol, false), mdText(f.Reason))
		}
		b.more(len(a.Static))
		b.f("\n")
	}
	b.f("</details>\n\n")
}
