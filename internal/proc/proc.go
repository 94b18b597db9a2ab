// Package proc starts the processes teeth runs so that none outlives it.
//
// On Linux every process started with Start gets SIGKILL when teeth dies
// (PR_SET_PDEATHSIG). The kernel sends that signal when the *thread* that
// forked the child exits, not the process (golang/go#27505), so Start forks
// from one goroutine locked to an OS thread that never exits.
//
// A killed pytest process would still leave behind what its tests spawned,
// and the forked children of the warm path. So pytest processes also get
// the Lifeline: the read end of a pipe whose write end only teeth holds. It
// reads end-of-file once teeth is gone, however it died, and teeth's plugin
// then kills the process groups it watches.
package proc

import (
	"os"
	"os/exec"
	"runtime"
	"sync"
)

var starter = sync.OnceValue(func() chan func() {
	reqs := make(chan func())
	go func() {
		runtime.LockOSThread() // never unlocked: the thread lives as long as teeth
		for f := range reqs {
			f()
		}
	}()
	return reqs
})

// Start starts cmd like cmd.Start, so that it is killed when teeth dies
// (on Linux; elsewhere it is cmd.Start).
func Start(cmd *exec.Cmd) error {
	if !pdeathsig(cmd) {
		return cmd.Start()
	}
	var err error
	done := make(chan struct{})
	starter() <- func() {
		err = cmd.Start()
		close(done)
	}
	<-done
	return err
}

// Run starts cmd with Start and waits for it.
func Run(cmd *exec.Cmd) error {
	if err := Start(cmd); err != nil {
		return err
	}
	return cmd.Wait()
}

var lifeline struct {
	once sync.Once
	r, w *os.File
	err  error
}

// Lifeline returns the read end of teeth's lifeline pipe, to pass to a child
// (exec.Cmd.ExtraFiles). It reads end-of-file only when teeth has exited:
// the write end is never written to, never closed and never inherited.
func Lifeline() (*os.File, error) {
	lifeline.once.Do(func() {
		lifeline.r, lifeline.w, lifeline.err = os.Pipe()
	})
	return lifeline.r, lifeline.err
}
