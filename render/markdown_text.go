package render

import (
	"strings"

	"github.com/teethtool/teeth/report"
)

// mdText escapes text for Markdown so that it shows as written.
func mdText(s string) string { return escapeMarkdown(oneLine(s)) }

// escapeMarkdown backslash-escapes every character Markdown could read as markup.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune("\\`*_[]<>|~&#!", c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// codeSpan writes s as inline code, with a fence longer than any run of
// backticks in it; inTable escapes | as GFM tables need even in code.
func codeSpan(s string, inTable bool) string {
	s = oneLine(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return fence + s + fence
}

// fenceFor returns a code fence longer than any backtick run in text.
func fenceFor(text string) string {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	return fence
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}

// clipLines keeps at most cp.lines lines and cp.bytes bytes of text (a
// negative bound is none) and returns them with the number of lines kept.
func clipLines(text string, cp mdCap) (string, int) {
	lines := strings.Split(text, "\n")
	if cp.lines >= 0 && len(lines) > cp.lines {
		lines = lines[:cp.lines]
	}
	out := strings.Join(lines, "\n")
	if cp.bytes >= 0 && len(out) > cp.bytes {
		out = report.ClipBytes(out, cp.bytes)
	}
	return out, strings.Count(out, "\n") + 1
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
