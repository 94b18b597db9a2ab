// Command bench measures teeth against the manual SOP loop on a synthetic
// backend with real pytest and Blockbuster, and prints the figures as a
// table (and as JSON when BENCH_JSON names a file). Run it with "make bench".
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	cp "github.com/otiai10/copy"

	"github.com/teethtool/teeth/internal/atomicfile"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/tools/bench/backend"
)

// measure is one timed run.
type measure struct {
	name   string
	wall   float64
	cpu    float64
	rssMB  float64
	report *report.Report
	when   string // a naive figure reused from an earlier run (-skip-naive): when it was measured
}

// profile is one synthetic backend the benchmark measures.
type profile struct {
	name    string
	about   string
	roots   []string
	importS float64 // the package's eager import work, paid once per worker
	write   func(dir string) error
}

func main() {
	teeth := flag.String("teeth", "bin/teeth", "the teeth binary")
	python := flag.String("python", "testdata/example/.venv/bin/python", "interpreter with pytest, pytest-asyncio and blockbuster")
	which := flag.String("profile", "all", "backend to measure: uniform, realistic or all")
	sh := backend.Uniform{}
	flag.IntVar(&sh.Sites, "sites", 60, "uniform: offload sites")
	flag.IntVar(&sh.Anchors, "anchors", 40, "uniform: anchors")
	flag.Float64Var(&sh.ImportS, "import", 1.5, "uniform: seconds of real work when the package is imported")
	flag.Float64Var(&sh.TestS, "test", 0.1, "uniform: seconds each anchor's body takes")
	rs := backend.Realistic{Seed: 7}
	flag.IntVar(&rs.Sites, "realistic-sites", 60, "realistic: offload sites")
	flag.IntVar(&rs.Anchors, "realistic-anchors", 30, "realistic: anchors (plus one per undetectable site)")
	flag.Float64Var(&rs.ImportS, "realistic-import", 3, "realistic: seconds of eager import work")
	only := flag.String("write", "", "only write the backend of -profile into this directory")
	naive := flag.Bool("naive", true, "time the naive SOP loop too (most of the benchmark's time)")
	skipNaive := flag.Bool("skip-naive", false, "reuse the naive loop's last figure for the same backend (while iterating: a final table needs a real naive run)")
	flag.Parse()
	profiles, err := pick(*which, sh, rs)
	if err == nil && *only != "" {
		if len(profiles) != 1 {
			err = fmt.Errorf("-write wants one -profile, uniform or realistic")
		} else {
			err = profiles[0].write(*only)
		}
	} else if err == nil {
		err = run(*teeth, *python, profiles, naiveMode(*naive, *skipNaive), os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// The naive loop's modes: timed, its last figure reused (-skip-naive), or
// left out (-naive=false).
const (
	naiveRun = iota
	naiveReuse
	naiveNone
)

func naiveMode(naive, skip bool) int {
	switch {
	case !naive:
		return naiveNone
	case skip:
		return naiveReuse
	}
	return naiveRun
}

// pick returns the profiles -profile names.
func pick(which string, sh backend.Uniform, rs backend.Realistic) ([]profile, error) {
	uniform := profile{
		name: "uniform", roots: []string{"app"}, importS: sh.ImportS,
		about: fmt.Sprintf("%d sites, %d anchors, %.1fs import, %.0fms per test body, every module imported at collection",
			sh.Sites, sh.Anchors, sh.ImportS, sh.TestS*1000),
		write: func(dir string) error { return backend.WriteUniform(dir, sh) },
	}
	realistic := profile{
		name: "realistic", roots: []string{"svc"}, importS: rs.ImportS,
		about: fmt.Sprintf("%d sites, %d+ anchors, %.1fs eager import, lazy services/providers/jobs, a namespace-package wrapper, bodies 20ms-1s waiting or computing, %d mutants that wait 3-7.5s",
			rs.Sites, rs.Anchors, rs.ImportS, rs.Sites/15),
		write: func(dir string) error { return backend.WriteRealistic(dir, rs) },
	}
	switch which {
	case "uniform":
		return []profile{uniform}, nil
	case "realistic":
		return []profile{realistic}, nil
	case "all":
		return []profile{uniform, realistic}, nil
	}
	return nil, fmt.Errorf("-profile %q: want uniform, realistic or all", which)
}

func run(teeth, python string, profiles []profile, naive int, out io.Writer) error {
	teeth, _ = filepath.Abs(teeth)
	python, _ = filepath.Abs(python)
	tmp, err := os.MkdirTemp("", "teeth-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	figures := map[string]map[string]float64{}
	for _, p := range profiles {
		dir := filepath.Join(tmp, p.name)
		if figures[p.name], err = runProfile(teeth, python, p, dir, naive, out); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	path := os.Getenv("BENCH_JSON")
	if path == "" {
		return nil
	}
	data, err := json.MarshalIndent(figures, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, 0o644, append(data, '\n'))
}

// runProfile measures one backend: teeth (default, -j 1, --no-warm, and
// --no-prove-rules: what the rule proofs cost), which must agree on every
// verdict, then the naive SOP loop (or its last figure for the same
// backend, or nothing: the naive mode).
func runProfile(teeth, python string, p profile, tmp string, mode int, out io.Writer) (map[string]float64, error) {
	proj := filepath.Join(tmp, "backend")
	if err := p.write(proj); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "\n%s backend: %s; %d cores\n", p.name, p.about, runtime.NumCPU())
	var runs []measure
	for _, v := range []struct {
		name string
		args []string
	}{
		{"teeth verify", nil},
		{"teeth verify -j 1", []string{"-j", "1"}},
		{"teeth verify --no-warm", []string{"--no-warm"}},
		{"teeth verify --no-prove-rules", []string{"--no-prove-rules"}},
	} {
		m, err := timeTeeth(v.name, teeth, python, proj, tmp, v.args)
		if err != nil {
			return nil, err
		}
		runs = append(runs, m)
	}
	if err := sameVerdicts(runs); err != nil {
		return nil, err
	}
	fmt.Fprintln(out, "verdicts: identical in the default, -j 1, --no-warm and --no-prove-rules runs")
	naive, err := naiveFigure(python, proj, tmp, p, mode, out)
	if err != nil {
		return nil, err
	}
	return printTable(out, naive, runs, limit(runs[0].report, p.importS, runtime.NumCPU()))
}

// naiveFigure times the naive loop, reuses its last figure or leaves it
// out (a zero wall time), as mode says.
func naiveFigure(python, proj, tmp string, p profile, mode int, out io.Writer) (measure, error) {
	naive := measure{name: "naive SOP loop"}
	if mode == naiveNone {
		return naive, nil
	}
	key, err := naiveKey(p.name, python, proj)
	if err != nil {
		return naive, err
	}
	if mode == naiveReuse {
		if naive, err = lastNaive(key); err != nil {
			return naive, err
		}
		fmt.Fprintf(out, "naive SOP loop: not run (-skip-naive): its figure of %s is reused\n", naive.when)
		return naive, nil
	}
	if naive, err = timeNaive(python, proj, tmp, p.roots); err != nil {
		return naive, err
	}
	if err := keepNaive(key, naive); err != nil {
		fmt.Fprintf(out, "(the naive figure could not be kept for -skip-naive: %v)\n", err)
	}
	return naive, nil
}

// sameVerdicts checks that every run gave every anchor and site the same verdict.
func sameVerdicts(runs []measure) error {
	want := verdicts(runs[0].report)
	for _, m := range runs[1:] {
		got := verdicts(m.report)
		for k, v := range want {
			if got[k] != v {
				return fmt.Errorf("%s: %s is %s, but %s in %s", m.name, k, got[k], v, runs[0].name)
			}
		}
		if len(got) != len(want) {
			return fmt.Errorf("%s reports %d anchors and sites, %s %d", m.name, len(got), runs[0].name, len(want))
		}
	}
	return nil
}

func verdicts(r *report.Report) map[string]string {
	m := map[string]string{}
	for _, a := range r.Anchors {
		m["anchor "+a.NodeID] = a.Verdict
	}
	for _, s := range r.Sites {
		m["site "+s.ID] = s.Verdict
	}
	return m
}

// limits are the floors teeth is measured against on the workers it used.
type limits struct {
	// work is what no verifier can skip, counted as work: one eager import
	// per worker, plus every (mutant, covering anchor) pair's baseline
	// test time. A run on several workers can come in under it.
	work float64
	// wall is the wall-clock floor on those workers: one import (the
	// workers import side by side), plus the baseline's test time and every
	// needed pair's test time (the pairs teeth ran, each at its baseline
	// time or at the mutant run's own time where the mutant made the test
	// slower: a wait is part of the pair), divided by the workers.
	wall float64
}

// limit computes both floors from the default run's report.
func limit(r *report.Report, importS float64, workers int) limits {
	dur := map[string]float64{}
	var tests, pairs float64
	for _, a := range r.Anchors {
		dur[a.NodeID] = a.Baseline.DurationS
		tests += a.Baseline.DurationS
		for _, e := range a.Mutants {
			if !e.Cached {
				pairs += max(a.Baseline.DurationS, e.Run.DurationS)
			}
		}
	}
	work := importS * float64(workers)
	for _, s := range r.Sites {
		if s.Verdict == report.Invalid {
			continue
		}
		for _, a := range s.Anchors {
			work += dur[a]
		}
	}
	return limits{work: work, wall: importS + (tests+pairs)/float64(workers)}
}

func timeTeeth(name, teeth, python, proj, tmp string, extra []string) (measure, error) {
	jsonPath := filepath.Join(tmp, strings.ReplaceAll(name, " ", "_")+".json")
	args := append([]string{"verify", "--python", python, "--json", jsonPath}, extra...)
	cmd := exec.Command(teeth, append(args, proj)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	m, err := timed(name, cmd)
	if code := cmd.ProcessState.ExitCode(); code > 1 || (err != nil && code != 1) {
		return m, fmt.Errorf("%s: %v\n%s", name, err, stderr.String())
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		return m, err
	}
	m.report = &report.Report{}
	return m, json.Unmarshal(data, m.report)
}

// timed runs cmd and measures wall time, the CPU time of it and its
// children, and its own peak resident memory.
func timed(name string, cmd *exec.Cmd) (measure, error) {
	before := childCPU()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return measure{}, err
	}
	peak := make(chan float64, 1)
	stop := make(chan struct{})
	go func() { peak <- watchRSS(cmd.Process.Pid, stop) }()
	err := cmd.Wait()
	close(stop)
	return measure{name: name, wall: time.Since(start).Seconds(), cpu: childCPU() - before, rssMB: <-peak}, err
}

func childCPU() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// watchRSS polls a process's peak resident set (VmHWM) until stop closes.
func watchRSS(pid int, stop <-chan struct{}) float64 {
	var peak float64
	path := fmt.Sprintf("/proc/%d/status", pid)
	for {
		if data, err := os.ReadFile(path); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
					peak = max(peak, kb/1024)
				}
			}
		}
		select {
		case <-stop:
			return peak
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// naiveKey names one backend's naive figure: the profile, the interpreter
// and a digest of every file of the backend.
func naiveKey(name, python, proj string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", name, python)
	err := filepath.WalkDir(proj, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(proj, p)
		fmt.Fprintf(h, "%s\x00%x\x00", filepath.ToSlash(rel), sha256.Sum256(data))
		return nil
	})
	return name + "-" + hex.EncodeToString(h.Sum(nil))[:16], err
}

// naiveFile keeps the naive figures -skip-naive reuses, by naiveKey.
func naiveFile() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "teeth-bench", "naive.json"), nil
}

type keptNaive struct {
	Wall, CPU float64
	When      string
}

func readNaive() (map[string]keptNaive, string, error) {
	path, err := naiveFile()
	if err != nil {
		return nil, "", err
	}
	kept := map[string]keptNaive{}
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, &kept)
	} else if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	return kept, path, err
}

// keepNaive stores a measured naive figure for -skip-naive.
func keepNaive(key string, m measure) error {
	kept, path, err := readNaive()
	if err != nil {
		kept = map[string]keptNaive{}
	}
	kept[key] = keptNaive{Wall: m.wall, CPU: m.cpu, When: time.Now().Format(time.DateTime)}
	data, err := json.MarshalIndent(kept, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, 0o644, append(data, '\n'))
}

// lastNaive is the naive figure last measured for the backend key.
func lastNaive(key string) (measure, error) {
	kept, path, err := readNaive()
	if err != nil {
		return measure{}, err
	}
	k, ok := kept[key]
	if !ok {
		return measure{}, fmt.Errorf("-skip-naive: no naive figure for this backend in %s yet: run once without -skip-naive", path)
	}
	return measure{name: "naive SOP loop", wall: k.Wall, cpu: k.CPU, when: k.When}, nil
}

// timeNaive is the manual SOP loop: per site, copy the project, un-offload
// the site, run the whole anchor suite, restore.
func timeNaive(python, proj, tmp string, roots []string) (measure, error) {
	ctx := context.Background()
	disc, err := mutate.Discover(ctx, []string{python}, proj, roots, nil, nil)
	if err != nil {
		return measure{}, err
	}
	before := childCPU()
	start := time.Now()
	for i, s := range disc.Sites {
		work := filepath.Join(tmp, fmt.Sprintf("naive%d", i))
		if err := cp.Copy(proj, work); err != nil {
			return measure{}, err
		}
		file := filepath.Join(work, filepath.FromSlash(s.Path))
		orig, err := os.ReadFile(file)
		if err != nil {
			return measure{}, err
		}
		mut, err := s.Apply(orig)
		if err != nil {
			return measure{}, err
		}
		if err := os.WriteFile(file, mut, 0o644); err != nil {
			return measure{}, err
		}
		cmd := exec.Command(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/blocking_io")
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONPATH="+work)
		_ = cmd.Run() // red is the expected outcome
		if err := os.WriteFile(file, orig, 0o644); err != nil {
			return measure{}, err
		}
		os.RemoveAll(work)
	}
	return measure{name: "naive SOP loop", wall: time.Since(start).Seconds(), cpu: childCPU() - before}, nil
}

// printTable prints one profile's figures and returns them for BENCH_JSON.
func printTable(out io.Writer, naive measure, runs []measure, lim limits) (map[string]float64, error) {
	sum := runs[0].report.Summary
	mutants := sum.Mutants
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\twall s\tcpu s\tmutants/s\tvs naive\tvs work limit\tvs wall limit\tpeak RSS MB\t")
	row := func(m measure) {
		rss, vsNaive := "-", "-"
		if m.rssMB > 0 {
			rss = fmt.Sprintf("%.1f", m.rssMB)
		}
		if naive.wall > 0 {
			vsNaive = fmt.Sprintf("%.1fx", naive.wall/m.wall)
		}
		name := m.name
		if m.when != "" {
			name += " (reused)"
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.2f\t%s\t%.2fx\t%.2fx\t%s\t\n", name, m.wall, m.cpu,
			float64(mutants)/m.wall, vsNaive, m.wall/lim.work, m.wall/lim.wall, rss)
	}
	if naive.wall > 0 {
		row(naive)
	} else {
		fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t\n", naive.name+" (not run: -naive=false)")
	}
	for _, m := range runs {
		row(m)
	}
	fmt.Fprintf(tw, "work limit\t%.1f\t\t\t\t\t\t\t\n", lim.work)
	fmt.Fprintf(tw, "wall-clock limit\t%.1f\t\t\t\t\t\t\t\n", lim.wall)
	if err := tw.Flush(); err != nil {
		return nil, err
	}
	fallbacks := 0
	for _, n := range sum.Fallbacks {
		fallbacks += n
	}
	fmt.Fprintf(out, "mutants: %d; mutant runs: %d forked warm (%d imported the mutated module lazily), %d fresh; fresh-process fallbacks: %d; at most %d runs at once\n",
		mutants, sum.WarmRuns, sum.LazyRuns, sum.FreshRuns, fallbacks, sum.RunsAtOnce)
	fmt.Fprintf(out, "anchors: %s\n", verdictCounts(runs[0].report))
	fmt.Fprintln(out, "work limit: one eager import per worker plus every (mutant, covering anchor) pair's baseline test time")
	fmt.Fprintln(out, "wall-clock limit: one import plus (the baseline's test time + every pair teeth ran, at its baseline time or the mutant run's own if longer) / the workers")
	proofs := rulesLine(sum, runs[0], runs[3])
	fmt.Fprintln(out, proofs.text)
	figures := map[string]float64{
		"teeth_s": runs[0].wall, "teeth_j1_s": runs[1].wall, "cold_s": runs[2].wall, "teeth_no_proofs_s": runs[3].wall,
		"limit_s": lim.work, "limit_wall_s": lim.wall, "mutants": float64(mutants), "mutants_per_s": float64(mutants) / runs[0].wall,
		"peak_rss_mb": runs[0].rssMB, "vs_limit": runs[0].wall / lim.work,
		"vs_limit_wall": runs[0].wall / lim.wall, "runs_at_once": float64(sum.RunsAtOnce),
		"warm_runs": float64(sum.WarmRuns), "lazy_runs": float64(sum.LazyRuns), "fresh_runs": float64(sum.FreshRuns),
		"fallbacks": float64(fallbacks), "rule_s": sum.RuleS, "rule_runs": float64(sum.RuleRuns), "rule_share": proofs.share,
		"rule_proposals": float64(proofs.proposals),
	}
	if naive.wall > 0 {
		figures["naive_s"], figures["vs_naive"] = naive.wall, naive.wall/runs[0].wall
	}
	return figures, nil
}

// proofFigures is what the rule proofs cost in the default run.
type proofFigures struct {
	text      string
	share     float64 // rule_s over the default run's wall time
	proposals int     // rule proposals proven or refuted
}

// rulesLine says what the rule proofs cost: their own time (summary.rule_s)
// and its share of the verify's wall time, and the wall time of the run
// without proofs.
func rulesLine(sum report.Summary, def, noProofs measure) proofFigures {
	n := 0
	for _, s := range def.report.Sites {
		if p := s.RuleProposal; p != nil && (p.Status == report.RuleProven || p.Status == report.RuleRefuted) {
			n++
		}
	}
	share := sum.RuleS / def.wall
	return proofFigures{share: share, proposals: n, text: fmt.Sprintf(
		"rule proofs (default run): %d proposals proven or refuted, %d pytest runs, %.1fs: %.1f%% of its wall time; wall without proofs (--no-prove-rules): %.1fs, %+.1fs",
		n, sum.RuleRuns, sum.RuleS, 100*share, noProofs.wall, def.wall-noProofs.wall)}
}

func verdictCounts(r *report.Report) string {
	var parts []string
	for _, v := range report.AnchorVerdicts {
		if n := r.Summary.AnchorVerdicts[v]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	return strings.Join(parts, ", ")
}
