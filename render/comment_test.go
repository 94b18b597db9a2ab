package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/teethtool/teeth/report"
)

const testMarker = "<!-- teeth-comment -->"

func comment(t *testing.T, r *report.Report, opt CommentOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Comment(&buf, r, opt); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// scoped is the fixture as a changed-only run's report.
func scoped(t *testing.T) *report.Report {
	r := fixture(t)
	r.Scope = &report.Scope{Base: "origin/main", MergeBase: "8eeb45c3a02805ddcbc009a3b296c70fe183cc8d",
		ChangedFiles:       []string{"app/notes.py", "tests/blocking_io/test_notes_io.py"},
		ChangedSites:       []string{"app/notes.py:NoteService.read_note:path.read_text#0"},
		TouchedAnchorFiles: []string{"tests/blocking_io/test_notes_io.py"},
		LeftOut:            "12 of 25 sites and 14 of 24 anchors are outside the change; calls from changed code into other files are not followed"}
	return r
}

const runURL = "https://github.com/acme/notes/actions/runs/42/artifacts/7"

func TestCommentGolden(t *testing.T) {
	checkGolden(t, "comment.md", []byte(comment(t, scoped(t), CommentOptions{Marker: testMarker, ReportURL: runURL})))
}

func TestCommentNothingToSay(t *testing.T) {
	r := scoped(t)
	r.Anchors, r.Sites = []report.Anchor{}, []report.Site{}
	r.Scope.ChangedFiles, r.Scope.ChangedSites, r.Scope.TouchedAnchorFiles = []string{"README.md"}, []string{}, []string{}
	r.Scope.LeftOut = "25 of 25 sites and 24 of 24 anchors are outside the change; calls from changed code into other files are not followed"
	r.Summary = report.Summary{PytestRuns: 2, DurationS: 1.7}
	checkGolden(t, "comment-empty.md", []byte(comment(t, r, CommentOptions{Marker: testMarker, ReportURL: runURL})))
}

func TestCommentContent(t *testing.T) {
	r := scoped(t)
	out := comment(t, r, CommentOptions{Marker: testMarker, ReportURL: runURL})
	if !strings.HasPrefix(out, testMarker+"\n## teeth: ❌ 6 of 10 anchors fail the run (2 with teeth)\n") {
		t.Errorf("the body does not start with the marker and the title: %q", report.FirstLine(out))
	}
	for _, want := range []string{
		"The change since `origin/main` (merge base `8eeb45c`): 2 changed files, 1 changed site, 0 newly reached, 1 touched test file.\n",
		"### Anchors (10)\n",
		"| ✅ | teeth | `tests/blocking_io/test_attachments_io.py::test_download_returns_stored_bytes` | the gate fired at ",
		"### Offload sites (13)\n",
		"| ✅ | guarded | `packages/storekit/storekit/blobs.py:BlobStore.get:path.read_bytes#0` | ",
		// Each anchor's red→green evidence, collapsed: diff, detector, restore.
		"<details><summary>✅ <b>teeth</b> <code>tests/blocking_io/test_attachments_io.py::test_download_returns_stored_bytes</code></summary>\n\n",
		"-            return await asyncio.to_thread(path.read_bytes)\n+            return path.read_bytes()\n",
		"detector: `Blocking call to io.BufferedReader.read`",
		"🟢 **restore**: passed",
		"### Out of scope\n\n12 of 25 sites and 14 of 24 anchors are outside the change; calls from changed code into other files are not followed. The nightly run covers the whole suite.\n",
		"[full report](<" + runURL + ">)</sub>\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("comment lacks %q", want)
		}
	}
	// One block per anchor, and one for the proven rule.
	if n := strings.Count(out, "<details>"); n != len(r.Anchors)+1 || n != strings.Count(out, "</details>") {
		t.Errorf("%d <details> blocks, want one per anchor and one for the proven rule (%d), balanced", n, len(r.Anchors)+1)
	}
	// No link without a URL; a whole-suite report says what it covered.
	r.Scope = nil
	out = comment(t, r, CommentOptions{Marker: testMarker})
	if strings.Contains(out, "full report](") || strings.Contains(out, "Out of scope") {
		t.Error("a link or a scope section without a URL or a scope")
	}
	if !strings.Contains(out, "\nThe whole anchor suite: 10 anchors, 13 offload sites.\n") {
		t.Error("a whole-suite report does not say so")
	}
}

func TestCommentShortened(t *testing.T) {
	r := bigReport(2000, 30)
	r.Scope = &report.Scope{Base: "origin/main"}
	out := comment(t, r, CommentOptions{Marker: testMarker, ReportURL: runURL})
	if len(out) > DefaultMarkdownLimit {
		t.Fatalf("%d bytes, over the limit", len(out))
	}
	if !strings.HasPrefix(out, testMarker+"\n") || !strings.Contains(out, "the full report has all the evidence") {
		t.Errorf("a shortened comment lost its marker or its note: %q", out[:200])
	}
	listed := compactListing(out)
	for _, a := range r.Anchors {
		if !strings.Contains(out, a.NodeID) && listed[a.NodeID] != a.Verdict {
			t.Fatalf("anchor %s dropped", a.NodeID)
		}
	}
	if !strings.HasSuffix(out, "[full report](<"+runURL+">)</sub>\n") {
		t.Error("a shortened comment lost its link")
	}
}

func TestCommentUntrustedText(t *testing.T) {
	r := scoped(t)
	r.Sites[0].Reason = "<img src=x onerror=alert(1)> | [click](javascript:alert(1))"
	r.Anchors[0].Mutants[0].Diff = "+```\n</details><script>x</script>\n"
	out := comment(t, r, CommentOptions{Marker: testMarker, ReportURL: "https://x.example/a b>c"})
	for _, want := range []string{`\<img src=x onerror=alert(1)\> \| \[click\](javascript:alert(1))`} {
		if !strings.Contains(out, want) {
			t.Errorf("untrusted text is not escaped as %q", want)
		}
	}
	if !strings.Contains(out, "````diff\n+```\n</details><script>x</script>\n````") {
		t.Error("a diff holding a fence and HTML is not kept inside a longer fence")
	}
	if !strings.Contains(out, "(<https://x.example/a%20b%3Ec>)") {
		t.Error("the link target is not escaped")
	}
}
