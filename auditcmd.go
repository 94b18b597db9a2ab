package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/render"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/runner"
)

// auditCmd is "teeth audit": the baseline and reachability pass only, no
// mutants, and the audit findings.
func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	defer interrupted(ctx, &err)
	ss, err := begin("audit", args, stderr)
	if err != nil {
		return err
	}
	defer ss.close()
	f, c, tmp, prog, start := ss.f, ss.c, ss.tmp, ss.prog, ss.start
	disc, err := discover(ctx, c, prog)
	if err != nil {
		return err
	}
	plan, err := newPlan(ctx, c, disc, tmp, prog)
	if err != nil {
		return err
	}
	v, err := runner.Baseline(ctx, plan, tmp)
	prog.finish()
	if err := runError(ctx, err); err != nil {
		return err
	}
	index, err := sourceIndex(ctx, c)
	if err != nil {
		return err
	}
	a, err := auditOf(c, index, disc.Sites, v.Baseline)
	if err != nil {
		return err
	}
	ms := &mutantSet{invalid: map[string]string{}, diffs: map[string]string{}}
	r := build(c, plan, disc, ms, v, f.project, &selector{}, "audit", a, time.Since(start))
	if err := f.out.write(r, stdout); err != nil {
		return err
	}
	render.AuditRun(stdout, r)
	if failed := auditFailures(r, c.AuditFailOn); len(failed) > 0 {
		fmt.Fprintf(stdout, "audit failed on: %s (the kinds in audit_fail_on)\n", strings.Join(failed, ", "))
		return &cliError{code: 1}
	}
	return nil
}

// interrupted makes the error of a run that SIGINT or SIGTERM cut short
// exit 130, whichever step it was in: a helper killed by the cancellation
// must not read as a configuration error. A finished run's exit 1 stays.
func interrupted(ctx context.Context, err *error) {
	var ce *cliError
	if *err != nil && ctx.Err() != nil && (!errors.As(*err, &ce) || ce.code != 1) {
		*err = &cliError{msg: "interrupted; the project tree was not touched", code: 130}
	}
}

// runError maps a runner error to teeth's exit codes.
func runError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &cliError{msg: "interrupted; the project tree was not touched", code: 130}
	}
	var cfgErr *runner.ConfigError
	if errors.As(err, &cfgErr) {
		return usageError(cfgErr.Msg, cfgErr.Hint)
	}
	return err
}

// sourceIndex indexes every source file of the source roots.
func sourceIndex(ctx context.Context, c *config) (audit.Index, error) {
	files, err := mutate.SourceFiles(c.Dir, c.SourceRoots, c.Exclude)
	if err != nil {
		return nil, err
	}
	return audit.BuildIndex(ctx, c.helperPython(), c.Dir, files)
}

// auditOf computes the audit findings from the baseline.
func auditOf(c *config, index audit.Index, sites []mutate.Site, base *runner.Result) (*audit.Report, error) {
	in := audit.Input{Index: index, Deselected: base.Deselected}
	if c.Findings != "" {
		var err error
		if in.Static, err = audit.ReadStatic(filepath.Join(c.Dir, filepath.FromSlash(c.Findings))); err != nil {
			return nil, usageError("reading the static findings: "+err.Error(), "set findings in [tool.teeth] to the detector's JSON output")
		}
	}
	for _, s := range sites {
		in.Sites = append(in.Sites, audit.Site{ID: s.ID, Path: s.Path, Function: s.Function, Line: s.Line})
	}
	for _, it := range base.Items {
		a := audit.Anchor{NodeID: it.NodeID, GateOff: it.GateOff, SelfTest: it.SelfTest, Markers: it.Markers,
			Doc: it.Doc, SelfOffloads: it.SelfOffloads, Outcome: "not-run"}
		if t := base.Tests[it.NodeID]; t != nil {
			a.Outcome, a.Excerpt, a.Funcs = t.Outcome, t.Excerpt, t.Funcs
			for _, i := range t.Sites {
				a.Sites = append(a.Sites, sites[i].ID)
			}
		}
		in.Anchors = append(in.Anchors, a)
	}
	return audit.Run(in), nil
}

// auditFailures applies the audit's exit policy: the listed kinds that have
// findings, with their counts ("1 no-site"), in the order of audit.Kinds.
func auditFailures(r *report.Report, failOn []string) []string {
	a := r.Audit
	count := map[string]int{
		audit.KindNoSite: len(a.Stale), audit.KindBypass: len(a.Bypass), audit.KindDangling: len(a.Dangling),
		audit.KindDuplicate: len(a.Duplicates), audit.KindUnguarded: a.Unguarded.Sites - a.Unguarded.Reached, audit.KindStatic: len(a.Static),
		audit.KindBroken: r.Summary.AnchorVerdicts[report.Broken],
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
