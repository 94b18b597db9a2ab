// Package rules owns teeth's RULE route (teeth rule, and teeth verify unless
// --no-prove-rules): from a survived offload site, whose un-offloaded call
// blocked the event loop in a primitive the detector does not patch, to a
// rule in the detector's own API (a Blockbuster BlockBusterFunction scoped to
// the gate's scanned modules, on the name the call went through: the
// builtin open is builtins.open), proven on the verify run's own sandboxes:
// red with the rule and the offload removed, green with the rule and the
// offload restored. One run of the green anchors with every proposal's rule
// in lists each rule's collateral. It writes the patch to the gate's
// conftest and the message of the rule's own commit. A call that blocked
// nothing a rule would catch (mocked, CPU work, never on the loop) gets no
// rule, and the reason; a refuted rule names the binding that defeated it.
package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/report"
)

// cpuModules are the modules whose C functions do CPU work, not IO: a
// detector rule on them would flag every hash or compression on the loop.
var cpuModules = map[string]string{"hashlib": "hashing", "zlib": "compression", "bz2": "compression", "lzma": "compression"}

// waits are primitives (by their last name) that wait on a device, a peer, a
// lock or time: the rule is proposed for one of them before the others a
// call made (fsync_directory's os.fsync before its os.open and os.close).
var waits = map[string]bool{
	"fsync": true, "fdatasync": true, "sync": true, "syncfs": true, "select": true, "poll": true,
	"flock": true, "lockf": true, "sleep": true, "wait": true, "waitpid": true, "wait3": true, "wait4": true,
	"waitid": true, "sendfile": true, "copy_file_range": true, "splice": true,
}

// primitive is one unpatched primitive over a site's survived runs.
type primitive struct {
	name    string
	calls   int
	s       float64
	anchors []string
	via     *report.Binding // how the first call named it
}

// Candidate reports whether the site is a rule candidate: its verdict is
// survived (every anchor with the gate on that reaches it stays green).
func Candidate(s report.Site) bool { return s.Verdict == report.Survived }

// Decide proposes, from the report's evidence, the rule for a survived
// site (status unproven: the proof is Prover.Prove's), or none with the
// reason. want, when not "", names the primitive to propose the rule for
// instead of the one teeth picks: one that waits (fsync, select, flock,
// sleep, ...) first, then the one the loop spent the most time in.
func Decide(r *report.Report, siteID, want string) (*report.RuleProposal, error) {
	var site *report.Site
	for i := range r.Sites {
		if r.Sites[i].ID == siteID {
			site = &r.Sites[i]
		}
	}
	if site == nil || !Candidate(*site) {
		return nil, NotCandidate(site, siteID)
	}
	var stories []string
	io, cpu := map[string]*primitive{}, map[string]*primitive{}
	for _, a := range r.Anchors {
		if a.GateOff {
			continue
		}
		for _, ev := range a.Mutants {
			if ev.Site != siteID || ev.Outcome != report.Survived || ev.Run.Blocked == nil {
				continue
			}
			b := ev.Run.Blocked
			stories = append(stories, b.Story())
			if b.OnLoop == 0 || b.Lazy >= b.OnLoop {
				continue
			}
			for _, p := range b.Primitives {
				into := io
				if _, ok := cpuModules[module(p.Name)]; ok {
					into = cpu
				}
				add(into, p, a.NodeID)
			}
		}
	}
	ranked := rank(io)
	if want != "" {
		return chosen(ranked, want, siteID)
	}
	if len(ranked) == 0 {
		return &report.RuleProposal{Status: report.RuleNone, Reason: noRule(stories, rank(cpu))}, nil
	}
	return proposal(ranked, 0), nil
}

// NotCandidate is the error for a site id that names no site (site nil) or
// a site that is not a rule candidate.
func NotCandidate(site *report.Site, id string) error {
	if site == nil {
		return hint.New("no site has the id "+id, "site ids are listed in the summary and the JSON report")
	}
	return hint.New(fmt.Sprintf("site %s is %s, not a rule candidate: %s", id, site.Verdict, site.Reason),
		"a rule candidate is a survived site: un-offloading it keeps every anchor that reaches it green; teeth verify lists them")
}

func chosen(ranked []*primitive, want, id string) (*report.RuleProposal, error) {
	for i, p := range ranked {
		if p.name == want {
			return proposal(ranked, i), nil
		}
	}
	names := make([]string, len(ranked))
	for i, p := range ranked {
		names[i] = p.name
	}
	fix := "its call blocked the loop in no primitive the detector leaves unpatched"
	if len(names) > 0 {
		fix = "its call blocked the loop in: " + strings.Join(names, ", ")
	}
	return nil, hint.New(fmt.Sprintf("the un-offloaded call of %s did not block the loop in an unpatched %s", id, want), fix)
}

func proposal(ranked []*primitive, i int) *report.RuleProposal {
	p := &report.RuleProposal{Status: report.RuleUnproven, Primitive: ranked[i].name, Via: ranked[i].via, Anchors: ranked[i].anchors,
		Reason: "proposed from the evidence; the proof has not run (--no-prove-rules, or prove_rules = false): teeth verify or teeth rule SITE-ID runs it"}
	for j, q := range ranked {
		if j != i {
			p.Alternatives = append(p.Alternatives, q.name)
		}
	}
	return p
}

func add(into map[string]*primitive, p report.Primitive, anchor string) {
	q := into[p.Name]
	if q == nil {
		q = &primitive{name: p.Name}
		into[p.Name] = q
	}
	q.calls += p.Calls
	q.s += p.S
	if q.via == nil {
		q.via = p.Via
	}
	if !slices.Contains(q.anchors, anchor) {
		q.anchors = append(q.anchors, anchor)
	}
}

// rank orders primitives: those that wait first, then by time on the loop.
func rank(m map[string]*primitive) []*primitive {
	var out []*primitive
	for _, p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *primitive) int {
		if wa, wb := waits[last(a.name)], waits[last(b.name)]; wa != wb {
			if wa {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.s, a.s), cmp.Compare(a.name, b.name))
	})
	return out
}

// noRule says why a survived site gets no rule.
func noRule(stories []string, cpu []*primitive) string {
	if len(cpu) > 0 {
		names, kinds := make([]string, 0, 3), []string{}
		for i, p := range cpu {
			if i == 3 {
				names = append(names, fmt.Sprintf("%d more", len(cpu)-3))
				break
			}
			s := "`" + p.name + "`"
			if p.calls > 1 {
				s += fmt.Sprintf(" ×%d", p.calls)
			}
			names = append(names, s)
			if k := cpuModules[module(p.name)]; !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
		return fmt.Sprintf("no rule: the call spent its time on the loop in CPU work (%s), not in IO; a detector rule is for blocking IO, and one on %s would fire at every %s call the scanned modules make on the loop",
			report.JoinAnd(names), strings.Join(kinds, " or "), strings.Join(kinds, " or "))
	}
	for _, s := range stories {
		if s != "" {
			return "no rule: " + s
		}
	}
	return "no rule: nothing was recorded of what the call did on the loop (an outcome from an older teeth's cache?): run teeth rule SITE-ID to record it"
}

func module(name string) string {
	m, _, _ := strings.Cut(name, ".")
	return m
}

func last(name string) string {
	return name[strings.LastIndexByte(name, '.')+1:]
}
