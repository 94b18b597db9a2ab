package main

import (
	"context"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/teethtool/teeth/tools/dist"
)

// cmdDist builds the release artefacts of this machine's linux platform (go
// build, then the archive and wheel writers, as make dist does) into DIR and
// sets $WHEEL and $ARCHIVE to their paths: dist VERSION DIR.
func cmdDist(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dist VERSION DIR")
	}
	p, err := dist.LinuxHost()
	ts.Check(err)
	a, err := dist.Release(context.Background(), dist.Options{
		Version: args[0], Out: ts.MkAbs(args[1]), Platforms: []dist.Platform{p},
		Readme: filepath.Join(ts.Getenv("REPO"), "README.md"),
	})
	ts.Check(err)
	ts.Setenv("WHEEL", a.Wheels[p.String()])
	ts.Setenv("ARCHIVE", a.Archives[p.String()])
}
