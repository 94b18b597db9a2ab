package report

import (
	"strings"
	"unicode/utf8"
)

// FirstLine returns the first line of s once s is trimmed of surrounding
// white space: the line of an excerpt or an error that a reason quotes.
func FirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// ClipBytes cuts s to at most n bytes on a rune boundary, ending in "…"
// when cut.
func ClipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}
