package report

import (
	"strings"
	"testing"
)

func TestClipBytesKeepsUTF8(t *testing.T) {
	s := strings.Repeat("é", 10)
	for n := 0; n <= len(s); n++ {
		got := ClipBytes(s, n)
		if len(got) > n && n >= len("…") || !utf8Valid(got) {
			t.Fatalf("ClipBytes(%q, %d) = %q", s, n, got)
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
