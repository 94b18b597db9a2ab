package dist

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReleaseReproducible builds this machine's linux artefacts twice: the
// archive and the wheel are byte-identical, the archive holds the binary and
// the README with fixed times, and SHA256SUMS matches the files.
func TestReleaseReproducible(t *testing.T) {
	p, err := LinuxHost()
	if err != nil {
		t.Fatal(err)
	}
	mod := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	var runs []*Artefacts
	for i := range 2 {
		a, err := Release(context.Background(), Options{Version: "v0.3.0", Out: filepath.Join(t.TempDir(), fmt.Sprint(i)),
			Platforms: []Platform{p}, Readme: filepath.Join("..", "..", "README.md"), Modified: mod})
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, a)
	}
	a := runs[0]
	if got, want := filepath.Base(a.Wheels[p.String()]), "teeth-0.3.0-py3-none-"+p.WheelTag+".whl"; got != want {
		t.Errorf("wheel %s, want %s", got, want)
	}
	if got, want := filepath.Base(a.Archives[p.String()]), "teeth_0.3.0_linux_"+p.GOARCH+".tar.gz"; got != want {
		t.Errorf("archive %s, want %s", got, want)
	}
	for _, pick := range []func(*Artefacts) string{
		func(a *Artefacts) string { return a.Wheels[p.String()] },
		func(a *Artefacts) string { return a.Archives[p.String()] },
		func(a *Artefacts) string { return a.Sums },
	} {
		if !bytes.Equal(read(t, pick(runs[0])), read(t, pick(runs[1]))) {
			t.Errorf("%s differs between two builds", filepath.Base(pick(runs[0])))
		}
	}
	checkArchive(t, a.Archives[p.String()], mod)
	checkWheel(t, a.Wheels[p.String()], mod)
	want := ""
	for _, f := range []string{a.Wheels[p.String()], a.Archives[p.String()]} {
		want += fmt.Sprintf("%x  %s\n", sha256.Sum256(read(t, f)), filepath.Base(f))
	}
	if got := string(read(t, a.Sums)); got != want {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", got, want)
	}
}

// checkArchive wants teeth (0755, an ELF executable) then README.md (0644),
// every member timestamped mod.
func checkArchive(t *testing.T, path string, mod time.Time) {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(read(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		got = append(got, fmt.Sprintf("%s %o %v %d/%d", h.Name, h.Mode, h.ModTime.UTC() == mod, h.Uid, h.Gid))
		if h.Name == "teeth" && !bytes.HasPrefix(data, []byte("\x7fELF")) {
			t.Errorf("teeth in the archive is not an ELF binary")
		}
	}
	if want := "teeth 755 true 0/0,README.md 644 true 0/0"; strings.Join(got, ",") != want {
		t.Errorf("archive members %q, want %q", got, want)
	}
}

// checkWheel wants the script (0755) first, then METADATA, WHEEL and RECORD
// (0644), every member timestamped mod.
func checkWheel(t *testing.T, path string, mod time.Time) {
	t.Helper()
	data := read(t, path)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range zr.File {
		got = append(got, fmt.Sprintf("%s %o %v", f.Name, f.Mode().Perm(), f.Modified.UTC() == mod))
	}
	want := "teeth-0.3.0.data/scripts/teeth 755 true,teeth-0.3.0.dist-info/METADATA 644 true," +
		"teeth-0.3.0.dist-info/WHEEL 644 true,teeth-0.3.0.dist-info/RECORD 644 true"
	if strings.Join(got, ",") != want {
		t.Errorf("wheel members %q, want %q", got, want)
	}
}

func TestFindPlatform(t *testing.T) {
	if p, err := FindPlatform("darwin/arm64"); err != nil || p.WheelTag != "macosx_12_0_arm64" {
		t.Errorf("FindPlatform(darwin/arm64) = %+v, %v", p, err)
	}
	_, err := FindPlatform("windows/amd64")
	if err == nil || !strings.Contains(err.Error(), "linux/amd64, linux/arm64, darwin/amd64, darwin/arm64") {
		t.Errorf("FindPlatform(windows/amd64) error %v, want one naming the targets", err)
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
