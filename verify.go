package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/teethtool/teeth/internal/tempdir"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/render"
	"github.com/teethtool/teeth/runner"
	"github.com/teethtool/teeth/scripts"
)

// verifyCmd is "teeth verify".
func verifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	defer interrupted(ctx, &err)
	ss, err := begin("verify", args, stderr)
	if err != nil {
		return err
	}
	defer ss.close()
	f, c, tmp, prog, start := ss.f, ss.c, ss.tmp, ss.prog, ss.start
	sel := &selector{only: f.sites, shard: f.shard}
	plan, disc, ms, err := prepare(ctx, c, sel, f.fullMatrix, tmp, prog)
	if err != nil {
		return err
	}
	if f.changed {
		if sel.scope, err = computeScope(ctx, c, f.base, f.dirty, plan.Sites); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "teeth: --changed: %d changed files, %d changed sites, %d newly reached, %d touched test files\n",
			len(sel.scope.ChangedFiles), len(sel.scope.ChangedSites), len(sel.scope.ReachedSites), len(sel.scope.TouchedAnchorFiles))
	}
	plan.Pair = func(site int, anchor string) bool { return sel.pair(plan.Sites[site].ID, anchor) }
	index, err := sourceIndex(ctx, c)
	if err != nil {
		return err
	}
	if f.cacheDir != "" {
		oc, err := openCache(f.cacheDir, c, plan.Sites, index, plan.Sources, f.force)
		if err != nil {
			return err
		}
		defer oc.close()
		plan.Cached, plan.Record = oc.lookup, oc.record
	}
	v, err := runner.Verify(ctx, plan, tmp)
	prog.finish()
	if err := runError(ctx, err); err != nil {
		return err
	}
	a, err := auditOf(c, index, plan.Sites, v.Baseline)
	if err != nil {
		return err
	}
	r := build(c, plan, disc, ms, v, f.project, sel, "verify", a, time.Since(start))
	p := &proposer{c: c, plan: plan, ms: ms, v: v, tmp: tmp, prove: f.proposeRules, status: stderr}
	if err := proposeInto(ctx, p, r); err != nil {
		return err
	}
	if err := f.out.write(r, stdout); err != nil {
		return err
	}
	render.Summary(stdout, r)
	if r.Summary.Failed {
		return &cliError{code: 1}
	}
	return nil
}

// prepare discovers the sites, builds and compiles their mutants, and
// returns the plan for the runner.
func prepare(ctx context.Context, c *config, sel *selector, fullMatrix bool, tmp string, prog *progress) (*runner.Plan, *mutate.Result, *mutantSet, error) {
	disc, err := discover(ctx, c, prog)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, id := range sel.only {
		if !slices.ContainsFunc(disc.Sites, func(s mutate.Site) bool { return s.ID == id }) {
			return nil, nil, nil, usageError("no site has the id "+id, "site ids are listed in the summary and the JSON report")
		}
	}
	ms, err := buildMutants(ctx, c.helperPython(), c.Dir, disc.Sites)
	if err != nil {
		return nil, nil, nil, err
	}
	maps.DeleteFunc(ms.valid, func(id string, _ []byte) bool { return !sel.site(id) })
	plan, err := newPlan(ctx, c, disc, tmp, prog)
	if err != nil {
		return nil, nil, nil, err
	}
	plan.Sources, plan.Mutants, plan.FullMatrix = ms.sources, ms.valid, fullMatrix
	return plan, disc, ms, nil
}

// discover finds the offload sites and reports the files it skipped.
func discover(ctx context.Context, c *config, prog *progress) (*mutate.Result, error) {
	py := c.helperPython()
	disc, err := mutate.Discover(ctx, py, c.Dir, c.SourceRoots, c.Exclude, c.Wrappers)
	if err != nil {
		return nil, usageError("finding offload sites: "+err.Error(), "check that "+py[0]+" is the project's Python 3 interpreter")
	}
	for _, fe := range disc.Errors {
		fmt.Fprintf(prog.w, "teeth: skipping %s:%d: %s\n", fe.Path, fe.Line, fe.Msg)
	}
	if len(disc.Sites) == 0 {
		return nil, usageError("no offload site in the source roots "+strings.Join(c.SourceRoots, ", "),
			"source_roots names the package directories whose code offloads blocking calls (asyncio.to_thread, run_in_executor, ...): "+
				`"teeth init" finds the packages your gate scans; a project wrapper teeth does not recognise goes in wrappers`)
	}
	return disc, nil
}

// newPlan writes the plugin into tmp and returns the runner's plan, without mutants.
func newPlan(ctx context.Context, c *config, disc *mutate.Result, tmp string, prog *progress) (*runner.Plan, error) {
	pluginDir := filepath.Join(tmp, "plugin")
	if err := scripts.WritePlugin(pluginDir); err != nil {
		return nil, err
	}
	entries, err := c.ancestorEntries(ctx)
	if err != nil {
		return nil, err
	}
	tree, err := runner.ScanTree(c.Dir, tmp, c.SourceRoots)
	if err != nil {
		return nil, usageError(err.Error(), "teeth copies the project directory into its sandboxes: make it readable")
	}
	for _, note := range tree.Notes {
		fmt.Fprintf(prog.w, "teeth: %s\n", note)
	}
	fmt.Fprintf(prog.w, "teeth: %d offload sites in %s; running the baseline\n", len(disc.Sites), c.Dir)
	return &runner.Plan{
		Env: runner.Env{
			Command: c.Command, PytestArgs: append(slices.Clone(c.PytestArgs), tree.IgnoreArgs()...), Original: c.Dir, Roots: c.SourceRoots, Entries: entries,
			Detectors: c.Detectors, Marker: c.Marker, PluginDir: pluginDir, Extra: c.commandEnv(),
		},
		Anchors: c.Anchors, Sites: disc.Sites,
		Jobs: c.Jobs, TimeoutFactor: c.TimeoutFactor, Warm: c.Warm,
		TimeoutBase:     seconds(c.TimeoutBase),
		BaselineTimeout: seconds(c.BaselineTimeout),
		Progress:        prog.update,
		Phase:           prog.enter,
		Running:         func(site int, on bool) { prog.setRunning(disc.Sites[site].ID, on) },
		Tree:            tree,
	}, nil
}

// mutantSet is every site's mutant: the original files by path, and by site
// id the mutants that compile, the compile errors of those that do not, and
// each mutant's diff.
type mutantSet struct {
	sources map[string][]byte
	valid   map[string][]byte
	invalid map[string]string
	diffs   map[string]string
}

// buildMutants reads each site's file, applies its mutant and has the
// project's interpreter compile every mutant.
func buildMutants(ctx context.Context, py []string, dir string, sites []mutate.Site) (*mutantSet, error) {
	ms := &mutantSet{sources: map[string][]byte{}, valid: map[string][]byte{}, invalid: map[string]string{}, diffs: map[string]string{}}
	names := make([]string, len(sites))
	srcs := make([][]byte, len(sites))
	for i, s := range sites {
		if ms.sources[s.Path] == nil {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(s.Path)))
			if err != nil {
				return nil, err
			}
			ms.sources[s.Path] = data
		}
		m, err := s.Apply(ms.sources[s.Path])
		if err != nil {
			return nil, fmt.Errorf("mutating %s: %w", s.ID, err)
		}
		names[i], srcs[i] = s.Path, m
		ms.diffs[s.ID] = mutate.Diff(s.Path, ms.sources[s.Path], m)
	}
	errs, err := mutate.Compile(ctx, py, names, srcs)
	if err != nil {
		return nil, fmt.Errorf("compiling mutants: %w", err)
	}
	for i, s := range sites {
		if errs[i] == "" {
			ms.valid[s.ID] = srcs[i]
		} else {
			ms.invalid[s.ID] = errs[i]
		}
	}
	return ms, nil
}

// session is what verify and audit share: flags, configuration, scratch
// space and progress.
type session struct {
	f     *verifyFlags
	c     *config
	tmp   string
	prog  *progress
	start time.Time
}

func begin(cmd string, args []string, stderr io.Writer) (*session, error) {
	f, err := parseFlags(cmd, args, stderr)
	if err != nil {
		return nil, err
	}
	c, err := f.config()
	if err != nil {
		return nil, err
	}
	if c.PathPython {
		fmt.Fprintf(stderr, "teeth: no .venv or venv in %s: running pytest with %s from PATH (set python or command in [tool.teeth] to choose)\n", c.Dir, c.Python)
	}
	reclaim(stderr)
	tmp, err := scratch()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	return &session{f: f, c: c, tmp: tmp, prog: newProgress(stderr, start), start: start}, nil
}

func (s *session) close() {
	s.prog.finish()
	tempdir.Remove(s.tmp)
}

// scratch makes teeth's temporary directory, its path free of symlinks,
// marked with this process so that a later run can reclaim it should this
// one be killed.
func scratch() (string, error) { return tempdir.Make("") }

// reclaim removes the temporary directories of teeth runs that died
// without cleaning up, and says so in one line.
func reclaim(stderr io.Writer) {
	removed, err := tempdir.Reclaim()
	if len(removed) > 0 {
		what := "the temporary directory of a teeth run that was killed"
		if len(removed) > 1 {
			what = fmt.Sprintf("the temporary directories of %d teeth runs that were killed", len(removed))
		}
		fmt.Fprintf(stderr, "teeth: removed %s: %s\n", what, strings.Join(removed, " "))
	}
	if err != nil {
		fmt.Fprintf(stderr, "teeth: could not remove a temporary directory left by a killed teeth run: %v\n", err)
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
