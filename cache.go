package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/runner"
	"github.com/teethtool/teeth/scripts"
)

// lockFiles are the dependency pins a cached outcome depends on, when present.
var lockFiles = []string{"pyproject.toml", "uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock", "requirements.txt", "requirements-dev.txt"}

// outcomeCache stores (mutant, anchor) outcomes in DIR/outcomes.jsonl, one
// JSON line each, appended as soon as a job finishes, so an interrupted run
// keeps what it finished. An outcome is reused only while its key is the
// same: the key hashes everything it depends on.
type outcomeCache struct {
	c       *config
	sites   []mutate.Site
	index   audit.Index
	sources map[string][]byte
	force   bool

	mu      sync.Mutex
	file    *os.File
	entries map[string]runner.Outcome
	global  string // hash of what every outcome depends on; set after the baseline
}

type cacheLine struct {
	Key     string         `json:"key"`
	Outcome runner.Outcome `json:"outcome"`
}

func openCache(dir string, c *config, sites []mutate.Site, index audit.Index, sources map[string][]byte, force bool) (*outcomeCache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usageError("cannot create the cache directory "+dir, "pass a writable --cache directory")
	}
	oc := &outcomeCache{c: c, sites: sites, index: index, sources: sources, force: force, entries: map[string]runner.Outcome{}}
	file := filepath.Join(dir, "outcomes.jsonl")
	if data, err := os.Open(file); err == nil {
		sc := bufio.NewScanner(data)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			var l cacheLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				oc.entries[l.Key] = l.Outcome
			}
		}
		data.Close()
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, usageError("cannot write the cache "+file, "pass a writable --cache directory")
	}
	oc.file = f
	return oc, nil
}

func (oc *outcomeCache) close() error { return oc.file.Close() }

// lookup is runner.Plan.Cached.
func (oc *outcomeCache) lookup(base *runner.Result, site int, anchor string) (runner.Outcome, bool) {
	if oc.force {
		return runner.Outcome{}, false
	}
	key := oc.key(base, site, anchor)
	oc.mu.Lock()
	defer oc.mu.Unlock()
	o, ok := oc.entries[key]
	return o, ok
}

// record is runner.Plan.Record.
func (oc *outcomeCache) record(base *runner.Result, o runner.Outcome) {
	if o.Outcome == "error" {
		return // a harness failure is not worth remembering
	}
	line, err := json.Marshal(cacheLine{Key: oc.key(base, o.Site, o.Anchor), Outcome: o})
	if err != nil {
		return
	}
	oc.mu.Lock()
	defer oc.mu.Unlock()
	oc.file.Write(append(line, '\n'))
}

// key hashes what one (mutant, anchor) outcome depends on: the site's
// enclosing function, the anchor's file and every conftest on its path, and
// (globally) the project's pins, the support modules the run imported (the
// gate among them), the detector's version, teeth's configuration and its
// pytest plugin.
func (oc *outcomeCache) key(base *runner.Result, site int, anchor string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", oc.globalKey(base), anchor)
	s := oc.sites[site]
	fmt.Fprintf(h, "%s\x00", s.ID)
	src := oc.sources[s.Path]
	if fn := oc.index.Outermost(s.Path, s.Function); fn != nil {
		h.Write(audit.Lines(src, fn.Line, fn.End))
	} else {
		h.Write(src)
	}
	file, _, _ := strings.Cut(anchor, "::")
	for _, f := range append(conftests(file), file) {
		oc.hashFile(h, f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (oc *outcomeCache) globalKey(base *runner.Result) string {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if oc.global != "" {
		return oc.global
	}
	h := sha256.New()
	cfg, _ := json.Marshal([]any{version, oc.c.Command, oc.c.PytestArgs, oc.c.Detectors, oc.c.Marker,
		oc.c.SourceRoots, oc.c.Anchors, oc.c.Wrappers, oc.c.TimeoutFactor, oc.c.TimeoutBase})
	h.Write(cfg)
	for _, name := range scripts.PluginFiles { // what a run records, and how, is the plugin's
		data, _ := scripts.FS.ReadFile(name)
		h.Write(data)
	}
	versions := make([]string, 0, len(base.Versions))
	for k, v := range base.Versions {
		versions = append(versions, k+"="+v)
	}
	sort.Strings(versions)
	fmt.Fprintf(h, "%q", versions)
	files := append(append([]string{}, lockFiles...), base.Support...)
	for _, f := range files {
		oc.hashFile(h, f)
	}
	oc.global = hex.EncodeToString(h.Sum(nil))
	return oc.global
}

func (oc *outcomeCache) hashFile(h interface{ Write([]byte) (int, error) }, rel string) {
	data, err := readRegular(filepath.Join(oc.c.Dir, filepath.FromSlash(rel)))
	if err != nil {
		fmt.Fprintf(h, "%s\x00absent\x00", rel)
		return
	}
	sum := sha256.Sum256(data)
	fmt.Fprintf(h, "%s\x00%x\x00", rel, sum)
}

// readRegular reads a regular file; anything else (a FIFO, a device) is an
// error, and opening it never blocks.
func readRegular(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return io.ReadAll(f)
}

// conftests lists every conftest.py from the project root down to the
// directory of file.
func conftests(file string) []string {
	dir := path.Dir(file)
	var out []string
	for {
		out = append([]string{path.Join(dir, "conftest.py")}, out...)
		if dir == "." || dir == "/" {
			return out
		}
		dir = path.Dir(dir)
	}
}
