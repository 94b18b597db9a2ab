package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"regexp"

	"github.com/teethtool/teeth/internal/ghapi"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/render"
	"github.com/teethtool/teeth/report"
)

// repoName is owner/name as GitHub allows them.
var repoName = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// commentFlags are teeth comment's flags.
type commentFlags struct {
	pr                   int
	repo, url, head, key string
}

// comment is "teeth comment [flags] REPORT.json": it keeps one comment on a
// pull request up to date with a JSON report, through GitHub's REST API
// with the job's token. No token, or one GitHub refuses (the read-only
// token of a pull request from a fork), is said in one line and is no
// failure.
func (a *app) comment(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("teeth comment", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	var f commentFlags
	fs.IntVar(&f.pr, "pr", 0, "the pull request's number (default: the pull_request event's, from GITHUB_EVENT_PATH)")
	fs.StringVar(&f.repo, "repo", "", "the repository, owner/name (default $GITHUB_REPOSITORY)")
	fs.StringVar(&f.url, "report-url", "", "link to the full report (the workflow run's artifact)")
	fs.StringVar(&f.head, "head-sha", "", "post only while the pull request's head is this commit (a workflow_run job passes the run's head_sha)")
	fs.StringVar(&f.key, "key", "", "tells apart the comments of several projects in one pull request")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return hint.New("comment takes one JSON report", "teeth comment --pr 7 teeth.json (the file teeth verify --json wrote)")
	}
	r, err := decodeReport(files[0])
	if err != nil {
		return err
	}
	env := ghapi.FromEnv()
	if err := f.resolve(env); err != nil {
		return err
	}
	marker := ghapi.Marker(f.key)
	var body bytes.Buffer
	if err := render.Comment(&body, r, render.CommentOptions{Marker: marker, ReportURL: f.url}); err != nil {
		return hint.New("rendering the comment: "+err.Error(), "a report this large needs the artifact: link it with --report-url")
	}
	if env.Token == "" {
		return a.notPosted("no GitHub token (GITHUB_TOKEN is empty)")
	}
	c := ghapi.New(env.APIURL, env.Token, "teeth/"+a.version)
	if f.head != "" {
		head, err := c.PullRequestHead(ctx, f.repo, f.pr)
		if err != nil {
			return a.postError(err, f)
		}
		if head != f.head {
			return a.notPosted(fmt.Sprintf("pull request #%d is at %s, the report is of %s", f.pr, shortCommit(head), shortCommit(f.head)))
		}
	}
	cm, made, err := c.Sticky(ctx, f.repo, f.pr, marker, body.String())
	if err != nil {
		return a.postError(err, f)
	}
	what := "updated"
	if made {
		what = "created"
	}
	fmt.Fprintf(a.stdout, "%s %s\n", what, cm.HTMLURL)
	return nil
}

// resolve fills the repository and the pull request from the job's
// environment and checks the flags.
func (f *commentFlags) resolve(env ghapi.Env) error {
	if f.repo == "" {
		f.repo = env.Repository
	}
	if !repoName.MatchString(f.repo) {
		return hint.New(fmt.Sprintf("no repository owner/name (--repo %q, GITHUB_REPOSITORY %q)", f.repo, env.Repository), "pass --repo owner/name")
	}
	if f.pr == 0 {
		n, err := env.PullRequest()
		if errors.Is(err, ghapi.ErrNoPullRequest) {
			return hint.New(fmt.Sprintf("no pull request: the job's event is %q", env.EventName), "pass --pr N (a workflow_run job: the number the pull_request job saved)")
		}
		if err != nil {
			return hint.New("reading the pull request's number: "+err.Error(), "pass --pr N")
		}
		f.pr = n
	}
	if f.pr < 0 {
		return hint.New(fmt.Sprintf("--pr %d is no pull request number", f.pr), "pass --pr N")
	}
	if f.url != "" {
		u, err := url.Parse(f.url)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return hint.New(fmt.Sprintf("--report-url %q is not an http(s) URL", f.url), "link the workflow run or its artifact")
		}
	}
	return nil
}

// notPosted says in one line why there is no comment; it is no failure.
func (a *app) notPosted(why string) error {
	fmt.Fprintf(a.stderr, "teeth: comment not posted: %s\n", why)
	return nil
}

// postError is a failed call to the API: a refused token is said in one
// line (no failure), anything else is an error.
func (a *app) postError(err error, f commentFlags) error {
	var e *ghapi.Error
	switch {
	case ghapi.Refused(err) && errors.As(err, &e):
		return a.notPosted(fmt.Sprintf("GitHub refused the token (%d %s): a pull request from a fork gets a read-only token, so post from a workflow_run job (see the README's fork workflow)", e.Status, e.Message))
	case ghapi.NotFound(err):
		return hint.New(fmt.Sprintf("posting the comment: %v", err), fmt.Sprintf("check that pull request #%d exists in %s", f.pr, f.repo))
	}
	return hint.New("posting the comment: "+err.Error(), "check GITHUB_API_URL and the network; the report itself is fine")
}

// decodeReport reads a JSON report and checks it against the schema.
func decodeReport(path string) (*report.Report, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, hint.New("cannot read report "+path, "pass the file teeth verify --json wrote")
	}
	defer fh.Close()
	r, err := report.Decode(fh)
	if err != nil {
		return nil, hint.New(path+": "+err.Error(), "pass the file teeth verify --json or teeth merge --json wrote")
	}
	return r, nil
}

func shortCommit(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
