package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	cp "github.com/otiai10/copy"
)

// BenchmarkOddTrees times teeth on copies of the example: as it is, with
// symlink loops (loopA -> loopB -> loopA, tests/blocking_io/up -> .., which
// pytest would follow, app/self -> .), and with a 50 MB data file, whose
// plain copy it times too. Figures, not assertions (issue 12):
//
//	go test -run '^$' -bench OddTrees -benchtime 3x .
//
// TEETH_BENCH_CMD=verify times full runs instead of audits; TEETH_BENCH_BIN
// times another teeth binary (an older build, say).
func BenchmarkOddTrees(b *testing.B) {
	example, _ := examplePython(&testing.T{})
	teeth, err := exec.LookPath("teeth")
	if err != nil {
		b.Fatal(err)
	}
	if bin := os.Getenv("TEETH_BENCH_BIN"); bin != "" {
		teeth = bin
	}
	command := "audit"
	if c := os.Getenv("TEETH_BENCH_CMD"); c != "" {
		command = c
	}
	variants := []struct {
		name string
		odd  func(b *testing.B, dir string) (copyS float64)
	}{
		{"plain", func(*testing.B, string) float64 { return 0 }},
		{"symlink-loops", func(b *testing.B, dir string) float64 {
			for link, target := range map[string]string{
				"loopA": "loopB", "loopB": "loopA", "tests/blocking_io/up": "..", "app/self": ".",
			} {
				if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
					b.Fatal(err)
				}
			}
			return 0
		}},
		{"50MB-file", func(b *testing.B, dir string) float64 {
			big := filepath.Join(dir, "data", "dump.bin")
			os.MkdirAll(filepath.Dir(big), 0o755)
			f, err := os.Create(big)
			if err == nil {
				_, err = io.CopyN(f, zeroes{}, 50<<20)
				f.Close()
			}
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if err := cp.Copy(big, filepath.Join(b.TempDir(), "dump.bin")); err != nil {
				b.Fatal(err)
			}
			return time.Since(start).Seconds()
		}},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "proj")
			err := cp.Copy(example, dir, cp.Options{Skip: func(_ os.FileInfo, src, _ string) (bool, error) {
				return filepath.Base(src) == ".venv", nil
			}})
			if err == nil {
				err = os.Symlink(filepath.Join(example, ".venv"), filepath.Join(dir, ".venv"))
			}
			if err != nil {
				b.Fatal(err)
			}
			copyS := v.odd(b, dir)
			b.ResetTimer()
			for range b.N {
				cmd := exec.Command(teeth, command, dir)
				if out, err := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() > 1 {
					b.Fatalf("%v\n%s", err, out)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
			if copyS > 0 {
				b.ReportMetric(copyS, "copy-s")
			}
		})
	}
}

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
