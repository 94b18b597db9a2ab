package mutate

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// Golden inputs are stored as readable UTF-8 text with \n line ends; an opts line
// "transform <file> <name>..." turns them into the bytes under test. decode
// inverts encode on mutants, failing when that would hide a byte difference.

func encode(t testing.TB, b []byte, xforms []string) []byte {
	for _, x := range xforms {
		switch x {
		case "bom":
			b = append([]byte("\xef\xbb\xbf"), b...)
		case "crlf":
			b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		case "cr":
			b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r"))
		case "nonl":
			b = bytes.TrimSuffix(b, []byte("\n"))
		case "latin1":
			b = toLatin1(t, b)
		default:
			t.Fatalf("unknown transform %q", x)
		}
	}
	return b
}

func decode(t testing.TB, b []byte, xforms []string) []byte {
	for i := len(xforms) - 1; i >= 0; i-- {
		switch xforms[i] {
		case "bom":
			if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
				t.Fatal("mutant lost its BOM")
			}
			b = b[3:]
		case "crlf":
			if bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) {
				t.Fatal("mutant mixes newlines into a CRLF file")
			}
			b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		case "cr":
			if bytes.Contains(b, []byte("\n")) {
				t.Fatal("mutant mixes newlines into a CR file")
			}
			b = bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
		case "latin1":
			b = fromLatin1(b)
		}
	}
	return b
}

func toLatin1(t testing.TB, b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r > 0xff {
			t.Fatalf("rune %q is not latin-1", r)
		}
		out = append(out, byte(r))
		b = b[n:]
	}
	return out
}

func fromLatin1(b []byte) []byte {
	var out []byte
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
