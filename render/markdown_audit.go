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

// latentSection writes the latent blocking calls in a section of their
// own, outside the collapsed audit: blocking calls in shipped code that the
// anchors walk past. Each is one line: what blocked where, who swallowed
// the gate's error, and the anchors that pass over it.
func (b *mdWriter) latentSection() {
	a := b.r.Audit
	if a == nil || len(a.Latent) == 0 {
		return
	}
	b.f("### Blocking calls the gate caught at baseline, swallowed (%d)\n\n", len(a.Latent))
	for _, f := range a.Latent[:b.p.cut(len(a.Latent))] {
		if b.over() {
			return
		}
		where := codeSpan(f.Primitive, false) + " at " + codeSpan(f.At, false)
		if f.Function != "" {
			where += " in " + codeSpan(f.Function, false)
		}
		names := make([]string, 0, 3)
		for _, n := range f.Anchors[:min(len(f.Anchors), 3)] {
			names = append(names, codeSpan(n, false))
		}
		if more := len(f.Anchors) - len(names); more > 0 {
			names = append(names, fmt.Sprintf("%d more", more))
		}
		b.f("- %s: %s; anchors: %s\n", where, mdText(f.Catcher.Text()), strings.Join(names, ", "))
	}
	b.more(len(a.Latent))
	b.f("\n")
}
