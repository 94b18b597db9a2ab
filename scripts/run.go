package scripts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Run runs the embedded helper name with the argv prefix python (e.g.
// ["/p/.venv/bin/python"] or ["uv", "run", "--no-sync", "python"]), isolated
// (-I -S) and writing no bytecode, in dir, with args after the script; in is
// sent as JSON on stdin and the JSON on stdout is decoded into out.
func Run(ctx context.Context, python []string, name, dir string, args []string, in, out any) error {
	if len(python) == 0 {
		return errors.New("no python interpreter")
	}
	stdin, err := json.Marshal(in)
	if err != nil {
		return err
	}
	script, err := write(name)
	if err != nil {
		return err
	}
	defer os.Remove(script)
	argv := append(append(append([]string{}, python[1:]...), "-I", "-S", script), args...)
	cmd := exec.CommandContext(ctx, python[0], argv...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	what := strings.Join(append([]string{name}, args...), " ")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", what, err, tail(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("%s: bad output: %w", what, err)
	}
	return nil
}

// write copies the embedded helper name into a temporary file.
func write(name string) (string, error) {
	src, err := FS.ReadFile(name)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "teeth-*-"+name)
	if err != nil {
		return "", err
	}
	_, err = f.Write(src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	return s
}
