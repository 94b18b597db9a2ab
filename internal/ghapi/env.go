package ghapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// Env is what a GitHub Actions job says about where it runs.
type Env struct {
	APIURL     string // GITHUB_API_URL
	Token      string // GITHUB_TOKEN
	Repository string // GITHUB_REPOSITORY, owner/name
	EventName  string // GITHUB_EVENT_NAME
	EventPath  string // GITHUB_EVENT_PATH: the event's payload
}

// FromEnv reads the job's environment.
func FromEnv() Env {
	return Env{APIURL: os.Getenv("GITHUB_API_URL"), Token: os.Getenv("GITHUB_TOKEN"),
		Repository: os.Getenv("GITHUB_REPOSITORY"), EventName: os.Getenv("GITHUB_EVENT_NAME"),
		EventPath: os.Getenv("GITHUB_EVENT_PATH")}
}

// ErrNoPullRequest is PullRequest's error when the job's event is not
// about a pull request.
var ErrNoPullRequest = errors.New("the event is not a pull request's")

// PullRequest is the number of the pull request the job's event is about
// (pull_request and pull_request_target events).
func (e Env) PullRequest() (int, error) {
	if e.EventName != "pull_request" && e.EventName != "pull_request_target" || e.EventPath == "" {
		return 0, ErrNoPullRequest
	}
	data, err := os.ReadFile(e.EventPath)
	if err != nil {
		return 0, err
	}
	var ev struct {
		PullRequest struct {
			Number int `json:"number"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return 0, fmt.Errorf("%s: %v", e.EventPath, err)
	}
	if ev.PullRequest.Number <= 0 {
		return 0, fmt.Errorf("%s holds no pull_request.number", e.EventPath)
	}
	return ev.PullRequest.Number, nil
}
