package rules

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teethtool/teeth/initcfg"
)

// gatesOf writes a project whose tests/conftest.py is conftest and reads its
// gates with the real gate reader (python3).
func gatesOf(t *testing.T, conftest string) (string, []initcfg.Gate) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"app/__init__.py": "", "tests/conftest.py": conftest} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	gates, err := initcfg.Gates(ctx, dir, []string{"python3"})
	if err != nil {
		t.Fatal(err)
	}
	return dir, gates
}

func TestPatchGateShapes(t *testing.T) {
	for _, tc := range []struct {
		name, conftest string
		added          []string // lines the patched file has, in order
		why            string   // when not patched mechanically: why
	}{
		{
			name: "module-level gate with excluded modules",
			conftest: "import pytest\nfrom blockbuster import BlockBuster\n\n" +
				"GATE = BlockBuster([\"app\"], excluded_modules=[\"app.testing\"])\n\n\n" +
				"@pytest.fixture(autouse=True)\ndef gate():\n    GATE.activate()\n    yield\n    GATE.deactivate()\n",
			added: []string{
				"from blockbuster import BlockBuster, BlockBusterFunction",
				`GATE = BlockBuster(["app"], excluded_modules=["app.testing"])`,
				"# os.fsync blocks the event loop, and Blockbuster does not patch it.",
				`GATE.functions["os.fsync"] = BlockBusterFunction(`,
				`    None, "os.fsync", scanned_modules=["app"], excluded_modules=["app.testing"]`,
				")",
			},
		},
		{
			name: "attribute target, module import",
			conftest: "import blockbuster\n\nMODULES = (\"app\",)\n\n\ndef pytest_configure(config):\n" +
				"    config._gate = blockbuster.BlockBuster(scanned_modules=MODULES)\n    config._gate.activate()\n",
			added: []string{
				"    config._gate = blockbuster.BlockBuster(scanned_modules=MODULES)",
				"    # os.fsync blocks the event loop, and Blockbuster does not patch it.",
				`    config._gate.functions["os.fsync"] = blockbuster.BlockBusterFunction(`,
				`        None, "os.fsync", scanned_modules=MODULES`,
				"    )",
				"    config._gate.activate()",
			},
		},
		{
			name: "blockbuster_ctx fixture, parenthesised import",
			conftest: "import pytest\nfrom blockbuster import (\n    blockbuster_ctx,\n)\n\n\n@pytest.fixture(autouse=True)\n" +
				"def gate():\n    with blockbuster_ctx(\"app\") as bb:\n        yield bb\n",
			added: []string{
				")",
				"from blockbuster import BlockBusterFunction",
				`    with blockbuster_ctx("app") as bb:`,
				"        # blockbuster_ctx has activated the gate already: activate the rule too.",
				`        bb.functions["os.fsync"] = BlockBusterFunction(`,
				`            None, "os.fsync", scanned_modules="app"`,
				"        ).activate()",
				"        yield bb",
			},
		},
		{
			name:     "gate returned, not bound",
			conftest: "from blockbuster import BlockBuster\n\n\ndef make_gate():\n    return BlockBuster([\"app\"])\n",
			why:      `the gate at tests/conftest.py:5: the gate is not bound to a name where it is built (return BlockBuster(["app"]))`,
		},
		{
			name:     "scanned modules computed",
			conftest: "from blockbuster import BlockBuster\n\n\ndef packages():\n    return [\"app\"]\n\n\nGATE = BlockBuster(scanned_modules=packages())\n",
			why:      "the gate at tests/conftest.py:8: its scanned_modules is an expression teeth does not repeat (packages())",
		},
		{
			name:     "no gate",
			conftest: "import pytest\n",
			why:      "teeth found no BlockBuster(...) or blockbuster_ctx(...) in the project's conftests",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, gates := gatesOf(t, tc.conftest)
			p := MakePatch(dir, gates, "os.fsync")
			if tc.why != "" {
				if p.Diff != "" || p.Why != tc.why || !strings.Contains(p.Snippet, `gate.functions["os.fsync"] = BlockBusterFunction(None, "os.fsync"`) ||
					strings.Contains(p.Snippet, "scanned_modules=[]") {
					t.Fatalf("got diff %q, why %q, snippet %q; want why %q", p.Diff, p.Why, p.Snippet, tc.why)
				}
				return
			}
			if p.Why != "" || !strings.HasPrefix(p.Diff, "--- a/tests/conftest.py\n+++ b/tests/conftest.py\n") {
				t.Fatalf("not patched: %+v", p)
			}
			_, after, _, err := edited(dir, "tests/conftest.py", gates, "os.fsync")
			if err != nil {
				t.Fatal(err)
			}
			rest := string(after)
			for _, line := range tc.added {
				i := strings.Index(rest, line+"\n")
				if i < 0 {
					t.Fatalf("the patched file lacks %q after what came before:\n%s", line, after)
				}
				rest = rest[i+len(line)+1:]
			}
			cmd := exec.Command("python3", "-c", "import sys; compile(sys.stdin.read(), 'conftest.py', 'exec')")
			cmd.Stdin = strings.NewReader(string(after))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the patched file does not compile: %v\n%s\n%s", err, out, after)
			}
		})
	}
}

func TestPatchScope(t *testing.T) {
	dir, gates := gatesOf(t, "from blockbuster import BlockBuster\n\nGATE = BlockBuster()\n")
	p := MakePatch(dir, gates, "select.select")
	if p.Scanned != nil || p.Rule != `BlockBusterFunction(None, "select.select")` || p.Gate != "tests/conftest.py:3" {
		t.Fatalf("a gate that scans every module: %+v", p)
	}
}

func TestWrap(t *testing.T) {
	got := wrap("kept tests/blocking_io/test_durability_io.py::test_checkpoint_flushes_notes_directory green, as before", 30)
	want := "kept\ntests/blocking_io/test_durability_io.py::test_checkpoint_flushes_notes_directory\ngreen, as before"
	if got != want {
		t.Fatalf("got %q", got)
	}
}
