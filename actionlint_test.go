package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"go.yaml.in/yaml/v4"
)

// readmeWorkflows are the workflow files the README's CI section shows.
var readmeWorkflows = []string{"teeth-comment.yml", "teeth-nightly.yml", "teeth.yml"}

// TestActionlint checks action.yml and every workflow in the README with
// actionlint (the library, with shellcheck on the run: scripts): the
// action's metadata and its inputs and outputs, through a workflow that
// uses it with every input and reads every output; its steps, as the steps
// of a job (expressions, contexts, the actions they use); and the README's
// workflows, with teethtool/teeth@v1 pointed at this action.yml, so an
// input the README passes must exist.
func TestActionlint(t *testing.T) {
	shellcheck := needShellcheck(t)
	root := t.TempDir()
	action, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "action.yml"), action)
	if err := os.CopyFS(filepath.Join(root, "action"), os.DirFS("action")); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"action-as-job.yml": actionAsWorkflow(t, action),
		"uses-action.yml":   usesAction(t, action),
	}
	blocks := readmeBlocks(t)
	var names []string
	for _, b := range blocks {
		if name, ok := strings.CutPrefix(b.first, "# .github/workflows/"); ok && b.lang == "yaml" {
			names = append(names, name)
			files[name] = bytes.ReplaceAll(b.text, []byte("teethtool/teeth@v1"), []byte("./"))
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, readmeWorkflows) {
		t.Errorf("the README shows the workflows %q, want %q", names, readmeWorkflows)
	}
	proj, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Shellcheck: shellcheck, Oneline: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		path := filepath.Join(root, ".github", "workflows", name)
		write(t, path, content)
		errs, err := l.Lint(path, content, proj)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, e := range errs {
			t.Errorf("%s:%d:%d: %s [%s]\n%s", name, e.Line, e.Column, e.Message, e.Kind, content)
		}
	}
}

// TestActionlintFails makes sure the lint can fail: an input the action
// does not have, and a step output nobody sets, are both reported.
func TestActionlintFails(t *testing.T) {
	root := t.TempDir()
	action, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "action.yml"), action)
	wf := []byte("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - id: t\n        uses: ./\n        with: {modee: pr}\n      - run: echo ${{ steps.t.outputs.nosuch }}\n")
	path := filepath.Join(root, ".github", "workflows", "bad.yml")
	write(t, path, wf)
	proj, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatal(err)
	}
	l, err := actionlint.NewLinter(&bytes.Buffer{}, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(path, wf, proj)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{`input "modee" is not defined`, `property "nosuch" is not defined`} {
		if !strings.Contains(all, want) {
			t.Errorf("actionlint did not report %q; it said:\n%s", want, all)
		}
	}
}

// TestActionScript runs shellcheck on the action's script and the README's
// pre-push hook, and sh -n on the hook.
func TestActionScript(t *testing.T) {
	shellcheck := needShellcheck(t)
	if out, err := exec.Command(shellcheck, "action/teeth-action.sh").CombinedOutput(); err != nil {
		t.Errorf("shellcheck action/teeth-action.sh: %v\n%s", err, out)
	}
	hooks := 0
	for _, b := range readmeBlocks(t) {
		if b.first != "#!/bin/sh" {
			continue
		}
		hooks++
		path := filepath.Join(t.TempDir(), "pre-push")
		write(t, path, b.text)
		for _, cmd := range [][]string{{"sh", "-n", path}, {shellcheck, path}} {
			if out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
				t.Errorf("%s on the README's hook: %v\n%s\n%s", cmd[0], err, out, b.text)
			}
		}
	}
	if hooks != 1 {
		t.Errorf("the README has %d #!/bin/sh blocks, want the pre-push hook", hooks)
	}
}

func needShellcheck(t *testing.T) string {
	path, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Fatal("shellcheck is not on PATH: install the package shellcheck (make test installs it when run as root on Debian)")
	}
	return path
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// codeBlock is a fenced code block of the README.
type codeBlock struct {
	lang, first string
	text        []byte
}

// readmeBlocks returns the README's fenced code blocks, read by a Markdown parser.
func readmeBlocks(t *testing.T) []codeBlock {
	t.Helper()
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []codeBlock
	doc := goldmark.New().Parser().Parse(text.NewReader(src))
	err = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		fb, ok := n.(*ast.FencedCodeBlock)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		var b bytes.Buffer
		for i := 0; i < fb.Lines().Len(); i++ {
			seg := fb.Lines().At(i)
			b.Write(seg.Value(src))
		}
		first, _, _ := strings.Cut(b.String(), "\n")
		blocks = append(blocks, codeBlock{lang: string(fb.Language(src)), first: strings.TrimSpace(first), text: b.Bytes()})
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return blocks
}

// actionMeta is what the lint workflows need of action.yml.
type actionMeta struct {
	Inputs  map[string]any       `yaml:"inputs"`
	Outputs map[string]yaml.Node `yaml:"outputs"`
	Runs    struct {
		Steps yaml.Node `yaml:"steps"`
	} `yaml:"runs"`
}

func parseAction(t *testing.T, action []byte) actionMeta {
	t.Helper()
	var m actionMeta
	if err := yaml.Unmarshal(action, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// actionAsWorkflow is a reusable workflow whose one job has the action's
// steps, its inputs as the workflow's inputs and its outputs as the job's.
func actionAsWorkflow(t *testing.T, action []byte) []byte {
	m := parseAction(t, action)
	inputs := map[string]any{}
	for name := range m.Inputs {
		inputs[name] = map[string]any{"type": "string", "required": false}
	}
	outputs := map[string]string{}
	for name, n := range m.Outputs {
		var o struct {
			Value string `yaml:"value"`
		}
		if err := n.Decode(&o); err != nil {
			t.Fatal(err)
		}
		outputs[name] = o.Value
	}
	wf := map[string]any{
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "outputs": outputs, "steps": &m.Runs.Steps}},
	}
	data, err := yaml.Marshal(wf)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// usesAction is a workflow that uses the action with every input and reads
// every output.
func usesAction(t *testing.T, action []byte) []byte {
	m := parseAction(t, action)
	with := map[string]string{}
	for name := range m.Inputs {
		with[name] = "x"
	}
	var reads []string
	for name := range m.Outputs {
		reads = append(reads, "echo \"${{ steps.teeth.outputs."+name+" }}\"")
	}
	slices.Sort(reads)
	wf := map[string]any{
		"on": "pull_request",
		"jobs": map[string]any{"teeth": map[string]any{"runs-on": "ubuntu-latest", "steps": []any{
			map[string]any{"uses": "actions/checkout@v4"},
			map[string]any{"id": "teeth", "uses": "./", "with": with},
			map[string]any{"run": strings.Join(reads, "\n")},
		}}},
	}
	data, err := yaml.Marshal(wf)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
