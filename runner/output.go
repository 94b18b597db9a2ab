package runner

import (
	"io"
	"os"
	"sync"
	"syscall"
	"time"
)

// OutputLimit is how much of a pytest process's output (stdout and stderr
// together) teeth keeps: the last 64 KiB, in memory. Nothing of it is
// written to disk, however much a noisy test or plugin prints; the reports
// quote the tail of it.
const OutputLimit = 64 << 10

// outputGrace is how long teeth waits, once a process has exited, for the
// rest of its output: what its descendants still hold open is not waited for.
const outputGrace = 2 * time.Second

// output is the pipe a pytest process (and, on the warm path, every child
// it forks) writes its output to, drained by a goroutine into a tail ring.
type output struct {
	w         *os.File // the write end, for the process; closed here once it is started
	path      string   // a named pipe's path (a warm path child's), else ""
	closeOnce sync.Once
	mu        sync.Mutex
	buf       []byte // the last OutputLimit bytes, and at most as many more before trimming
	total     int64  // bytes written in all
	done      chan struct{}
}

func newOutput() (*output, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	o := &output{w: w, done: make(chan struct{})}
	go func() {
		defer close(o.done)
		defer r.Close()
		io.Copy(o, r)
	}()
	return o, nil
}

// Write keeps the tail of what the process printed.
func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.total += int64(len(p))
	if len(p) >= OutputLimit {
		o.buf = append(o.buf[:0], p[len(p)-OutputLimit:]...)
		return len(p), nil
	}
	o.buf = append(o.buf, p...)
	if len(o.buf) > 2*OutputLimit {
		o.buf = append(o.buf[:0], o.buf[len(o.buf)-OutputLimit:]...)
	}
	return len(p), nil
}

// started closes teeth's copy of the write end: the process holds its own.
func (o *output) started() { o.closeOnce.Do(func() { o.w.Close() }) }

// tail is the last n bytes (at most OutputLimit) the process printed; with
// wait, it first waits up to outputGrace for the process's output to end.
func (o *output) tail(n int, wait bool) string {
	if wait {
		select {
		case <-o.done:
		case <-time.After(outputGrace):
		}
	}
	return o.since(0, n)
}

// mark is how much has been written so far, for since.
func (o *output) mark() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.total
}

// since is the last n bytes at most of what was written after mark (what a
// warm server's child printed, say), as far as the ring still holds it.
func (o *output) since(mark int64, n int) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	n = min(n, OutputLimit)
	b := o.buf
	if after := o.total - mark; after < int64(len(b)) {
		b = b[int64(len(b))-after:]
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// newPipeOutput makes a named pipe at path that a warm path child sends its
// output to (teeth_warm opens it for writing), drained into a tail ring like
// a fresh process's. teeth holds a write end of its own until started is
// called, once the child has ended: until then the pipe reads no
// end-of-file, however late the child opens it. Nothing is written to disk.
func newPipeOutput(path string) (*output, error) {
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		return nil, err
	}
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		r.Close()
		os.Remove(path)
		return nil, err
	}
	o := &output{w: w, path: path, done: make(chan struct{})}
	go func() {
		defer close(o.done)
		defer r.Close()
		io.Copy(o, r)
	}()
	return o, nil
}

// close ends a pipe output: its write end, the pipe's name, and the reading
// of what a process the child left behind may still write.
func (o *output) close() {
	o.closeOnce.Do(func() { o.w.Close() })
	if o.path != "" {
		os.Remove(o.path)
	}
}
