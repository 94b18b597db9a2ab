// Command release builds teeth's release artefacts: for every target the
// binary archive and the platform wheel, and SHA256SUMS. "make dist" runs it
// with the version from git describe and the last commit's time:
//
//	go run ./tools/release -version v1.2.3 [-out dist] [-platforms linux/amd64,...]
//
// SOURCE_DATE_EPOCH sets the timestamp of every archive member (default
// 1980-01-01), so the same tree and toolchain give the same bytes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/teethtool/teeth/tools/dist"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "release: %v\n", err)
		os.Exit(2)
	}
}

// run parses the flags and the environment and writes the artefacts.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.String("version", "", "the build's version, as git describe --tags --always --dirty prints it (required)")
	out := fs.String("out", "dist", "output directory")
	readme := fs.String("readme", "README.md", "README shipped in the archives and as the wheels' description")
	targets := fs.String("platforms", allTargets(), "comma-separated GOOS/GOARCH targets")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version == "" {
		return errors.New("-version is required (make dist passes git describe)")
	}
	if _, err := dist.PEP440(*version); err != nil {
		return fmt.Errorf("%v; set one with make dist VERSION=v1.2.3", err)
	}
	o := dist.Options{Version: *version, Out: *out, Readme: *readme}
	var err error
	if o.Modified, err = sourceDate(os.Getenv("SOURCE_DATE_EPOCH")); err != nil {
		return err
	}
	for _, t := range strings.Split(*targets, ",") {
		p, err := dist.FindPlatform(strings.TrimSpace(t))
		if err != nil {
			return err
		}
		o.Platforms = append(o.Platforms, p)
	}
	a, err := dist.Release(ctx, o)
	if err != nil {
		return err
	}
	var paths []string
	for _, m := range []map[string]string{a.Archives, a.Wheels} {
		for _, p := range m {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range append(paths, a.Sums) {
		fmt.Fprintln(stdout, filepath.ToSlash(p))
	}
	return nil
}

func allTargets() string {
	s := make([]string, len(dist.Platforms))
	for i, p := range dist.Platforms {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// sourceDate is SOURCE_DATE_EPOCH as a time; unset means 1980-01-01.
func sourceDate(env string) (time.Time, error) {
	if env == "" {
		return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	sec, err := strconv.ParseInt(env, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", env)
	}
	return time.Unix(sec, 0).UTC(), nil
}
