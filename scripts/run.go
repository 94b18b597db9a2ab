package scripts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/teethtool/teeth/internal/proc"
)

// Run runs the embedded helper name with the argv prefix python (e.g.
// ["/p/.venv/bin/python"] or ["uv", "run", "--no-sync", "python"]), isolated
// (-I -S) and writing no bytecode, in dir, with args after the script; in is
// sent as JSON on stdin and the JSON on stdout is decoded into out. The
// script itself comes first on stdin, read by a one-line bootstrap, so no
// temporary file is left behind if teeth is killed.
func Run(ctx context.Context, python []string, name, dir string, args []string, in, out any) error {
	if len(python) == 0 {
		return errors.New("no python interpreter")
	}
	stdin, err := json.Marshal(in)
	if err != nil {
		return err
	}
	script, err := FS.ReadFile(name)
	if err != nil {
		return err
	}
	boot := fmt.Sprintf("import sys; exec(compile(sys.stdin.buffer.read(%d), %q, 'exec'))", len(script), "teeth:"+name)
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

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	return s
}
