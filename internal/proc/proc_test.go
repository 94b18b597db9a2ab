package proc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gone reports whether pid has exited (a zombie counts as exited).
func gone(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	return len(fields) == 0 || fields[0] == "Z"
}

func waitGone(pid int, limit time.Duration) bool {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if gone(pid) {
			return true
		}
	}
	return gone(pid)
}

// startOnDyingThread starts cmd from a goroutine whose OS thread then
// exits. The main thread never exits (the runtime parks it instead), so a
// goroutine that lands there holds it while the next one tries again.
func startOnDyingThread(t *testing.T, start func(*exec.Cmd) error, cmd *exec.Cmd) {
	t.Helper()
	release := make(chan struct{})
	defer close(release)
	for {
		errc := make(chan error)
		go func() {
			runtime.LockOSThread()
			if syscall.Gettid() == os.Getpid() {
				errc <- errMainThread
				<-release
				runtime.UnlockOSThread()
				return
			}
			errc <- start(cmd) // then exit still locked: the thread is terminated
		}()
		err := <-errc
		if err == errMainThread {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return
	}
}

var errMainThread = errors.New("on the main thread")

// The kernel sends the parent-death signal when the thread that forked the
// child exits (golang/go#27505); Start forks from a thread that never does.
func TestStartSurvivesTheExitOfTheCallersThread(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux's")
	}
	plain := exec.Command("sleep", "30")
	plain.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	startOnDyingThread(t, (*exec.Cmd).Start, plain)
	ours := exec.Command("sleep", "30")
	startOnDyingThread(t, Start, ours)
	if !waitGone(plain.Process.Pid, 2*time.Second) {
		t.Fatal("control: a Pdeathsig child started by a thread that exited was not killed; this test proves nothing")
	}
	time.Sleep(200 * time.Millisecond) // past the moment the signal would have come
	if gone(ours.Process.Pid) {
		t.Fatal("the child of Start died with the thread of its caller")
	}
}

// TestHelperTeeth is the process the next test kills: it starts a child
// with Start and one that holds the Lifeline, prints their pids, and waits.
func TestHelperTeeth(t *testing.T) {
	if os.Getenv("PROC_HELPER") == "" {
		t.Skip("run by TestChildrenDieWithTeeth")
	}
	child := exec.Command("sleep", "60")
	if err := Start(child); err != nil {
		t.Fatal(err)
	}
	life, err := Lifeline()
	if err != nil {
		t.Fatal(err)
	}
	// A plain child (no parent-death signal): only the lifeline tells it.
	reader := exec.Command("sh", "-c", `cat <&3 >/dev/null; echo eof > "$0"; sleep 60`, os.Getenv("PROC_MARK"))
	reader.ExtraFiles = []*os.File{life}
	if err := reader.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("pids %d %d\n", child.Process.Pid, reader.Process.Pid)
	time.Sleep(time.Minute)
}

func TestChildrenDieWithTeeth(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	mark := filepath.Join(t.TempDir(), "eof")
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperTeeth$", "-test.v")
	helper.Env = append(os.Environ(), "PROC_HELPER=1", "PROC_MARK="+mark)
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	var child, reader int
	buf := make([]byte, 4096)
	var got string
	for !strings.Contains(got, "pids ") || !strings.Contains(got[strings.Index(got, "pids "):], "\n") {
		n, err := out.Read(buf)
		if err != nil {
			t.Fatalf("helper: %v: %s", err, got)
		}
		got += string(buf[:n])
	}
	fmt.Sscanf(got[strings.Index(got, "pids "):], "pids %d %d", &child, &reader)
	t.Cleanup(func() { syscall.Kill(reader, syscall.SIGKILL) })
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	helper.Wait()
	if !waitGone(child, 2*time.Second) {
		t.Error("the child started with Start outlived teeth by 2s")
	}
	var data []byte
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && len(data) == 0; time.Sleep(20 * time.Millisecond) {
		data, _ = os.ReadFile(mark)
	}
	if string(data) != "eof\n" {
		t.Error("the lifeline did not read end-of-file within 2s of teeth's death")
	}
	if errors.Is(syscall.Kill(reader, 0), syscall.ESRCH) {
		t.Error("control: the lifeline reader died, so its end-of-file proves nothing")
	}
}
