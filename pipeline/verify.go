package pipeline

import (
	"context"
	"fmt"

	"github.com/teethtool/teeth/cache"
	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/runner"
	"github.com/teethtool/teeth/scope"
)

// Verify is teeth verify: it proves every selected anchor's teeth and
// returns the report, its rule proposals and audit included.
func Verify(ctx context.Context, c *config.Config, o Options) (*report.Report, error) {
	r, err := begin(c, o)
	if err != nil {
		return nil, err
	}
	defer r.close()
	r.prove = c.ProveRules
	if err := r.prepare(ctx); err != nil {
		return nil, err
	}
	if o.Changed {
		ch, err := scope.Changed(ctx, c, o.Base, o.Dirty, r.plan.Sites)
		if err != nil {
			return nil, err
		}
		r.sel.Change = ch
		fmt.Fprintf(r.log, "teeth: --changed: %d changed files, %d changed sites, %d newly reached, %d touched test files\n",
			len(ch.ChangedFiles), len(ch.ChangedSites), len(ch.ReachedSites), len(ch.TouchedAnchorFiles))
	}
	index, err := sourceIndex(ctx, c)
	if err != nil {
		return nil, err
	}
	var cached []string // anchors with stored outcomes: they reached a site before
	if o.CacheDir != "" {
		sources := map[string][]byte{}
		for path, src := range r.plan.Sources {
			sources[path] = src.Bytes
		}
		oc, err := cache.Open(o.CacheDir, cache.Inputs{Config: c, Version: o.Version, Sites: r.plan.Sites, Index: index, Sources: sources}, o.Force)
		if err != nil {
			return nil, err
		}
		defer oc.Close()
		r.plan.Store = oc
		cached = oc.Anchors()
	}
	r.plan.First = firstFiles(c, r.plan.Sites, cached)
	if err := r.runMutants(ctx); err != nil {
		return nil, err
	}
	if r.aud, err = auditOf(c, index, r.plan.Sites, r.v.Baseline); err != nil {
		return nil, err
	}
	rep := r.assemble("verify")
	p := &proposer{r: r}
	return rep, p.proposeAll(ctx, rep)
}

// runMutants runs the baseline, the mutants and the restore check on the
// run's workers, which stay for the rule proofs.
func (r *run) runMutants(ctx context.Context) error {
	sess, err := runner.Open(r.plan, r.tmp)
	if err != nil {
		return err
	}
	r.sess = sess
	v, err := sess.Verify(ctx)
	r.obs.Finish()
	if err == nil {
		err = ctx.Err()
	}
	r.v = v
	r.logRuled()
	return err
}
