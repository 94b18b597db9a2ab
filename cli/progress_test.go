package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the ticker goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls until the output holds want, for up to a minute.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if strings.Contains(out.String(), want) {
			return
		}
	}
	t.Fatalf("output never held %q:\n%s", want, out.String())
}

// issue 11: while one slow mutant runs, plain output (CI logs) still says
// what is running after a quiet spell, and the restore phase is announced.
func TestProgressPlainSaysWhatRuns(t *testing.T) {
	out := &syncBuffer{}
	p := newProgress(out, time.Now())
	p.quiet, p.every = 20*time.Millisecond, 5*time.Millisecond
	p.Phase("baseline", 0)
	waitFor(t, out, "teeth: baseline and gate self-check, ")
	p.Phase("mutants", 2)
	waitFor(t, out, "; running 2 mutants\n")
	p.Running("app/x.py:load:read#0", true)
	p.Running("app/x.py:save:write#0", true)
	waitFor(t, out, "teeth: mutants 0/2, ")
	waitFor(t, out, "; running app/x.py:load:read#0 for ")
	waitFor(t, out, " (+1 more)\n")
	p.Running("app/x.py:load:read#0", false)
	p.Progress(1, 2)
	waitFor(t, out, "teeth: mutants 1/2, ")
	p.Running("app/x.py:save:write#0", false)
	p.Progress(2, 2)
	p.Phase("restore", 3)
	waitFor(t, out, "teeth: restore check: re-running 3 anchors on the restored sandboxes\n")
	p.Finish()
	end := out.String()
	time.Sleep(50 * time.Millisecond)
	if out.String() != end {
		t.Errorf("progress wrote after finish:\n%s", strings.TrimPrefix(out.String(), end))
	}
}

// issue 11: on a terminal the line is redrawn every tick, so the elapsed
// time and the running mutant move even when no mutant finishes.
func TestProgressTerminalRedraws(t *testing.T) {
	out := &syncBuffer{}
	p := newProgress(out, time.Now())
	p.tty, p.every = true, 5*time.Millisecond
	p.Phase("mutants", 1)
	p.Running("app/x.py:load:read#0", true)
	waitFor(t, out, "\r\033[Kteeth: mutants 0/1, ")
	n := strings.Count(out.String(), "\r\033[K")
	for deadline := time.Now().Add(time.Minute); strings.Count(out.String(), "\r\033[K") < n+3; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the line was not redrawn:\n%q", out.String())
		}
	}
	p.Finish()
	if !strings.HasSuffix(out.String(), "\n") {
		t.Errorf("finish left the progress line open: %q", out.String())
	}
}

// The ETA is an average over finished mutants: once every mutant left is
// running it would read "eta 0s" during a slow one, so the line drops it and
// says what runs instead.
func TestProgressNoETAWhenOnlyRunningMutantsRemain(t *testing.T) {
	p := newProgress(&syncBuffer{}, time.Now())
	p.phase, p.n, p.since = "mutants", 3, time.Now()
	p.running["app/x.py:load:read#0"] = time.Now()
	p.done = 1
	if s := p.status(); !strings.Contains(s, ", eta ") {
		t.Errorf("two mutants left, one running: no eta in %q", s)
	}
	p.done = 2
	s := p.status()
	if strings.Contains(s, "eta") || !strings.Contains(s, "; running app/x.py:load:read#0 for ") {
		t.Errorf("the last mutant running: want no eta and the running mutant, got %q", s)
	}
}

// issue 22: progress starts with the run: a line when site discovery
// starts, one when the compile check starts, and, after a quiet spell in
// either (a large module), a line saying how far it got; the compile
// check's batches print no line of their own.
func TestProgressFromTheStart(t *testing.T) {
	out := &syncBuffer{}
	p := newProgress(out, time.Now())
	p.quiet, p.every = time.Hour, 5*time.Millisecond
	p.Phase("discover", 1)
	waitFor(t, out, "teeth: finding offload sites\n")
	p.Phase("compile", 5000)
	waitFor(t, out, "; checking that 5000 mutants compile\n")
	p.Progress(512, 5000)
	time.Sleep(30 * time.Millisecond)
	if strings.Contains(out.String(), "compile check") {
		t.Errorf("a compile batch printed a line:\n%s", out.String())
	}
	p.mu.Lock()
	p.quiet = 10 * time.Millisecond
	p.mu.Unlock()
	waitFor(t, out, "teeth: compile check 512/5000, ")
	p.Finish()
}
