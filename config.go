package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/report"
)

// config is the [tool.teeth] table of the target's pyproject.toml, after
// flags have overridden it and paths have been resolved.
type config struct {
	File            string   // the pyproject.toml read, "" if none
	Dir             string   // absolute project directory: where pytest runs
	Anchors         []string // directories, files or node ids, relative to Dir
	SourceRoots     []string // package directories whose offloads may be mutated, relative to Dir
	Python          string   // interpreter for teeth's helpers; "" derives it
	Command         []string // argv prefix that runs pytest; empty derives it
	PytestArgs      []string
	Detectors       []string
	Wrappers        []string
	Exclude         []string
	Jobs            int
	TimeoutFactor   float64
	TimeoutBase     float64 // seconds
	BaselineTimeout float64 // seconds
	FailOn          []string
	Marker          string
	Warm            bool     // fork mutant runs from a pre-imported pytest process
	Findings        string   // the static detector's findings JSON, relative to Dir
	AuditFailOn     []string // audit finding kinds that fail teeth audit
	PathPython      bool     // no python, command or project venv: python3 from PATH
}

func defaultConfig() *config {
	return &config{
		Anchors:         []string{"tests/blocking_io"},
		Detectors:       []string{"blockbuster.BlockingError"},
		Jobs:            runtime.NumCPU(),
		TimeoutFactor:   5,
		TimeoutBase:     10,
		BaselineTimeout: 600,
		FailOn:          report.DefaultFailOn,
		Marker:          "allow_blocking_io",
		Warm:            true,
		AuditFailOn:     audit.DefaultFailOn,
	}
}

// keySetters maps each [tool.teeth] key to the function that checks and stores its value.
var keySetters = map[string]func(c *config, v any) error{
	"project_dir":      func(c *config, v any) error { return setString(&c.Dir, v) },
	"anchors":          func(c *config, v any) error { return setList(&c.Anchors, v, true) },
	"source_roots":     func(c *config, v any) error { return setList(&c.SourceRoots, v, true) },
	"python":           func(c *config, v any) error { return setString(&c.Python, v) },
	"command":          func(c *config, v any) error { return setList(&c.Command, v, true) },
	"pytest_args":      func(c *config, v any) error { return setList(&c.PytestArgs, v, false) },
	"detectors":        func(c *config, v any) error { return setList(&c.Detectors, v, true) },
	"wrappers":         func(c *config, v any) error { return setList(&c.Wrappers, v, false) },
	"exclude":          func(c *config, v any) error { return setList(&c.Exclude, v, false) },
	"jobs":             func(c *config, v any) error { return setInt(&c.Jobs, v) },
	"timeout_factor":   func(c *config, v any) error { return setFloat(&c.TimeoutFactor, v, false, maxTimeoutFactor) },
	"timeout_base":     func(c *config, v any) error { return setFloat(&c.TimeoutBase, v, true, maxSeconds) },
	"baseline_timeout": func(c *config, v any) error { return setFloat(&c.BaselineTimeout, v, false, maxSeconds) },
	"fail_on":          func(c *config, v any) error { return setVerdicts(&c.FailOn, v) },
	"optout_marker":    func(c *config, v any) error { return setString(&c.Marker, v) },
	"warm":             func(c *config, v any) error { return setBool(&c.Warm, v) },
	"findings":         func(c *config, v any) error { return setString(&c.Findings, v) },
	"audit_fail_on":    func(c *config, v any) error { return setKinds(&c.AuditFailOn, v) },
}

// checkNamedConfig checks that a file named with --config exists and holds
// a [tool.teeth] table: unlike PROJECT/pyproject.toml, it may not be missing.
func checkNamedConfig(file string) error {
	info, err := os.Stat(file)
	if err != nil || info.IsDir() {
		return usageError("--config "+file+": no such file",
			"name a TOML file with a [tool.teeth] table, or leave --config out to read PROJECT/pyproject.toml")
	}
	var doc struct {
		Tool struct {
			Teeth map[string]any `toml:"teeth"`
		} `toml:"tool"`
	}
	if _, err := toml.DecodeFile(file, &doc); err == nil && doc.Tool.Teeth == nil {
		return usageError("--config "+file+": no [tool.teeth] table in it",
			`add one (run "teeth init" to see what it should hold), or leave --config out to read PROJECT/pyproject.toml`)
	}
	return nil // a syntax error is loadConfig's to report
}

// loadConfig reads [tool.teeth] from file into c; a missing file is fine.
func loadConfig(c *config, file string) error {
	var doc struct {
		Tool struct {
			Teeth map[string]any `toml:"teeth"`
		} `toml:"tool"`
	}
	_, err := toml.DecodeFile(file, &doc)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return usageError(fmt.Sprintf("%s: %v", file, err), "fix the TOML syntax of that file")
	}
	c.File = file
	keys := make([]string, 0, len(doc.Tool.Teeth))
	for k := range doc.Tool.Teeth {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		set, ok := keySetters[k]
		if !ok {
			return usageError(fmt.Sprintf("%s: unknown key tool.teeth.%s", file, k),
				"known keys: "+strings.Join(knownKeys(), ", "))
		}
		if err := set(c, doc.Tool.Teeth[k]); err != nil {
			hint := "see the configuration keys in teeth's README"
			if errors.Is(err, errRange) {
				hint = fmt.Sprintf("remove tool.teeth.%s to use the default (%s)", k, defaultText(k))
			}
			return usageError(fmt.Sprintf("%s: tool.teeth.%s: %v", file, k, err), hint)
		}
	}
	return nil
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
		return fmt.Errorf("want a non-empty string, got %s", show(v))
	}
	*dst = s
	return nil
}

func setList(dst *[]string, v any, nonEmpty bool) error {
	items, ok := v.([]any)
	if !ok {
		return fmt.Errorf("want a list of strings, got %s", show(v))
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok || s == "" {
			return fmt.Errorf("want a list of non-empty strings, got %s in it", show(it))
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
		return fmt.Errorf("want true or false, got %s", show(v))
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
		return &rangeError{fmt.Sprintf("want a whole number from 1 to %d, got %s", maxJobs, show(v))}
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
		return &rangeError{fmt.Sprintf("want a number %s, got %s", want, show(v))}
	}
	*dst = f
	return nil
}

// defaultText says what a numeric key defaults to, for hints.
func defaultText(key string) string {
	d := defaultConfig()
	switch key {
	case "jobs":
		return "one worker per core"
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

func show(v any) string {
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

// resolve makes paths absolute against the config file's directory and
// checks that everything the run needs exists.
func (c *config) resolve(base string) error {
	if c.Dir == "" {
		c.Dir = base
	} else if !filepath.IsAbs(c.Dir) {
		c.Dir = filepath.Join(base, c.Dir)
	}
	abs, err := filepath.Abs(c.Dir)
	if err != nil {
		return err
	}
	if c.Dir, err = filepath.EvalSymlinks(abs); err != nil {
		return usageError("project directory "+abs+" does not exist", "pass the directory of a Python project")
	}
	if len(c.SourceRoots) == 0 {
		return usageError("no source_roots configured for "+c.Dir,
			`run "teeth init" to write [tool.teeth] (source_roots: the package directories to mutate), or pass --source-root`)
	}
	for _, r := range c.SourceRoots {
		if err := c.checkInside("source root", r, true); err != nil {
			return err
		}
	}
	for _, a := range c.Anchors {
		p, _, _ := strings.Cut(a, "::")
		if err := c.checkInside("anchors path", p, false); err != nil {
			return err
		}
	}
	return c.resolveCommand()
}

func (c *config) checkInside(what, rel string, wantDir bool) error {
	if filepath.IsAbs(rel) || strings.HasPrefix(filepath.Clean(rel), "..") {
		return usageError(fmt.Sprintf("%s %s is not inside the project directory", what, rel), "give it relative to "+c.Dir)
	}
	info, err := os.Stat(filepath.Join(c.Dir, rel))
	if err != nil {
		return usageError(fmt.Sprintf("%s %s not found in %s", what, rel, c.Dir), "check [tool.teeth] in pyproject.toml or the flags")
	}
	if wantDir && !info.IsDir() {
		return usageError(fmt.Sprintf("%s %s is not a directory", what, rel), "name the package directory, e.g. app or src/mypkg")
	}
	return nil
}
