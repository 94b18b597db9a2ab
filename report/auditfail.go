package report

import (
	"fmt"
	"slices"

	"github.com/teethtool/teeth/audit"
)

// AuditFailures applies the audit's exit policy: the kinds of failOn that
// have findings, with their counts ("1 no-site"), in the order of
// audit.Kinds. teeth audit exits 1 when there is one.
func (r *Report) AuditFailures(failOn []string) []string {
	a := r.Audit
	count := map[string]int{
		audit.KindNoSite: len(a.Stale), audit.KindBypass: len(a.Bypass), audit.KindDangling: len(a.Dangling),
		audit.KindDuplicate: len(a.Duplicates), audit.KindUnguarded: a.Unguarded.Sites - a.Unguarded.Reached, audit.KindStatic: len(a.Static),
		audit.KindBroken: r.Summary.AnchorVerdicts[Broken], audit.KindLatent: len(a.Latent),
	}
	for _, o := range a.OptedOut {
		count[o.Kind]++
	}
	var out []string
	for _, k := range audit.Kinds {
		if count[k] > 0 && slices.Contains(failOn, k) {
			out = append(out, fmt.Sprintf("%d %s", count[k], k))
		}
	}
	return out
}
