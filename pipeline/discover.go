package pipeline

import (
	"context"
	"errors"
	"fmt"
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
	r.obs.Phase("discover", len(c.SourceRoots))
	disc, err := mutate.Discover(ctx, py, c.Dir, c.SourceRoots, c.Exclude, c.Wrappers)
	if err != nil {
		return discoverError(err, py)
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
	r.ms = &mutants{sites: disc.Sites, sources: map[string]*mutate.Source{}, invalid: map[string]string{}}
	for _, s := range disc.Sites {
		if r.ms.sources[s.Path] == nil {
			data, err := os.ReadFile(filepath.Join(c.Dir, filepath.FromSlash(s.Path)))
			if err != nil {
				return hint.New("reading "+s.Path+": "+err.Error(), "teeth reads the source roots' files: make them readable")
			}
			r.ms.sources[s.Path] = mutate.NewSource(data)
		}
	}
	return nil
}

// discoverError is err, from finding the offload sites, as the user sees
// it: a hint.Error as it is, any other with a hint at the interpreter.
func discoverError(err error, py []string) error {
	var he *hint.Error
	if errors.As(err, &he) {
		return err
	}
	return hint.New("finding offload sites: "+err.Error(), "check that "+py[0]+" is the project's Python 3 interpreter")
}

// prepare discovers the sites, checks that the mutants of the selected ones
// compile, and makes the runner's plan.
func (r *run) prepare(ctx context.Context) error {
	if err := r.discover(ctx); err != nil {
		return err
	}
	for _, id := range r.sel.Only {
		if !slices.ContainsFunc(r.disc.Sites, func(s mutate.Site) bool { return s.ID == id }) {
			return hint.New("no site has the id "+id, "site ids are listed in the summary and the JSON report")
		}
	}
	if err := r.ms.check(ctx, r.c.HelperPython(), r.sel.Site, r.obs); err != nil {
		return err
	}
	r.ms.diffs = map[int]string{}
	return r.makePlan(ctx)
}

// mutants are the run's mutants, made when they are needed and never all
// at once: the original bytes of the sites' files by path, the compile
// errors of the selected sites whose mutant does not compile, and the
// diffs the report has asked for so far (none for teeth audit).
type mutants struct {
	sites   []mutate.Site
	sources map[string]*mutate.Source
	invalid map[string]string
	diffs   map[int]string // by site index; nil: the run makes no mutants
}

// check has the project's interpreter compile the mutant of every site
// selected, a batch at a time, telling obs how far it got.
func (ms *mutants) check(ctx context.Context, py []string, selected func(string) bool, obs Observer) error {
	var sites []mutate.Site
	for _, s := range ms.sites {
		if selected(s.ID) {
			sites = append(sites, s)
		}
	}
	obs.Phase("compile", len(sites))
	source := func(path string) (*mutate.Source, error) { return ms.sources[path], nil }
	errs, err := mutate.Check(ctx, py, sites, source, obs.Progress)
	if err != nil {
		return fmt.Errorf("compiling mutants: %w", err)
	}
	for i, s := range sites {
		if errs[i] != "" {
			ms.invalid[s.ID] = errs[i]
		}
	}
	return nil
}

// mutant makes the mutant of site i.
func (ms *mutants) mutant(i int) ([]byte, error) {
	s := ms.sites[i]
	mut, _, err := s.Mutant(ms.sources[s.Path])
	return mut, err
}

// diff is the diff of site i's mutant, made once; "" when the run makes no
// mutants.
func (ms *mutants) diff(i int) string {
	if ms.diffs == nil {
		return ""
	}
	d, ok := ms.diffs[i]
	if !ok {
		s := ms.sites[i]
		d, _ = s.Diff(ms.sources[s.Path]) // the file was checked against the site when its mutant compiled
		ms.diffs[i] = d
	}
	return d
}
