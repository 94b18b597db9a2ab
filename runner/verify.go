package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/mutate"
)

// Plan is one verify run.
type Plan struct {
	Env     Env
	Anchors []string                  // pytest arguments that select the anchors
	Sites   []mutate.Site             // every discovered site
	Sources map[string]*mutate.Source // original bytes by site path; each site's mutant is made from them when it is about to run
	Invalid map[string]string         // site id -> compile error of its mutant, which never runs
	Jobs    int
	// MaxRuns is the most pytest runs at once: beyond Jobs, more start
	// only while the runs' measured CPU use leaves a core idle (runs that
	// wait hold none). Cores is the machine's cores (0: runtime.NumCPU).
	MaxRuns, Cores  int
	TimeoutFactor   float64
	TimeoutBase     time.Duration
	BaselineTimeout time.Duration
	Warm            bool     // fork mutants from a pre-imported pytest process per worker
	Tree            *Tree    // the project's odd entries (ScanTree), or nil
	FullMatrix      bool     // run every (mutant, anchor) pair instead of stopping early
	Observer        Observer // told what the run is doing; nil: nobody is
	Store           Store    // (mutant, anchor) outcomes kept between runs; nil: none
	Pairs           Pairs    // which anchors meet which mutant; nil: every anchor that reaches its site
	// First are the test files (slash paths relative to the project) whose
	// baseline runs first: those likely to reach an offload site.
	First []string
	// RestoreRules, when set, is asked once the mutants have run which
	// detector rules (Blockbuster names, "os.fsync") the restore run puts
	// in every gate: the rule proofs' run of the unmutated suite, shared with
	// the restore check (see Verified.Ruled).
	RestoreRules func(v *Verified) []string
}

// Observer is told what a run is doing: the command line's progress.
type Observer interface {
	// Phase is called when the run enters a phase: "baseline", "mutants"
	// (n: the mutants to run) or "restore" (n: the anchors to re-run).
	Phase(name string, n int)
	// Progress is called when done of total mutants are finished.
	Progress(done, total int)
	// Running is called when a worker starts (true) and finishes (false)
	// running the mutant of the site with this id.
	Running(site string, running bool)
}

// Store keeps (mutant, anchor) outcomes between runs: the outcome cache.
type Store interface {
	// Lookup returns a stored outcome of (site, anchor) that nothing it
	// depends on has changed since.
	Lookup(base *Result, site int, anchor string) (Outcome, bool)
	// Record stores an outcome as soon as its job finishes.
	Record(base *Result, o Outcome)
}

// Pairs says which anchors run against which site's mutant (--site,
// --shard, --changed).
type Pairs interface {
	Pair(site, anchor string) bool
}

// Outcome is what one mutant did to one anchor.
type Outcome struct {
	Site    int // index into Plan.Sites
	Anchor  string
	Outcome string
	Test    *Test // nil when the test never finished
	Code    int   // the pytest process's exit code
	Retry   *Test // the re-run of a survivor, if any
	// Reruns are the further runs of a pair whose retry disagreed with its
	// first run; Tally is the classified outcome of every run, in order.
	Reruns []*Test
	Tally  []string
	Cached bool // taken from the cache, not run now
}

// Verified is the raw result of a verify run; package report decides verdicts from it.
type Verified struct {
	Baseline *Result
	Reached  map[string][]int // anchor -> reached site indexes (green anchors only)
	Outcomes []Outcome
	Restore  *Result
	// RestoreReruns are the re-runs of anchors red on the restore run.
	RestoreReruns map[string][]*Test
	Runs          int            // pytest processes and warm children
	RuleRuns      int            // of the verify's runs, those only the rule proofs needed (see Ruled)
	RuleTime      time.Duration  // and the time they took
	Warm          int            // mutant runs forked from a warm process
	Lazy          int            // of those, runs whose child imported the mutated module itself (not imported at fork time)
	Fresh         int            // mutant runs in a fresh process
	Cached        int            // outcomes taken from the cache
	Fallback      map[string]int // why mutant runs left the warm path, with counts
	Reach         string         // "call" or "line": how the runs recorded reach (see MergeReach)
	Overlap       int            // the most pytest runs that ran at once
	// Ruled are the restore runs that had Plan.RestoreRules in, nil when
	// none had. An anchor in which a rule fired there ran again without
	// rules, and Restore holds that clean run.
	Ruled *Ruled
}

// Ruled are runs of unmutated anchors with extra detector rules in: the
// restore runs that started once rules were proposed, each with the rules
// proposed by then.
type Ruled struct {
	Rules  map[string][]string // anchor -> the rules its run had
	Result *Result             // its tests, with the rules in
}

// Verify runs the baseline, every reached site's mutant against the anchors
// that reached it, and the restore check, each in a sandbox under tmp: the
// mutants as soon as the anchors reaching them have their baseline, the
// restore runs beside the last mutants (see sched).
func Verify(ctx context.Context, plan *Plan, tmp string) (*Verified, error) {
	s, err := Open(plan, tmp)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Verify(ctx)
}

// Verify runs the baseline, every reached site's mutant against the anchors
// that reached it, and the restore check, on the session's workers (see
// Verify).
func (s *Session) Verify(ctx context.Context) (*Verified, error) {
	plan, m, v, workers := s.plan, s.m, s.m.v, s.workers
	plan.phase("baseline", 0)
	p, err := writeProbes(workers, plan)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, w := range workers {
			p.remove(w.Sandbox)
		}
	}()
	args := append(append([]string{}, plan.Anchors...), p.test)
	if plan.Warm {
		m.startWarm(ctx, workers, args)
	}
	sc := newSched(ctx, m, workers, p, args)
	sc.startBaseline(args)
	err = sc.loop()
	v.Outcomes, v.Overlap = sc.outcomes(), sc.gov.peak
	if err != nil {
		return v, err
	}
	for _, w := range workers {
		for path, src := range plan.Sources {
			if err := w.Sandbox.Check(path, src.Bytes); err != nil {
				return v, err
			}
		}
	}
	v.Restore, v.RestoreReruns, v.Ruled = sc.restored(), sc.reruns, sc.ruled()
	return v, nil
}

// writeProbes writes the gate self-check's probe into every worker's sandbox.
func writeProbes(workers []*Worker, plan *Plan) (*probe, error) {
	var first *probe
	for _, w := range workers {
		p, err := writeProbe(w.Sandbox, plan.Env.Roots, plan.Anchors)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = p
		}
	}
	return first, nil
}

func (plan *Plan) phase(name string, n int) {
	if plan.Observer != nil {
		plan.Observer.Phase(name, n)
	}
}

func (plan *Plan) running(site int, on bool) {
	if plan.Observer != nil {
		plan.Observer.Running(plan.Sites[site].ID, on)
	}
}

func (plan *Plan) progress(done, total int) {
	if plan.Observer != nil {
		plan.Observer.Progress(done, total)
	}
}

func startWorkers(plan *Plan, tmp string) ([]*Worker, error) {
	n := max(plan.Jobs, 1)
	workers := make([]*Worker, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir := filepath.Join(tmp, fmt.Sprintf("w%d", i))
			sb, err := NewSandbox(plan.Env.Original, filepath.Join(dir, "project"), tmp, plan.Tree)
			if err == nil {
				scratch := filepath.Join(dir, "runs")
				err = os.MkdirAll(scratch, 0o755)
				workers[i] = NewWorker(i, sb, &plan.Env, scratch)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return workers, nil
}

// siteLines are the sites to watch at baseline: each offload call.
func siteLines(sites []mutate.Site) []SiteLine {
	lines := make([]SiteLine, len(sites))
	for i, s := range sites {
		c := s.OffloadCall()
		lines[i] = SiteLine{Path: s.Path, Line: s.Line, Call: [2]int{c.Start, c.End}}
	}
	return lines
}

// mutantLine is the site to watch in a run of s's mutant: its un-offloaded
// call c, whose work on the loop the plugin records.
func mutantLine(s mutate.Site, c mutate.Call) SiteLine {
	return SiteLine{Path: s.Path, Line: c.Line, Call: [2]int{c.Start, c.End}, Window: true}
}

// baselineOnce runs the anchors unmutated, with the gate self-check's probe
// beside them, in one fresh process on w, and checks that the run can be
// trusted: what teeth audit needs.
func (m *mutantRunner) baselineOnce(ctx context.Context, w *Worker) (*Result, error) {
	plan := m.plan
	p, err := writeProbe(w.Sandbox, plan.Env.Roots, plan.Anchors)
	if err != nil {
		return nil, err
	}
	defer p.remove(w.Sandbox)
	args := append(append([]string{}, plan.Anchors...), p.test)
	m.v.Runs++
	res, err := w.Run(ctx, Spec{Args: args, Sites: siteLines(plan.Sites), Timeout: plan.BaselineTimeout, Funcs: true, Latent: true})
	if err != nil {
		return nil, err
	}
	if err := checkBaseline(res, plan); err != nil {
		return res, err
	}
	if err := p.check(res, plan); err != nil {
		return res, err
	}
	return res, checkCollected(res, plan)
}

func checkBaseline(res *Result, plan *Plan) error {
	cmd := strings.Join(append(append([]string{}, plan.Env.Command...), plan.Anchors...), " ")
	if id := notFound(res.Output, plan.Anchors); id != "" {
		file, _, _ := strings.Cut(id, "::")
		return hint.New("anchors: no test has the node id "+id,
			"fix --anchors or anchors in [tool.teeth]; list the node ids with: "+
				strings.Join(append(append([]string{}, plan.Env.Command...), "--collect-only", "-q", file), " "))
	}
	switch {
	case len(res.MissingDetectors) > 0:
		return hint.New("detector class "+res.MissingDetectors[0]+" cannot be imported by the project's interpreter",
			"set detectors in [tool.teeth] to the exception class your gate raises")
	case res.TimedOut:
		return hint.New(fmt.Sprintf("the baseline run did not finish within %s (hung in %s)", plan.BaselineTimeout, res.Running),
			"an anchor hangs without any mutation; run it yourself: "+cmd)
	case len(res.CollectErrors) > 0:
		ce := res.CollectErrors[0]
		return hint.New("baseline collection error in "+ce.NodeID+": "+lastLine(ce.Excerpt),
			"run the anchors yourself: "+cmd)
	case len(res.Leaked) > 0:
		return leakError(res, plan.Env)
	case !res.Finished && len(res.Items) == 0:
		last := lastWords(res.Output)
		fix := "run the anchors yourself: " + cmd
		if strings.Contains(last, "No module named pytest") {
			fix = "install pytest into the project's environment, or set python or command in [tool.teeth]"
		}
		return hint.New(fmt.Sprintf("the test command failed before collecting anything (exit %d): %s", res.ExitCode, last), fix)
	case !res.Finished:
		return hint.New(fmt.Sprintf("pytest exited with code %d before finishing: %s", res.ExitCode, lastWords(res.Output)),
			"run the anchors yourself: "+cmd)
	}
	return nil
}

// notFound is the anchor node id pytest reported as "not found", or "".
// pytest names it by its absolute path in the sandbox, without parameters.
func notFound(output string, anchors []string) string {
	for _, line := range strings.Split(output, "\n") {
		got, ok := strings.CutPrefix(strings.TrimSpace(line), "ERROR: not found: ")
		if !ok {
			continue
		}
		got = filepath.ToSlash(got)
		for _, a := range anchors {
			bare, _, _ := strings.Cut(a, "[")
			if strings.Contains(a, "::") && (strings.HasSuffix(got, "/"+a) || strings.HasSuffix(got, "/"+bare)) {
				return a
			}
		}
		return got
	}
	return ""
}

func checkCollected(res *Result, plan *Plan) error {
	if len(res.Items) == 0 {
		return hint.New("no anchors collected from "+strings.Join(plan.Anchors, " "),
			"set anchors in [tool.teeth] to the directories, files or node ids of your anchor tests")
	}
	return nil
}

// lastWords is the last line pytest printed, or, when it printed nothing,
// that it did (and the file-size limit that may have stopped its writes).
func lastWords(output string) string {
	if last := lastLine(output); last != "" {
		return last
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim) == nil && lim.Cur < 1<<62 {
		return fmt.Sprintf("it printed nothing (a file-size limit of %d KB is set, ulimit -f: it may have stopped pytest's writes)", lim.Cur/1024)
	}
	return "it printed nothing"
}

// lastLine is the last line of s, without pytest's "E" prefix.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if rest, ok := strings.CutPrefix(last, "E "); ok {
		last = strings.TrimSpace(rest)
	}
	return last
}

func reached(base *Result) map[string][]int {
	m := map[string][]int{}
	for id, t := range base.Tests {
		if t.Outcome == "passed" {
			m[id] = t.Sites
		}
	}
	return m
}

// Overhead is the baseline's cost outside test bodies: start-up, imports,
// collection (at least a second).
func Overhead(base *Result) time.Duration {
	var walls float64
	for _, t := range base.Tests {
		walls += t.Wall
	}
	return max(base.Wall-time.Duration(walls*float64(time.Second)), time.Second)
}

type job struct {
	site    int
	anchors []string // fastest first
}

// Baseline runs only the gate self-check and the baseline, in one sandbox
// and one fresh process: what teeth audit needs.
func Baseline(ctx context.Context, plan *Plan, tmp string) (*Verified, error) {
	one := *plan
	one.Jobs, one.Warm = 1, false
	workers, err := startWorkers(&one, tmp)
	if err != nil {
		return nil, err
	}
	v := &Verified{Fallback: map[string]int{}}
	m := newMutantRunner(&one, v)
	plan.phase("baseline", 0)
	base, err := m.baselineOnce(ctx, workers[0])
	if err != nil {
		return nil, err
	}
	v.Baseline, v.Reached, v.Reach = base, reached(base), base.Reach
	return v, nil
}
