package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/mutate"
)

// issue 21: the baseline runs first the test files likely to reach a site:
// those that name a module holding a site or the function a site is in,
// and those whose tests the outcome cache knows.
func TestFirstFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"tests/test_store.py":         "from app.store import Store\n",
		"tests/test_api.py":           "def test_handler():\n    assert render_notes()\n",
		"tests/test_math.py":          "def test_add():\n    assert 1 + 1 == 2\n",
		"tests/unit/test_cached.py":   "def test_x(): pass\n",
		"tests/unit/helpers.py":       "from app.store import Store\n",
		"tests/.hidden/test_store.py": "from app.store import Store\n",
		"other/test_far.py":           "from app.store import Store\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := &config.Config{Dir: dir, Anchors: []string{"tests"}, SourceRoots: []string{"app"}}
	sites := []mutate.Site{
		{Path: "app/store.py", Function: "Store.load"},
		{Path: "app/views/__init__.py", Function: "render_notes"},
	}
	got := strings.Join(firstFiles(c, sites, []string{"tests/unit/test_cached.py::test_x"}), ",")
	if want := "tests/test_api.py,tests/test_store.py,tests/unit/test_cached.py"; got != want {
		t.Fatalf("first files %s, want %s", got, want)
	}
	if got := moduleName([]string{"packages/harness/mypkg"}, "packages/harness/mypkg/io/x.py"); got != "mypkg.io.x" {
		t.Fatalf("module name %s", got)
	}
	if got := moduleName([]string{"app"}, "app/views/__init__.py"); got != "app.views" {
		t.Fatalf("module name %s", got)
	}
}
