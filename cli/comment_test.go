package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teethtool/teeth/internal/ghfake"
)

// commentEnv sets a job's environment for teeth comment against gh.
func commentEnv(t *testing.T, gh *ghfake.Server, token string) {
	t.Setenv("GITHUB_API_URL", gh.URL)
	t.Setenv("GITHUB_TOKEN", token)
	t.Setenv("GITHUB_REPOSITORY", "acme/notes")
	t.Setenv("GITHUB_EVENT_NAME", "push")
	t.Setenv("GITHUB_EVENT_PATH", "")
}

func runComment(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errw bytes.Buffer
	err := Run(context.Background(), "v1.2.3", append([]string{"comment"}, args...), &out, &errw)
	code = exitWith(err, &errw)
	return out.String(), errw.String(), code
}

const sampleReport = "../report/testdata/report.json"

func TestCommentEdges(t *testing.T) {
	gh := ghfake.New()
	defer gh.Close()
	commentEnv(t, gh, ghfake.WriteToken)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"tool": "teeth"}`), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string // a line of stderr
	}{
		{"no report", []string{"--pr", "7"}, "teeth: comment takes one JSON report"},
		{"not a report", []string{"--pr", "7", bad}, "teeth: " + bad + ": not a teeth report of schema_version 1: at /: missing properties"},
		{"no pull request", []string{sampleReport}, `teeth: no pull request: the job's event is "push"`},
		{"bad repository", []string{"--pr", "7", "--repo", "acme", sampleReport}, `teeth: no repository owner/name (--repo "acme", GITHUB_REPOSITORY "acme/notes")`},
		{"bad link", []string{"--pr", "7", "--report-url", "javascript:alert(1)", sampleReport}, `teeth: --report-url "javascript:alert(1)" is not an http(s) URL`},
		{"unknown pull request", []string{"--pr", "8", "--head-sha", "abc", sampleReport}, "teeth: posting the comment: GET " + gh.URL + "/repos/acme/notes/pulls/8: 404 Not Found"},
	} {
		_, stderr, code := runComment(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "teeth: hint: ") {
			t.Errorf("%s: exit %d, stderr %q; want exit 2, %q and a hint", tc.name, code, stderr, tc.want)
		}
	}
	if n := len(gh.Comments("acme/notes", 7)) + len(gh.Comments("acme/notes", 8)); n != 0 {
		t.Errorf("%d comments after errors only", n)
	}
}

func TestCommentPostsAndUpdates(t *testing.T) {
	gh := ghfake.New()
	defer gh.Close()
	commentEnv(t, gh, ghfake.WriteToken)
	event := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(event, []byte(`{"pull_request": {"number": 7}}`), 0o644)
	t.Setenv("GITHUB_EVENT_NAME", "pull_request")
	t.Setenv("GITHUB_EVENT_PATH", event)
	for i, want := range []string{"created ", "updated "} {
		stdout, stderr, code := runComment(t, "--report-url", "https://example.com/r", sampleReport)
		if code != 0 || !strings.HasPrefix(stdout, want+"https://github.com/acme/notes/pull/7#issuecomment-") || stderr != "" {
			t.Fatalf("run %d: exit %d, stdout %q, stderr %q", i+1, code, stdout, stderr)
		}
	}
	cs := gh.Comments("acme/notes", 7)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, "<!-- teeth-comment -->\n## teeth: ") || !strings.Contains(cs[0].Body, "(<https://example.com/r>)") {
		t.Fatalf("comments: %+v", cs)
	}
	// Another project's key keeps its own comment.
	if stdout, _, code := runComment(t, "--key", "api", sampleReport); code != 0 || !strings.HasPrefix(stdout, "created ") {
		t.Errorf("keyed: exit %d, %q", code, stdout)
	}
	if cs := gh.Comments("acme/notes", 7); len(cs) != 2 || !strings.HasPrefix(cs[1].Body, "<!-- teeth-comment: api -->\n") {
		t.Errorf("keyed comment: %+v", cs)
	}
}

func TestCommentNotPosted(t *testing.T) {
	gh := ghfake.New()
	defer gh.Close()
	for _, tc := range []struct{ token, want string }{
		{"", "teeth: comment not posted: no GitHub token (GITHUB_TOKEN is empty)\n"},
		{"ghs_expired", "teeth: comment not posted: GitHub refused the token (401 Bad credentials): "},
		{ghfake.ReadToken, "teeth: comment not posted: GitHub refused the token (403 Resource not accessible by integration): a pull request from a fork gets a read-only token"},
	} {
		commentEnv(t, gh, tc.token)
		stdout, stderr, code := runComment(t, "--pr", "7", sampleReport)
		if code != 0 || stdout != "" || !strings.HasPrefix(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("token %q: exit %d, stdout %q, stderr %q; want exit 0 and one line %q", tc.token, code, stdout, stderr, tc.want)
		}
	}
	if n := len(gh.Comments("acme/notes", 7)); n != 0 {
		t.Errorf("%d comments posted", n)
	}
}
