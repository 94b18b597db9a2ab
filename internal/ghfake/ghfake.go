// Package ghfake is a local stand-in for the parts of GitHub that teeth's
// action and teeth comment use: the REST endpoints that list, create and
// update issue comments and read a pull request, with GitHub's answers to
// a missing, bad or read-only token, its pagination, and release downloads
// served from a directory. Only tests import it.
package ghfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// The tokens the server knows: WriteToken may comment, ReadToken is the
// read-only token of a pull request from a fork.
const (
	WriteToken = "ghs_write"
	ReadToken  = "ghs_read"
	// Bot is the author of every comment made with a token.
	Bot = "github-actions[bot]"
)

// Comment is a stored comment.
type Comment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	User    User   `json:"user"`
	HTMLURL string `json:"html_url"`
	issue   string
}

// User is a comment's author.
type User struct {
	Login string `json:"login"`
}

// Server is a fake GitHub on a local port.
type Server struct {
	*httptest.Server

	mu            sync.Mutex
	perPage       int    // the largest page of comments served
	releases, tag string // the release served, see ServeRelease
	comments      []*Comment
	heads         map[string]string
	log           []string
	nextID        int64
}

// New starts a fake GitHub; Close stops it.
func New() *Server {
	s := &Server{perPage: 100, heads: map[string]string{}, nextID: 1000}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{n}/comments", s.list)
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues/{n}/comments", s.create)
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/issues/comments/{id}", s.update)
	mux.HandleFunc("GET /repos/{owner}/{repo}/pulls/{n}", s.pull)
	mux.HandleFunc("GET /releases/download/{tag}/{file}", s.release)
	mux.HandleFunc("GET /releases/latest/download/{file}", s.release)
	s.Server = httptest.NewServer(s.logged(mux))
	return s
}

// SetPerPage sets the largest page of comments served (GitHub's: 100).
func (s *Server) SetPerPage(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perPage = n
}

// ServeRelease serves the files of directory dir as the release tag, at
// /releases/download/TAG/ and /releases/latest/download/.
func (s *Server) ServeRelease(dir, tag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releases, s.tag = dir, tag
}

// SetHead makes sha the head commit of pull request n of repo.
func (s *Server) SetHead(repo string, n int, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heads[issueKey(repo, n)] = sha
}

// Seed adds a comment by login, as a person would write it.
func (s *Server) Seed(repo string, n int, login, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(issueKey(repo, n), login, body)
}

// Comments returns the comments of pull request n of repo, oldest first.
func (s *Server) Comments(repo string, n int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.issue == issueKey(repo, n) {
			out = append(out, *c)
		}
	}
	return out
}

// Log returns "METHOD PATH STATUS" for every request so far, and forgets them.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.log
	s.log = nil
	return out
}

func issueKey(repo string, n int) string { return fmt.Sprintf("%s#%d", repo, n) }

func (s *Server) add(issue, login, body string) *Comment {
	s.nextID++
	repo, n, _ := strings.Cut(issue, "#")
	c := &Comment{ID: s.nextID, Body: body, User: User{login}, issue: issue,
		HTMLURL: fmt.Sprintf("https://github.com/%s/pull/%s#issuecomment-%d", repo, n, s.nextID)}
	s.comments = append(s.comments, c)
	return c
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		if r.Header.Get("User-Agent") == "" {
			fail(sw, http.StatusForbidden, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header")
		} else {
			h.ServeHTTP(sw, r)
		}
		s.mu.Lock()
		s.log = append(s.log, fmt.Sprintf("%s %s %d", r.Method, r.URL.Path, sw.status))
		s.mu.Unlock()
	})
}

func fail(w http.ResponseWriter, status int, msg string) {
	reply(w, status, map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest", "status": strconv.Itoa(status)})
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// may checks the request's token: reading works without one (a public
// repository), writing needs WriteToken. It answers the refusal itself.
func may(w http.ResponseWriter, r *http.Request, write bool) bool {
	auth := r.Header.Get("Authorization")
	token, bearer := strings.CutPrefix(auth, "Bearer ")
	switch {
	case auth == "" && !write:
		return true
	case auth == "":
		fail(w, http.StatusUnauthorized, "Requires authentication")
	case !bearer || token != WriteToken && token != ReadToken:
		fail(w, http.StatusUnauthorized, "Bad credentials")
	case write && token == ReadToken:
		fail(w, http.StatusForbidden, "Resource not accessible by integration")
	default:
		return true
	}
	return false
}

func issueOf(r *http.Request) (string, bool) {
	n, err := strconv.Atoi(r.PathValue("n"))
	return issueKey(r.PathValue("owner")+"/"+r.PathValue("repo"), n), err == nil && n > 0
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	issue, ok := issueOf(r)
	if !ok {
		fail(w, http.StatusNotFound, "Not Found")
		return
	}
	if !may(w, r, false) {
		return
	}
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	s.mu.Lock()
	if per <= 0 || per > s.perPage {
		per = min(30, s.perPage)
	}
	var all []Comment
	for _, c := range s.comments {
		if c.issue == issue {
			all = append(all, *c)
		}
	}
	s.mu.Unlock()
	from := min((page-1)*per, len(all))
	to := min(from+per, len(all))
	if to < len(all) {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(page+1))
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, s.URL, r.URL.Path, q.Encode()))
	}
	out := all[from:to]
	if out == nil {
		out = []Comment{}
	}
	reply(w, http.StatusOK, out)
}

// body decodes a comment request's {"body": ...}.
func body(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == nil {
		fail(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"body\" wasn't supplied.")
		return "", false
	}
	if len([]rune(*in.Body)) > 65536 {
		fail(w, http.StatusUnprocessableEntity, "Validation Failed: body is too long (maximum is 65536 characters)")
		return "", false
	}
	return *in.Body, true
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	issue, ok := issueOf(r)
	if !ok {
		fail(w, http.StatusNotFound, "Not Found")
		return
	}
	if !may(w, r, true) {
		return
	}
	text, ok := body(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	c := *s.add(issue, Bot, text)
	s.mu.Unlock()
	reply(w, http.StatusCreated, c)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	if !may(w, r, true) {
		return
	}
	text, ok := body(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	repo := r.PathValue("owner") + "/" + r.PathValue("repo")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.comments {
		if c.ID == id && strings.HasPrefix(c.issue, repo+"#") {
			if c.User.Login != Bot {
				fail(w, http.StatusForbidden, "Resource not accessible by integration")
				return
			}
			c.Body = text
			reply(w, http.StatusOK, *c)
			return
		}
	}
	fail(w, http.StatusNotFound, "Not Found")
}

func (s *Server) pull(w http.ResponseWriter, r *http.Request) {
	issue, ok := issueOf(r)
	if !ok || !may(w, r, false) {
		if !ok {
			fail(w, http.StatusNotFound, "Not Found")
		}
		return
	}
	s.mu.Lock()
	sha, known := s.heads[issue]
	s.mu.Unlock()
	if !known {
		fail(w, http.StatusNotFound, "Not Found")
		return
	}
	_, n, _ := strings.Cut(issue, "#")
	num, _ := strconv.Atoi(n)
	reply(w, http.StatusOK, map[string]any{"number": num, "head": map[string]string{"sha": sha}})
}

// release serves a file of the release ServeRelease set.
func (s *Server) release(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	dir, served := s.releases, s.tag
	s.mu.Unlock()
	tag, file := r.PathValue("tag"), r.PathValue("file")
	if tag == "" {
		tag = served
	}
	if dir == "" || tag != served || file != filepath.Base(file) {
		http.NotFound(w, r)
		return
	}
	http.ServeFile(w, r, filepath.Join(dir, file))
}
