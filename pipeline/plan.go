package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/runner"
	"github.com/teethtool/teeth/scripts"
)

// makePlan writes the plugin into the run's scratch space and makes the
// runner's plan: the one place a runner.Plan is made. The mutants are the
// run's (none for teeth audit); the selector says which pairs run.
func (r *run) makePlan(ctx context.Context) error {
	c := r.c
	pluginDir := filepath.Join(r.tmp, "plugin")
	if err := scripts.WritePlugin(pluginDir); err != nil {
		return err
	}
	entries, err := c.AncestorEntries(ctx)
	if err != nil {
		return err
	}
	tree, err := runner.ScanTree(c.Dir, r.tmp, c.SourceRoots)
	if err != nil {
		return hint.New(err.Error(), "teeth copies the project directory into its sandboxes: make it readable")
	}
	for _, note := range tree.Notes {
		fmt.Fprintf(r.log, "teeth: %s\n", note)
	}
	fmt.Fprintf(r.log, "teeth: %s in %s; running the baseline\n", report.Plural(len(r.disc.Sites), "offload site"), c.Dir)
	r.plan = &runner.Plan{
		Env: runner.Env{
			Command: c.Command, PytestArgs: append(slices.Clone(c.PytestArgs), tree.IgnoreArgs()...), Original: c.Dir,
			Roots: c.SourceRoots, Entries: entries, Detectors: c.Detectors, Marker: c.Marker, PluginDir: pluginDir,
			Extra: c.CommandEnv(),
		},
		Anchors: c.Anchors, Sites: r.disc.Sites, Sources: r.ms.sources, Invalid: r.ms.invalid,
		Jobs: c.Jobs, MaxRuns: c.MaxRuns, TimeoutFactor: c.TimeoutFactor, Warm: c.Warm, FullMatrix: r.o.FullMatrix,
		TimeoutBase:     seconds(c.TimeoutBase),
		BaselineTimeout: seconds(c.BaselineTimeout),
		Tree:            tree,
		Observer:        r.obs,
		Pairs:           r.sel,
	}
	if r.prove {
		r.plan.RestoreRules = r.restoreRules
	}
	return nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
