package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/teethtool/teeth/report"
)

// Annotations writes GitHub Actions workflow commands that annotate the
// code: one at the site's file and line for every site without a guard
// (every site verdict but guarded), and one at the anchor's file and line for
// every anchor without teeth (every anchor verdict but teeth and gate-off),
// and a warning at the blocking frame of every latent blocking call (the gate
// caught it at baseline and production code swallowed it). Anchors come
// first, then sites, each in report order, then the latent calls.
//
// A finding is `::error` when it fails the run under failOn (an anchor: see
// report.Fails; a site: its verdict is in failOn) and `::warning` otherwise;
// a no-site gate self-test is a `::notice`. A partial merge is an `::error`
// of its own, first. Each command is one line:
//
//	::error file=app/x.py,line=5,title=teeth%3A site survived::message
//
// Data and properties are escaped as the Actions runner expects (%, \r, \n;
// and : and , in properties). GitHub shows at most 10 annotations of each
// level per step, so errors are worth keeping few.
func Annotations(w io.Writer, r *report.Report, failOn []string) {
	if r.Partial != nil {
		io.WriteString(w, "::error title="+escapeProperty("teeth: partial merge")+"::"+escapeData(r.Partial.Note())+"\n")
	}
	for _, f := range findings(r, failOn) {
		io.WriteString(w, annotation(f))
	}
}

// annotation formats one finding as a workflow command line.
func annotation(f finding) string {
	cmd := f.level
	if cmd == levelNote {
		cmd = "notice"
	}
	var props []string
	if f.path != "" {
		props = append(props, "file="+escapeProperty(f.path))
	}
	if f.path != "" && f.line > 0 {
		props = append(props, "line="+strconv.Itoa(f.line))
	}
	props = append(props, "title="+escapeProperty(fmt.Sprintf("teeth: %s %s", f.kind, f.verdict)))
	msg := fmt.Sprintf("%s %s: %s", f.kind, f.id, f.message)
	if f.kind == latentKind {
		msg = f.message // it names the primitive and where it blocks
	}
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + escapeData(msg) + "\n"
}

// escapeData escapes a workflow command's message as @actions/core does.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value as @actions/core does.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
