package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/teethtool/teeth/cli"
)

// BenchmarkVerifyMemory runs teeth verify, in this process, on a generated
// project whose one module is 5 MB with 5,000 offload sites, 20 of them
// reached by an anchor, and prints teeth's peak resident memory (the
// kernel's high-water mark, reset before the run) and the run's wall time.
// The target is under 200 MB (issue 22: before, every site's mutated file
// and diff were held at once: 23.8 GB and killed). Figures, not a timed
// test:
//
//	go test -run '^$' -bench VerifyMemory -benchtime 1x .
//
// TEETH_BENCH_SITES and TEETH_BENCH_ANCHORS change the project's size.
func BenchmarkVerifyMemory(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads the peak resident set from /proc")
	}
	_, python := examplePython(&testing.T{})
	sites, anchors := envInt("TEETH_BENCH_SITES", 5000), envInt("TEETH_BENCH_ANCHORS", 20)
	dir := filepath.Join(b.TempDir(), "proj")
	size, err := writeBigProject(dir, sites, anchors)
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		runtime.GC()
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			b.Skipf("cannot reset the peak resident set: %v", err)
		}
		start := time.Now()
		err := cli.Run(context.Background(), "bench", []string{"verify", "-j", "2", "--python", python, dir}, io.Discard, io.Discard)
		wall := time.Since(start)
		if code := exitCode(err); code > 1 {
			b.Fatalf("teeth verify exited %d: %v", code, err)
		}
		peak := peakRSS(b)
		b.ReportMetric(peak, "peak-RSS-MB")
		b.ReportMetric(wall.Seconds(), "s/run")
		fmt.Printf("teeth verify: %d sites in one %.1f MB module, %d anchors: peak RSS %.1f MB, %.1f s\n",
			sites, float64(size)/(1<<20), anchors, peak, wall.Seconds())
		if peak >= 200 {
			b.Errorf("peak RSS %.1f MB, want under 200 MB", peak)
		}
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ec, ok := err.(interface{ ExitCode() int }); ok {
		return ec.ExitCode()
	}
	return 2
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// peakRSS is this process's peak resident set (VmHWM) in MB.
func peakRSS(b *testing.B) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// writeBigProject writes a project whose app/handlers.py holds sites async
// handlers of about 1 KB each, every one offloading a blocking call, and
// anchors tests that each call one of them under a Blockbuster gate. It
// returns the module's size.
func writeBigProject(dir string, sites, anchors int) (int, error) {
	pad := strings.Repeat("padding ", 116)
	var mod strings.Builder
	mod.WriteString("\"\"\"Generated handlers: one offload each.\"\"\"\nimport asyncio\nimport os\n")
	for i := range sites {
		fmt.Fprintf(&mod, "\n\nasync def handler_%d(path):\n    \"\"\"Handler %d.\n\n    %s\n    \"\"\"\n"+
			"    found = await asyncio.to_thread(os.path.exists, path)\n    return found\n", i, i, pad)
	}
	var tests strings.Builder
	tests.WriteString("from app import handlers\n")
	for i := range anchors {
		fmt.Fprintf(&tests, "\n\nasync def test_handler_%d(tmp_path):\n    assert await handlers.handler_%d(str(tmp_path))\n", i, i*(sites/anchors))
	}
	files := map[string]string{
		"pyproject.toml": "[tool.teeth]\nsource_roots = [\"app\"]\n\n[tool.pytest.ini_options]\n" +
			"asyncio_mode = \"auto\"\nasyncio_default_fixture_loop_scope = \"function\"\n",
		"app/__init__.py": "",
		"app/handlers.py": mod.String(),
		"tests/blocking_io/conftest.py": "import pytest\nfrom blockbuster import BlockBuster\n\n\n" +
			"@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_protocol(item, nextitem):\n" +
			"    bb = BlockBuster(scanned_modules=[\"app\"])\n    bb.activate()\n    try:\n        yield\n    finally:\n        bb.deactivate()\n",
		"tests/blocking_io/test_handlers.py": tests.String(),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			return 0, err
		}
	}
	return mod.Len(), nil
}
