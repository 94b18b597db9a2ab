package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/teethtool/teeth/report"
)

// htmlAction is one kind of finding that needs action, for the overview.
type htmlAction struct {
	Kind, Title, Fix string
	Fails            bool
	Open             bool // listed open: few items
	Items            []htmlActionItem
}

type htmlActionItem struct {
	Subject, Ref, Detail string
	Code                 bool // the subject is an id or a path: shown as code
	Related              []htmlRef
}

type htmlRef struct{ Text, Ref string }

// newHTMLActions turns report.Actions into the overview's lists: those that
// need action, and those to review.
func newHTMLActions(r *report.Report, anchorRef, siteRef map[string]string) (act, review []htmlAction) {
	ref := func(s string) string {
		if h := anchorRef[s]; h != "" {
			return h
		}
		return siteRef[s]
	}
	for _, a := range report.Actions(r) {
		h := htmlAction{Kind: a.Kind, Title: a.Title, Fix: a.Fix, Fails: a.Fails, Open: len(a.Items) <= 8}
		for _, it := range a.Items {
			hi := htmlActionItem{Detail: it.Detail, Code: true}
			switch {
			case it.Anchor != "":
				hi.Subject, hi.Ref = it.Anchor, anchorRef[it.Anchor]
			case it.Site != "":
				hi.Subject, hi.Ref = it.Site, siteRef[it.Site]
			case it.Where != "":
				hi.Subject = it.Where
			default:
				hi.Subject, hi.Code = it.Detail, false
				hi.Detail = ""
			}
			for i, rel := range it.Related {
				if i == 3 {
					hi.Related = append(hi.Related, htmlRef{Text: fmt.Sprintf("and %d more", len(it.Related)-3)})
					break
				}
				hi.Related = append(hi.Related, htmlRef{Text: rel, Ref: ref(rel)})
			}
			h.Items = append(h.Items, hi)
		}
		if a.Review {
			review = append(review, h)
		} else {
			act = append(act, h)
		}
	}
	return act, review
}

// verdictChip is an anchor verdict with its count, for the filter.
type verdictChip struct {
	Verdict string
	N       int
}

// htmlAnchor is one anchor in the anchors view.
type htmlAnchor struct {
	Index                        int
	NodeID, Verdict, Reason, Loc string
	Baseline, BaselineExcerpt    string
	Restore                      string
	RestoreOK                    bool
	Cells                        []htmlCell
}

// htmlCell is an anchor's outcome at one site it reaches: one cell of its
// row of the matrix.
type htmlCell struct {
	Site, Ref, Label, Outcome, Short string
}

// newHTMLAnchors makes the anchors view: every anchor with its row of the
// matrix (only the sites it reaches), and the verdict filter's chips.
func newHTMLAnchors(r *report.Report, sites []*htmlSite) ([]*htmlAnchor, []verdictChip) {
	short := map[string]string{}
	for _, o := range htmlOutcomes {
		short[o.Outcome] = o.Short
	}
	count := map[string]int{}
	var out []*htmlAnchor
	for i := range r.Anchors {
		a := &r.Anchors[i]
		count[a.Verdict]++
		h := &htmlAnchor{Index: i, NodeID: a.NodeID, Verdict: a.Verdict, Reason: a.Reason,
			Loc: fmt.Sprintf("%s:%d", anchorFile(*a), a.Line), Baseline: runBrief(a.Baseline)}
		if a.Baseline.Outcome != "passed" {
			h.BaselineExcerpt = strings.TrimSpace(a.Baseline.Excerpt)
		}
		if a.Restore != nil {
			h.Restore, h.RestoreOK = runBrief(*a.Restore), a.Restore.Outcome == "passed"
		}
		for j, s := range r.Sites {
			c := htmlCell{Site: s.ID, Ref: fmt.Sprintf("#s-%d", j), Label: sites[j].Label}
			switch m := evidenceFor(a, s.ID); {
			case m != nil:
				c.Outcome, c.Short = m.Outcome, short[m.Outcome]
			case reaches(*a, s):
				c.Outcome, c.Short = "not-run", short["not-run"]
			default:
				continue
			}
			if c.Short == "" {
				c.Short = m0(c.Outcome)
			}
			h.Cells = append(h.Cells, c)
		}
		out = append(out, h)
	}
	var chips []verdictChip
	for _, v := range append(append([]string{}, report.AnchorVerdicts...), report.Unverified) {
		if count[v] > 0 {
			chips = append(chips, verdictChip{v, count[v]})
			delete(count, v)
		}
	}
	for _, v := range slices.Sorted(maps.Keys(count)) {
		chips = append(chips, verdictChip{v, count[v]})
	}
	return out, chips
}

// m0 is an unknown outcome's short form: its first four letters.
func m0(outcome string) string {
	if len(outcome) > 4 {
		return outcome[:4]
	}
	return outcome
}
