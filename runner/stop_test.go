package runner

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// issue 22: a process that finishes while teeth is stopped (SIGSTOP), its
// time limit passing before teeth runs again, finished first: it did not
// time out, on the fresh path (wait) and on the warm one (waitChild, a
// child forked by a server that is not stopped). Each helper process below
// waits on a child that runs 0.3 s under a 2 s limit; the test stops the
// helper as soon as the child runs and lets it go on 3 s later. Before,
// teeth judged such a run against its timer (and killed nothing).
func TestStoppedTeethJudgesWhatHappenedFirst(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	for _, mode := range []string{"fresh", "warm"} {
		t.Run(mode, func(t *testing.T) {
			var wg sync.WaitGroup
			results := make([]string, 6)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = stopped(t, mode)
				}()
			}
			wg.Wait()
			for i, got := range results {
				if got != "timedOut=false" {
					t.Errorf("run %d: %s, want timedOut=false (the child finished before its limit)", i, got)
				}
			}
		})
	}
}

// stopped runs one helper in mode, stops it once its child runs, and
// returns what the helper says.
func stopped(t *testing.T, mode string) string {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestStopHelper$")
	cmd.Env = append(os.Environ(), "TEETH_STOP_HELPER="+mode, "TEETH_STOP_DIR="+dir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Error(err)
		return ""
	}
	running := filepath.Join(dir, "running")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(2 * time.Millisecond) {
		if _, err := os.Stat(running); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			return "the child never ran: " + out.String()
		}
	}
	cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(3 * time.Second) // the child ends at 0.3 s, its limit passes at 2 s
	cmd.Process.Signal(syscall.SIGCONT)
	cmd.Wait()
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "timedOut=") {
			return line
		}
	}
	return "no answer: " + out.String()
}

// TestStopHelper is the helper process of TestStoppedTeethJudgesWhatHappenedFirst.
func TestStopHelper(t *testing.T) {
	mode, dir := os.Getenv("TEETH_STOP_HELPER"), os.Getenv("TEETH_STOP_DIR")
	if mode == "" {
		t.Skip("a helper process")
	}
	running := filepath.Join(dir, "running")
	var timedOut bool
	var err error
	switch mode {
	case "fresh":
		cmd := exec.Command("sh", "-c", "touch "+running+"; sleep 0.3")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out, oerr := newOutput()
		if oerr != nil {
			t.Fatal(oerr)
		}
		cmd.Stdout = out.w
		_, timedOut, err = wait(context.Background(), cmd, out, 2*time.Second, nil, nil)
	case "warm":
		// A server as teeth_warm.py is one: it forks a child, says so, and
		// says "done" once the child has ended.
		r, w, perr := os.Pipe()
		if perr != nil {
			t.Fatal(perr)
		}
		srv := exec.Command("sh", "-c", `sleep 0.3 & echo "{\"id\": 1, \"child\": $!}"; while [ ! -e `+dir+`/waiting ]; do sleep 0.01; done; touch `+running+`; wait; echo '{"id": 1, "done": 0}'`)
		srv.Stdout = w
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		replies := make(chan map[string]any, 2)
		s := &server{waiters: map[int]chan map[string]any{1: replies}, gone: make(chan struct{}), ready: make(chan bool, 1)}
		go s.read(r)
		msg := <-replies
		pid := int(msg["child"].(float64))
		os.WriteFile(filepath.Join(dir, "waiting"), nil, 0o644)
		timedOut, err = waitChild(context.Background(), replies, s.gone, pid, 2*time.Second, "", nil)
		srv.Wait()
	}
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("timedOut=%v\n", timedOut)
}
