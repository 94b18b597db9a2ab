package ghapi

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/teethtool/teeth/internal/ghfake"
)

const repo = "acme/notes"

func TestStickyCreatesThenUpdates(t *testing.T) {
	gh := ghfake.New()
	defer gh.Close()
	gh.Seed(repo, 7, "alice", "looks good; "+Marker("")+" quoted mid-comment is not ours")
	c := New(gh.URL, ghfake.WriteToken, "teeth-test")
	ctx := context.Background()
	first, made, err := c.Sticky(ctx, repo, 7, Marker(""), Marker("")+"\nfirst")
	if err != nil || !made {
		t.Fatalf("first: made %v, %v", made, err)
	}
	second, made, err := c.Sticky(ctx, repo, 7, Marker(""), Marker("")+"\nsecond")
	if err != nil || made || second.ID != first.ID {
		t.Fatalf("second: made %v, id %d (first %d), %v", made, second.ID, first.ID, err)
	}
	// Another project's comment in the same pull request is its own.
	if _, made, err := c.Sticky(ctx, repo, 7, Marker("api"), Marker("api")+"\napi"); err != nil || !made {
		t.Fatalf("keyed: made %v, %v", made, err)
	}
	var bodies []string
	for _, cm := range gh.Comments(repo, 7) {
		bodies = append(bodies, cm.User.Login+": "+cm.Body)
	}
	want := []string{
		"alice: looks good; <!-- teeth-comment --> quoted mid-comment is not ours",
		"github-actions[bot]: <!-- teeth-comment -->\nsecond",
		"github-actions[bot]: <!-- teeth-comment: api -->\napi",
	}
	if !slices.Equal(bodies, want) {
		t.Errorf("comments:\n%q\nwant\n%q", bodies, want)
	}
	if !strings.HasPrefix(second.HTMLURL, "https://github.com/acme/notes/pull/7#issuecomment-") {
		t.Errorf("html_url %q", second.HTMLURL)
	}
}

func TestCommentsFollowsPages(t *testing.T) {
	gh := ghfake.New()
	defer gh.Close()
	gh.SetPerPage(2)
	for i := range 5 {
		gh.Seed(repo, 3, "bob", fmt.Sprint("c", i))
	}
	gh.Log()
	all, err := New(gh.URL, "", "teeth-test").Comments(context.Background(), repo, 3)
	if err != nil || len(all) != 5 || all[4].Body != "c4" {
		t.Fatalf("%d comments, %v", len(all), err)
	}
	if log := gh.Log(); len(log) != 3 {
		t.Errorf("%d requests for 5 comments at 2 a page, want 3: %q", len(log), log)
	}
}

func TestNextPageStaysOnTheAPI(t *testing.T) {
	c := New("https://api.github.com/", "t", "ua")
	for link, want := range map[string]string{
		`<https://api.github.com/repos/a/b/issues/1/comments?page=2>; rel="next", <https://api.github.com/x?page=9>; rel="last"`: "https://api.github.com/repos/a/b/issues/1/comments?page=2",
		`<https://evil.example/steal?page=2>; rel="next"`:                                                                        "",
		`<https://api.github.com.evil/x>; rel="next"`:                                                                            "",
		`<https://api.github.com/x?page=1>; rel="prev"`:                                                                          "",
		``: "",
	} {
		if got := c.nextPage(link); got != want {
			t.Errorf("nextPage(%q) = %q, want %q", link, got, want)
		}
	}
}

func TestRefusals(t *testing.T) {
	gh := ghfake.New()
	defer gh.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		token  string
		status int
		msg    string
	}{
		{"", 401, "Requires authentication"},
		{"ghs_bogus", 401, "Bad credentials"},
		{ghfake.ReadToken, 403, "Resource not accessible by integration"},
	} {
		_, _, err := New(gh.URL, tc.token, "teeth-test").Sticky(ctx, repo, 7, Marker(""), Marker("")+"\nx")
		if !Refused(err) || !strings.Contains(err.Error(), fmt.Sprintf(": %d %s", tc.status, tc.msg)) {
			t.Errorf("token %q: %v, want a refusal %d %s", tc.token, err, tc.status, tc.msg)
		}
	}
	if len(gh.Comments(repo, 7)) != 0 {
		t.Error("a refused token made a comment")
	}
	_, err := New(gh.URL, ghfake.WriteToken, "teeth-test").PullRequestHead(ctx, repo, 99)
	if !NotFound(err) || Refused(err) {
		t.Errorf("unknown pull request: %v", err)
	}
}

func TestPullRequestHead(t *testing.T) {
	gh := ghfake.New()
	defer gh.Close()
	gh.SetHead(repo, 7, "abc123")
	sha, err := New(gh.URL, ghfake.WriteToken, "teeth-test").PullRequestHead(context.Background(), repo, 7)
	if err != nil || sha != "abc123" {
		t.Errorf("head %q, %v", sha, err)
	}
}

func TestEnvPullRequest(t *testing.T) {
	dir := t.TempDir()
	event := filepath.Join(dir, "event.json")
	if err := os.WriteFile(event, []byte(`{"action": "synchronize", "pull_request": {"number": 42}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := (Env{EventName: "pull_request", EventPath: event}).PullRequest(); n != 42 || err != nil {
		t.Errorf("pull_request: %d, %v", n, err)
	}
	if _, err := (Env{EventName: "push", EventPath: event}).PullRequest(); err != ErrNoPullRequest {
		t.Errorf("push: %v", err)
	}
	os.WriteFile(event, []byte(`{"pull_request": {}}`), 0o644)
	if _, err := (Env{EventName: "pull_request_target", EventPath: event}).PullRequest(); err == nil || !strings.Contains(err.Error(), "no pull_request.number") {
		t.Errorf("no number: %v", err)
	}
}

func TestMarker(t *testing.T) {
	for key, want := range map[string]string{
		"":             "<!-- teeth-comment -->",
		"services/api": "<!-- teeth-comment: services/api -->",
		"a-->b":        "<!-- teeth-comment: a-b -->",
	} {
		if got := Marker(key); got != want {
			t.Errorf("Marker(%q) = %q, want %q", key, got, want)
		}
	}
}
