package runner

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// The governor's settings: how often it samples the runs' CPU use, and how
// much of a core must idle before a run beyond the workers starts.
const (
	sampleEvery = 100 * time.Millisecond
	idleToStart = 0.75
	clockTicks  = 100 // USER_HZ: /proc's unit of CPU time on every Linux
)

// governor decides when one more pytest run may start. Runs up to the
// workers (at most the bound) start whatever the cores do, as they always
// have; runs beyond them, up to the bound, start only while the runs'
// measured CPU use leaves most of a core idle: runs that wait (a sleep, a
// lock, an event, a time-out) hold no core, and the cores then take more.
// A run counts as a whole core until its process has been measured, so the
// runs never outnumber the cores once they turn out CPU-bound. A run's own
// time limit is never touched: it counts from its own start.
type governor struct {
	base     int     // runs that start whatever the cores do
	max      int     // most runs at once
	capacity float64 // cores the runs may use: the workers', at most the machine's
	cpu      func(pid int) (float64, bool)
	running  map[*slot]bool
	peak     int // most runs at once so far
}

// slot is one running task's share of the governor: the process it runs
// now and how much CPU that process has been using.
type slot struct {
	index int // no other running slot has it: the tests' TEETH_WORKER

	mu   sync.Mutex
	pid  int
	last float64   // CPU seconds at the last sample
	at   time.Time // when last was read; zero: not yet
	rate float64   // cores used over the last interval; -1: not measured yet
}

func newGovernor(workers, max int, cores int) *governor {
	g := &governor{base: min(workers, max), max: max, capacity: float64(min(workers, cores)),
		cpu: procCPU, running: map[*slot]bool{}}
	if _, ok := procCPU(os.Getpid()); !ok {
		g.max = g.base // no /proc: nothing to measure, no run beyond the workers
	}
	return g
}

// mayStart reports whether one more run may start now.
func (g *governor) mayStart() bool {
	n := len(g.running)
	switch {
	case n < g.base:
		return true
	case n >= g.max:
		return false
	}
	return g.capacity-g.busy() >= idleToStart
}

// busy is the cores the running tasks use, as last measured.
func (g *governor) busy() float64 {
	var sum float64
	for s := range g.running {
		s.mu.Lock()
		if s.pid == 0 || s.rate < 0 {
			sum++
		} else {
			sum += s.rate
		}
		s.mu.Unlock()
	}
	return sum
}

func (g *governor) start() *slot {
	used := map[int]bool{}
	for r := range g.running {
		used[r.index] = true
	}
	s := &slot{rate: -1}
	for used[s.index] {
		s.index++
	}
	g.running[s] = true
	g.peak = max(g.peak, len(g.running))
	return s
}

func (g *governor) stop(s *slot) { delete(g.running, s) }

// sample reads the CPU time of every running process.
func (g *governor) sample(now time.Time) {
	for s := range g.running {
		s.mu.Lock()
		if s.pid != 0 {
			if cpu, ok := g.cpu(s.pid); ok {
				if !s.at.IsZero() {
					if dt := now.Sub(s.at).Seconds(); dt > 0 {
						s.rate = max(cpu-s.last, 0) / dt
					}
				}
				s.last, s.at = cpu, now
			}
		}
		s.mu.Unlock()
	}
}

// run says that the slot's task now runs process pid (0: none), measured
// from the next sample on.
func (s *slot) run(pid int) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.pid, s.at, s.rate = pid, time.Time{}, -1
	s.mu.Unlock()
}

// procCPU is the CPU time, in seconds, a process and the children it
// waited for have used, from /proc/PID/stat.
func procCPU(pid int) (float64, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: fields count from
	// after its closing parenthesis (state is field 3, utime 14 ... cstime 17).
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(data[i+1:])
	if len(f) < 15 {
		return 0, false
	}
	var ticks float64
	for _, field := range f[11:15] { // utime, stime, cutime, cstime
		n, err := strconv.ParseFloat(string(field), 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	return ticks / clockTicks, true
}

// numCPU is the machine's cores, as Go sees them (its affinity mask).
func numCPU() int { return runtime.NumCPU() }
