package initcfg

import (
	"strconv"
	"strings"
)

// Table is the proposed [tool.teeth] table: one comment line saying why
// before each key, then comments on the keys left to teeth's defaults.
func (p *Proposal) Table() string {
	var b strings.Builder
	b.WriteString("[tool.teeth]\n")
	for _, k := range p.Keys {
		b.WriteString("# " + oneLine(k.Why) + "\n")
		b.WriteString(k.Name + " = " + k.Value + "\n")
	}
	for _, c := range p.Comments {
		b.WriteString("# " + oneLine(c) + "\n")
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// tomlString is s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\u` + strings.ToUpper(strconv.FormatInt(int64(r)|0x10000, 16)[1:]))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlList is a one-line TOML array of strings.
func tomlList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = tomlString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
