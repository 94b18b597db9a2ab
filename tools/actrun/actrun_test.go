package actrun

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEval(t *testing.T) {
	env := map[string]string{"GITHUB_TOKEN": "tok", "RUNNER_TEMP": "/tmp/r", "GITHUB_ACTION_REF": "v1.2.3"}
	c := &context{
		inputs: map[string]string{"mode": "pr"},
		steps:  map[string]map[string]string{"run": {"json": "/r/teeth.json"}},
		env:    func(k string) string { return env[k] },
		action: "/action",
		event:  map[string]any{"pull_request": map[string]any{"number": 7.0, "head": map[string]any{"ref": "feature"}}},
	}
	for expr, want := range map[string]string{
		"${{ inputs.mode }}":                        "pr",
		"${{ inputs.nosuch }}":                      "",
		"${{ steps.run.outputs.json }}":             "/r/teeth.json",
		"${{ steps.other.outputs.json }}":           "",
		"${{ github.token }}":                       "tok",
		"${{ github.action_path }}/x":               "/action/x",
		"${{ github.action_ref }}":                  "v1.2.3",
		"${{ github.event.pull_request.number }}":   "7",
		"${{ github.event.pull_request.head.ref }}": "feature",
		"${{ github.event.workflow_run.id }}":       "",
		"${{ runner.temp }}/a ${{inputs.mode}}":     "/tmp/r/a pr",
	} {
		got, err := c.eval(expr)
		if err != nil || got != want {
			t.Errorf("eval(%q) = %q, %v; want %q", expr, got, err, want)
		}
	}
	for _, expr := range []string{"${{ inputs.a || 'b' }}", "${{ always() }}", "${{ secrets.X }}", "${{ steps.run.outcome }}"} {
		if _, err := c.eval(expr); err == nil {
			t.Errorf("eval(%q) did not refuse an expression it cannot evaluate", expr)
		}
	}
}

func TestReadKeyValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	os.WriteFile(path, []byte("a=1\nb=x=y\nbody<<EOF\nline 1\nline 2\nEOF\nc=\n"), 0o644)
	got, err := readKeyValues(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "1", "b": "x=y", "body": "line 1\nline 2", "c": ""}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	os.WriteFile(path, []byte("garbage\n"), 0o644)
	if _, err := readKeyValues(path); err == nil {
		t.Error("a line that is neither form was accepted")
	}
}

func TestRunStepsInOrder(t *testing.T) {
	dir := t.TempDir()
	action := filepath.Join(dir, "action.yml")
	os.WriteFile(action, []byte(`name: t
description: t
inputs:
  who: {default: "${{ github.repository }}"}
outputs:
  greeting: {value: "${{ steps.b.outputs.greeting }}"}
runs:
  using: composite
  steps:
    - id: a
      shell: bash
      run: |
        mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\necho hello "$1"\n' >"$RUNNER_TEMP/bin/hi" && chmod +x "$RUNNER_TEMP/bin/hi"
        echo "$RUNNER_TEMP/bin" >>"$GITHUB_PATH"
        echo "name=$WHO" >>"$GITHUB_OUTPUT"
      env: {WHO: "${{ inputs.who }}"}
    - uses: actions/upload-artifact@v4
    - id: b
      shell: bash
      run: echo "greeting=$(hi "$NAME")" >>"$GITHUB_OUTPUT"
      env: {NAME: "${{ steps.a.outputs.name }}"}
    - shell: bash
      run: exit 3
`), 0o644)
	t.Setenv("GITHUB_REPOSITORY", "acme/notes")
	t.Setenv("RUNNER_TEMP", "")
	var out, errw bytes.Buffer
	code, err := Run([]string{"-action", action}, &out, &errw)
	if err != nil || code != 3 {
		t.Fatalf("exit %d, %v; stderr:\n%s", code, err, errw.String())
	}
	if !strings.Contains(errw.String(), "actrun: skip actions/upload-artifact@v4 (uses ") {
		t.Errorf("the uses: step was not listed as skipped:\n%s", errw.String())
	}
	code, err = Run([]string{"-action", action, "-only", "a,b"}, &out, &errw)
	if err != nil || code != 0 || !strings.Contains(out.String(), "output greeting=hello acme/notes\n") {
		t.Errorf("exit %d, %v, stdout %q", code, err, out.String())
	}
	if _, err := Run([]string{"-action", action, "nosuch=1"}, &out, &errw); err == nil {
		t.Error("an unknown input was accepted")
	}
	os.WriteFile(action, []byte("runs:\n  using: composite\n  steps:\n    - shell: bash\n      if: always()\n      run: true\n"), 0o644)
	if _, err := Run([]string{"-action", action}, &out, &errw); err == nil || !strings.Contains(err.Error(), "evaluates no if: on run steps") {
		t.Errorf("an if: on a run step was accepted: %v", err)
	}
}
