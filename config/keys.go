package config

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/report"
)

// keySetters maps each [tool.teeth] key to the function that checks and stores its value.
var keySetters = map[string]func(c *Config, v any) error{
	"project_dir":      func(c *Config, v any) error { return setString(&c.Dir, v) },
	"anchors":          func(c *Config, v any) error { return setList(&c.Anchors, v, true) },
	"source_roots":     func(c *Config, v any) error { return setList(&c.SourceRoots, v, true) },
	"python":           func(c *Config, v any) error { return setString(&c.Python, v) },
	"command":          func(c *Config, v any) error { return setList(&c.Command, v, true) },
	"pytest_args":      func(c *Config, v any) error { return setList(&c.PytestArgs, v, false) },
	"detectors":        func(c *Config, v any) error { return setList(&c.Detectors, v, true) },
	"wrappers":         func(c *Config, v any) error { return setList(&c.Wrappers, v, false) },
	"exclude":          func(c *Config, v any) error { return setList(&c.Exclude, v, false) },
	"jobs":             func(c *Config, v any) error { return setInt(&c.Jobs, v) },
	"max_runs":         func(c *Config, v any) error { return setInt(&c.MaxRuns, v) },
	"timeout_factor":   func(c *Config, v any) error { return setFloat(&c.TimeoutFactor, v, false, maxTimeoutFactor) },
	"timeout_base":     func(c *Config, v any) error { return setFloat(&c.TimeoutBase, v, true, maxSeconds) },
	"baseline_timeout": func(c *Config, v any) error { return setFloat(&c.BaselineTimeout, v, false, maxSeconds) },
	"fail_on":          func(c *Config, v any) error { return setVerdicts(&c.FailOn, v) },
	"optout_marker":    func(c *Config, v any) error { return setString(&c.Marker, v) },
	"warm":             func(c *Config, v any) error { return setBool(&c.Warm, v) },
	"prove_rules":      func(c *Config, v any) error { return setBool(&c.ProveRules, v) },
	"findings":         func(c *Config, v any) error { return setString(&c.Findings, v) },
	"audit_fail_on":    func(c *Config, v any) error { return setKinds(&c.AuditFailOn, v) },
	"no_site":          func(c *Config, v any) error { return setChoice(&c.NoSite, v, report.NoSiteList, report.NoSiteCount) },
}

// setChoice accepts one of the strings choices.
func setChoice(dst *string, v any, choices ...string) error {
	s, ok := v.(string)
	if !ok || !slices.Contains(choices, s) {
		return fmt.Errorf("want one of %s, got %s", strings.Join(quoted(choices), ", "), valueText(v))
	}
	*dst = s
	return nil
}

func quoted(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// Set checks a value of the key (as TOML decodes it: a string, a []any of
// strings, an int64, a float64 or a bool) and stores it: what a flag that
// overrides the key goes through.
func (c *Config) Set(key string, v any) error {
	set, ok := keySetters[key]
	if !ok {
		return fmt.Errorf("unknown key %s", key)
	}
	return set(c, v)
}

func knownKeys() []string {
	keys := make([]string, 0, len(keySetters))
	for k := range keySetters {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func setString(dst *string, v any) error {
	s, ok := v.(string)
	if !ok || s == "" {
		return fmt.Errorf("want a non-empty string, got %s", valueText(v))
	}
	*dst = s
	return nil
}

func setList(dst *[]string, v any, nonEmpty bool) error {
	items, ok := v.([]any)
	if !ok {
		return fmt.Errorf("want a list of strings, got %s", valueText(v))
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok || s == "" {
			return fmt.Errorf("want a list of non-empty strings, got %s in it", valueText(it))
		}
		out = append(out, s)
	}
	if nonEmpty && len(out) == 0 {
		return errors.New("want at least one entry")
	}
	*dst = out
	return nil
}

func setBool(dst *bool, v any) error {
	b, ok := v.(bool)
	if !ok {
		return fmt.Errorf("want true or false, got %s", valueText(v))
	}
	*dst = b
	return nil
}

// The ranges of the numeric keys and flags, as the README documents them.
const (
	maxJobs          = 1024
	maxTimeoutFactor = 1000
	maxSeconds       = 86400 // timeout_base and baseline_timeout: at most a day
)

// errRange marks a numeric value that is not a number or out of its key's range.
var errRange = errors.New("out of range")

// rangeError is a numeric value refused by setInt or setFloat.
type rangeError struct{ msg string }

func (e *rangeError) Error() string        { return e.msg }
func (e *rangeError) Is(target error) bool { return target == errRange }

func setInt(dst *int, v any) error {
	n, ok := v.(int64)
	if !ok || n < 1 || n > maxJobs {
		return &rangeError{fmt.Sprintf("want a whole number from 1 to %d, got %s", maxJobs, valueText(v))}
	}
	*dst = int(n)
	return nil
}

// setFloat accepts a finite number above 0 (or from 0, with zeroOK) and at
// most max; NaN and the infinities TOML allows are refused.
func setFloat(dst *float64, v any, zeroOK bool, max float64) error {
	f, ok := 0.0, true
	switch n := v.(type) {
	case int64:
		f = float64(n)
	case float64:
		f = n
	default:
		ok = false
	}
	if !ok || math.IsNaN(f) || f < 0 || (f == 0 && !zeroOK) || f > max {
		want := fmt.Sprintf("above 0 and at most %g", max)
		if zeroOK {
			want = fmt.Sprintf("from 0 to %g", max)
		}
		return &rangeError{fmt.Sprintf("want a number %s, got %s", want, valueText(v))}
	}
	*dst = f
	return nil
}

// DefaultText says what a numeric key defaults to, for hints.
func DefaultText(key string) string {
	d := Default()
	switch key {
	case "jobs":
		return "one worker per core"
	case "max_runs":
		return "twice the workers"
	case "timeout_factor":
		return fmt.Sprintf("%g", d.TimeoutFactor)
	case "timeout_base":
		return fmt.Sprintf("%g seconds", d.TimeoutBase)
	}
	return fmt.Sprintf("%g seconds", d.BaselineTimeout)
}

func setVerdicts(dst *[]string, v any) error {
	var list []string
	if err := setList(&list, v, false); err != nil {
		return err
	}
	for _, s := range list {
		if !slices.Contains(report.AnchorVerdicts, s) {
			return fmt.Errorf("unknown verdict %q (known: %s)", s, strings.Join(report.AnchorVerdicts, ", "))
		}
	}
	*dst = list
	return nil
}

func setKinds(dst *[]string, v any) error {
	var list []string
	if err := setList(&list, v, false); err != nil {
		return err
	}
	for _, s := range list {
		if !slices.Contains(audit.Kinds, s) {
			return fmt.Errorf("unknown audit finding kind %q (known: %s)", s, strings.Join(audit.Kinds, ", "))
		}
	}
	*dst = list
	return nil
}

func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case float64:
		switch {
		case math.IsNaN(x):
			return "nan" // as TOML spells them
		case math.IsInf(x, 1):
			return "inf"
		case math.IsInf(x, -1):
			return "-inf"
		}
	}
	return fmt.Sprintf("%v", v)
}
