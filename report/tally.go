package report

import (
	"fmt"
	"strings"
)

// MaxRuns is how many times teeth runs one (mutant, anchor) pair, or one
// anchor on the restored code counting its green baseline, before it calls
// a disagreement flaky.
const MaxRuns = 4

// settleAt is how many runs of MaxRuns must agree to settle a disagreement.
const settleAt = 3

// Settle decides the outcome of a pair from the outcomes of its runs, in
// order: the common outcome when they all agree, or an outcome that at
// least three runs share as a strict majority ("killed 3 of 4"). settled
// is false when the runs disagree without such a majority; outcome is then
// the first run's.
func Settle(tally []string) (outcome string, settled bool) {
	if len(tally) == 0 {
		return "", false
	}
	best, n := mostCommon(tally)
	if n == len(tally) || (n >= settleAt && 2*n > len(tally)) {
		return best, true
	}
	return tally[0], false
}

// NeedsRerun reports whether a pair whose runs disagree so far should run
// again: it is not settled, has runs left, and could still settle.
func NeedsRerun(tally []string) bool {
	if _, ok := Settle(tally); ok || len(tally) >= MaxRuns {
		return false
	}
	_, n := mostCommon(tally)
	return n+MaxRuns-len(tally) >= settleAt
}

func mostCommon(tally []string) (string, int) {
	count := map[string]int{}
	best, n := tally[0], 0
	for _, o := range tally {
		count[o]++
		if count[o] > n {
			best, n = o, count[o]
		}
	}
	return best, n
}

// DescribeTally says how the runs of a pair went, naming the runs that
// disagreed with the outcome named first: "killed 3 of 4 runs (run 1
// survived)".
func DescribeTally(tally []string) string {
	best, n := mostCommon(tally)
	if out, ok := Settle(tally); ok {
		best = out
	}
	var odd []string
	for i, o := range tally {
		if o != best {
			odd = append(odd, fmt.Sprintf("run %d %s", i+1, o))
		}
	}
	s := fmt.Sprintf("%s %d of %d runs", best, n, len(tally))
	if len(odd) > 0 {
		s += " (" + strings.Join(odd, ", ") + ")"
	}
	return s
}
