package ghapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// Comment is an issue (or pull request) comment.
type Comment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
}

// Comments lists every comment of issue or pull request n of repo
// (owner/name), oldest first, page by page.
func (c *Client) Comments(ctx context.Context, repo string, n int) ([]Comment, error) {
	var all []Comment
	next := c.path("/repos/%s/issues/%d/comments?per_page=100", repo, n)
	for next != "" {
		var page []Comment
		var err error
		if next, err = c.do(ctx, http.MethodGet, next, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page...)
	}
	return all, nil
}

// CreateComment adds a comment to issue or pull request n.
func (c *Client) CreateComment(ctx context.Context, repo string, n int, body string) (Comment, error) {
	var out Comment
	_, err := c.do(ctx, http.MethodPost, c.path("/repos/%s/issues/%d/comments", repo, n), map[string]string{"body": body}, &out)
	return out, err
}

// UpdateComment replaces the body of comment id.
func (c *Client) UpdateComment(ctx context.Context, repo string, id int64, body string) (Comment, error) {
	var out Comment
	_, err := c.do(ctx, http.MethodPatch, c.path("/repos/%s/issues/comments/%d", repo, id), map[string]string{"body": body}, &out)
	return out, err
}

// Marker is the hidden first line that marks teeth's comment on a pull
// request; key tells apart the comments of several projects in one
// repository ("" for the one comment of a single project).
func Marker(key string) string {
	if key == "" {
		return "<!-- teeth-comment -->"
	}
	return fmt.Sprintf("<!-- teeth-comment: %s -->", strings.NewReplacer("--", "-", ">", "", "\n", " ").Replace(key))
}

// Sticky keeps one comment on pull request n: the oldest comment whose
// body starts with marker gets body (which must start with marker too), or
// a new comment is made when there is none. It reports whether it made one.
func (c *Client) Sticky(ctx context.Context, repo string, n int, marker, body string) (Comment, bool, error) {
	if !strings.HasPrefix(body, marker) {
		return Comment{}, false, fmt.Errorf("the comment body does not start with its marker %s", marker)
	}
	comments, err := c.Comments(ctx, repo, n)
	if err != nil {
		return Comment{}, false, err
	}
	for _, old := range comments {
		if rest, ok := strings.CutPrefix(old.Body, marker); ok && (rest == "" || rest[0] == '\n' || rest[0] == '\r') {
			updated, err := c.UpdateComment(ctx, repo, old.ID, body)
			return updated, false, err
		}
	}
	made, err := c.CreateComment(ctx, repo, n, body)
	return made, true, err
}

// PullRequestHead is the commit at the head of pull request n.
func (c *Client) PullRequestHead(ctx context.Context, repo string, n int) (string, error) {
	var pr struct {
		Head struct {
			SHA string `json:"sha"`
		} `json:"head"`
	}
	_, err := c.do(ctx, http.MethodGet, c.path("/repos/%s/pulls/%d", repo, n), nil, &pr)
	return pr.Head.SHA, err
}
