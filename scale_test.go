package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teethtool/teeth/cli"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/report"
)

// Shape of the generated suite: plainFiles files of plainPerFile
// parametrized tests that reach no offload site, and ioTests tests that
// reach one of ioSites sites (ioTests/ioSites duplicates of each).
const (
	plainFiles   = 49
	plainPerFile = 100
	ioSites      = 10
	ioTests      = 100
)

// TestSuiteWideScale generates a project of 5,000 tests under a suite-wide
// autouse gate, most reaching no offload site, runs teeth audit and teeth
// verify on it (no_site = "count") and checks that their output stays
// linear and readable: the 4,900 tests that reach nothing are one line of
// counts, the 100 duplicate findings show their first 20 with "… and 80
// more", and each duplicate names a bounded number of others. It logs the
// figures (wall time, output lines, JSON size); it asserts none of the
// times.
func TestSuiteWideScale(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 5,000 tests twice: not with -short")
	}
	_, python := examplePython(t)
	dir := t.TempDir()
	writeScaleProject(t, dir, python)
	for _, cmd := range []string{"audit", "verify"} {
		out, rep, wall := runScale(t, cmd, dir)
		lines := strings.Count(out, "\n")
		data, _ := json.Marshal(rep)
		t.Logf("teeth %s on %d tests: %.1f s wall, %d output lines (%d bytes), JSON %d bytes, %d anchors listed, counted %v",
			cmd, plainFiles*plainPerFile+ioTests, wall.Seconds(), lines, len(out), len(data), len(rep.Anchors), rep.Summary.Counted)
		if rep.Summary.Counted[report.NoSite] != plainFiles*plainPerFile || len(rep.Anchors) != ioTests {
			t.Fatalf("%s: counted %v, %d anchors listed; want %d no-site counted and %d listed", cmd, rep.Summary.Counted, len(rep.Anchors), plainFiles*plainPerFile, ioTests)
		}
		// Each listed anchor takes at most two lines, each site two; the
		// audit's lists are cut at 20 entries: far below one line per test.
		if max := 2*ioTests + 2*ioSites + 150; lines > max {
			t.Fatalf("%s printed %d lines for %d tests (more than %d): not linear in the listed anchors\n%s", cmd, lines, plainFiles*plainPerFile+ioTests, max, out)
		}
		if !strings.Contains(out, "… and 80 more (the JSON report lists them all)") {
			t.Fatalf("%s: the 100 duplicate findings are not cut to their first 20\n%s", cmd, out)
		}
		for _, f := range rep.Audit.Duplicates {
			if len(f.Related) > 10 {
				t.Fatalf("%s: a duplicate finding names %d others", cmd, len(f.Related))
			}
		}
	}
}

func runScale(t *testing.T, cmd, dir string) (string, *report.Report, time.Duration) {
	t.Helper()
	jsonPath := filepath.Join(t.TempDir(), cmd+".json")
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err := cli.Run(context.Background(), "devel", []string{cmd, "-j", "2", "--json", jsonPath, dir}, &stdout, &stderr)
	wall := time.Since(start)
	var he *hint.Error
	if err != nil && (!errors.As(err, &he) || he.Code != 1) { // 1: some finding or verdict fails the run
		t.Fatalf("teeth %s: %v\n%s\n%s", cmd, err, stdout.String(), stderr.String())
	}
	data, rerr := os.ReadFile(jsonPath)
	if rerr != nil {
		t.Fatalf("teeth %s wrote no JSON report: %v\n%s", cmd, rerr, stderr.String())
	}
	var rep report.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return stdout.String(), &rep, wall
}

// writeScaleProject writes the generated suite into dir.
func writeScaleProject(t *testing.T, dir, python string) {
	t.Helper()
	files := map[string]string{
		"pyproject.toml": fmt.Sprintf(`[tool.teeth]
source_roots = ["svc"]
anchors = ["tests"]
no_site = "count"
python = %q

[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
pythonpath = ["."]
filterwarnings = ["error"]
`, python),
		"svc/__init__.py": "",
		"tests/conftest.py": `import pytest
from blockbuster import blockbuster_ctx


@pytest.fixture(autouse=True)
def blockbuster():
    with blockbuster_ctx("svc"):
        yield
`,
	}
	var svc, io strings.Builder
	svc.WriteString("import asyncio\nfrom pathlib import Path\n\n\ndef _read(path):\n    return Path(path).read_text()\n")
	io.WriteString("from svc import io\n")
	for s := 0; s < ioSites; s++ {
		fmt.Fprintf(&svc, "\n\nasync def read_%d(path):\n    return await asyncio.to_thread(_read, path)\n", s)
		for k := 0; k < ioTests/ioSites; k++ {
			fmt.Fprintf(&io, "\n\nasync def test_read_%d_%d(tmp_path):\n    p = tmp_path / \"f\"\n    p.write_text(\"x\")\n    assert await io.read_%d(p) == \"x\"\n", s, k, s)
		}
	}
	files["svc/io.py"] = svc.String()
	files["tests/test_io.py"] = io.String()
	for f := 0; f < plainFiles; f++ {
		files[fmt.Sprintf("tests/test_plain_%02d.py", f)] = fmt.Sprintf(`import pytest


@pytest.mark.parametrize("i", range(%d))
def test_plain(i):
    assert i * 2 >= i
`, plainPerFile)
	}
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
