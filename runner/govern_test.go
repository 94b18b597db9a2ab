package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// issue 21: runs up to the workers start whatever the cores do; runs beyond
// them, up to the bound, only while the measured CPU use leaves most of a
// core idle. A run counts as a whole core until its process is measured.
func TestGovernorStartsMoreOnlyWhileCoresIdle(t *testing.T) {
	cpu := map[int]float64{}
	g := &governor{base: 2, max: 4, capacity: 2, running: map[*slot]bool{},
		cpu: func(pid int) (float64, bool) { return cpu[pid], true }}
	now := time.Now()
	step := func(d time.Duration) { now = now.Add(d); g.sample(now) }

	a, b := g.start(), g.start() // the workers' runs start regardless
	if g.mayStart() {
		t.Fatal("a third run started before anything was measured")
	}
	a.run(1)
	b.run(2)
	step(100 * time.Millisecond) // first samples: nothing measured yet
	cpu[1], cpu[2] = 0.1, 0.1    // both busy: a core each
	step(100 * time.Millisecond)
	if g.mayStart() {
		t.Fatalf("a third run started while both runs used their core (busy %.2f)", g.busy())
	}
	cpu[1] += 0.1 // run 1 computes, run 2 waits
	step(100 * time.Millisecond)
	if !g.mayStart() {
		t.Fatalf("no third run while a core idled (busy %.2f)", g.busy())
	}
	c := g.start() // unmeasured: a whole core
	if g.mayStart() {
		t.Fatal("a fourth run started before the third was measured")
	}
	c.run(3)
	step(100 * time.Millisecond)
	cpu[1] += 0.1
	step(100 * time.Millisecond) // run 3 waits too
	if !g.mayStart() {
		t.Fatalf("no fourth run while a core idled (busy %.2f)", g.busy())
	}
	g.start()
	if g.mayStart() || g.peak != 4 {
		t.Fatalf("the bound of 4 runs did not hold (peak %d)", g.peak)
	}
	g.stop(c)
	if g.mayStart() {
		t.Fatal("a run started while the fourth was still unmeasured")
	}
}

// Without /proc nothing can be measured: no run beyond the workers.
func TestGovernorWithoutMeasuresKeepsToTheWorkers(t *testing.T) {
	g := newGovernor(2, 4, 8)
	if _, ok := procCPU(os.Getpid()); !ok && g.max != 2 {
		t.Fatalf("max %d without /proc, want the workers", g.max)
	}
	if g.base != 2 || g.capacity != 2 {
		t.Fatalf("base %d, capacity %v; want the workers (2)", g.base, g.capacity)
	}
	if g := newGovernor(4, 1, 8); g.base != 1 {
		t.Fatalf("base %d with a bound of 1 run", g.base)
	}
}

func TestProcCPUReadsThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	before, ok := procCPU(os.Getpid())
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		if after, _ := procCPU(os.Getpid()); after-before >= 0.05 {
			return
		}
		for i := 0; i < 1e6; i++ {
			_ = strings.Repeat("x", i%7)
		}
	}
	t.Fatalf("procCPU (ok %v) did not see this process use CPU", ok)
}

// A results file is read as the plugin appends to it: whole lines only.
func TestTailHandsOverCompleteLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	var got []string
	tl := newTail(path, func(ev *event) { got = append(got, ev.Ev+" "+ev.NodeID) })
	tl.poll() // no file yet
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(`{"ev": "collected", "items": []}` + "\n" + `{"ev": "start", "nodeid": "t::a"}` + "\n" + `{"ev": "test", "nodeid": "t::a", "outc`)
	tl.poll()
	if strings.Join(got, ",") != "collected " {
		t.Fatalf("after a cut line: %q", got)
	}
	f.WriteString(`ome": "passed", "sites": [0]}` + "\n")
	tl.poll()
	if strings.Join(got, ",") != "collected ,test t::a" {
		t.Fatalf("after the line ended: %q", got)
	}
	if newTail(path, nil) != nil {
		t.Fatal("a tail nobody listens to")
	}
}
