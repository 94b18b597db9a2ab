package pipeline

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/mutate"
)

// discover finds the offload sites and reports the files it skipped.
func (r *run) discover(ctx context.Context) error {
	c := r.c
	py := c.HelperPython()
	disc, err := mutate.Discover(ctx, py, c.Dir, c.SourceRoots, c.Exclude, c.Wrappers)
	if err != nil {
		return hint.New("finding offload sites: "+err.Error(), "check that "+py[0]+" is the project's Python 3 interpreter")
	}
	for _, fe := range disc.Errors {
		fmt.Fprintf(r.log, "teeth: skipping %s:%d: %s\n", fe.Path, fe.Line, fe.Msg)
	}
	if len(disc.Sites) == 0 {
		return hint.New("no offload site in the source roots "+strings.Join(c.SourceRoots, ", "),
			"source_roots names the package directories whose code offloads blocking calls (asyncio.to_thread, run_in_executor, ...): "+
				`"teeth init" finds the packages your gate scans; a project wrapper teeth does not recognise goes in wrappers`)
	}
	r.disc = disc
	return nil
}

// prepare discovers the sites, builds and compiles the mutants of the
// selected ones, and makes the runner's plan.
func (r *run) prepare(ctx context.Context) error {
	if err := r.discover(ctx); err != nil {
		return err
	}
	for _, id := range r.sel.Only {
		if !slices.ContainsFunc(r.disc.Sites, func(s mutate.Site) bool { return s.ID == id }) {
			return hint.New("no site has the id "+id, "site ids are listed in the summary and the JSON report")
		}
	}
	ms, err := buildMutants(ctx, r.c.HelperPython(), r.c.Dir, r.disc.Sites)
	if err != nil {
		return err
	}
	maps.DeleteFunc(ms.valid, func(id string, _ []byte) bool { return !r.sel.Site(id) })
	r.ms = ms
	return r.makePlan(ctx)
}

// mutants are every site's mutant: the original files by path, and by site
// id the mutants that compile, the compile errors of those that do not, and
// each mutant's diff.
type mutants struct {
	sources map[string][]byte
	valid   map[string][]byte
	invalid map[string]string
	diffs   map[string]string
}

// noMutants is the mutant set of a run that makes none (teeth audit).
func noMutants() *mutants {
	return &mutants{invalid: map[string]string{}, diffs: map[string]string{}}
}

// buildMutants reads each site's file, applies its mutant and has the
// project's interpreter compile every mutant.
func buildMutants(ctx context.Context, py []string, dir string, sites []mutate.Site) (*mutants, error) {
	ms := &mutants{sources: map[string][]byte{}, valid: map[string][]byte{}, invalid: map[string]string{}, diffs: map[string]string{}}
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
