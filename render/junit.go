package render

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/teethtool/teeth/report"
)

// JUnitTestSuites is the root of a JUnit XML report (<testsuites>), in the
// shape of the Apache Ant JUnit schema that CI systems read.
type JUnitTestSuites struct {
	XMLName xml.Name         `xml:"testsuites"`
	Suites  []JUnitTestSuite `xml:"testsuite"`
}

// JUnitTestSuite is one <testsuite>: its counts, properties, test cases and
// captured output.
type JUnitTestSuite struct {
	Name       string          `xml:"name,attr"`
	Package    string          `xml:"package,attr"`
	ID         int             `xml:"id,attr"`
	Timestamp  string          `xml:"timestamp,attr"` // 2006-01-02T15:04:05, no time zone
	Hostname   string          `xml:"hostname,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"` // seconds, a decimal
	Properties JUnitProperties `xml:"properties"`
	TestCases  []JUnitTestCase `xml:"testcase"`
	SystemOut  JUnitText       `xml:"system-out"`
	SystemErr  JUnitText       `xml:"system-err"`
}

// JUnitText is an element's text, written as CDATA so that evidence stays
// readable; characters XML cannot hold become U+FFFD.
type JUnitText struct {
	Text string `xml:",cdata"`
}

// JUnitProperties is a suite's <properties> element.
type JUnitProperties struct {
	Properties []JUnitProperty `xml:"property"`
}

// JUnitProperty is one <property name=... value=...>.
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitTestCase is one <testcase>; at most one of Failure and Skipped is set.
type JUnitTestCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"` // seconds, a decimal
	Skipped   *JUnitSkipped `xml:"skipped,omitempty"`
	Failure   *JUnitFailure `xml:"failure,omitempty"`
}

// JUnitFailure is a test case's <failure>: Type is the anchor's verdict,
// Message its reason, Text the evidence.
type JUnitFailure struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// JUnitSkipped is a test case's <skipped>: an anchor without teeth whose
// verdict does not fail the run (gate-off, or a verdict left out of failOn).
type JUnitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

// JUnitSuites converts a report to JUnit XML: one suite "teeth" with one test
// case per anchor (classname = the anchor's file, name = the test's name
// within it), and the latent blocking calls as suite properties. An anchor that fails the run under failOn (see report.Fails) is
// a <failure> with its verdict as type, its reason as message and its
// evidence as text; an anchor without teeth that does not fail the run is
// <skipped>, except a no-site gate self-test, which passes like an anchor
// with teeth. at is the suite's timestamp and host its hostname ("localhost"
// if empty).
func JUnitSuites(r *report.Report, failOn []string, at time.Time, host string) *JUnitTestSuites {
	if host == "" {
		host = "localhost"
	}
	suite := JUnitTestSuite{
		Name: "teeth", Package: "teeth", ID: 0,
		Timestamp: at.UTC().Format("2006-01-02T15:04:05"),
		Hostname:  host,
		Time:      junitSeconds(r.Summary.DurationS),
		Properties: JUnitProperties{Properties: []JUnitProperty{
			{Name: "teeth.version", Value: r.Version},
			{Name: "teeth.project", Value: r.Project},
			{Name: "teeth.command", Value: strings.Join(r.Command, " ")},
			{Name: "teeth.fail_on", Value: strings.Join(failOn, ",")},
		}},
	}
	suite.Properties.Properties = append(suite.Properties.Properties, latentProperties(r)...)
	for _, a := range r.Anchors {
		tc := JUnitTestCase{Name: testName(a), Classname: anchorFile(a), Time: junitSeconds(anchorTime(a))}
		switch {
		case report.Fails(a, failOn):
			tc.Failure = &JUnitFailure{Type: a.Verdict, Message: xmlText(a.Reason), Text: xmlText(evidenceText(a))}
			suite.Failures++
		case a.Verdict == report.Teeth || (a.Verdict == report.NoSite && a.SelfTest):
		default:
			tc.Skipped = &JUnitSkipped{Message: xmlText(a.Verdict + ": " + a.Reason)}
			suite.Skipped++
		}
		suite.TestCases = append(suite.TestCases, tc)
	}
	if p := r.Partial; p != nil {
		suite.Properties.Properties = append(suite.Properties.Properties, JUnitProperty{Name: "teeth.partial", Value: strings.Join(p.Missing, ",") + " missing"})
		suite.TestCases = append(suite.TestCases, JUnitTestCase{Name: "partial merge", Classname: "teeth", Time: junitSeconds(0),
			Failure: &JUnitFailure{Type: "partial", Message: xmlText(p.Note()), Text: xmlText(p.Note())}})
		suite.Failures++
	}
	suite.Tests = len(suite.TestCases)
	var out bytes.Buffer
	Summary(&out, r)
	suite.SystemOut = JUnitText{xmlText(out.String())}
	return &JUnitTestSuites{Suites: []JUnitTestSuite{suite}}
}

// latentProperties are the suite's properties for the latent blocking
// calls: teeth.latent, their count, and teeth.latent.N for each, its detail
// and the anchors that pass over it (a test case has no properties in the
// Ant schema, and the anchors themselves pass).
func latentProperties(r *report.Report) []JUnitProperty {
	if r.Audit == nil || len(r.Audit.Latent) == 0 {
		return nil
	}
	out := []JUnitProperty{{Name: "teeth.latent", Value: fmt.Sprint(len(r.Audit.Latent))}}
	for i, l := range r.Audit.Latent {
		out = append(out, JUnitProperty{Name: fmt.Sprintf("teeth.latent.%d", i+1),
			Value: xmlText(fmt.Sprintf("%s (anchors: %s)", l.Detail, strings.Join(l.Anchors, ", ")))})
	}
	return out
}

// JUnit writes r as JUnit XML (see JUnitSuites), timestamped now on this
// host.
func JUnit(w io.Writer, r *report.Report, failOn []string) error {
	host, _ := os.Hostname()
	return writeXML(w, JUnitSuites(r, failOn, time.Now(), host))
}

func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitSeconds formats a duration in seconds as an xs:decimal (never 1e-05).
func junitSeconds(s float64) string {
	if s < 0 {
		s = 0
	}
	return fmt.Sprintf("%.3f", s)
}

// anchorTime is the time an anchor's runs took: baseline, every mutant run
// and re-run, and the restore run.
func anchorTime(a report.Anchor) float64 {
	t := a.Baseline.DurationS
	for _, m := range a.Mutants {
		t += m.Run.DurationS
		if m.Retry != nil {
			t += m.Retry.DurationS
		}
	}
	if a.Restore != nil {
		t += a.Restore.DurationS
	}
	return t
}

// evidenceText is an anchor's evidence as plain text: its reason, baseline,
// each mutant (outcome, detector messages, excerpt, diff, how to reproduce)
// and the restore run.
func evidenceText(a report.Anchor) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n%s\n", a.Verdict, a.NodeID, a.Reason)
	fmt.Fprintf(&b, "baseline: %s\n", runLine(a.Baseline))
	if a.Baseline.Outcome != "passed" && a.Baseline.Excerpt != "" {
		b.WriteString(indentBlock(a.Baseline.Excerpt))
	}
	for _, m := range a.Mutants {
		fmt.Fprintf(&b, "\nmutant %s: %s (%s)\n", m.Site, m.Outcome, outcomeWords[m.Outcome])
		fmt.Fprintf(&b, "  run: %s\n", runLine(m.Run))
		if loop := blockedBrief(m.Run.Blocked, func(s string) string { return s }); loop != "" {
			fmt.Fprintf(&b, "  on the loop: %s\n", loop)
		}
		if m.Run.Excerpt != "" {
			b.WriteString(indentBlock(m.Run.Excerpt))
		}
		if m.Retry != nil {
			fmt.Fprintf(&b, "  re-run: %s\n", runLine(*m.Retry))
		}
		if len(m.Tally) > 2 {
			fmt.Fprintf(&b, "  runs: %s\n", report.DescribeTally(m.Tally))
		}
		if m.Diff != "" {
			b.WriteString(indentBlock(m.Diff))
		}
		if m.Reproduce != "" {
			fmt.Fprintf(&b, "  reproduce: %s\n", m.Reproduce)
		}
	}
	if a.Restore != nil {
		fmt.Fprintf(&b, "\nrestore: %s\n", runLine(*a.Restore))
	}
	return b.String()
}

// runLine summarises a run: "failed (exit 1, 0.020s); detector: msg, msg".
func runLine(r report.Run) string {
	s := fmt.Sprintf("%s (%.3fs)", r.Outcome, r.DurationS)
	if len(r.Detector) > 0 {
		distinct, n := distinctCounts(r.Detector)
		parts := make([]string, len(distinct))
		for i, d := range distinct {
			parts[i] = d
			if n[d] > 1 {
				parts[i] += fmt.Sprintf(" (x%d)", n[d])
			}
		}
		s += "; detector: " + strings.Join(parts, "; ")
	}
	return s
}

// xmlText replaces the characters XML 1.0 cannot hold (most control
// characters, such as the ESC of terminal colours) with U+FFFD.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, s)
}

func indentBlock(s string) string {
	s = strings.TrimRight(s, "\n")
	return "    " + strings.ReplaceAll(s, "\n", "\n    ") + "\n"
}
