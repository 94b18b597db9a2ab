package cli

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/pipeline"
	"github.com/teethtool/teeth/scope"
)

// listFlag is a flag that may be repeated or given a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set appends the comma-separated values of one occurrence.
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// numFlag is a numeric flag kept as typed: config() checks it with the
// setter of the key it overrides, so "nan", "inf" and typos get the same
// one-line refusal as a bad [tool.teeth] value.
type numFlag string

func (n *numFlag) String() string { return string(*n) }

// Set stores the value; config() checks it.
func (n *numFlag) Set(v string) error { *n = numFlag(v); return nil }

// value is the flag as a TOML-like value: an int64, a float64 (NaN and
// infinities included) or, when it is no number, the string itself.
func (n numFlag) value() any {
	s := strings.TrimSpace(string(n))
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return s
}

// runFlags are the flags of the commands that run or read a project
// (verify, audit, rule, show, apply); set ones override [tool.teeth].
type runFlags struct {
	fs            *flag.FlagSet
	configFile    string
	anchors       listFlag
	sourceRoots   listFlag
	python        string
	pytestArgs    listFlag
	jobs          numFlag
	maxRuns       numFlag
	timeoutFactor numFlag
	failOn        listFlag
	sites         listFlag
	out           outputs
	findings      string
	auditFailOn   listFlag
	noWarm        bool
	fullMatrix    bool
	shardSpec     string
	cacheDir      string
	changed       bool
	base          string
	dirty         bool
	force         bool
	shard         scope.Shard
	project       string
	siteOnly      bool   // show and apply: no anchors needed
	proposeRules  bool   // verify: prove the rule proposals even with prove_rules = false
	noProveRules  bool   // verify: propose rules from the evidence, prove none
	ruleSite      string // rule: the site id
	primitive     string // rule: the primitive to propose the rule for
}

// parseFlags parses the flags of verify, audit or rule.
func parseFlags(cmd string, args []string, stderr io.Writer) (*runFlags, error) {
	f := &runFlags{fs: flag.NewFlagSet("teeth "+cmd, flag.ContinueOnError)}
	fs := f.fs
	fs.SetOutput(stderr)
	fs.StringVar(&f.configFile, "config", "", "pyproject.toml to read [tool.teeth] from (default PROJECT/pyproject.toml)")
	fs.Var(&f.anchors, "anchors", "anchor directories, files or node ids (repeatable, comma-separated)")
	fs.Var(&f.sourceRoots, "source-root", "package directory whose offloads may be mutated (repeatable)")
	fs.StringVar(&f.python, "python", "", "the project's interpreter (runs pytest as PYTHON -m pytest)")
	fs.Var(&f.pytestArgs, "pytest-arg", "extra pytest argument (repeatable)")
	fs.Var(&f.jobs, "j", "`N` parallel workers, each with its own sandbox, 1 to 1024 (default: cores)")
	fs.Var(&f.maxRuns, "max-runs", "at most `N` pytest runs at once, 1 to 1024; runs beyond the workers start only while the cores idle (default: twice the workers)")
	fs.Var(&f.timeoutFactor, "timeout-factor", "a mutant run may take `F` times the anchors' baseline time, plus a constant (above 0, at most 1000)")
	fs.Var(&f.failOn, "fail-on", "anchor verdicts that make the exit code 1 (comma-separated)")
	fs.Var(&f.sites, "site", "only mutate the site with this id (repeatable)")
	fs.StringVar(&f.findings, "findings", "", "the static blocking-IO detector's findings JSON, to list the findings no anchor reaches")
	fs.Var(&f.auditFailOn, "audit-fail-on", "audit finding kinds that make teeth audit exit 1 (comma-separated)")
	f.out.register(fs)
	fs.BoolVar(&f.noWarm, "no-warm", false, "run every mutant in a fresh pytest process (no pre-imported, forking worker)")
	fs.StringVar(&f.shardSpec, "shard", "", "run only shard i/n of the mutants, split by stable site id (merge the reports with teeth merge)")
	fs.BoolVar(&f.changed, "changed", false, "only the offload sites changed since the merge base with --base, and the anchors the change touches")
	fs.StringVar(&f.base, "base", "origin/main", "with --changed: the ref to diff against (its merge base with HEAD)")
	fs.BoolVar(&f.dirty, "dirty", false, "with --changed: include uncommitted and untracked changes")
	fs.StringVar(&f.cacheDir, "cache", "", "reuse (mutant, anchor) outcomes stored in this directory while nothing they depend on changed")
	fs.BoolVar(&f.force, "force", false, "with --cache: run everything again (and store the new outcomes)")
	fs.BoolVar(&f.fullMatrix, "full-matrix", false, "run every covering anchor against every mutant (no stopping at the first kill)")
	switch cmd {
	case "verify":
		fs.BoolVar(&f.noProveRules, "no-prove-rules", false, "propose detector rules for survived sites from the evidence, but prove none (proving is the default: see teeth rule)")
		fs.BoolVar(&f.proposeRules, "propose-rules", false, "prove the rule proposed for every survived site even when prove_rules = false in [tool.teeth]")
	case "rule":
		fs.StringVar(&f.primitive, "primitive", "", "propose the rule for this primitive of the call (e.g. os.open) instead of the one teeth picks")
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	if f.shardSpec != "" {
		if f.shard, err = scope.ParseShard(f.shardSpec); err != nil {
			return nil, hint.New(err.Error(), "e.g. --shard 2/4 for the second of four CI jobs")
		}
	}
	if cmd == "rule" {
		if len(pos) == 0 || len(pos) > 2 {
			return nil, hint.New("rule takes a site id and an optional project directory", `teeth rule 'app/x.py:Svc.sync:os.fsync#0' path/to/project`)
		}
		f.ruleSite, pos = pos[0], pos[1:]
	}
	switch len(pos) {
	case 0:
		f.project = "."
	case 1:
		f.project = pos[0]
	default:
		return nil, hint.New(fmt.Sprintf("%s takes one project directory, got %d: %s", cmd, len(pos), strings.Join(pos, " ")),
			fmt.Sprintf(`run "teeth %s -h" for usage`, cmd))
	}
	return f, nil
}

// parseInterspersed parses flags before and after positional arguments and
// returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		out := fs.Output()
		var said bytes.Buffer // the flag package's own error and usage
		fs.SetOutput(&said)
		err := fs.Parse(args)
		fs.SetOutput(out)
		if err != nil {
			if err == flag.ErrHelp {
				out.Write(said.Bytes())
				return nil, hint.Exit(0)
			}
			return nil, hint.New(err.Error(), fmt.Sprintf(`run "%s -h" for its flags`, fs.Name()))
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// config loads [tool.teeth] and applies the flags that were set.
func (f *runFlags) config() (*config.Config, error) {
	c := config.Default()
	file := f.configFile
	if file == "" {
		file = filepath.Join(f.project, "pyproject.toml")
	} else if err := config.CheckNamed(file); err != nil {
		return nil, err
	}
	if err := c.Load(file); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["anchors"] {
		c.Anchors = f.anchors
	}
	if set["source-root"] {
		c.SourceRoots = f.sourceRoots
	}
	if set["python"] {
		c.Python, c.Command = f.python, nil
		if strings.ContainsRune(f.python, filepath.Separator) && !filepath.IsAbs(f.python) {
			// A path on the command line is relative to where teeth runs.
			if abs, err := filepath.Abs(f.python); err == nil {
				c.Python = abs
			}
		}
	}
	if set["pytest-arg"] {
		c.PytestArgs = f.pytestArgs
	}
	if set["j"] {
		if err := c.Set("jobs", f.jobs.value()); err != nil {
			return nil, hint.New("-j: "+err.Error(), "leave -j out to run one worker per core")
		}
	}
	if set["max-runs"] {
		if err := c.Set("max_runs", f.maxRuns.value()); err != nil {
			return nil, hint.New("-max-runs: "+err.Error(), "leave -max-runs out to allow twice the workers")
		}
	}
	if set["timeout-factor"] {
		if err := c.Set("timeout_factor", f.timeoutFactor.value()); err != nil {
			return nil, hint.New("-timeout-factor: "+err.Error(), fmt.Sprintf("leave -timeout-factor out to use tool.teeth.timeout_factor or the default (%s)", config.DefaultText("timeout_factor")))
		}
	}
	if set["no-warm"] {
		c.Warm = !f.noWarm
	}
	if set["no-prove-rules"] && set["propose-rules"] && f.noProveRules && f.proposeRules {
		return nil, hint.New("--no-prove-rules and --propose-rules contradict each other", "give one of them: teeth verify proves its rule proposals unless told --no-prove-rules")
	}
	if set["no-prove-rules"] {
		c.ProveRules = !f.noProveRules
	}
	if set["propose-rules"] {
		c.ProveRules = f.proposeRules
	}
	if set["findings"] {
		c.Findings = f.findings
	}
	if set["audit-fail-on"] {
		if err := c.Set("audit_fail_on", toAny(f.auditFailOn)); err != nil {
			return nil, hint.New("-audit-fail-on: "+err.Error(), "name audit finding kinds, comma-separated (the README's audit_fail_on lists them)")
		}
	}
	if set["fail-on"] {
		if err := c.Set("fail_on", toAny(f.failOn)); err != nil {
			return nil, hint.New("-fail-on: "+err.Error(), "name anchor verdicts, comma-separated (the README's fail_on lists them)")
		}
	}
	if f.siteOnly {
		c.Anchors = nil // show and apply run no test
	}
	// --config only says where [tool.teeth] is: paths stay relative to PROJECT.
	return c, c.Resolve(f.project)
}

// options are the flags as the pipeline takes them.
func (f *runFlags) options(version string, log io.Writer, obs pipeline.Observer) pipeline.Options {
	return pipeline.Options{
		Project: f.project, Version: version,
		Sites: f.sites, Shard: f.shard, Changed: f.changed, Base: f.base, Dirty: f.dirty, FullMatrix: f.fullMatrix,
		CacheDir: f.cacheDir, Force: f.force,
		Log: log, Observer: obs,
	}
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
