package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/teethtool/teeth/cli"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/report"
)

// TestWarmEqualsNoWarm is the warm path's invariant: on every project the
// end-to-end scripts hold (each testdata/script/*.txtar archive's
// directories with a [tool.teeth] table, written out as the archive has
// them), teeth verify on the warm path (-j 2) and with --no-warm (-j 1)
// gives the same anchor and site verdicts, or fails with the same message.
// The projects under testdata/ (example, suitewide) are compared the same
// way by their own scripts (verify-teeth, verify-suitewide), which set up
// what they need. What a script does to a project before teeth runs
// (commands, environment) is not replayed here: a project that needs it
// fails alike on both paths, and that is compared too.
func TestWarmEqualsNoWarm(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every script's project twice: not with -short")
	}
	_, python := examplePython(t)
	// teeth's scratch, and what the projects' tests write to their
	// temporary directory, stay in the test's.
	t.Setenv("TMPDIR", t.TempDir())
	scripts, err := filepath.Glob(filepath.Join("testdata", "script", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, script := range scripts {
		ar, err := txtar.ParseFile(script)
		if err != nil {
			t.Fatal(err)
		}
		projects := teethProjects(ar)
		if len(projects) == 0 {
			continue
		}
		root := t.TempDir()
		for _, f := range ar.Files {
			p := filepath.Join(root, filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, proj := range projects {
			name := strings.TrimSuffix(filepath.Base(script), ".txtar") + "/" + proj
			dir := filepath.Join(root, filepath.FromSlash(proj))
			warm := verdictsOf(t, dir, python, "-j", "2")
			fresh := verdictsOf(t, dir, python, "-j", "1", "--no-warm")
			if warm != fresh {
				t.Errorf("%s: the warm path and --no-warm disagree\nwarm:\n%s\n--no-warm:\n%s", name, warm, fresh)
			}
			compared++
		}
	}
	t.Logf("compared the warm path with --no-warm on %d script projects", compared)
	if compared == 0 {
		t.Fatal("no script holds a project with a [tool.teeth] table")
	}
}

// teethProjects are the directories of an archive that hold a
// pyproject.toml with a [tool.teeth] table.
func teethProjects(ar *txtar.Archive) []string {
	var out []string
	for _, f := range ar.Files {
		if path.Base(f.Name) == "pyproject.toml" && bytes.Contains(f.Data, []byte("[tool.teeth]")) {
			out = append(out, path.Dir(f.Name))
		}
	}
	slices.Sort(out)
	return out
}

var scratch = regexp.MustCompile(`teeth-[0-9]+`)

// verdictsOf runs teeth verify on dir with flags and returns its verdicts,
// one "anchor|site VERDICT ID" line each, or the error it stopped with.
func verdictsOf(t *testing.T, dir, python string, flags ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r.json")
	args := append(append([]string{"verify", "--python", python, "--json", out}, flags...), dir)
	var stdout, stderr bytes.Buffer
	err := cli.Run(context.Background(), "devel", args, &stdout, &stderr)
	var he *hint.Error
	if err != nil && (!errors.As(err, &he) || he.Code != 1) {
		return "error: " + scratch.ReplaceAllString(err.Error(), "teeth-N") // each run's own scratch directory
	}
	data, rerr := os.ReadFile(out)
	if rerr != nil {
		return "no report: " + rerr.Error()
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, a := range r.Anchors {
		fmt.Fprintf(&b, "anchor %s %s\n", a.Verdict, a.NodeID)
	}
	for _, s := range r.Sites {
		fmt.Fprintf(&b, "site %s %s\n", s.Verdict, s.ID)
	}
	return b.String()
}
