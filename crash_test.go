package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// runProcs lists the live processes whose environment holds TMPDIR=tmp: a
// test's own teeth runs and everything they started, and nothing of the
// other teeth runs on this machine. Zombies have no environment to read.
func runProcs(tmp string) []string {
	want := []byte("TMPDIR=" + tmp + "\x00")
	envs, _ := filepath.Glob("/proc/[0-9]*/environ")
	var out []string
	for _, env := range envs {
		data, err := os.ReadFile(env)
		if err != nil || !bytes.Contains(append([]byte("\x00"), data...), append([]byte("\x00"), want...)) {
			continue
		}
		dir := filepath.Dir(env)
		cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		line := strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
		if len(line) > 120 {
			line = line[:120] + "..."
		}
		out = append(out, filepath.Base(dir)+" "+line)
	}
	return out
}

// waitNoProcs waits up to limit for runProcs(tmp) to be empty and returns
// what is left.
func waitNoProcs(tmp string, limit time.Duration) []string {
	deadline := time.Now().Add(limit)
	for {
		left := runProcs(tmp)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cmdNoProcs fails if, 2 s after it starts, a process of this script's runs
// (TMPDIR=$WORK/.tmp in its environment) is still alive: noprocs.
func cmdNoProcs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: noprocs")
	}
	if left := waitNoProcs(ts.Getenv("TMPDIR"), 2*time.Second); len(left) > 0 {
		ts.Fatalf("still running 2s later:\n%s", strings.Join(left, "\n"))
	}
}

// cmdMknode makes a FIFO, a socket or a character device (/dev/null's
// numbers): mknode fifo|socket|char PATH.
func cmdMknode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mknode fifo|socket|char PATH")
	}
	path := ts.MkAbs(args[1])
	switch args[0] {
	case "fifo":
		ts.Check(syscall.Mkfifo(path, 0o644))
	case "socket":
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
		ts.Check(err)
		l.SetUnlinkOnClose(false)
		ts.Check(l.Close())
	case "char":
		ts.Check(syscall.Mknod(path, syscall.S_IFCHR|0o644, 1<<8|3))
	default:
		ts.Fatalf("unknown node kind %s", args[0])
	}
}

// cmdGlobCount checks how many paths a glob matches: globcount N PATTERN.
func cmdGlobCount(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: globcount N PATTERN")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	m, err := filepath.Glob(ts.MkAbs(args[1]))
	ts.Check(err)
	if len(m) != n {
		ts.Fatalf("%s matches %d paths, want %d: %v", args[1], len(m), n, m)
	}
}

// condRoot is the "root" condition: the tests run as root (who reads any
// file unless its capabilities are dropped).
func condRoot(cond string) (bool, error) {
	if cond != "root" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	return os.Geteuid() == 0, nil
}

// TestCrashLoop kills teeth verify on the example at random moments with
// SIGINT, SIGTERM and SIGKILL in turn, and checks after each kill: the
// example's tree is byte-identical (names, modes, times, contents), no
// process of the run is alive 2 s later, a clean exit (SIGINT, SIGTERM)
// left no temporary directory, and a SIGKILL left at most one, which the
// next run removes. A few runs in CI; TEETH_CRASH_RUNS=20 for the issue's
// full check (TEETH_CRASH_SEED replays one).
func TestCrashLoop(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the process check reads /proc")
	}
	example, _ := examplePython(t)
	teeth, err := exec.LookPath("teeth")
	if err != nil {
		t.Fatal(err)
	}
	runs, seed := 3, uint64(time.Now().UnixNano())
	if n, err := strconv.Atoi(os.Getenv("TEETH_CRASH_RUNS")); err == nil {
		runs = n
	}
	if s, err := strconv.ParseUint(os.Getenv("TEETH_CRASH_SEED"), 10, 64); err == nil {
		seed = s
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	tmp := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TMPDIR="+tmp)
	before, err := digestTree(example)
	if err != nil {
		t.Fatal(err)
	}
	signals := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL}
	var changed, left, finished, reclaimed int
	var slowest time.Duration // from teeth's exit to its last process's
	for i := range runs {
		sig := signals[i%len(signals)]
		delay := time.Duration(200+rng.IntN(10800)) * time.Millisecond // a run takes 12-20 s here
		leftBefore := teethDirs(tmp)
		cmd := exec.Command(teeth, "verify", example)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(delay, func() { cmd.Process.Signal(sig) })
		err := cmd.Wait()
		killed := !timer.Stop()
		code := cmd.ProcessState.ExitCode()
		if !killed || code == 1 {
			finished++ // the run ended before the signal came
		}
		if len(leftBefore) > 0 && strings.Contains(stderr.String(), "teeth: removed the temporary director") {
			reclaimed++
		}
		what := fmt.Sprintf("run %d: %v after %v (exit %d, %v)", i+1, sig, delay, code, err)
		gone := time.Now()
		procs := waitNoProcs(tmp, 2*time.Second)
		slowest = max(slowest, time.Since(gone))
		if len(procs) > 0 {
			left += len(procs)
			t.Errorf("%s: still running 2s later:\n%s", what, strings.Join(procs, "\n"))
			for _, p := range procs {
				if pid, err := strconv.Atoi(strings.Fields(p)[0]); err == nil {
					syscall.Kill(pid, syscall.SIGKILL) // a process this test started
				}
			}
		}
		if after, err := digestTree(example); err != nil || after != before {
			changed++
			t.Errorf("%s: the example's tree changed (%v)", what, err)
		}
		dirs := teethDirs(tmp)
		switch {
		case sig != syscall.SIGKILL && len(dirs) > 0:
			t.Errorf("%s: left %v after a clean exit", what, dirs)
		case len(dirs) > 1:
			t.Errorf("%s: %v left; the run did not reclaim the dead run's", what, dirs)
		case sig != syscall.SIGKILL && code != 130 && code != 1:
			t.Errorf("%s: exit %d, want 130 (or 1 had it finished)\n%s", what, code, stderr.String())
		}
		t.Logf("%s: %d temporary directories left", what, len(dirs))
	}
	cmd := exec.Command(teeth, "audit", example)
	cmd.Env = env
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), "teeth: removed the temporary director") {
		reclaimed++
	}
	if dirs := teethDirs(tmp); len(dirs) > 0 {
		t.Errorf("after the next run, temporary directories are left: %v\n%s", dirs, out)
	}
	t.Logf("seed %d: %d runs (%d ended before their signal): %d trees changed, %d processes left after 2s "+
		"(the last one went at most %v after teeth), %d runs reclaimed a dead run's directory, %d directories left after the next run",
		seed, runs, finished, changed, left, slowest.Round(10*time.Millisecond), reclaimed, len(teethDirs(tmp)))
}

// teethDirs lists teeth's directories under tmp.
func teethDirs(tmp string) []string {
	m, _ := filepath.Glob(filepath.Join(tmp, "teeth-*"))
	return m
}
