// Package cache owns the outcome cache of --cache: (mutant, anchor)
// outcomes kept in DIR/outcomes.jsonl and reused while nothing they depend
// on has changed.
package cache

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/internal/regfile"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/pyimport"
	"github.com/teethtool/teeth/runner"
	"github.com/teethtool/teeth/scripts"
)

// lockFiles are the dependency pins a cached outcome depends on, when present.
var lockFiles = []string{"pyproject.toml", "uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock", "requirements.txt", "requirements-dev.txt"}

// Cache stores (mutant, anchor) outcomes in DIR/outcomes.jsonl, one JSON
// line each, appended as soon as a job finishes, so an interrupted run keeps
// what it finished. An outcome is reused only while its key is the same: the
// key hashes everything it depends on. It is a runner.Store.
type Cache struct {
	Inputs
	force bool

	mu      sync.Mutex
	file    *os.File
	entries map[string]runner.Outcome
	global  string // hash of what every outcome depends on; set after the baseline
}

type cacheLine struct {
	Key     string         `json:"key"`
	Outcome runner.Outcome `json:"outcome"`
}

// Inputs are what the keys of a run's outcomes are made of.
type Inputs struct {
	Config  *config.Config
	Version string // teeth's version
	Sites   []mutate.Site
	Index   audit.Index       // the source roots' functions: a site's key is its enclosing function's text
	Sources map[string][]byte // original bytes by site path
}

// Open opens the cache in dir, creating it; with force every lookup misses
// (the run stores its outcomes anew).
func Open(dir string, in Inputs, force bool) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, hint.New("cannot create the cache directory "+dir, "pass a writable --cache directory")
	}
	oc := &Cache{Inputs: in, force: force, entries: map[string]runner.Outcome{}}
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
		return nil, hint.New("cannot write the cache "+file, "pass a writable --cache directory")
	}
	oc.file = f
	return oc, nil
}

// Close closes the cache file.
func (oc *Cache) Close() error { return oc.file.Close() }

// Anchors are the anchors with stored outcomes, whatever their keys: they
// reached an offload site in some earlier run.
func (oc *Cache) Anchors() []string {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, o := range oc.entries {
		if !seen[o.Anchor] {
			seen[o.Anchor] = true
			out = append(out, o.Anchor)
		}
	}
	sort.Strings(out)
	return out
}

// Lookup is runner.Store.Lookup.
func (oc *Cache) Lookup(base *runner.Result, site int, anchor string) (runner.Outcome, bool) {
	if oc.force {
		return runner.Outcome{}, false
	}
	key := oc.key(base, site, anchor)
	oc.mu.Lock()
	defer oc.mu.Unlock()
	o, ok := oc.entries[key]
	return o, ok
}

// Record is runner.Store.Record.
func (oc *Cache) Record(base *runner.Result, o runner.Outcome) {
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
func (oc *Cache) key(base *runner.Result, site int, anchor string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", oc.globalKey(base), anchor)
	s := oc.Sites[site]
	fmt.Fprintf(h, "%s\x00", s.ID)
	src := oc.Sources[s.Path]
	if fn := oc.Index.Outermost(s.Path, s.Function); fn != nil {
		h.Write(audit.Lines(src, fn.Line, fn.End))
	} else {
		h.Write(src)
	}
	file, _, _ := strings.Cut(anchor, "::")
	for _, f := range append(pyimport.Conftests(file), file) {
		oc.hashFile(h, f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (oc *Cache) globalKey(base *runner.Result) string {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if oc.global != "" {
		return oc.global
	}
	h := sha256.New()
	c := oc.Config
	cfg, _ := json.Marshal([]any{oc.Version, c.Command, c.PytestArgs, c.Detectors, c.Marker,
		c.SourceRoots, c.Anchors, c.Wrappers, c.TimeoutFactor, c.TimeoutBase})
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

func (oc *Cache) hashFile(h interface{ Write([]byte) (int, error) }, rel string) {
	data, err := regfile.Read(filepath.Join(oc.Config.Dir, filepath.FromSlash(rel)), -1)
	if err != nil {
		fmt.Fprintf(h, "%s\x00absent\x00", rel)
		return
	}
	sum := sha256.Sum256(data)
	fmt.Fprintf(h, "%s\x00%x\x00", rel, sum)
}
