package main

import (
	"bytes"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// maxTracked is the largest file git may track outside testdata folders.
const maxTracked = 1 << 20

// binaryMagic are the first bytes of the executables and archives a build
// writes: ELF, Mach-O (both byte orders, and universal), PE, zip (a wheel)
// and gzip (a release archive).
var binaryMagic = [][]byte{
	{0x7f, 'E', 'L', 'F'}, {0xcf, 0xfa, 0xed, 0xfe}, {0xfe, 0xed, 0xfa, 0xcf}, {0xca, 0xfe, 0xba, 0xbe},
	[]byte("MZ"), []byte("PK\x03\x04"), {0x1f, 0x8b},
}

// TestNoBuildOutputTracked fails when git tracks a build output: a binary
// (an executable or an archive, or a file with NUL bytes in its first 8 KB,
// as git itself tells binary files) or a file over 1 MB, outside testdata
// folders. A tracked binary ships in the module zip that go install
// downloads.
func TestNoBuildOutputTracked(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git work tree: %v", err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if f == "" || slices.Contains(strings.Split(f, "/"), "testdata") {
			continue
		}
		info, err := os.Lstat(f)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the work tree, or a symlink
		}
		if info.Size() > maxTracked {
			t.Errorf("git tracks %s, %d bytes: over 1 MB outside testdata/ (a build output? remove it from git and ignore it)", f, info.Size())
			continue
		}
		if head := readHead(t, f); isBinary(head) {
			t.Errorf("git tracks %s, a binary file (a build output? remove it from git and ignore it)", f)
		}
	}
}

func readHead(t *testing.T, path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 8000)
	n, _ := f.Read(buf)
	return buf[:n]
}

func isBinary(head []byte) bool {
	for _, m := range binaryMagic {
		if bytes.HasPrefix(head, m) {
			return true
		}
	}
	return bytes.IndexByte(head, 0) >= 0
}

func TestIsBinary(t *testing.T) {
	for _, tc := range []struct {
		head []byte
		want bool
	}{
		{[]byte("\x7fELF\x02\x01\x01"), true},
		{[]byte("PK\x03\x04wheel"), true},
		{[]byte("package main\n"), false},
		{[]byte("text\x00with a NUL"), true},
		{[]byte("# MZ is no magic mid-file\n"), false},
	} {
		if got := isBinary(tc.head); got != tc.want {
			t.Errorf("isBinary(%q) = %v, want %v", tc.head, got, tc.want)
		}
	}
}
