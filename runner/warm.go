package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/teethtool/teeth/internal/proc"
)

// server is a worker's warm pytest process: it imports the project and
// collects the anchors once, then forks one child per request that runs the
// selected anchors (against a mutant it loads from the private file the
// request names). Several children may run at once: requests and replies
// carry an id.
type server struct {
	cmd       *exec.Cmd
	out       *output // its own output (each child has a pipe of its own)
	collected *Result // what the warm process collected, and any collection errors
	exited    chan struct{}
	gone      chan struct{} // closed once its replies end: it exited
	ready     chan bool

	reqMu sync.Mutex
	req   *os.File

	mu      sync.Mutex
	waiters map[int]chan map[string]any // request id -> its replies
	nextID  int
	active  int  // runs on it now
	retired bool // no new runs: stopped once active is 0
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
	s := &server{cmd: cmd, out: out, req: reqW, exited: make(chan struct{}), gone: make(chan struct{}),
		ready: make(chan bool, 1), waiters: map[int]chan map[string]any{}}
	go s.read(repR)
	go func() { cmd.Wait(); killGroup(cmd); close(s.exited) }()
	select {
	case <-s.ready:
		if s.collected, err = parseResults(resultsPath(cmd)); err != nil {
			s.stop()
			return err
		}
		w.mu.Lock()
		w.warm = s
		w.mu.Unlock()
		return nil
	case <-s.gone:
	case <-time.After(timeout):
	case <-ctx.Done():
	}
	s.stop()
	return errors.New("the warm pytest process did not start: " + lastWords(out.tail(2000, false)))
}

// read hands each reply to the request it answers.
func (s *server) read(r *os.File) {
	defer close(s.gone)
	defer r.Close()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var msg map[string]any
		if json.Unmarshal(sc.Bytes(), &msg) != nil {
			continue
		}
		if msg["ready"] == true {
			s.ready <- true
			continue
		}
		id, _ := msg["id"].(float64)
		s.mu.Lock()
		ch := s.waiters[int(id)]
		s.mu.Unlock()
		if ch != nil {
			ch <- msg // buffered for both replies of a request
		}
	}
}

func (s *server) stop() {
	s.reqMu.Lock()
	s.req.Close()
	s.reqMu.Unlock()
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
}

// send writes one request and returns the channel its replies come on.
func (s *server) send(req map[string]any) (int, chan map[string]any, error) {
	s.mu.Lock()
	s.nextID++
	id := s.nextID
	ch := make(chan map[string]any, 2)
	s.waiters[id] = ch
	s.mu.Unlock()
	req["id"] = id
	data, _ := json.Marshal(req)
	s.reqMu.Lock()
	_, err := s.req.Write(append(data, '\n'))
	s.reqMu.Unlock()
	return id, ch, err
}

func (s *server) forget(id int) {
	s.mu.Lock()
	delete(s.waiters, id)
	s.mu.Unlock()
}

// StopWarm ends w's warm process, if any; runs on it must have ended.
func (w *Worker) StopWarm() {
	w.mu.Lock()
	s := w.warm
	w.warm = nil
	w.mu.Unlock()
	if s != nil {
		s.stop()
	}
}

// hasWarm reports whether w has a warm process taking runs.
func (w *Worker) hasWarm() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.warm != nil && !w.warm.retired
}

// acquireWarm returns w's warm process for one more run, or nil.
func (w *Worker) acquireWarm() *server {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.warm
	if s == nil || s.retired {
		return nil
	}
	s.active++
	return s
}

// releaseWarm ends a run on s; a retired server with no run left stops.
func (w *Worker) releaseWarm(s *server) {
	w.mu.Lock()
	s.active--
	last := s.retired && s.active == 0
	if last && w.warm == s {
		w.warm = nil
	}
	w.mu.Unlock()
	if last {
		s.stop()
	}
}

// retireWarm takes s off the warm path: a reason not to fork now is a
// reason for every later mutant too. It stops once its last run ends.
func (w *Worker) retireWarm(s *server) {
	w.mu.Lock()
	s.retired = true
	w.mu.Unlock()
}

// runWarm runs spec in a forked child of the warm process: against its
// mutant (spec.mutant), which the child loads from the mutant's private
// file, or unmutated. A non-empty fallback says why this run must go to a
// fresh process instead.
func (w *Worker) runWarm(ctx context.Context, spec Spec) (res *Result, fallback string, err error) {
	s := w.acquireWarm()
	if s == nil {
		return nil, "the warm pytest process is gone", nil
	}
	defer w.releaseWarm(s)
	n := w.next()
	resPath := w.scratch(fmt.Sprintf("run%d.jsonl", n))
	out, err := newPipeOutput(w.scratch(fmt.Sprintf("run%d.out", n)))
	if err != nil {
		return nil, "", err
	}
	defer out.close()
	sites := spec.Sites
	if sites == nil {
		sites = []SiteLine{}
	}
	req := map[string]any{
		"op": "run", "select": spec.Select, "sites": sites, "results": resPath, "output": out.path,
		"stop_after": spec.StopAfter, "funcs": spec.Funcs,
		"latent": spec.Latent, "rules": spec.Rules,
	}
	if sl := spec.slot; sl != nil {
		req["worker"] = sl.index
	}
	if mut := spec.mutant; mut != nil {
		req["mutant"] = map[string]string{"path": mut.Path, "file": mut.File, "function": mut.Function}
	}
	start := time.Now()
	id, replies, err := s.send(req)
	defer s.forget(id)
	if err != nil {
		w.retireWarm(s)
		return nil, "the warm pytest process is gone", nil
	}
	var msg map[string]any
	select {
	case msg = <-replies:
	case <-s.gone:
		w.retireWarm(s)
		return nil, "the warm pytest process exited", nil
	}
	if msg["fallback"] != nil {
		w.retireWarm(s)
		return nil, fmt.Sprint(msg["fallback"]), nil
	}
	pid := int(msg["child"].(float64))
	if spec.started != nil {
		spec.started(pid)
	}
	tail := newTail(resPath, spec.onEvent)
	timedOut, err := waitChild(ctx, replies, s.gone, pid, spec.Timeout, resPath, tail)
	out.started() // the child is gone: what it wrote is in the pipe
	if err != nil {
		w.retireWarm(s)
		return nil, err.Error(), nil
	}
	tail.poll()
	if res, err = parseResults(resPath); err != nil {
		return nil, "", err
	}
	if res.InPlaceFailed != "" {
		return nil, res.InPlaceFailed, nil
	}
	res.TimedOut, res.Wall = timedOut, time.Since(start)
	res.ExitCode = res.exitStatus
	res.Output = out.tail(4000, true)
	if timedOut {
		res.ExitCode = -1 // killed, as a fresh process's code says
		res.Hang = readHang(res.Stack, w.Sandbox.Dir)
	}
	return res, "", ctx.Err()
}

// waitChild waits for the forked child's "done", killing its process group
// when the time limit passes (after sampling its stacks: the child writes
// its results to resPath) or ctx ends; tail, when not nil, reads the
// child's results as it writes them. What happened first decides: a child
// that had exited when teeth saw its time limit pass (teeth was stopped,
// SIGSTOP, while it finished) did not time out. The limit is the run's own:
// it counts from the child's start, whatever else runs beside it.
func waitChild(ctx context.Context, replies <-chan map[string]any, gone <-chan struct{}, pid int, timeout time.Duration, resPath string, tail *tail) (timedOut bool, err error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	cancelled := ctx.Done()
	var tick <-chan time.Time
	if tail != nil {
		t := time.NewTicker(tailEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case msg := <-replies:
			if msg["done"] != nil {
				return timedOut, nil
			}
		case <-gone:
			select {
			case msg := <-replies: // it said "done" before it went
				if msg["done"] != nil {
					return timedOut, nil
				}
			default:
			}
			return timedOut, errors.New("the warm pytest process exited during a mutant")
		case <-tick:
			tail.poll()
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
