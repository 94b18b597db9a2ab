package initcfg

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

const table = "[tool.teeth]\n# why\nsource_roots = [\"app\"]\n"

func TestWriteKeepsEveryByte(t *testing.T) {
	for name, old := range map[string]string{
		"trailing newline":    "[project]\nname = \"x\"  # keep\n\n\n",
		"no trailing newline": "[project]\r\nname = 'x'",
		"empty":               "",
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "pyproject.toml")
			if err := os.WriteFile(file, []byte(old), 0o640); err != nil {
				t.Fatal(err)
			}
			if err := Write(file, table); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(file)
			want := old
			if want != "" {
				if want[len(want)-1] != '\n' {
					want += "\n"
				}
				want += "\n"
			}
			want += table
			if string(got) != want {
				t.Errorf("got %q, want %q", got, want)
			}
			if info, _ := os.Stat(file); info.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want 0640", info.Mode().Perm())
			}
			if ents, _ := os.ReadDir(filepath.Dir(file)); len(ents) != 1 {
				t.Errorf("left %d files behind", len(ents)-1)
			}
		})
	}
}

func TestWriteRefusesAnExistingTable(t *testing.T) {
	for name, old := range map[string]string{
		"table":      "[tool.teeth]\nsource_roots = [\"a\"]\n",
		"dotted key": "[tool]\nteeth.source_roots = [\"a\"]\n",
		"subtable":   "[tool.teeth.extra]\nx = 1\n",
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "pyproject.toml")
			if err := os.WriteFile(file, []byte(old), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := Write(file, table); !errors.Is(err, ErrExists) {
				t.Fatalf("err = %v, want ErrExists", err)
			}
			if got, _ := os.ReadFile(file); string(got) != old {
				t.Errorf("file changed to %q", got)
			}
		})
	}
}

func TestWriteCreatesAndFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	if err := Write(filepath.Join(dir, "pyproject.toml"), table); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "pyproject.toml")); string(got) != table {
		t.Errorf("created %q", got)
	}
	real := filepath.Join(dir, "real.toml")
	if err := os.WriteFile(real, []byte("[project]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.toml")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, table); err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(link); err != nil || target != real {
		t.Errorf("the symlink was replaced: %v %q", err, target)
	}
	if got, _ := os.ReadFile(real); string(got) != "[project]\n\n"+table {
		t.Errorf("target holds %q", got)
	}
}

func TestWriteRefusesBadTOML(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pyproject.toml")
	if err := os.WriteFile(file, []byte("[project\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(file, table); err == nil {
		t.Fatal("wrote into a file that is not TOML")
	}
}

func TestTOMLStrings(t *testing.T) {
	if got := tomlList([]string{`a"b`, `c\d`, "e\tf"}); got != `["a\"b", "c\\d", "e\u0009f"]` {
		t.Errorf("got %s", got)
	}
}
