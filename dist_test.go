package main

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/teethtool/teeth/tools/dist"
)

// distBuilds builds the release artefacts of one version once for all the
// scripts that ask for them, one build at a time: scripts running in
// parallel would otherwise compile teeth several times over on a cold cache.
type distBuilds struct {
	mu    sync.Mutex
	dir   string                     // where the builds go, one directory per version
	built map[string]*dist.Artefacts // by version
}

// cmd is the dist command: it builds the release artefacts of this
// machine's linux platform (go build, then the archive and wheel writers,
// as make dist does), copies them (and SHA256SUMS) into DIR and sets $WHEEL
// and $ARCHIVE to the copies: dist VERSION DIR.
func (d *distBuilds) cmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dist VERSION DIR")
	}
	p, err := dist.LinuxHost()
	ts.Check(err)
	a, err := d.build(args[0], p)
	ts.Check(err)
	out := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(out, 0o755))
	for _, f := range []string{a.Wheels[p.String()], a.Archives[p.String()], a.Sums} {
		data, err := os.ReadFile(f)
		ts.Check(err)
		ts.Check(os.WriteFile(filepath.Join(out, filepath.Base(f)), data, 0o644))
	}
	ts.Setenv("WHEEL", filepath.Join(out, filepath.Base(a.Wheels[p.String()])))
	ts.Setenv("ARCHIVE", filepath.Join(out, filepath.Base(a.Archives[p.String()])))
}

func (d *distBuilds) build(version string, p dist.Platform) (*dist.Artefacts, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if a := d.built[version]; a != nil {
		return a, nil
	}
	readme, err := filepath.Abs("README.md")
	if err != nil {
		return nil, err
	}
	a, err := dist.Release(context.Background(), dist.Options{
		Version: version, Out: filepath.Join(d.dir, version), Platforms: []dist.Platform{p}, Readme: readme,
	})
	if err != nil {
		return nil, err
	}
	if d.built == nil {
		d.built = map[string]*dist.Artefacts{}
	}
	d.built[version] = a
	return a, nil
}
