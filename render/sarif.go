package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/report"
)

// SARIFRuleIDs lists the id of every rule of teeth's SARIF driver, in order:
// one per anchor verdict that means "no teeth" (anchor-<verdict>, every
// anchor verdict but teeth and gate-off), then one per site verdict that
// means "no guard" (site-<verdict>, every site verdict but guarded), then
// latent-blocking (a blocking call the gate caught at baseline, swallowed).
func SARIFRuleIDs() []string {
	var ids []string
	for _, v := range report.AnchorVerdicts {
		if noTeethAnchor(v) {
			ids = append(ids, "anchor-"+v)
		}
	}
	for _, v := range report.SiteVerdicts {
		if unguardedSite(v) {
			ids = append(ids, "site-"+v)
		}
	}
	return append(ids, latentKind+"-"+latentVerdict)
}

// ruleText says what each rule means, by rule id.
var ruleText = map[string]string{
	"anchor-" + report.Broken:        "The anchor is not green at baseline (failed, or skipped/xfail), so no mutant was run against it.",
	"anchor-" + report.Flaky:         "The anchor is red on the restore run, or a survivor changed outcome on its re-run.",
	"anchor-" + report.NoSite:        "The anchor reaches no offload site: it guards nothing (a gate self-test is flagged and not stale).",
	"anchor-" + report.Swallowed:     "The gate fired but the anchor passed: production code swallowed the detection.",
	"anchor-" + report.RedOther:      "The anchor turns red only through its own assertions, never the gate.",
	"anchor-" + report.Timeout:       "An un-offloaded site hung the event loop past the time limit.",
	"anchor-" + report.RuleCandidate: "Every covered site survived: the detector has no rule for the blocking primitive.",
	"anchor-" + report.Error:         "The harness failed for every mutant the anchor met.",
	"site-" + report.Swallowed:       "An anchor's gate fired for this site's mutant but was swallowed; no anchor killed it.",
	"site-" + report.RedOther:        "This site's mutant turns anchors red only through their own assertions.",
	"site-" + report.Timeout:         "Un-offloading this site hung the event loop past the time limit.",
	"site-" + report.Survived:        "Every anchor that reaches this site stays green when it is un-offloaded.",
	"site-" + report.Unguarded:       "No anchor with the gate on reaches this offload site.",
	"site-" + report.Invalid:         "This site's un-offload mutant does not compile.",
	"site-" + report.Error:           "The harness failed on this site's mutant.",
	latentKind + "-" + latentVerdict: "A blocking call in project code on the event loop: the gate raised at baseline, and code between the blocking frame and the test swallowed its error (an except, a suppress, logging's handleError, a task nobody awaited), so the anchors pass over it.",
}

// projectRoot is the uriBaseId that result locations are relative to.
const projectRoot = "PROJECTROOT"

// buildSARIF builds the SARIF log that SARIF writes.
func buildSARIF(r *report.Report, failOn []string) *sarif.Report {
	rep := sarif.NewReport()
	run := sarif.NewRun()
	driver := sarif.NewToolComponent().WithName("teeth").
		WithInformationURI("https://github.com/teethtool/teeth").
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(
			"Mutation-tests the blocking-IO anchor tests of an asyncio Python project."))
	if r.Version != "" {
		driver.WithVersion(r.Version)
	}
	run.Tool = sarif.NewTool().WithDriver(driver)
	if r.Project != "" {
		root := (&url.URL{Scheme: "file", Path: strings.TrimSuffix(r.Project, "/") + "/"}).String()
		run.WithOriginalUriBaseIds(map[string]sarif.ArtifactLocation{projectRoot: *sarif.NewArtifactLocation().WithURI(root)})
	}
	for _, id := range SARIFRuleIDs() {
		kind, verdict, _ := strings.Cut(id, "-")
		level := levelWarning
		if hasString(failOn, verdict) {
			level = levelError
		}
		text := ruleText[id]
		if text == "" {
			text = fmt.Sprintf("The %s verdict is %s.", kind, verdict)
		}
		short, help := kind+" verdict "+verdict, " Reproduce with the command in the JSON report's evidence (teeth verify --site ID --anchors NODEID)."
		if kind == latentKind {
			level = levelWarning
			short, help = "latent blocking call", " Offload the call, or let the detector's error through where it is caught; run an anchor that passes over it to see the error."
		}
		run.AddRule(id).
			WithName(pascal(kind + "-" + verdict)).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(short)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(text)).
			WithHelp(sarif.NewMultiformatMessageString().WithText(text + help)).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level)).
			WithProperties(sarif.NewPropertyBag().WithTags([]string{"teeth", kind, verdict}))
	}
	anchors := map[string]*report.Anchor{}
	for i := range r.Anchors {
		anchors[r.Anchors[i].NodeID] = &r.Anchors[i]
	}
	for _, f := range findings(r, failOn) {
		res := run.CreateResultForRule(f.ruleID()).
			WithLevel(f.level).
			WithMessage(sarif.NewTextMessage(f.message)).
			AddLocation(sarifLocation(f.path, f.line)).
			WithPartialFingerprints(map[string]string{"teethFinding/v1": fingerprint(f.kind + "\x00" + f.id)})
		props := sarif.NewPropertyBag().Add("verdict", f.verdict)
		if f.anchor != nil {
			props.Add("nodeid", f.anchor.NodeID)
		}
		if f.latent != nil {
			props.Add("primitive", f.latent.Primitive).Add("catcher", f.latent.Catcher.Kind)
			if c := f.latent.Catcher.Kind; f.latent.Catcher.At != "" && (c == audit.CatcherProject || c == audit.CatcherTest) {
				relate(res, catcherLocation(f.latent.Catcher.At), "caught here: "+f.latent.Catcher.Text())
			}
			relateAnchors(res, anchors, f.latent.Anchors)
		}
		if f.site != nil {
			props.Add("site", f.site.ID)
			relateAnchors(res, anchors, f.site.Anchors)
		}
		res.WithProperties(props)
	}
	if p := r.Partial; p != nil {
		run.AddInvocation(sarif.NewInvocation().WithExecutionSuccessful(false).AddToolExecutionNotification(
			sarif.NewNotification().WithLevel(levelError).WithMessage(sarif.NewTextMessage(p.Note()))))
		run.WithProperties(sarif.NewPropertyBag().Add("partial", true).Add("missingShards", p.Missing))
	}
	rep.AddRun(run)
	return rep
}

// SARIF writes r as an indented SARIF 2.1.0 log with one run of the tool
// "teeth". The driver has one rule per id of SARIFRuleIDs; each finding is a
// result of its rule, located at the site's file and line (site findings) or
// the anchor's file and line (anchor findings), relative to the project
// directory (uriBaseId PROJECTROOT), with the reason as message. A result's
// level is error when it fails the run under failOn (an anchor: see
// report.Fails; a site: its verdict is in failOn), note for a no-site gate
// self-test, warning otherwise; a rule's default level follows the same rule.
// Site results carry the anchors that reach them as related locations. Every
// result has a partial fingerprint from its anchor node id or site id, which
// survive line shifts.
func SARIF(w io.Writer, r *report.Report, failOn []string) error {
	return buildSARIF(r, failOn).PrettyWrite(w)
}

// catcherLocation is a catcher's "path:line" as a location: in the project
// (a relative path), or a library's file as the plugin named it.
func catcherLocation(at string) *sarif.Location {
	i := strings.LastIndexByte(at, ':')
	line, err := strconv.Atoi(at[i+1:])
	if i < 0 || err != nil {
		return sarifLocation(at, 0)
	}
	return sarifLocation(at[:i], line)
}

func sarifLocation(path string, line int) *sarif.Location {
	phys := sarif.NewPhysicalLocation().WithArtifactLocation(
		sarif.NewArtifactLocation().WithURI((&url.URL{Path: path}).String()).WithURIBaseID(projectRoot))
	if line > 0 {
		phys.WithRegion(sarif.NewRegion().WithStartLine(line))
	}
	return sarif.NewLocationWithPhysicalLocation(phys)
}

// pascal turns "site-red-other" into "SiteRedOther", the form of a SARIF
// rule name.
func pascal(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func fingerprint(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// relateAnchors adds each anchor of ids the report holds to res's related
// locations, at its test's line, named by its node id.
func relateAnchors(res *sarif.Result, anchors map[string]*report.Anchor, ids []string) {
	for _, id := range ids {
		if a := anchors[id]; a != nil {
			relate(res, sarifLocation(a.Path, a.Line), id)
		}
	}
}

// relate adds loc to res's related locations with this message.
func relate(res *sarif.Result, loc *sarif.Location, message string) {
	loc.ID = len(res.RelatedLocations)
	loc.WithMessage(sarif.NewTextMessage(message))
	res.AddRelatedLocation(loc)
}
