// Package config owns teeth's configuration: the [tool.teeth] table of a
// project's pyproject.toml, its keys and their checks, the paths it names,
// and the project's interpreter (its virtualenv, the pytest command, and the
// sys.path that interpreter sets up).
package config

import (
	"runtime"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/report"
)

// Config is the [tool.teeth] table of the target's pyproject.toml, after
// flags have overridden it and paths have been resolved.
type Config struct {
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
	MaxRuns         int // most pytest runs at once; 0: twice Jobs
	TimeoutFactor   float64
	TimeoutBase     float64 // seconds
	BaselineTimeout float64 // seconds
	FailOn          []string
	Marker          string
	Warm            bool     // fork mutant runs from a pre-imported pytest process
	ProveRules      bool     // teeth verify proves the rule proposed for every survived site
	Findings        string   // the static detector's findings JSON, relative to Dir
	AuditFailOn     []string // audit finding kinds that fail teeth audit
	// NoSite is what becomes of tests that reach no offload site:
	// report.NoSiteList (anchors with a verdict) or report.NoSiteCount
	// (counted, not listed, never failing the run: a suite-wide gate).
	NoSite     string
	PathPython bool // no python, command or project venv: python3 from PATH
}

// Default is the configuration of a project without [tool.teeth].
func Default() *Config {
	return &Config{
		Anchors:         []string{"tests/blocking_io"},
		Detectors:       []string{"blockbuster.BlockingError"},
		Jobs:            runtime.NumCPU(),
		TimeoutFactor:   5,
		TimeoutBase:     10,
		BaselineTimeout: 600,
		FailOn:          report.DefaultFailOn,
		Marker:          "allow_blocking_io",
		Warm:            true,
		ProveRules:      true,
		AuditFailOn:     audit.DefaultFailOn,
		NoSite:          report.NoSiteList,
	}
}
