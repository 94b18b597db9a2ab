package pipeline

import (
	"context"

	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/rules"
)

// Rule is teeth rule SITE-ID: it runs the site's mutant against the anchors
// that reach it and, for a survived site, proposes the detector rule for
// what its call blocked the loop in (for primitive, when not ""), and proves
// it. It returns the report and its site; a site that is not a rule
// candidate is an error.
func Rule(ctx context.Context, c *config.Config, o Options, site, primitive string) (*report.Report, *report.Site, error) {
	o.Sites, o.FullMatrix = []string{site}, false
	r, err := begin(c, o)
	if err != nil {
		return nil, nil, err
	}
	defer r.close()
	r.prove, r.want = true, map[string]string{site: primitive}
	if err := r.prepare(ctx); err != nil {
		return nil, nil, err
	}
	if err := r.runMutants(ctx); err != nil {
		return nil, nil, err
	}
	rep := r.assemble("verify")
	p := &proposer{r: r}
	if err := p.proposeAll(ctx, rep); err != nil {
		return nil, nil, err
	}
	s := siteOf(rep, site)
	if s == nil || s.RuleProposal == nil {
		return nil, nil, rules.NotCandidate(s, site)
	}
	return rep, s, nil
}

// siteOf is r's site with this id, or nil.
func siteOf(r *report.Report, id string) *report.Site {
	for i := range r.Sites {
		if r.Sites[i].ID == id {
			return &r.Sites[i]
		}
	}
	return nil
}
