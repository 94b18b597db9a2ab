package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/teethtool/teeth/cli"
	"github.com/teethtool/teeth/internal/testcheck"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/tools/actrun"
	"github.com/teethtool/teeth/tools/bench/backend"
)

var update = flag.Bool("u", false, "update testscript files in place")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"teeth":  func() { os.Exit(cli.Main(version)) },
		"actrun": func() { os.Exit(actrun.Main()) },
	})
}

// examplePython is the example backend's venv interpreter, made by "make venv".
func examplePython(t *testing.T) (example, python string) {
	t.Helper()
	example, err := filepath.Abs(filepath.Join("testdata", "example"))
	if err != nil {
		t.Fatal(err)
	}
	python = filepath.Join(example, ".venv", "bin", "python")
	if _, err := os.Stat(python); err != nil {
		t.Fatalf("%s is missing: run \"make venv\" (the README's test command does)", python)
	}
	return example, python
}

func TestScripts(t *testing.T) {
	example, python := examplePython(t)
	dists := &distBuilds{dir: t.TempDir()}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("EXAMPLE", example)
			env.Setenv("REPO", filepath.Dir(filepath.Dir(example)))
			env.Setenv("PYTHON", python)
			env.Setenv("PYTHONDONTWRITEBYTECODE", "1")
			env.Values[ghKey{}] = &ghHolder{}
			// uv, when installed, comes with the example's venv.
			env.Setenv("PATH", filepath.Dir(python)+string(os.PathListSeparator)+env.Getenv("PATH"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"snapshot":   cmdSnapshot,
			"unchanged":  cmdUnchanged,
			"waitglob":   cmdWaitGlob,
			"globbed":    cmdGlobbed,
			"verdicts":   cmdVerdicts,
			"overlap":    cmdOverlap,
			"latent":     cmdLatent,
			"schema":     cmdSchema,
			"needs":      cmdNeeds,
			"dist":       dists.cmd,
			"noprocs":    cmdNoProcs,
			"mknode":     cmdMknode,
			"globcount":  cmdGlobCount,
			"backend":    cmdBackend,
			"ghserver":   cmdGHServer,
			"ghpull":     cmdGHPull,
			"ghcomments": cmdGHComments,
			"ghlog":      cmdGHLog,
			"htmlpage":   cmdHTMLPage,
		},
		Condition: condRoot,
	})
}

// cmdBackend writes the benchmark's realistic backend, small, into DIR:
// backend DIR SITES ANCHORS IMPORT-SECONDS.
func cmdBackend(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: backend DIR SITES ANCHORS IMPORT-SECONDS")
	}
	sites, err1 := strconv.Atoi(args[1])
	anchors, err2 := strconv.Atoi(args[2])
	importS, err3 := strconv.ParseFloat(args[3], 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		ts.Fatalf("backend: %v", err)
	}
	ts.Check(backend.WriteRealistic(ts.MkAbs(args[0]), backend.Realistic{Sites: sites, Anchors: anchors, ImportS: importS, Seed: 7}))
}

// cmdHTMLPage writes an HTML report with each file view's payload decoded
// in place (the HTML of its site lines, then its source windows), for grep:
// htmlpage PAGE OUT.
func cmdHTMLPage(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: htmlpage PAGE OUT")
	}
	out, err := testcheck.HTMLPayloads([]byte(ts.ReadFile(args[0])), true)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(out), 0o644))
}

// cmdNeeds fails, naming the package to install, unless a program the script
// runs is on PATH: needs PROGRAM PACKAGE.
func cmdNeeds(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: needs PROGRAM PACKAGE")
	}
	if _, err := exec.LookPath(args[0]); err != nil {
		ts.Fatalf("%s is not on PATH: install the package %s (make test installs it when run as root on Debian)", args[0], args[1])
	}
}

// cmdSnapshot records a digest of every file under a directory: snapshot NAME DIR.
func cmdSnapshot(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: snapshot NAME DIR")
	}
	ts.Setenv("SNAPSHOT_"+args[0], treeDigest(ts, ts.MkAbs(args[1])))
}

// cmdUnchanged fails unless a directory still matches its snapshot: unchanged NAME DIR.
func cmdUnchanged(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unchanged NAME DIR")
	}
	if got, want := treeDigest(ts, ts.MkAbs(args[1])), ts.Getenv("SNAPSHOT_"+args[0]); got != want {
		ts.Fatalf("%s changed since snapshot %s", args[1], args[0])
	}
}

// treeDigest hashes the names, modes, modification times and contents of every entry under dir.
func treeDigest(ts *testscript.TestScript, dir string) string {
	sum, err := digestTree(dir)
	ts.Check(err)
	return sum
}

// digestTree is treeDigest for Go tests.
func digestTree(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(h, "%s\x00%v\x00%d\x00", rel, info.Mode(), info.ModTime().UnixNano())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrPermission) {
				data, err = []byte("unreadable"), nil // its name, mode and time still count
			}
			if err != nil {
				return err
			}
			h.Write(data)
		} else if info.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			h.Write([]byte(target))
		}
		h.Write([]byte{0})
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// cmdWaitGlob waits up to two minutes for a file matching a glob: waitglob PATTERN.
func cmdWaitGlob(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitglob PATTERN")
	}
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		if m, _ := filepath.Glob(ts.MkAbs(args[0])); len(m) > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("nothing matched %s within two minutes", args[0])
}

// cmdGlobbed checks that a glob matches (or, negated, matches nothing): [!] globbed PATTERN.
func cmdGlobbed(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: [!] globbed PATTERN")
	}
	m, err := filepath.Glob(ts.MkAbs(args[0]))
	ts.Check(err)
	if neg && len(m) > 0 {
		ts.Fatalf("%s matches %v", args[0], m)
	}
	if !neg && len(m) == 0 {
		ts.Fatalf("%s matches nothing", args[0])
	}
}

// cmdVerdicts prints "verdict id" for every anchor, then every site, of a JSON
// report, so scripts can compare runs with cmp: verdicts FILE.
func cmdVerdicts(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: verdicts FILE")
	}
	var r report.Report
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &r))
	for _, a := range r.Anchors {
		fmt.Fprintf(ts.Stdout(), "anchor %s %s\n", a.Verdict, a.NodeID)
	}
	for _, s := range r.Sites {
		fmt.Fprintf(ts.Stdout(), "site %s %s\n", s.Verdict, s.ID)
	}
}

// cmdOverlap fails unless a mutant run of site A and one of site B ran at
// the same time, as the report's evidence says (each run's started_s and
// ended_s); it prints each site's runs and how long they took apart and
// together: overlap FILE SITE-A SITE-B (negated: they never overlapped).
func cmdOverlap(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: [!] overlap FILE SITE-A SITE-B")
	}
	var r report.Report
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &r))
	spans := map[string][][2]float64{}
	for _, a := range r.Anchors {
		for _, e := range a.Mutants {
			for _, run := range append([]report.Run{e.Run}, e.Reruns...) {
				if run.StartedS == nil || run.EndedS == nil {
					ts.Fatalf("a run of %s against %s has no start or end time", e.Site, a.NodeID)
				}
				spans[e.Site] = append(spans[e.Site], [2]float64{*run.StartedS, *run.EndedS})
			}
		}
	}
	first, last, sum, met := 1e18, 0.0, 0.0, false
	for _, site := range args[1:] {
		if len(spans[site]) == 0 {
			ts.Fatalf("no run of %s in %s", site, args[0])
		}
		for _, sp := range spans[site] {
			fmt.Fprintf(ts.Stdout(), "%s ran from %.3f s to %.3f s (%.3f s)\n", site, sp[0], sp[1], sp[1]-sp[0])
			first, last, sum = min(first, sp[0]), max(last, sp[1]), sum+sp[1]-sp[0]
		}
	}
	for _, a := range spans[args[1]] {
		for _, b := range spans[args[2]] {
			met = met || (a[0] < b[1] && b[0] < a[1])
		}
	}
	fmt.Fprintf(ts.Stdout(), "the runs took %.3f s one after the other, %.3f s from the first start to the last end\n", sum, last-first)
	if met == neg {
		ts.Fatalf("the runs of %s and %s overlapped: %v", args[1], args[2], met)
	}
}

// cmdLatent prints the latent blocking calls of a JSON report's audit, one
// line each: the primitive, the blocking frame, the catcher's kind, place
// (a library's file without its line, which changes with its version) and
// handler, and the anchors: latent FILE.
func cmdLatent(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: latent FILE")
	}
	var r report.Report
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &r))
	if r.Audit == nil {
		ts.Fatalf("%s has no audit", args[0])
	}
	for _, l := range r.Audit.Latent {
		c := l.Catcher
		if c.Kind == "logging" || c.Kind == "library" {
			c.At, _, _ = strings.Cut(c.At, ":")
		}
		fmt.Fprintf(ts.Stdout(), "latent %s at %s in %s; caught: %s %s in %s, %s; anchors: %s\n",
			l.Primitive, l.At, l.Function, c.Kind, c.At, c.Function, c.How, strings.Join(l.Anchors, " "))
	}
}

// cmdSchema validates a JSON report against the documented schema, or with
// -sarif a SARIF log against the official SARIF 2.1.0 schema: schema [-sarif] FILE.
func cmdSchema(ts *testscript.TestScript, neg bool, args []string) {
	schema := report.Schema
	if len(args) == 2 && args[0] == "-sarif" {
		schema = []byte(ts.ReadFile(filepath.Join(ts.Getenv("REPO"), "render", "testdata", "sarif-schema-2.1.0.json")))
		args = args[1:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: [!] schema [-sarif] FILE")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	ts.Check(err)
	c := jsonschema.NewCompiler()
	ts.Check(c.AddResource("schema.json", doc))
	sch, err := c.Compile("schema.json")
	ts.Check(err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(ts.ReadFile(args[0]))))
	ts.Check(err)
	err = sch.Validate(inst)
	if neg != (err != nil) {
		ts.Fatalf("schema validation of %s: %v", args[0], err)
	}
}
