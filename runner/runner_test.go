package runner

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSandboxSkipsWhatMustNotBeCopied(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "copy")
	for _, f := range []string{
		"app/x.py", ".git/HEAD", ".venv/bin/python", "env/pyvenv.cfg", "env/lib/site.py",
		"app/__pycache__/x.cpython-312.pyc", "app/y.pyc", ".pytest_cache/v", "scratch/teeth-1/w0/project/app/x.py",
	} {
		write(t, filepath.Join(src, f), "x")
	}
	sb, err := NewSandbox(src, dst, filepath.Join(src, "scratch"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	filepath.WalkDir(sb.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(sb.Dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	if strings.Join(got, ",") != "app/x.py" {
		t.Fatalf("sandbox holds %v, want only app/x.py", got)
	}
	if err := sb.Write("app/x.py", []byte("mutant")); err != nil {
		t.Fatal(err)
	}
	if sb.Check("app/x.py", []byte("x")) == nil {
		t.Fatal("Check accepted a file that was not restored")
	}
	if data, _ := os.ReadFile(filepath.Join(src, "app/x.py")); string(data) != "x" {
		t.Fatal("writing the sandbox changed the project")
	}
}

func TestWaitKillsTheWholeProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	cmd := exec.Command("sh", "-c", "sleep 60 & echo $! > "+pidFile+"; wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := newOutput()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = out.w
	start := time.Now()
	_, timedOut, err := wait(context.Background(), cmd, out, 300*time.Millisecond, nil, nil)
	if err != nil || !timedOut {
		t.Fatalf("wait = timedOut %v, err %v; want a timeout", timedOut, err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("wait did not return soon after the time limit")
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	for i := 0; i < 100; i++ {
		status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil || strings.Contains(string(status), "State:\tZ") {
			return // gone, or a zombie waiting to be reaped: killed
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the grandchild %d outlived the kill", pid)
}

func TestParseResultsToleratesACutLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	write(t, path, `{"ev": "start", "nodeid": "t::a"}
{"ev": "test", "nodeid": "t::a", "outcome": "passed", "sites": [0], "detector": []}
{"ev": "start", "nodeid": "t::b"}
{"ev": "test", "nodeid": "t::b", "outco`)
	r, err := parseResults(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tests["t::a"] == nil || r.Tests["t::b"] != nil || r.Running != "t::b" || r.Finished {
		t.Fatalf("parsed %+v", r)
	}
}

func TestMergeResultsKeepsIDOrder(t *testing.T) {
	a := &Result{Tests: map[string]*Test{"t::1": {NodeID: "t::1"}, "t::3": {NodeID: "t::3"}}, Finished: true, Loaded: []string{"app/a.py"}}
	b := &Result{Tests: map[string]*Test{"t::2": {NodeID: "t::2"}}, Finished: true, Loaded: []string{"app/a.py", "app/b.py"}, ExitCode: 1}
	m := mergeResults([]*Result{a, b}, []string{"t::1", "t::2", "t::3"})
	if strings.Join(m.Order, ",") != "t::1,t::2,t::3" || !m.Finished || m.ExitCode != 1 || strings.Join(m.Loaded, ",") != "app/a.py,app/b.py" {
		t.Fatalf("merged %+v", m)
	}
}

func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		t    Test
		want string
	}{
		{Test{Outcome: "failed", Detector: []string{"Blocking call to os.stat"}}, "killed"},
		{Test{Outcome: "failed"}, "killed-other"},
		{Test{Outcome: "passed", Detector: []string{"x"}}, "swallowed"},
		{Test{Outcome: "passed", Sites: []int{0}}, "survived"},
		{Test{Outcome: "passed"}, "not-reached"},
		{Test{Outcome: "skipped"}, "error"},
	} {
		if got := classify(&tt.t, nil); got != tt.want {
			t.Errorf("classify(%+v) = %s, want %s", tt.t, got, tt.want)
		}
	}
}

// A detector exception the baseline raised too (a latent blocking call the
// code swallows) is not the mutant's: counted per message and frame, as
// often as the mutant run raised it beyond the baseline.
func TestClassifyBesideLatentCalls(t *testing.T) {
	cwd, read := "Blocking call to os.getcwd", "Blocking call to io.BufferedReader.read"
	base := &Test{Outcome: "passed", Detector: []string{cwd, read}, DetectorAt: []string{"svc/paths.py:7", "svc/paths.py:15"}}
	for _, tt := range []struct {
		name string
		t    Test
		want string
	}{
		{"only the latent calls", Test{Outcome: "passed", Sites: []int{0}, Detector: []string{cwd, read}, DetectorAt: []string{"svc/paths.py:7", "svc/paths.py:15"}}, "survived"},
		{"fewer than at baseline", Test{Outcome: "passed", Sites: []int{0}, Detector: []string{cwd}, DetectorAt: []string{"svc/paths.py:7"}}, "survived"},
		{"one more in the latent call's frame", Test{Outcome: "passed", Sites: []int{0}, Detector: []string{cwd, read, read}, DetectorAt: []string{"svc/paths.py:7", "svc/paths.py:15", "svc/paths.py:15"}}, "swallowed"},
		{"the same message elsewhere", Test{Outcome: "passed", Sites: []int{0}, Detector: []string{cwd, read, read}, DetectorAt: []string{"svc/paths.py:7", "svc/paths.py:15", "svc/store.py:9"}}, "swallowed"},
		{"failed on the latent call only", Test{Outcome: "failed", Sites: []int{0}, Detector: []string{cwd}, DetectorAt: []string{"svc/paths.py:7"}}, "killed-other"},
		{"failed on a new one", Test{Outcome: "failed", Sites: []int{0}, Detector: []string{cwd, read, read}, DetectorAt: []string{"svc/paths.py:7", "svc/paths.py:15", "svc/store.py:9"}}, "killed"},
	} {
		if got := classify(&tt.t, base); got != tt.want {
			t.Errorf("%s: classify = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// issue 22: a process's output is kept as a tail of OutputLimit bytes, and
// what was written after a mark (a warm child's output) can be told apart.
func TestOutputKeepsABoundedTail(t *testing.T) {
	o, err := newOutput()
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(strings.Repeat("x", 999) + "\n")
	for range 1000 { // 1 MB
		o.w.Write(line)
	}
	m := o.mark()
	for m < 1000*1000 {
		time.Sleep(time.Millisecond)
		m = o.mark()
	}
	o.w.Write([]byte("the child's last words\n"))
	o.started()
	got := o.tail(OutputLimit*2, true)
	if len(got) > OutputLimit || !strings.HasSuffix(got, "x\nthe child's last words\n") {
		t.Errorf("tail of %d bytes ends %q", len(got), got[max(0, len(got)-40):])
	}
	if len(o.buf) > 2*OutputLimit {
		t.Errorf("the ring holds %d bytes", len(o.buf))
	}
	if s := o.since(m, 4000); s != "the child's last words\n" {
		t.Errorf("since the mark: %q", s)
	}
}
