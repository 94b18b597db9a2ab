package mutate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/teethtool/teeth/scripts"
)

// runScript runs sites.py in mode with in as JSON stdin and decodes stdout into out.
func runScript(ctx context.Context, python []string, dir, mode string, in, out any) error {
	if len(python) == 0 {
		return errors.New("no python interpreter")
	}
	stdin, err := json.Marshal(in)
	if err != nil {
		return err
	}
	script, err := writeScript()
	if err != nil {
		return err
	}
	defer os.Remove(script)
	args := append(append([]string{}, python[1:]...), "-I", "-S", script, mode)
	cmd := exec.CommandContext(ctx, python[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("sites.py %s: %w: %s", mode, err, tail(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("sites.py %s: bad output: %w", mode, err)
	}
	return nil
}

func writeScript() (string, error) {
	src, err := scripts.FS.ReadFile("sites.py")
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "teeth-sites-*.py")
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
