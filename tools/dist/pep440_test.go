package dist

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var pep440Cases = []struct{ in, want string }{
	{"v1.2.3", "1.2.3"},
	{"1.2.3", "1.2.3"},
	{"v1.2", "1.2"},
	{"v01.02.03", "1.2.3"},
	{"v1.2.3-dirty", "1.2.3+dirty"},
	{"v1.2.3-4-gabc1234", "1.2.4.dev4+gabc1234"},
	{"v1.2.3-4-gabc1234-dirty", "1.2.4.dev4+gabc1234.dirty"},
	{"v1.2.3-0-gabc1234", "1.2.3+gabc1234"},
	{"v1.2.0-rc.1", "1.2.0rc1"},
	{"v1.2.0-rc1", "1.2.0rc1"},
	{"v1.2.0-alpha", "1.2.0a0"},
	{"v1.2.0-beta.2-3-gdeadbee", "1.2.0b3.dev3+gdeadbee"},
	{"9c1bc31", "0.0.0+g9c1bc31"},
	{"9c1bc31-dirty", "0.0.0+g9c1bc31.dirty"},
	{"1234567", "0.0.0+g1234567"}, // an abbreviated hash of digits only
}

func TestPEP440(t *testing.T) {
	for _, c := range pep440Cases {
		got, err := PEP440(c.in)
		if err != nil || got != c.want {
			t.Errorf("PEP440(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "devel", "v1", "release-1", "v1.2.3 ", "v1.2.3-4-gXYZ",
		"v0.0.0-20250101120000-abcdef123456", "v1.2.3-4-gabc1234-dirty-dirty"} {
		if got, err := PEP440(bad); err == nil {
			t.Errorf("PEP440(%q) = %q, want an error", bad, got)
		}
	}
}

// TestPEP440Packaging checks the mapped versions with the packaging library
// pip and uv follow: each is valid and already canonical, and commits after a
// tag sort between the tag and the next release.
func TestPEP440Packaging(t *testing.T) {
	python, err := filepath.Abs(filepath.Join("..", "..", "testdata", "example", ".venv", "bin", "python"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(python); err != nil {
		t.Fatalf("%s is missing: run \"make venv\"", python)
	}
	var versions []string
	for _, c := range pep440Cases {
		versions = append(versions, c.want)
	}
	order := [][2]string{ // lower, higher
		{"1.2.3", "1.2.4.dev4+gabc1234"}, {"1.2.4.dev4+gabc1234", "1.2.4"},
		{"1.2.0b2", "1.2.0b3.dev3+gdeadbee"}, {"1.2.0b3.dev3+gdeadbee", "1.2.0b3"},
		{"0.0.0+g9c1bc31", "0.1.0"},
	}
	in, _ := json.Marshal(map[string]any{"versions": versions, "order": order})
	const check = `
import json, sys
from packaging.version import Version
d = json.load(sys.stdin)
for v in d["versions"]:
    if str(Version(v)) != v:
        print("not canonical:", v, "->", Version(v))
for lo, hi in d["order"]:
    if not Version(lo) < Version(hi):
        print("not ordered:", lo, "<", hi)
`
	cmd := exec.Command(python, "-c", check)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("packaging: %v\n%s", err, out)
	}
}
