// Package ghapi owns teeth's few calls to GitHub's REST API: listing,
// creating and updating the comments of a pull request (an issue, to the
// API) and reading a pull request's head, with the workflow's token. The API
// is GitHub's or GitHub Enterprise's: GITHUB_API_URL names it, as on every
// Actions runner, so tests point it at a local server.
package ghapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultAPIURL is the API of github.com.
const DefaultAPIURL = "https://api.github.com"

// Client calls the REST API with one token.
type Client struct {
	BaseURL   string // the API's root, e.g. https://api.github.com
	Token     string // the workflow's token; sent only to BaseURL
	UserAgent string // GitHub refuses requests without one
	HTTP      *http.Client
}

// New is a client of the API at baseURL ("" means DefaultAPIURL) with a
// 30-second limit per request.
func New(baseURL, token, userAgent string) *Client {
	if baseURL == "" {
		baseURL = DefaultAPIURL
	}
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Token: token, UserAgent: userAgent,
		HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// Error is a response of the API that is not a success.
type Error struct {
	Method, URL string
	Status      int
	Message     string // GitHub's "message", or the status text
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, e.Message)
}

// Refused reports whether err is the API refusing the token: 401 (no
// token, or a bad one) or 403 (a token without the permission, such as the
// read-only token of a pull request from a fork).
func Refused(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden)
}

// NotFound reports whether err is a 404 of the API.
func NotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// do sends one request (in, when not nil, as its JSON body), decodes a
// success's JSON body into out, and returns the response's next-page URL.
func (c *Client) do(ctx context.Context, method, rawURL string, in, out any) (next string, err error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return "", err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", c.UserAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode/100 != 2 {
		return "", apiError(method, rawURL, resp, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return "", fmt.Errorf("%s %s: the response is not the JSON expected: %v", method, rawURL, err)
		}
	}
	return c.nextPage(resp.Header.Get("Link")), nil
}

func apiError(method, rawURL string, resp *http.Response, data []byte) error {
	var m struct {
		Message string `json:"message"`
	}
	e := &Error{Method: method, URL: rawURL, Status: resp.StatusCode}
	if json.Unmarshal(data, &m) == nil && m.Message != "" {
		e.Message = m.Message
	} else {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// nextPage is the rel="next" URL of a Link header, when it is on the API
// (the token is never sent anywhere else).
func (c *Client) nextPage(link string) string {
	for _, part := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok || !strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="next"`) {
			continue
		}
		target = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(target), "<"), ">")
		if strings.HasPrefix(target, c.BaseURL+"/") {
			return target
		}
	}
	return ""
}

// path is the API URL of a path whose segments are escaped.
func (c *Client) path(format string, args ...any) string {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = escapeRepo(s)
		}
	}
	return c.BaseURL + fmt.Sprintf(format, args...)
}

// escapeRepo escapes each segment of owner/name.
func escapeRepo(s string) string {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
