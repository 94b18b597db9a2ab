package mutate

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestPyFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"app/a.py", "app/b.txt", "app/__pycache__/a.py", "app/.hidden/h.py",
		"app/legacy/old.py", "app/sub/c.py", "app/sub/gen_x.py", "venv/pyvenv.cfg", "venv/lib/v.py",
		"tools/t.py", "main.py", "app/legacy2/n.py"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		roots, exclude, want []string
	}{
		{nil, nil, []string{"app/a.py", "app/legacy/old.py", "app/legacy2/n.py", "app/sub/c.py", "app/sub/gen_x.py", "main.py", "tools/t.py"}},
		{[]string{"app", "main.py", "app/sub"}, []string{"app/legacy", "gen_*.py", "app/*/gen_*.py"}, []string{"app/a.py", "app/legacy2/n.py", "app/sub/c.py", "main.py"}},
		{[]string{"app/"}, []string{"app/*/*"}, []string{"app/a.py"}},
		{[]string{"."}, []string{"app", "main.py", "./tools/"}, nil},
	}
	for _, c := range cases {
		got, err := SourceFiles(dir, c.roots, c.exclude)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("roots %v exclude %v: got %v, want %v", c.roots, c.exclude, got, c.want)
		}
	}
	if _, err := SourceFiles(dir, []string{"../x"}, nil); err == nil {
		t.Error("accepted a source root outside the project")
	}
	if _, err := SourceFiles(dir, []string{"nope"}, nil); err == nil {
		t.Error("accepted a missing source root")
	}
	if _, err := SourceFiles(dir, nil, []string{"[x"}); err == nil {
		t.Error("accepted a bad pattern")
	}
}
