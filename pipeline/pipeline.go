// Package pipeline owns a teeth run from its configuration to its report:
// the offload sites and their mutants, the runner's plan, the baseline, the
// mutant runs and the restore check, the audit, the rule proposals and
// their proofs, and the report assembled from the evidence. Verify, Audit
// and Rule each return the report; rendering it is the caller's.
package pipeline

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/internal/tempdir"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/runner"
	"github.com/teethtool/teeth/scope"
)

// Options say what one run covers and how.
type Options struct {
	Project string // the project directory as the user named it, for the reproduce commands
	Version string // teeth's version, in the report and in the cache's keys

	Sites      []string    // --site: only these sites (ids)
	Shard      scope.Shard // --shard
	Changed    bool        // --changed: the sites and anchors of the change since Base
	Base       string      // with Changed: the ref whose merge base with HEAD is diffed against
	Dirty      bool        // with Changed: uncommitted and untracked changes count too
	FullMatrix bool        // run every (mutant, anchor) pair: no stopping at a mutant's first kill

	CacheDir string // --cache: reuse stored outcomes; "" runs everything
	Force    bool   // with CacheDir: run everything again and store the new outcomes

	Log      io.Writer // status lines ("teeth: ..."), nil for none
	Observer Observer  // progress; nil for none
}

// Observer is told what a run is doing: the command line's progress.
// Finish ends it before the rule proofs print their lines.
type Observer interface {
	runner.Observer
	Finish()
}

// run is one pass of the pipeline: its inputs, its scratch space, and what
// each step has made so far.
type run struct {
	c     *config.Config
	o     Options
	log   io.Writer
	obs   Observer
	tmp   string
	start time.Time

	sel *scope.Selector
	// prove: the rule proposals are proven (their rules go into the restore
	// run); want: the primitive chosen per site on the command line.
	prove bool
	want  map[string]string
	disc  *mutate.Result   // the sites found
	ms    *mutants         // their mutants
	plan  *runner.Plan     // what the runner runs
	sess  *runner.Session  // its workers, kept for the rule proofs; nil for teeth audit
	v     *runner.Verified // what it found
	aud   *audit.Report    // the audit findings; nil for teeth rule
}

// begin starts a run: it says where pytest comes from when no project
// interpreter was found, reclaims the scratch of killed runs and makes its own.
func begin(c *config.Config, o Options) (*run, error) {
	r := &run{c: c, o: o, log: o.Log, obs: o.Observer,
		sel: &scope.Selector{Only: o.Sites, Shard: o.Shard}}
	if r.log == nil {
		r.log = io.Discard
	}
	if r.obs == nil {
		r.obs = silent{}
	}
	if c.PathPython {
		fmt.Fprintf(r.log, "teeth: no .venv or venv in %s: running pytest with %s from PATH (set python or command in [tool.teeth] to choose)\n", c.Dir, c.Python)
	}
	reclaim(r.log)
	tmp, err := tempdir.Make("")
	if err != nil {
		return nil, err
	}
	r.tmp, r.start = tmp, time.Now()
	return r, nil
}

// close removes the run's scratch space.
func (r *run) close() {
	r.obs.Finish()
	if r.sess != nil {
		r.sess.Close()
	}
	tempdir.Remove(r.tmp)
}

// reclaim removes the temporary directories of teeth runs that died
// without cleaning up, and says so in one line.
func reclaim(log io.Writer) {
	removed, err := tempdir.Reclaim()
	if len(removed) > 0 {
		what := "the temporary directory of a teeth run that was killed"
		if len(removed) > 1 {
			what = fmt.Sprintf("the temporary directories of %d teeth runs that were killed", len(removed))
		}
		fmt.Fprintf(log, "teeth: removed %s: %s\n", what, strings.Join(removed, " "))
	}
	if err != nil {
		fmt.Fprintf(log, "teeth: could not remove a temporary directory left by a killed teeth run: %v\n", err)
	}
}

// silent is the Observer of a run nobody watches.
type silent struct{}

func (silent) Phase(string, int)    {}
func (silent) Progress(int, int)    {}
func (silent) Running(string, bool) {}
func (silent) Finish()              {}
