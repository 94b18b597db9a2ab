package report

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// auditFinding is one finding read from an audit's JSON, with its kind.
type auditFinding struct {
	kind string
	ActionItem
}

// auditFindings reads every finding from the JSON of an audit report,
// without knowing its kinds: each member that is a list of objects is a
// list of findings, of the kind each object names ("kind"), or else of the
// member's name ("static"). Of each it takes the anchor ("anchor"), the
// code it is at ("at", "path" and "line", or a "location" object), the
// detail ("detail", else "reason", else its other text members) and what it
// relates to ("related", "anchors"). Kinds that need no action (a gate
// self-test) are left out.
func auditFindings(data []byte) []auditFinding {
	var members map[string]json.RawMessage
	if json.Unmarshal(data, &members) != nil {
		return nil
	}
	names := make([]string, 0, len(members))
	for n := range members {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []auditFinding
	for _, name := range names {
		var list []map[string]any
		if json.Unmarshal(members[name], &list) != nil {
			continue
		}
		for _, m := range list {
			kind := text(m["kind"])
			if kind == "" {
				kind = strings.ReplaceAll(name, "_", "-")
			}
			if notActions[kind] {
				continue
			}
			out = append(out, auditFinding{kind: kind, ActionItem: ActionItem{
				Anchor: text(m["anchor"]), Where: where(m), Detail: detail(m),
				Related: append(texts(m["related"]), texts(m["anchors"])...),
			}})
		}
	}
	return out
}

// where is the code a finding is at: "at", "path:line", or its "location".
func where(m map[string]any) string {
	if at := text(m["at"]); at != "" {
		return at
	}
	if loc, ok := m["location"].(map[string]any); ok {
		m = loc
	}
	p := text(m["path"])
	switch line, _ := m["line"].(float64); {
	case p == "":
		return ""
	case line > 0:
		return fmt.Sprintf("%s:%d", p, int(line))
	case text(m["function"]) != "":
		return p + ":" + text(m["function"])
	}
	return p
}

// detail is a finding's one line: its "detail" or "reason", else its other
// text members as "name: value".
func detail(m map[string]any) string {
	for _, k := range []string{"detail", "reason", "message"} {
		if s := text(m[k]); s != "" {
			return s
		}
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch k {
		case "kind", "anchor", "at", "path", "line", "location":
			continue
		}
		if s := text(m[k]); s != "" {
			parts = append(parts, k+": "+s)
		}
	}
	return strings.Join(parts, " · ")
}

func text(v any) string {
	s, _ := v.(string)
	return s
}

func texts(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s := text(x); s != "" {
			out = append(out, s)
		}
	}
	return out
}
