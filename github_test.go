package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/teethtool/teeth/internal/ghfake"
)

// ghKey is the key of a script's fake GitHub in its testscript values.
type ghKey struct{}

// ghHolder holds the fake GitHub a script started.
type ghHolder struct{ s *ghfake.Server }

func ghServer(ts *testscript.TestScript) *ghfake.Server {
	h := ts.Value(ghKey{}).(*ghHolder)
	if h.s == nil {
		ts.Fatalf("no fake GitHub: run ghserver first")
	}
	return h.s
}

// cmdGHServer starts a fake GitHub for the script (see internal/ghfake)
// and sets GITHUB_API_URL to it; with a directory and a tag it also serves
// that release's files at $RELEASES_URL: ghserver [DIR TAG].
func cmdGHServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || (len(args) != 0 && len(args) != 2) {
		ts.Fatalf("usage: ghserver [RELEASE-DIR TAG]")
	}
	h := ts.Value(ghKey{}).(*ghHolder)
	if h.s != nil {
		ts.Fatalf("ghserver: already running")
	}
	h.s = ghfake.New()
	ts.Defer(h.s.Close)
	if len(args) == 2 {
		h.s.ServeRelease(ts.MkAbs(args[0]), args[1])
	}
	ts.Setenv("GITHUB_API_URL", h.s.URL)
	ts.Setenv("RELEASES_URL", h.s.URL+"/releases")
	ts.Setenv("GH_WRITE_TOKEN", ghfake.WriteToken)
	ts.Setenv("GH_READ_TOKEN", ghfake.ReadToken)
}

// cmdGHPull sets the head commit of a pull request: ghpull REPO N SHA.
func cmdGHPull(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: ghpull REPO N SHA")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	ghServer(ts).SetHead(args[0], n, args[2])
}

// cmdGHComments prints the comments of a pull request, each after a
// "--- comment N by LOGIN" line, with what changes from run to run or from
// machine to machine replaced (see stable): ghcomments REPO N.
func cmdGHComments(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: ghcomments REPO N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	for i, c := range ghServer(ts).Comments(args[0], n) {
		fmt.Fprintf(ts.Stdout(), "--- comment %d by %s\n%s\n", i+1, c.User.Login, stable(ts, c.Body))
	}
}

// cmdGHLog prints the REST API requests the fake GitHub served since the
// last ghlog (release downloads left out).
func cmdGHLog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: ghlog")
	}
	for _, l := range ghServer(ts).Log() {
		if !strings.Contains(l, " /releases/") {
			fmt.Fprintln(ts.Stdout(), l)
		}
	}
}

var (
	// onLoopRe is the evidence line of what the un-offloaded call did on
	// the loop: its primitives are listed slowest first, with their times.
	onLoopRe   = regexp.MustCompile(`(?m)^(⏲️ \*\*on the loop\*\*:).*$`)
	durationRe = regexp.MustCompile(`\b[0-9]+(\.[0-9]+)? ?(s|ms|µs)\b`)
	commitRe   = regexp.MustCompile(`\b[0-9a-f]{7,40}\b`)
	pythonRe   = regexp.MustCompile(`python3\.[0-9]+`)
	// runsRe counts pytest processes and forks: how many a mutant takes
	// depends on when its anchors' baselines streamed in.
	runsRe = regexp.MustCompile(`\b[0-9]+ pytest runs\b`)
)

// stable replaces in s what differs between two runs of one script, or
// between machines: $WORK, the times (and so the order) of the blocking
// primitives, durations, the count of pytest runs, commit ids, the venv's
// Python version.
func stable(ts *testscript.TestScript, s string) string {
	s = strings.ReplaceAll(s, ts.Getenv("WORK"), "$WORK")
	s = runsRe.ReplaceAllString(s, "N pytest runs")
	s = onLoopRe.ReplaceAllString(s, "$1 TIMINGS")
	s = durationRe.ReplaceAllString(s, "X s")
	s = commitRe.ReplaceAllString(s, "COMMIT")
	return pythonRe.ReplaceAllString(s, "python3.X")
}
