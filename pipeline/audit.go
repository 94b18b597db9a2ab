package pipeline

import (
	"context"
	"path/filepath"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/runner"
)

// Audit is teeth audit: the gate self-check and the baseline only, no
// mutant, and the audit findings.
func Audit(ctx context.Context, c *config.Config, o Options) (*report.Report, error) {
	r, err := begin(c, o)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if err := r.discover(ctx); err != nil {
		return nil, err
	}
	if err := r.makePlan(ctx); err != nil {
		return nil, err
	}
	r.v, err = runner.Baseline(ctx, r.plan, r.tmp)
	r.obs.Finish()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	index, err := sourceIndex(ctx, c)
	if err != nil {
		return nil, err
	}
	if r.aud, err = auditOf(c, index, r.disc.Sites, r.v.Baseline); err != nil {
		return nil, err
	}
	return r.assemble("audit"), nil
}

// sourceIndex indexes every source file of the source roots.
func sourceIndex(ctx context.Context, c *config.Config) (audit.Index, error) {
	files, err := mutate.SourceFiles(c.Dir, c.SourceRoots, c.Exclude)
	if err != nil {
		return nil, err
	}
	return audit.BuildIndex(ctx, c.HelperPython(), c.Dir, files)
}

// auditOf computes the audit findings from the baseline.
func auditOf(c *config.Config, index audit.Index, sites []mutate.Site, base *runner.Result) (*audit.Report, error) {
	in := audit.Input{Index: index, Deselected: base.Deselected, CountNoSite: c.NoSite == report.NoSiteCount}
	if c.Findings != "" {
		var err error
		if in.Static, err = audit.ReadStatic(filepath.Join(c.Dir, filepath.FromSlash(c.Findings))); err != nil {
			return nil, hint.New("reading the static findings: "+err.Error(), "set findings in [tool.teeth] to the detector's JSON output")
		}
	}
	for _, s := range sites {
		in.Sites = append(in.Sites, audit.Site{ID: s.ID, Path: s.Path, Function: s.Function, Line: s.Line})
	}
	for _, it := range base.Items {
		off, _ := base.GateOff(it)
		a := audit.Anchor{NodeID: it.NodeID, GateOff: off, OptOut: it.GateOff, SelfTest: it.SelfTest, Markers: it.Markers,
			Doc: it.Doc, SelfOffloads: it.SelfOffloads, Outcome: "not-run"}
		if t := base.Tests[it.NodeID]; t != nil {
			a.Outcome, a.Excerpt, a.Funcs, a.Latent = t.Outcome, t.Excerpt, t.Funcs, t.Latent
			for _, i := range t.Sites {
				a.Sites = append(a.Sites, sites[i].ID)
			}
		}
		in.Anchors = append(in.Anchors, a)
	}
	return audit.Run(in), nil
}
