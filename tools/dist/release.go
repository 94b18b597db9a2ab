package dist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/teethtool/teeth/internal/atomicfile"
)

// Options say what Release builds.
type Options struct {
	Version   string     // the build's version (git describe), stamped into main.version
	Out       string     // the output directory, created if missing
	Platforms []Platform // the targets
	Readme    string     // README.md: in every archive, and the wheels' description
	Modified  time.Time  // every member's timestamp (SOURCE_DATE_EPOCH)
}

// Artefacts are the files Release wrote, by platform, as paths under Out.
type Artefacts struct {
	Archives, Wheels map[string]string
	Sums             string // SHA256SUMS of every archive and wheel
}

// zipEpoch is the earliest time a zip member can carry.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Release builds, for every platform, teeth's binary, its archive
// (teeth_VERSION_GOOS_GOARCH.tar.gz: teeth and README.md) and its wheel, then
// SHA256SUMS. Each file is written to a temporary name and renamed into place.
func Release(ctx context.Context, o Options) (*Artefacts, error) {
	pep, err := PEP440(o.Version)
	if err != nil {
		return nil, err
	}
	readme, err := os.ReadFile(o.Readme)
	if err != nil {
		return nil, err
	}
	if o.Modified.Before(zipEpoch) {
		o.Modified = zipEpoch
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "teeth-dist-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	a := &Artefacts{Archives: map[string]string{}, Wheels: map[string]string{}}
	for _, p := range o.Platforms {
		bin := filepath.Join(tmp, p.GOOS+"-"+p.GOARCH, "teeth")
		if err := Binary(ctx, p, o.Version, bin); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return nil, err
		}
		if a.Archives[p.String()], err = writeArchive(o, p, data, readme); err != nil {
			return nil, err
		}
		w := &Wheel{Name: "teeth", Version: pep, Platform: p.WheelTag, Script: "teeth", Binary: data,
			Summary:  "Prove that the blocking-IO regression tests of an asyncio Python backend have teeth",
			HomePage: "https://github.com/teethtool/teeth", Readme: readme, Modified: o.Modified}
		a.Wheels[p.String()] = filepath.Join(o.Out, w.Filename())
		if err := writeFile(a.Wheels[p.String()], func(b *bytes.Buffer) error { return w.Write(b) }); err != nil {
			return nil, err
		}
	}
	a.Sums = filepath.Join(o.Out, "SHA256SUMS")
	return a, writeSums(a)
}

// writeArchive writes teeth_VERSION_GOOS_GOARCH.tar.gz and returns its path.
func writeArchive(o Options, p Platform, bin, readme []byte) (string, error) {
	name := fmt.Sprintf("teeth_%s_%s_%s.tar.gz", strings.TrimPrefix(o.Version, "v"), p.GOOS, p.GOARCH)
	path := filepath.Join(o.Out, name)
	files := []File{{Name: "teeth", Mode: 0o755, Data: bin}, {Name: "README.md", Mode: 0o644, Data: readme}}
	return path, writeFile(path, func(b *bytes.Buffer) error { return WriteTarGz(b, files, o.Modified) })
}

// writeSums writes SHA256SUMS in sha256sum's format, sorted by name.
func writeSums(a *Artefacts) error {
	var paths []string
	for _, m := range []map[string]string{a.Archives, a.Wheels} {
		for _, p := range m {
			paths = append(paths, p)
		}
	}
	sort.Slice(paths, func(i, j int) bool { return filepath.Base(paths[i]) < filepath.Base(paths[j]) })
	return writeFile(a.Sums, func(b *bytes.Buffer) error {
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "%x  %s\n", sha256.Sum256(data), filepath.Base(p))
		}
		return nil
	})
}

// writeFile writes what fill produces to path atomically, mode 0644.
func writeFile(path string, fill func(*bytes.Buffer) error) error {
	var b bytes.Buffer
	if err := fill(&b); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, 0o644, b.Bytes())
}
