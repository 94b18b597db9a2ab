package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/teethtool/teeth/internal/proc"
)

// server is a worker's warm pytest process: it imports the project and
// collects the anchors once, then forks one child per mutant that swaps the
// mutated function's code in place and runs the selected anchors.
type server struct {
	cmd       *exec.Cmd
	out       *output // its output and its children's
	req       *os.File
	replies   chan map[string]any
	exited    chan struct{}
	collected *Result // what the warm process collected, and any collection errors
}

// StartWarm starts w's warm process, collecting what args select, and waits
// until it has collected. On error the worker stays on the fresh-process path.
func (w *Worker) StartWarm(ctx context.Context, args []string, timeout time.Duration) error {
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return err
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd, out, err := w.command(Spec{Args: args}, map[string]any{"serve": true, "serve_in": 4, "serve_out": 5})
	if err != nil {
		return err
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, reqR, repW) // fds 4 and 5, after the lifeline
	err = proc.Start(cmd)
	reqR.Close()
	repW.Close()
	out.started()
	if err != nil {
		reqW.Close()
		repR.Close()
		return err
	}
	s := &server{cmd: cmd, out: out, req: reqW, replies: make(chan map[string]any, 4), exited: make(chan struct{})}
	go s.read(repR)
	go func() { cmd.Wait(); killGroup(cmd); close(s.exited) }()
	select {
	case msg, ok := <-s.replies:
		if ok && msg["ready"] == true {
			if s.collected, err = parseResults(resultsPath(cmd)); err != nil {
				s.stop()
				return err
			}
			w.warm = s
			return nil
		}
	case <-time.After(timeout):
	case <-ctx.Done():
	}
	s.stop()
	return errors.New("the warm pytest process did not start: " + lastWords(out.tail(2000, false)))
}

func (s *server) read(r *os.File) {
	defer close(s.replies)
	defer r.Close()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var msg map[string]any
		if json.Unmarshal(sc.Bytes(), &msg) == nil {
			s.replies <- msg
		}
	}
}

func (s *server) stop() {
	s.req.Close()
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
}

// StopWarm ends w's warm process, if any.
func (w *Worker) StopWarm() {
	if w.warm != nil {
		w.warm.stop()
		w.warm = nil
	}
}

// runWarm runs spec in a forked child of the warm process: against the
// mutant of function, which the caller has written into the sandbox's copy
// of path (the child reads it from there, as bytes), or unmutated when path
// is "". A non-empty fallback says why this mutant must run in a fresh
// process instead.
func (w *Worker) runWarm(ctx context.Context, spec Spec, path, function string) (res *Result, fallback string, err error) {
	s := w.warm
	w.runs++
	resPath := filepath.Join(w.tmp, fmt.Sprintf("run%d.jsonl", w.runs))
	sites := spec.Sites
	if sites == nil {
		sites = []SiteLine{}
	}
	req, _ := json.Marshal(map[string]any{
		"op": "run", "path": path, "function": function,
		"select": spec.Select, "sites": sites, "results": resPath, "stop_after": spec.StopAfter, "funcs": spec.Funcs,
		"latent": spec.Latent, "rules": spec.Rules,
	})
	start, mark := time.Now(), s.out.mark()
	if _, err := s.req.Write(append(req, '\n')); err != nil {
		w.StopWarm()
		return nil, "the warm pytest process is gone", nil
	}
	msg, ok := <-s.replies
	switch {
	case !ok:
		w.StopWarm()
		return nil, "the warm pytest process exited", nil
	case msg["fallback"] != nil:
		w.StopWarm() // a reason not to fork now is a reason for every later mutant too
		return nil, fmt.Sprint(msg["fallback"]), nil
	}
	pid := int(msg["child"].(float64))
	timedOut, err := waitChild(ctx, s, pid, spec.Timeout, resPath)
	if err != nil {
		w.StopWarm()
		return nil, err.Error(), nil
	}
	if res, err = parseResults(resPath); err != nil {
		return nil, "", err
	}
	if res.InPlaceFailed != "" {
		return nil, res.InPlaceFailed, nil
	}
	res.TimedOut, res.Wall = timedOut, time.Since(start)
	res.ExitCode = res.exitStatus
	res.Output = s.out.since(mark, 4000)
	if timedOut {
		res.ExitCode = -1 // killed, as a fresh process's code says
		res.Hang = readHang(res.Stack, w.Sandbox.Dir)
	}
	return res, "", ctx.Err()
}

// waitChild waits for the forked child's "done", killing its process group
// when the time limit passes (after sampling its stacks: the child writes
// its results to resPath) or ctx ends. What happened first decides: a
// child that had exited when teeth saw its time limit pass (teeth was
// stopped, SIGSTOP, while it finished) did not time out.
func waitChild(ctx context.Context, s *server, pid int, timeout time.Duration, resPath string) (timedOut bool, err error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	cancelled := ctx.Done()
	for {
		select {
		case msg, ok := <-s.replies:
			if !ok {
				return timedOut, errors.New("the warm pytest process exited during a mutant")
			}
			if msg["done"] != nil {
				return timedOut, nil
			}
		case <-timer.C:
			if !proc.Gone(pid) {
				timedOut = true
				sampleStacks(resPath)
				_ = syscall.Kill(-pid, syscall.SIGKILL)
			}
		case <-cancelled:
			cancelled = nil
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
}
