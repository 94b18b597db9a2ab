package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/teethtool/teeth/internal/proc"
)

// Env is what every pytest process of a run shares.
type Env struct {
	Command    []string // argv prefix that runs pytest, e.g. [".venv/bin/python", "-m", "pytest"]
	PytestArgs []string // extra pytest arguments from the config
	Original   string   // the user's project directory
	Roots      []string // source roots, slash paths relative to the project
	// Entries are further sys.path entries (slash, relative to the project)
	// whose sandbox copies go on PYTHONPATH after the source roots' parents:
	// those a source root is imported through (see pyimport.AncestorEntries).
	Entries   []string
	Detectors []string // detector exception classes, "module.Class"
	Marker    string   // the gate's opt-out marker
	PluginDir string   // directory holding teeth_plugin.py
	Extra     []string // extra environment, KEY=VALUE
}

// SiteLine is a site whose execution the plugin records: per call where
// Python can say which call ran (3.12+: the outermost call instruction within
// Call's bytes), per line otherwise.
type SiteLine struct {
	Path string `json:"path"`
	Line int    `json:"line"`
	// Call is the byte span [start, end) of the file as it is during the run
	// that holds the call; zero means per line only.
	Call [2]int `json:"call,omitempty"`
	// Window: record what the call does on the loop (a mutant's un-offloaded call).
	Window bool `json:"window,omitempty"`
}

// Spec is one pytest process.
type Spec struct {
	Args    []string   // paths or node ids for pytest to collect
	Select  []string   // node ids to run, in this order; nil runs all collected
	Sites   []SiteLine // lines to trace
	Timeout time.Duration
	// StopAfter, when set, stops the run at the first killed test once this
	// many tests have finished.
	StopAfter *int
	Funcs     bool // record the source-root functions each test runs
	// Latent follows each detector exception a test raises to the frame
	// that catches it (the baseline: latent blocking calls).
	Latent bool
	// Rules are detector rules (Blockbuster function names such as
	// "os.fsync") to add to every gate the run builds: teeth rule's proofs.
	Rules []string

	mutant  *mutantFile     // the mutant the run loads from a private file, or nil
	first   []string        // test files to run first (a fresh baseline: likely to reach sites)
	onEvent func(ev *event) // told each finished test (and the collection) while the run goes on
	started func(pid int)   // told the process (the warm child) once it runs
	slot    *slot           // its number is the tests' TEETH_WORKER (nil: the worker's index)
}

// mutantFile is a mutant as a run loads it: the mutated file (slash path
// relative to the project), the private copy of its bytes, and the function
// whose code a warm child swaps in place.
type mutantFile struct {
	Path, File, Function string
}

// Worker runs pytest processes in one sandbox: several at once, since no
// run writes its mutant there (each loads it from a private file), except a
// run that must (runWritten), which has the sandbox to itself.
type Worker struct {
	Index   int
	Sandbox *Sandbox
	env     *Env
	tmp     string
	seq     atomic.Int64 // numbers the runs' scratch files
	mutants atomic.Int64 // numbers the mutants' private files
	share   sync.RWMutex // read: a run that leaves the sandbox as it is; write: one that writes a mutant into it

	mu   sync.Mutex // guards warm
	warm *server
}

// next numbers one more run's scratch files.
func (w *Worker) next() int64 { return w.seq.Add(1) }

// scratch is a path in the worker's scratch space.
func (w *Worker) scratch(name string) string { return filepath.Join(w.tmp, name) }

// NewWorker returns a worker for sandbox sb with scratch space in tmp.
func NewWorker(index int, sb *Sandbox, env *Env, tmp string) *Worker {
	return &Worker{Index: index, Sandbox: sb, env: env, tmp: tmp}
}

// Run runs one pytest process and returns what the plugin recorded. A
// process that outlives spec.Timeout, or whose ctx ends, is killed with its
// whole process group; the result then says which test was running.
func (w *Worker) Run(ctx context.Context, spec Spec) (*Result, error) {
	cmd, out, err := w.command(spec, nil)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	code, timedOut, err := wait(ctx, cmd, out, spec.Timeout, newTail(resultsPath(cmd), spec.onEvent), spec.started)
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", cmd.Path, err)
	}
	res, perr := parseResults(resultsPath(cmd))
	if perr != nil {
		return nil, perr
	}
	res.ExitCode, res.TimedOut, res.Wall = code, timedOut, time.Since(start)
	res.Output = out.tail(4000, true)
	if timedOut {
		res.Hang = readHang(res.Stack, w.Sandbox.Dir)
	}
	return res, ctx.Err()
}

// command prepares one pytest process with the plugin configured for spec,
// plus extra plugin settings; its output goes to the returned output, whose
// started the caller calls once the process is.
func (w *Worker) command(spec Spec, extra map[string]any) (*exec.Cmd, *output, error) {
	n := w.next()
	cfgPath := w.scratch(fmt.Sprintf("run%d.json", n))
	resPath := w.scratch(fmt.Sprintf("run%d.jsonl", n))
	if err := w.writeConfig(cfgPath, spec, extra); err != nil {
		return nil, nil, err
	}
	argv := append(append([]string{}, w.env.Command...),
		"-p", "teeth_plugin", "-p", "no:cacheprovider", "-q", "--no-header", "-p", "no:randomly")
	argv = append(append(argv, w.env.PytestArgs...), spec.Args...)
	life, err := proc.Lifeline()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = w.Sandbox.Dir
	cmd.Env = append(w.environ(cfgPath, resPath, spec.slot), "TEETH_LIFELINE=3")
	cmd.ExtraFiles = []*os.File{life} // fd 3: the plugin's guardian kills the group when teeth dies
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := newOutput()
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdout, cmd.Stderr = out.w, out.w
	return cmd, out, nil
}

func resultsPath(cmd *exec.Cmd) string {
	for _, kv := range cmd.Env {
		if v, ok := strings.CutPrefix(kv, "TEETH_RESULTS="); ok {
			return v
		}
	}
	return ""
}

func (w *Worker) writeConfig(path string, spec Spec, extra map[string]any) error {
	sites := spec.Sites
	if sites == nil {
		sites = []SiteLine{}
	}
	cfg := map[string]any{
		"sandbox": w.Sandbox.Dir, "original": w.env.Original, "roots": w.env.Roots,
		"detectors": w.env.Detectors, "marker": w.env.Marker,
		"sites": sites, "select": spec.Select, "stop_after": spec.StopAfter, "funcs": spec.Funcs,
		"latent": spec.Latent,
	}
	if len(spec.Rules) > 0 {
		cfg["rules"] = spec.Rules
	}
	if spec.mutant != nil {
		cfg["mutant"] = map[string]string{"path": spec.mutant.Path, "file": spec.mutant.File}
	}
	if len(spec.first) > 0 {
		cfg["first"] = spec.first
	}
	for k, v := range extra {
		cfg[k] = v
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// environ is a run's environment. TEETH_WORKER is a number no other run at
// the same time has (its slot's; the worker's index outside the
// scheduler), for the tests to separate ports and directories.
func (w *Worker) environ(cfgPath, resPath string, sl *slot) []string {
	worker := w.Index
	if sl != nil {
		worker = sl.index
	}
	paths := []string{w.env.PluginDir}
	seen := map[string]bool{}
	dirs := make([]string, 0, len(w.env.Roots)+len(w.env.Entries))
	for _, r := range w.env.Roots {
		dirs = append(dirs, path.Dir(r))
	}
	for _, p := range append(dirs, w.env.Entries...) {
		if p = filepath.Join(w.Sandbox.Dir, filepath.FromSlash(p)); !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	if old := os.Getenv("PYTHONPATH"); old != "" {
		paths = append(paths, old)
	}
	env := append(os.Environ(), w.env.Extra...)
	return append(env,
		"PYTHONPATH="+strings.Join(paths, string(os.PathListSeparator)),
		"PYTHONDONTWRITEBYTECODE=1",
		"TEETH_CONFIG="+cfgPath,
		"TEETH_RESULTS="+resPath,
		"TEETH_WORKER="+strconv.Itoa(worker),
	)
}

// wait runs cmd until it exits, its timeout passes or ctx ends; in the last
// two cases the whole process group is killed (after a timeout, once the
// stacks of its threads are sampled: sampleStacks). What happened first decides:
// a process that had exited when teeth saw its time limit pass (teeth was
// stopped, SIGSTOP, while it finished) did not time out.
// The limit is the run's own: it counts from its start, whatever else runs
// beside it. tail, when not nil, reads the results as the plugin writes
// them; started is told the process's pid once it runs.
func wait(ctx context.Context, cmd *exec.Cmd, out *output, timeout time.Duration, tail *tail, started func(int)) (code int, timedOut bool, err error) {
	err = proc.Start(cmd)
	out.started()
	if err != nil {
		return 0, false, err
	}
	if started != nil {
		started(cmd.Process.Pid)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); killGroup(cmd) }() // what the tests left running goes too
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var tick <-chan time.Time
	if tail != nil {
		t := time.NewTicker(tailEvery)
		defer t.Stop()
		tick = t.C
	}
	var werr error
wait:
	for {
		select {
		case werr = <-done:
			break wait
		case <-tick:
			tail.poll()
		case <-timer.C:
			if !proc.Gone(cmd.Process.Pid) {
				timedOut = true
				sampleStacks(resultsPath(cmd))
				killGroup(cmd)
			}
			werr = <-done
			break wait
		case <-ctx.Done():
			killGroup(cmd)
			werr = <-done
			break wait
		}
	}
	tail.poll()
	var exit *exec.ExitError
	if errors.As(werr, &exit) {
		return exit.ExitCode(), timedOut, nil
	}
	return 0, timedOut, werr
}

func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
