package dist

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Module is the package make dist builds: teeth's command.
const Module = "github.com/teethtool/teeth"

// Binary cross-compiles teeth for p into out with the go command on PATH:
// CGO_ENABLED=0 (a static binary), -trimpath, symbols stripped, and version
// stamped into main.version. It must run inside teeth's module.
func Binary(ctx context.Context, p Platform, version, out string) error {
	if strings.ContainsAny(version, " \t\n'\"") {
		return fmt.Errorf("version %q has a space or quote", version)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath",
		"-ldflags", "-s -w -X main.version="+version, "-o", out, Module)
	cmd.Env = append(os.Environ(), "GOOS="+p.GOOS, "GOARCH="+p.GOARCH, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s: %v: %s", p, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
