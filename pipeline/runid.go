package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strings"

	"github.com/teethtool/teeth/report"
)

// runID is what tells this run from another (report.RunID): the digest of
// what its verdicts depend on, of the sites' source files, and the commit.
func (r *run) runID() *report.RunID {
	c, o := r.c, r.o
	cfg, _ := json.Marshal([]any{o.Version, c.SourceRoots, c.Anchors, c.Exclude, c.Wrappers, c.Detectors, c.Marker,
		c.PytestArgs, c.FailOn, c.TimeoutFactor, c.TimeoutBase, c.BaselineTimeout, o.Sites, o.Changed, o.Base, o.Dirty, o.FullMatrix})
	sum := sha256.Sum256(cfg)
	paths := make([]string, 0, len(r.ms.sources))
	for p := range r.ms.sources {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		fmt.Fprintf(h, "%s\x00%s\x00", p, r.ms.sources[p].Sum())
	}
	return &report.RunID{Config: hex.EncodeToString(sum[:]), Sources: hex.EncodeToString(h.Sum(nil)), Commit: commit(c.Dir)}
}

// commit is the git HEAD of the checkout holding dir, "" outside git.
func commit(dir string) string {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "--verify", "-q", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
