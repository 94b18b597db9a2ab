package report

import "testing"

func TestSettle(t *testing.T) {
	for _, c := range []struct {
		tally   []string
		outcome string
		settled bool
		rerun   bool
		text    string
	}{
		{[]string{Survived}, Survived, true, false, "survived 1 of 1 runs"},
		{[]string{Survived, Survived}, Survived, true, false, "survived 2 of 2 runs"},
		{[]string{Survived, Killed}, Survived, false, true, "survived 1 of 2 runs (run 2 killed)"},
		{[]string{Survived, Killed, Killed}, Survived, false, true, "killed 2 of 3 runs (run 1 survived)"},
		{[]string{Survived, Killed, Killed, Killed}, Killed, true, false, "killed 3 of 4 runs (run 1 survived)"},
		{[]string{Survived, Killed, Survived}, Survived, false, true, "survived 2 of 3 runs (run 2 killed)"},
		{[]string{Survived, Killed, Survived, Survived}, Survived, true, false, "survived 3 of 4 runs (run 2 killed)"},
		{[]string{Survived, Killed, Timeout}, Survived, false, false, "survived 1 of 3 runs (run 2 killed, run 3 timeout)"},
		{[]string{Survived, Killed, Survived, Killed}, Survived, false, false, "survived 2 of 4 runs (run 2 killed, run 4 killed)"},
		{[]string{"passed", "failed", "passed", "passed"}, "passed", true, false, "passed 3 of 4 runs (run 2 failed)"},
		{[]string{"passed", "failed", "failed"}, "passed", false, true, "failed 2 of 3 runs (run 1 passed)"},
	} {
		out, ok := Settle(c.tally)
		if out != c.outcome || ok != c.settled {
			t.Errorf("Settle(%v) = %s, %v; want %s, %v", c.tally, out, ok, c.outcome, c.settled)
		}
		if got := NeedsRerun(c.tally); got != c.rerun {
			t.Errorf("NeedsRerun(%v) = %v, want %v", c.tally, got, c.rerun)
		}
		if got := DescribeTally(c.tally); got != c.text {
			t.Errorf("DescribeTally(%v) = %q, want %q", c.tally, got, c.text)
		}
	}
}
