package actrun

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

var (
	exprRe   = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	lookupRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)+$`)
)

// context is what expressions look up.
type context struct {
	inputs map[string]string
	steps  map[string]map[string]string // step id -> outputs
	env    func(string) string          // the job's environment
	action string                       // the action's directory
	event  map[string]any               // GITHUB_EVENT_PATH's payload
}

// eval replaces every ${{ lookup }} in s.
func (c *context) eval(s string) (string, error) {
	var err error
	out := exprRe.ReplaceAllStringFunc(s, func(m string) string {
		v, e := c.lookup(strings.TrimSpace(m[3 : len(m)-2]))
		if e != nil && err == nil {
			err = e
		}
		return v
	})
	return out, err
}

// lookup evaluates one context lookup, as GitHub does: a missing property
// is the empty string.
func (c *context) lookup(expr string) (string, error) {
	if !lookupRe.MatchString(expr) {
		return "", fmt.Errorf("actrun evaluates only context lookups, not %q", expr)
	}
	path := strings.Split(expr, ".")
	switch path[0] {
	case "inputs":
		if len(path) == 2 {
			return c.inputs[path[1]], nil
		}
	case "steps":
		if len(path) == 4 && path[2] == "outputs" {
			return c.steps[path[1]][path[3]], nil
		}
	case "runner":
		if len(path) == 2 {
			return c.env("RUNNER_" + strings.ToUpper(path[1])), nil
		}
	case "github":
		return c.github(path[1:])
	}
	return "", fmt.Errorf("actrun cannot evaluate %q", expr)
}

func (c *context) github(path []string) (string, error) {
	switch {
	case len(path) == 1 && path[0] == "action_path":
		return c.action, nil
	case len(path) == 1:
		return c.env("GITHUB_" + strings.ToUpper(path[0])), nil
	case path[0] == "event":
		var v any = c.event
		for _, p := range path[1:] {
			m, ok := v.(map[string]any)
			if !ok {
				return "", nil
			}
			v = m[p]
		}
		switch v := v.(type) {
		case nil:
			return "", nil
		case string:
			return v, nil
		case float64, bool:
			return fmt.Sprint(v), nil
		default:
			data, err := json.Marshal(v)
			return string(data), err
		}
	}
	return "", fmt.Errorf("actrun cannot evaluate github.%s", strings.Join(path, "."))
}

// loadEvent reads the event payload GITHUB_EVENT_PATH names, if any.
func loadEvent(path string) (map[string]any, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return ev, nil
}
