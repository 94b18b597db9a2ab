package scripts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"

	"github.com/teethtool/teeth/internal/proc"
)

// modules are, for each helper Run runs that imports sibling modules, those
// modules in load order: each after the modules it imports. They share the
// interpreter's sys.modules with the standard library's, hence names prefixed
// with their helper's.
var modules = map[string][]string{
	"sites.py": {"sites_source.py", "sites_model.py", "sites_scan.py", "sites_build.py"},
	"gate.py":  {"gate_ast.py", "gate_edit.py", "gate_search.py"},
}

// Run runs the embedded helper name with the argv prefix python (e.g.
// ["/p/.venv/bin/python"] or ["uv", "run", "--no-sync", "python"]), isolated
// (-I -S) and writing no bytecode, in dir, with args after the script; in is
// sent as JSON on stdin and the JSON on stdout is decoded into out. The
// script itself comes first on stdin, after its modules, read by a short
// bootstrap (see program), so no temporary file is left behind if teeth is
// killed.
func Run(ctx context.Context, python []string, name, dir string, args []string, in, out any) error {
	return run(ctx, FS, modules, python, name, dir, args, in, out)
}

func run(ctx context.Context, fsys fs.FS, mods map[string][]string, python []string, name, dir string, args []string, in, out any) error {
	if len(python) == 0 {
		return errors.New("no python interpreter")
	}
	stdin, err := json.Marshal(in)
	if err != nil {
		return err
	}
	boot, script, err := program(fsys, name, mods[name])
	if err != nil {
		return err
	}
	argv := append(append(append([]string{}, python[1:]...), "-I", "-S", "-c", boot), args...)
	cmd := exec.CommandContext(ctx, python[0], argv...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = io.MultiReader(bytes.NewReader(script), bytes.NewReader(stdin))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	what := strings.Join(append([]string{name}, args...), " ")
	if err := proc.Run(cmd); err != nil {
		return fmt.Errorf("%s: %w: %s", what, err, tail(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("%s: bad output: %w", what, err)
	}
	return nil
}

// program returns the -c bootstrap that runs helper name, and what it reads
// first on stdin: the source of each of mods, then the helper's. The bootstrap
// reads each module's bytes, makes it a module (type(sys) is types.ModuleType),
// registers it in sys.modules under its file's stem and runs its source in it
// with the file name "teeth:NAME", then runs the helper's source as __main__
// under "teeth:name". Without modules it is the one line
//
//	import sys; exec(compile(sys.stdin.buffer.read(N), "teeth:name", 'exec'))
func program(fsys fs.FS, name string, mods []string) (string, []byte, error) {
	var boot, script bytes.Buffer
	boot.WriteString("import sys")
	if len(mods) > 0 {
		boot.WriteString("\nfor _name, _size in (")
		for _, mod := range mods {
			src, err := fs.ReadFile(fsys, mod)
			if err != nil {
				return "", nil, err
			}
			script.Write(src)
			fmt.Fprintf(&boot, "(%q, %d), ", strings.TrimSuffix(mod, ".py"), len(src))
		}
		boot.WriteString("):\n" +
			"    _mod = sys.modules[_name] = type(sys)(_name)\n" +
			"    exec(compile(sys.stdin.buffer.read(_size), 'teeth:' + _name + '.py', 'exec'), _mod.__dict__)\n" +
			"del _name, _size, _mod\n")
	} else {
		boot.WriteString("; ")
	}
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return "", nil, err
	}
	script.Write(src)
	fmt.Fprintf(&boot, "exec(compile(sys.stdin.buffer.read(%d), %q, 'exec'))", len(src), "teeth:"+name)
	return boot.String(), script.Bytes(), nil
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	return s
}
