package report

import (
	"fmt"
	"strings"
)

// Finalize decides every anchor's and every site's verdict from the evidence
// the report holds, and recounts the summary's verdicts, mutants and result.
// A fresh run and a merge of shard reports both end here, so equal evidence
// gives equal verdicts.
func Finalize(r *Report) {
	siteOutcomes := map[string]map[string]int{}
	siteStory := map[string]string{}      // what a survived mutant's call did, from the first such evidence
	gateOffReach := map[string][]string{} // site id -> green anchors that opt out of the gate and reach it
	mutated := map[string]bool{}
	siteCrash, siteHang := map[string]*Crash{}, map[string]*Hang{}
	for i := range r.Anchors {
		a := &r.Anchors[i]
		facts := Facts{
			Baseline: a.Baseline.Outcome, Excerpt: a.Baseline.Excerpt, GateOff: a.GateOff, SelfTest: a.SelfTest,
			Detector: a.Baseline.Detector, DetectorAt: a.Baseline.DetectorAt,
			Sites: len(a.Sites), Outcomes: map[string][]string{}, Blocked: map[string]*Blocked{},
			Crashes: map[string]*Crash{}, Hangs: map[string]*Hang{}, GateOffWhy: gateOffWhy(*a),
		}
		if a.GateOff && a.Baseline.Outcome == "passed" {
			for _, id := range a.Sites {
				gateOffReach[id] = append(gateOffReach[id], a.NodeID)
			}
		}
		var notes []string
		for _, ev := range a.Mutants {
			mutated[ev.Site] = true
			facts.Outcomes[ev.Outcome] = append(facts.Outcomes[ev.Outcome], ev.Site)
			if c := ev.Run.Crash; c != nil && ev.Outcome == KilledOther && facts.Crashes[ev.Site] == nil {
				facts.Crashes[ev.Site] = c
				siteCrash[ev.Site] = c
			}
			if h := ev.Run.Hang; h != nil && ev.Outcome == Timeout && facts.Hangs[ev.Site] == nil {
				facts.Hangs[ev.Site] = h
				siteHang[ev.Site] = h
			}
			if ev.Outcome == Survived {
				facts.Blocked[ev.Site] = ev.Run.Blocked
				if _, ok := siteStory[ev.Site]; !ok && !a.GateOff {
					siteStory[ev.Site] = ev.Run.Blocked.Story()
				}
			}
			flaky, note := mutantTally(ev)
			if flaky != "" && facts.Flaky == "" {
				facts.Flaky = flaky
			}
			if note != "" {
				notes = append(notes, note)
			}
			if !a.GateOff {
				if siteOutcomes[ev.Site] == nil {
					siteOutcomes[ev.Site] = map[string]int{}
				}
				siteOutcomes[ev.Site][ev.Outcome]++
			}
		}
		flaky, note := restoreTally(a)
		if flaky != "" && facts.Flaky == "" {
			facts.Flaky = flaky
		}
		if note != "" {
			notes = append(notes, note)
		}
		a.Verdict, a.Reason = Decide(facts)
		if len(notes) > 0 && a.Verdict != Flaky && a.Verdict != Broken {
			a.Reason += " (" + strings.Join(notes, "; ") + ")"
		}
		if r.Mode == "audit" && a.Verdict == Error && len(a.Mutants) == 0 {
			a.Verdict, a.Reason = Unverified, fmt.Sprintf("reaches %s; teeth verify proves whether it has teeth", Plural(len(a.Sites), "offload site"))
		}
	}
	markPartial(r)
	for i := range r.Sites {
		s := &r.Sites[i]
		s.Verdict = DecideSite(s.Invalid != "", len(s.Anchors), len(gateOffReach[s.ID]), siteOutcomes[s.ID])
		if r.Mode == "audit" && s.Verdict == Error {
			s.Verdict = Unverified
		}
		s.Reason = ""
		s.Reason = describeSite(*s, siteStory[s.ID], gateOffReach[s.ID], r.Mode == "audit")
		switch {
		case s.Verdict == RedOther && siteCrash[s.ID] != nil:
			s.Reason = fmt.Sprintf("un-offloading %s turns anchors red only because %s; the gate never fired", siteCall(*s), siteCrash[s.ID].Text()) + anchorList(s.Anchors)
		case s.Verdict == Timeout && siteHang[s.ID] != nil:
			s.Reason = TimeoutText(siteCall(*s), siteHang[s.ID]) + anchorList(s.Anchors)
		}
	}
	if r.NoSite == NoSiteCount {
		countUnlisted(r)
	}
	recount(r, len(mutated))
}

// countUnlisted takes the tests that reach no offload site out of the
// anchors, counting them by verdict (no_site = "count"): those green
// without a site (gate self-tests stay listed), skipped, xfailed, or run
// with the gate off. A test not green for another reason stays listed.
func countUnlisted(r *Report) {
	kept := r.Anchors[:0]
	for _, a := range r.Anchors {
		counted := len(a.Sites) == 0 && !a.SelfTest &&
			(a.Verdict == NoSite || a.Verdict == Skipped || a.Verdict == XFailed || a.Verdict == GateOff)
		if !counted {
			kept = append(kept, a)
			continue
		}
		if r.Summary.Counted == nil {
			r.Summary.Counted = map[string]int{}
		}
		r.Summary.Counted[a.Verdict]++
	}
	r.Anchors = kept
}

// gateOffWhy is why an anchor's gate was off when it is not the opt-out
// marker: the gate observed off at baseline ("" otherwise).
func gateOffWhy(a Anchor) string {
	if a.Gate == GateObservedOff && !a.OptOut {
		return "the gate was off while it ran (observed: no detector function was active as its call began), left off by the gate's own logic, not the opt-out marker"
	}
	return ""
}

// Plural is "1 site", "2 sites": n and the word, in the plural when n is not 1.
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// mutantTally says why a pair's runs make its anchor flaky (they disagree
// and do not settle), or notes a disagreement that settled.
func mutantTally(ev Evidence) (flaky, note string) {
	if len(ev.Tally) == 0 {
		// A report without tallies: a survivor that went red on its re-run.
		if ev.Retry != nil && ev.Retry.Outcome != "passed" {
			return fmt.Sprintf("the mutant of %s survived, then went %s on a re-run", ev.Site, ev.Retry.Outcome), ""
		}
		return "", ""
	}
	if _, ok := Settle(ev.Tally); !ok {
		return fmt.Sprintf("the mutant of %s disagreed with itself: %s", ev.Site, DescribeTally(ev.Tally)), ""
	}
	if len(ev.Tally) > 2 {
		return "", fmt.Sprintf("the mutant of %s: %s", ev.Site, DescribeTally(ev.Tally))
	}
	return "", ""
}

// restoreTally does the same for the restored code: the green baseline, the
// restore run and its re-runs must settle on green.
func restoreTally(a *Anchor) (flaky, note string) {
	rs := a.Restore
	if rs == nil || rs.Outcome == "passed" {
		return "", ""
	}
	tally := []string{a.Baseline.Outcome, rs.Outcome}
	for _, r := range a.RestoreReruns {
		tally = append(tally, r.Outcome)
	}
	if out, ok := Settle(tally); ok && out == "passed" {
		return "", "unmutated (baseline, restore run, re-runs) it " + DescribeTally(tally)
	}
	why := fmt.Sprintf("green at baseline, %s on the restore run: %s", rs.Outcome, FirstLine(rs.Excerpt))
	if len(a.RestoreReruns) > 0 {
		why += " (unmutated: " + DescribeTally(tally) + ")"
	}
	return why, ""
}

// markPartial says, in a partial merge, which anchors reach sites of the
// missing shards: one that met no mutant for that reason is unverified, the
// others' reasons say how many of their sites were never run.
func markPartial(r *Report) {
	if r.Partial == nil {
		return
	}
	present := map[string]bool{}
	for _, s := range r.Sites {
		present[s.ID] = true
	}
	missing := strings.Join(r.Partial.Missing, ", ")
	for i := range r.Anchors {
		a := &r.Anchors[i]
		gone := 0
		for _, id := range a.Sites {
			if !present[id] {
				gone++
			}
		}
		switch {
		case gone == 0:
		case a.Verdict == Error && len(a.Mutants) == 0:
			a.Verdict, a.Reason = Unverified, fmt.Sprintf("partial merge: its %d offload sites are in the missing shards (%s), never run", gone, missing)
		default:
			a.Reason += fmt.Sprintf(" (partial merge: %d of its %d offload sites are in the missing shards, never run)", gone, len(a.Sites))
		}
	}
}

func recount(r *Report, mutants int) {
	s := &r.Summary
	s.Anchors, s.Sites, s.Mutants = len(r.Anchors), len(r.Sites), mutants
	s.AnchorVerdicts, s.SiteVerdicts, s.Failed = map[string]int{}, map[string]int{}, r.Partial != nil // a partial merge never passes
	for _, a := range r.Anchors {
		s.AnchorVerdicts[a.Verdict]++
		s.Failed = s.Failed || Fails(a, r.FailOn)
	}
	for _, st := range r.Sites {
		s.SiteVerdicts[st.Verdict]++
	}
	if s.DurationS > 0 {
		s.MutantsPerS = Round3(float64(mutants) / s.DurationS)
	}
	if s.Fallbacks == nil {
		s.Fallbacks = map[string]int{}
	}
}

// Round3 rounds a figure of the reports (seconds, rates) to three decimals.
func Round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
