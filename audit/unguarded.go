package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
)

// Risk ranks of an unguarded site, riskiest first.
const (
	RiskHandler = "handler"     // in a request handler (a route-decorated async def)
	RiskEntry   = "async-entry" // in a public async def
	RiskAsync   = "async"       // in a private async def
	RiskOther   = "other"
)

var riskOrder = map[string]int{RiskHandler: 0, RiskEntry: 1, RiskAsync: 2, RiskOther: 3}

// UnguardedMap is the offload sites no anchor reaches, grouped and ranked.
type UnguardedMap struct {
	Sites    int          `json:"sites"`
	Reached  int          `json:"reached"`
	Coverage float64      `json:"coverage"` // reached sites / all sites
	Files    []FileGroup  `json:"files"`    // riskiest first
	Dirs     []DirSummary `json:"dirs"`
}

// FileGroup is one file's unguarded sites.
type FileGroup struct {
	Path  string          `json:"path"`
	Sites []UnguardedSite `json:"sites"`
}

// UnguardedSite is one site no anchor reaches.
type UnguardedSite struct {
	ID       string `json:"id"`
	Line     int    `json:"line"`
	Function string `json:"function"`
	Risk     string `json:"risk"`
}

// DirSummary counts a directory's sites.
type DirSummary struct {
	Dir       string `json:"dir"`
	Sites     int    `json:"sites"`
	Unguarded int    `json:"unguarded"`
}

var handlerDecorator = []string{"route", ".get", ".post", ".put", ".patch", ".delete", ".websocket", ".api_route", ".head", ".options"}

func risk(ix Index, s Site) string {
	fn := ix.Outermost(s.Path, s.Function)
	if fn == nil || !fn.Async {
		if f := ix.Function(s.Path, s.Function); f != nil && f.Async {
			fn = f
		} else {
			return RiskOther
		}
	}
	for _, d := range fn.Decorators {
		for _, h := range handlerDecorator {
			if strings.HasSuffix(d, h) || (h == "route" && strings.Contains(d, h)) {
				return RiskHandler
			}
		}
	}
	name := fn.Qualname[strings.LastIndexByte(fn.Qualname, '.')+1:]
	if !strings.HasPrefix(name, "_") {
		return RiskEntry
	}
	return RiskAsync
}

func unguardedMap(in Input) UnguardedMap {
	reached := map[string]bool{}
	for _, a := range in.Anchors {
		if a.GateOff {
			continue
		}
		for _, s := range a.Sites {
			reached[s] = true
		}
	}
	m := UnguardedMap{Sites: len(in.Sites), Files: []FileGroup{}, Dirs: []DirSummary{}}
	byFile := map[string]*FileGroup{}
	dirs := map[string]*DirSummary{}
	for _, s := range in.Sites {
		d := dirs[path.Dir(s.Path)]
		if d == nil {
			d = &DirSummary{Dir: path.Dir(s.Path)}
			dirs[d.Dir] = d
		}
		d.Sites++
		if reached[s.ID] {
			m.Reached++
			continue
		}
		d.Unguarded++
		g := byFile[s.Path]
		if g == nil {
			g = &FileGroup{Path: s.Path}
			byFile[s.Path] = g
		}
		g.Sites = append(g.Sites, UnguardedSite{ID: s.ID, Line: s.Line, Function: s.Function, Risk: risk(in.Index, s)})
	}
	if m.Sites > 0 {
		m.Coverage = float64(int64(float64(m.Reached)/float64(m.Sites)*1000+0.5)) / 1000
	}
	for _, g := range byFile {
		sort.SliceStable(g.Sites, func(i, j int) bool { return riskOrder[g.Sites[i].Risk] < riskOrder[g.Sites[j].Risk] })
		m.Files = append(m.Files, *g)
	}
	sort.Slice(m.Files, func(i, j int) bool {
		a, b := m.Files[i], m.Files[j]
		if ra, rb := riskOrder[a.Sites[0].Risk], riskOrder[b.Sites[0].Risk]; ra != rb {
			return ra < rb
		}
		if len(a.Sites) != len(b.Sites) {
			return len(a.Sites) > len(b.Sites)
		}
		return a.Path < b.Path
	})
	for _, d := range dirs {
		m.Dirs = append(m.Dirs, *d)
	}
	sort.Slice(m.Dirs, func(i, j int) bool { return m.Dirs[i].Dir < m.Dirs[j].Dir })
	return m
}

// StaticFinding is one finding of the static blocking-IO detector.
type StaticFinding struct {
	Priority string `json:"priority"`
	Location struct {
		Path     string `json:"path"`
		Line     int    `json:"line"`
		Function string `json:"function"`
	} `json:"location"`
	BlockingCall struct {
		Category  string `json:"category"`
		Operation string `json:"operation"`
		Symbol    string `json:"symbol"`
	} `json:"blocking_call"`
	Exposure string `json:"event_loop_exposure"`
	Reason   string `json:"reason"`
	Code     string `json:"code"`
}

// ReadStatic reads the static detector's findings JSON: a list of findings,
// or an object holding one under "findings".
func ReadStatic(file string) ([]StaticFinding, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var list []StaticFinding
	if err := json.Unmarshal(data, &list); err == nil {
		return list, nil
	}
	var wrapped struct {
		Findings []StaticFinding `json:"findings"`
	}
	if err := json.Unmarshal(data, &wrapped); err != nil {
		return nil, fmt.Errorf("%s: neither a list of findings nor {\"findings\": [...]}: %w", file, err)
	}
	return wrapped.Findings, nil
}

var priorityOrder = map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3}

// onAsyncPath reports whether the finding's exposure puts it on the event loop.
func (f StaticFinding) onAsyncPath() bool {
	switch strings.ToLower(strings.TrimSpace(f.Exposure)) {
	case "", "none", "no", "not_exposed", "not-exposed", "sync", "sync_only":
		return false
	}
	return true
}

// unreachedStatic lists findings on async paths whose (path, function) no
// anchor ran, highest priority first. Findings match by path (either one a
// suffix of the other, for a detector run from the repository root) and
// function, never by line.
func unreachedStatic(in Input) []StaticFinding {
	ran := map[string]bool{}
	for _, a := range in.Anchors {
		for _, f := range a.Funcs {
			ran[f] = true
		}
	}
	out := []StaticFinding{}
	for _, f := range in.Static {
		if f.onAsyncPath() && !reachedFunc(ran, f.Location.Path, f.Location.Function) {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return prio(out[i].Priority) < prio(out[j].Priority)
	})
	return out
}

func prio(p string) int {
	if n, ok := priorityOrder[strings.ToLower(p)]; ok {
		return n
	}
	return len(priorityOrder)
}

func reachedFunc(ran map[string]bool, file, function string) bool {
	for key := range ran {
		p, q, _ := strings.Cut(key, ":")
		if !(p == file || strings.HasSuffix(file, "/"+p) || strings.HasSuffix(p, "/"+file)) {
			continue
		}
		if q == function || strings.HasSuffix(q, "."+function) {
			return true
		}
	}
	return false
}
