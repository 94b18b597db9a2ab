package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/teethtool/teeth/report"
)

func markdown(t *testing.T, r *report.Report, opt MarkdownOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Markdown(&buf, r, opt); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestMarkdownGolden(t *testing.T) {
	checkGolden(t, "fixture.md", []byte(markdown(t, fixture(t), MarkdownOptions{})))
}

func TestMarkdownContent(t *testing.T) {
	r := fixture(t)
	out := markdown(t, r, MarkdownOptions{})
	for _, want := range []string{
		"## teeth: ❌ 6 of 10 anchors fail the run (2 with teeth)\n",
		"| verdict | anchors | sites |\n",
		"| teeth | 2 |  |\n", "| guarded |  | 6 |\n", "| swallowed | 1 | 1 |\n", "| **total** | **10** | **13** |\n",
		"### Anchors without teeth (8)\n",
		// What needs action, one line a kind, and the files with bars.
		"- ❌ **broken** (1): anchors not green at baseline. Fix: make it pass at baseline",
		"- ⚠️ **rule** (1): proven detector rules to add. Fix: add the rule to the gate in a commit of its own",
		"- 🔎 **gate-off** (1): anchors that opt out of the gate. Fix: ",
		"| `app/notes.py` | 5 | 🟩🟩🟩🟩🟩🟩🟥🟥🟧🟧 3 guarded, 1 survived, 1 unguarded | 60% |\n",
		"🟩 guarded · 🟨 swallowed · 🟫 red-other · 🟪 timeout · 🟥 survived · 🟧 unguarded · ⬛ invalid\n",
		"| ❌ | rule-candidate | `tests/blocking_io/test_durability_io.py::test_checkpoint_flushes_notes_directory` |",
		"| ⚠️ | gate-off | `tests/blocking_io/test_legacy_import_io.py::test_imported_legacy_notes_are_listed` |",
		// The red→green block of an anchor with teeth: diff, failing line and
		// detector, reproduce command, restore.
		"<details><summary>✅ <b>teeth</b> <code>tests/blocking_io/test_attachments_io.py::test_download_returns_stored_bytes</code></summary>\n\n",
		"```diff\n--- a/packages/storekit/storekit/blobs.py\n",
		"-            return await asyncio.to_thread(path.read_bytes)\n+            return path.read_bytes()\n",
		"🔴 **red, the gate fired**: failed at `tests/blocking_io/test_attachments_io.py:34: assert await attachments.download(digest) == b\"hello\"` · detector: `Blocking call to io.BufferedReader.read`\n",
		"reproduce: `teeth verify --site 'packages/storekit/storekit/blobs.py:BlobStore.get:path.read_bytes#0' --anchors tests/blocking_io/test_attachments_io.py::test_download_returns_stored_bytes .`\n",
		"🟢 **restore**: passed (0.004 s)\n",
		// A site id with <lambda> is escaped in HTML and kept in code.
		"`app/notes.py:NoteService.list_notes:<lambda>#0`",
		// The rule candidates: a proven rule with its runs and patch, and
		// a site without a rule, with the reason.
		"### Rule candidates (2)\n",
		"<details><summary>✅ <b>proven</b> rule for <code>os.fsync</code> at <code>app/notes.py:NoteService.checkpoint:fsync_directory#0</code></summary>\n\n",
		"🔴 **offload removed, rule in**: `tests/blocking_io/test_durability_io.py::test_checkpoint_flushes_notes_directory` failed: Blocking call to os.fsync at app/fileio.py:41\n",
		"🟢 **offload restored, rule in**: `tests/blocking_io/test_durability_io.py::test_checkpoint_flushes_notes_directory` passed\n",
		"collateral: none of the 24 anchors fires it on unmutated code\n",
		"+        _blockbuster.functions[\"os.fsync\"] = BlockBusterFunction(\n",
		"- ➖ `packages/storekit/storekit/blobs.py:BlobStore.put:_sha256_hex#0`: no rule: the call spent its time on the loop in CPU work (`hashlib.openssl_sha256` ×2 and `hashlib.HASH.hexdigest` ×2), not in IO;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Contains(out, "✂️") {
		t.Error("a small report was shortened")
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Error("unbalanced <details>")
	}
	evidence := out[strings.Index(out, "### Evidence"):]
	if n := strings.Count(evidence, "<details>"); n != len(r.Anchors) {
		t.Errorf("%d <details> blocks, want one per anchor (%d)", n, len(r.Anchors))
	}
	// Failing anchors come first: the first block is a failing one.
	if i, j := strings.Index(evidence, "<summary>❌"), strings.Index(evidence, "<summary>✅"); i < 0 || j < i {
		t.Errorf("failing anchors are not listed before anchors with teeth")
	}
}

func TestMarkdownTitle(t *testing.T) {
	r := fixture(t)
	if out := markdown(t, r, MarkdownOptions{FailOn: []string{report.Broken}}); !strings.HasPrefix(out, "## teeth: ❌ 1 of 10 anchors fail the run") {
		t.Errorf("fail_on [broken]: title %q", report.FirstLine(out))
	}
	if out := markdown(t, r, MarkdownOptions{FailOn: []string{}}); !strings.HasPrefix(out, "## teeth: ✅ no anchor fails the run (2 of 10 with teeth)") {
		t.Errorf("empty fail_on: title %q", report.FirstLine(out))
	}
	r.Anchors = r.Anchors[:2]
	if out := markdown(t, r, MarkdownOptions{}); !strings.HasPrefix(out, "## teeth: ✅ all 2 anchors have teeth") {
		t.Errorf("all teeth: title %q", report.FirstLine(out))
	}
}

// listedAnchors returns, for a Markdown report, the verdict each anchor is
// listed under in its compact form, keyed by node id.
func compactListing(out string) map[string]string {
	group := regexp.MustCompile("^(?:✅|❌|⚠️) \\*\\*(.+)\\*\\* \\(\\d+\\)$")
	line := regexp.MustCompile("^- `([^`]+)`: `([^`]+)`$")
	listed := map[string]string{}
	verdict := ""
	for _, l := range strings.Split(out, "\n") {
		if m := group.FindStringSubmatch(l); m != nil {
			verdict = strings.ReplaceAll(m[1], `\`, "")
		}
		if m := line.FindStringSubmatch(l); m != nil && verdict != "" {
			for _, name := range strings.Split(m[2], ", ") {
				listed[m[1]+"::"+name] = verdict
			}
		}
	}
	return listed
}

func TestMarkdown2000AnchorsStaysUnderLimit(t *testing.T) {
	r := bigReport(2000, 30)
	out := markdown(t, r, MarkdownOptions{})
	if len(out) > DefaultMarkdownLimit {
		t.Fatalf("%d bytes, over the limit of %d", len(out), DefaultMarkdownLimit)
	}
	full := renderMarkdown(r, report.DefaultFailOn, mdLadder()[0], 1<<30)
	if len(full) <= DefaultMarkdownLimit {
		t.Fatalf("the unshortened report is only %d bytes: the test does not test shortening", len(full))
	}
	if !strings.Contains(out, "✂️ **Shortened to fit the 65536-character limit of a comment:**") {
		t.Error("no note says what was cut")
	}
	listed := compactListing(out)
	for _, a := range r.Anchors {
		if strings.Contains(out, a.NodeID) {
			continue
		}
		if v, ok := listed[a.NodeID]; !ok {
			t.Fatalf("anchor %s was dropped", a.NodeID)
		} else if v != a.Verdict {
			t.Fatalf("anchor %s listed as %s, its verdict is %s", a.NodeID, v, a.Verdict)
		}
	}
	if !strings.Contains(out, "| **total** | **2000** |") {
		t.Error("the summary table was lost")
	}
}

func TestMarkdownCutsDiffsFirst(t *testing.T) {
	// 8 anchors with 200-line diffs: cutting the diffs is enough.
	r := bigReport(8, 200)
	out := markdown(t, r, MarkdownOptions{})
	if len(out) > DefaultMarkdownLimit {
		t.Fatalf("%d bytes, over the limit", len(out))
	}
	for _, want := range []string{"diffs cut to", "_✂️ diff cut to "} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q: the diffs were not cut visibly", want)
		}
	}
	if strings.Contains(out, "excerpts") {
		t.Error("excerpts were cut although cutting diffs was enough")
	}
	for _, a := range r.Anchors {
		if !strings.Contains(out, a.NodeID) {
			t.Fatalf("anchor %s missing", a.NodeID)
		}
	}
	if strings.Count(out, "<details>") != len(r.Anchors) {
		t.Error("an anchor lost its evidence block although only diffs needed cutting")
	}
}

func TestMarkdownEveryLimit(t *testing.T) {
	r := bigReport(120, 60)
	for limit := 3000; limit <= 200000; limit = limit * 3 / 2 {
		var buf bytes.Buffer
		err := Markdown(&buf, r, MarkdownOptions{Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if len(out) > limit {
			t.Fatalf("limit %d: %d bytes", limit, len(out))
		}
		if strings.Contains(out, "entries of each list shown") || strings.Contains(out, "only the verdict counts") {
			if !strings.Contains(out, "JSON report (`--json`) and the HTML report (`--html`) have everything") {
				t.Fatalf("limit %d: lists cut without a pointer to the full reports", limit)
			}
			continue // the degraded forms: first entries per list, then counts only
		}
		listed := compactListing(out)
		for _, a := range r.Anchors {
			if !strings.Contains(out, a.NodeID) && listed[a.NodeID] != a.Verdict {
				t.Fatalf("limit %d: anchor %s dropped", limit, a.NodeID)
			}
		}
	}
	// The full report is about 200 kB; some limit in the sweep must fit.
	var buf bytes.Buffer
	if err := Markdown(&buf, r, MarkdownOptions{Limit: 12000}); err != nil {
		t.Fatalf("limit 12000: %v", err)
	}
}

// TestMarkdownTooLarge: a report whose compact listing is over the limit
// still writes, degraded to the first entries per list and then the counts,
// with a pointer to the full reports.
func TestMarkdownTooLarge(t *testing.T) {
	for _, limit := range []int{1000, 4000} {
		var buf bytes.Buffer
		if err := Markdown(&buf, bigReport(2000, 5), MarkdownOptions{Limit: limit}); err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		out := buf.String()
		if len(out) > limit || !strings.HasPrefix(out, "## teeth: ") {
			t.Fatalf("limit %d: %d bytes:\n%s", limit, len(out), out)
		}
		if !strings.Contains(out, "have everything") {
			t.Fatalf("limit %d: no pointer to the full reports:\n%s", limit, out)
		}
	}
	var buf bytes.Buffer
	if err := Markdown(&buf, bigReport(2000, 5), MarkdownOptions{Limit: 20000}); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "… and ") {
		t.Fatalf("a 2000-anchor report at 20000 bytes shows no first entries:\n%s", out)
	}
}

func TestMarkdownEscaping(t *testing.T) {
	r := fixture(t)
	a := &r.Anchors[2]
	a.NodeID = "tests/x.py::test_a[`<script>`|b]"
	a.Reason = "reason with | pipe, <b>tag</b> and *stars*\nand a second line"
	out := markdown(t, r, MarkdownOptions{})
	for _, want := range []string{
		"<code>tests/x.py::test_a[`&lt;script&gt;`|b]</code></summary>",            // HTML-escaped in <summary>
		"| ``tests/x.py::test_a[`<script>`\\|b]`` | reason with \\| pipe, \\<b\\>", // code span with a longer fence, | escaped in the table
		"\\*stars\\* and a second line |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Contains(out, "<script>`|b]</code>") || strings.Contains(out, "<b>tag</b>") {
		t.Error("raw HTML from the report reached the Markdown")
	}
	// A diff holding a fence gets a longer fence.
	r.Anchors[0].Mutants[0].Diff = "--- a\n+++ b\n+```\n"
	out = markdown(t, r, MarkdownOptions{})
	if !strings.Contains(out, "````diff\n--- a\n+++ b\n+```\n````\n") {
		t.Error("a diff containing ``` is not fenced with ````")
	}
}
