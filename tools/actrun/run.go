package actrun

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
)

// Main is the actrun command: actrun [-action FILE] [-only ID,...]
// [NAME=VALUE...] runs the action's steps with those inputs and prints the
// action's outputs as "output NAME=VALUE"; it exits with the code of the
// first step that fails, as a job stops there.
func Main() int {
	code, err := Run(os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "actrun: %v\n", err)
		return 2
	}
	return code
}

// Run is Main with its arguments and writers given.
func Run(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("actrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("action", "action.yml", "the action's metadata file")
	only := fs.String("only", "", "run only the steps with these ids (comma-separated)")
	if err := fs.Parse(args); err != nil {
		return 0, err
	}
	a, err := Load(*file)
	if err != nil {
		return 0, err
	}
	dir, err := filepath.Abs(filepath.Dir(*file))
	if err != nil {
		return 0, err
	}
	j, err := newJob(dir)
	if err != nil {
		return 0, err
	}
	defer j.cleanup()
	if err := j.inputs(a, fs.Args()); err != nil {
		return 0, err
	}
	for _, s := range a.Runs.Steps {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), s.ID) {
			continue
		}
		if s.Uses != "" {
			fmt.Fprintf(stderr, "actrun: skip %s (uses %s: it runs only on GitHub)\n", stepName(s), s.Uses)
			continue
		}
		code, err := j.step(s, stdout, stderr)
		if err != nil {
			return 0, fmt.Errorf("step %s: %v", stepName(s), err)
		}
		if code != 0 {
			fmt.Fprintf(stderr, "actrun: step %s failed with exit code %d\n", stepName(s), code)
			return code, nil
		}
	}
	names := make([]string, 0, len(a.Outputs))
	for n := range a.Outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v, err := j.ctx.eval(a.Outputs[n].Value)
		if err != nil {
			return 0, fmt.Errorf("output %s: %v", n, err)
		}
		fmt.Fprintf(stdout, "output %s=%s\n", n, v)
	}
	return 0, nil
}

// job is one run of the action: its expression context and the runner's files.
type job struct {
	ctx *context
	env map[string]string // the job's environment, with the runner's variables
	tmp string            // actrun's own scratch (step scripts, output files, RUNNER_TEMP unless set)
}

func newJob(actionDir string) (*job, error) {
	tmp, err := os.MkdirTemp("", "actrun-")
	if err != nil {
		return nil, err
	}
	j := &job{env: map[string]string{}, tmp: tmp}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		j.env[k] = v
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	defaults := map[string]string{
		"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": wd, "GITHUB_ACTION_PATH": actionDir,
		"RUNNER_OS":   map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS],
		"RUNNER_ARCH": map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH],
		"GITHUB_PATH": filepath.Join(tmp, "path"), "GITHUB_ENV": filepath.Join(tmp, "env"),
		"GITHUB_STEP_SUMMARY": filepath.Join(tmp, "summary.md"),
	}
	for k, v := range defaults {
		if j.env[k] == "" {
			j.env[k] = v
		}
	}
	if j.env["RUNNER_TEMP"] == "" {
		j.env["RUNNER_TEMP"] = filepath.Join(tmp, "runner-temp")
	}
	if err := os.MkdirAll(j.env["RUNNER_TEMP"], 0o755); err != nil {
		return nil, err
	}
	event, err := loadEvent(j.env["GITHUB_EVENT_PATH"])
	if err != nil {
		return nil, err
	}
	j.ctx = &context{steps: map[string]map[string]string{}, env: func(k string) string { return j.env[k] }, action: actionDir, event: event}
	return j, nil
}

func (j *job) cleanup() { os.RemoveAll(j.tmp) }

// inputs sets the action's inputs from NAME=VALUE arguments and defaults.
func (j *job) inputs(a *Action, args []string) error {
	j.ctx.inputs = map[string]string{}
	given := map[string]bool{}
	for _, arg := range args {
		k, v, ok := strings.Cut(arg, "=")
		if _, known := a.Inputs[k]; !ok || !known {
			return fmt.Errorf("%q is not NAME=VALUE for an input of the action", arg)
		}
		j.ctx.inputs[k], given[k] = v, true
	}
	for k, in := range a.Inputs {
		if given[k] {
			continue
		}
		if in.Required {
			return fmt.Errorf("input %s is required", k)
		}
		v, err := j.ctx.eval(in.Default)
		if err != nil {
			return fmt.Errorf("input %s: %v", k, err)
		}
		j.ctx.inputs[k] = v
	}
	return nil
}

// step runs one run step and collects its outputs, PATH and env additions.
func (j *job) step(s Step, stdout, stderr io.Writer) (int, error) {
	script, err := j.ctx.eval(s.Run)
	if err != nil {
		return 0, err
	}
	file := filepath.Join(j.tmp, "step.sh")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		return 0, err
	}
	outFile := filepath.Join(j.tmp, "output")
	if err := os.WriteFile(outFile, nil, 0o644); err != nil {
		return 0, err
	}
	env := map[string]string{}
	for k, v := range j.env {
		env[k] = v
	}
	env["GITHUB_OUTPUT"] = outFile
	for k, v := range s.Env {
		if env[k], err = j.ctx.eval(v); err != nil {
			return 0, fmt.Errorf("env %s: %v", k, err)
		}
	}
	if env["PATH"], err = j.path(env["PATH"]); err != nil {
		return 0, err
	}
	fmt.Fprintf(stderr, "actrun: run %s\n", stepName(s))
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", file)
	cmd.Stdout, cmd.Stderr, cmd.Dir = stdout, stderr, s.WorkingDirectory
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	code := 0
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return 0, err
		}
		code = ee.ExitCode()
	}
	outputs, err := readKeyValues(outFile)
	if err != nil {
		return 0, err
	}
	if s.ID != "" {
		j.ctx.steps[s.ID] = outputs
	}
	added, err := readKeyValues(j.env["GITHUB_ENV"])
	for k, v := range added {
		j.env[k] = v
	}
	return code, err
}

// path is PATH with the GITHUB_PATH entries so far first, the last added first.
func (j *job) path(path string) (string, error) {
	data, err := os.ReadFile(j.env["GITHUB_PATH"])
	if errors.Is(err, os.ErrNotExist) {
		return path, nil
	}
	if err != nil {
		return "", err
	}
	for _, dir := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if dir != "" {
			path = dir + string(os.PathListSeparator) + path
		}
	}
	return path, nil
}

// readKeyValues reads a GITHUB_OUTPUT or GITHUB_ENV file: NAME=VALUE lines
// and NAME<<DELIMITER blocks.
func readKeyValues(path string) (map[string]string, error) {
	out := map[string]string{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if k, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(k, "=") {
			var lines []string
			for sc.Scan() && sc.Text() != delim {
				lines = append(lines, sc.Text())
			}
			out[k] = strings.Join(lines, "\n")
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		} else if line != "" {
			return nil, fmt.Errorf("%s: %q is neither NAME=VALUE nor NAME<<DELIMITER", path, line)
		}
	}
	return out, sc.Err()
}

func stepName(s Step) string {
	switch {
	case s.ID != "":
		return s.ID
	case s.Name != "":
		return s.Name
	case s.Uses != "":
		return s.Uses
	}
	first, _, _ := strings.Cut(strings.TrimSpace(s.Run), "\n")
	return first
}
