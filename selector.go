package main

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// shard is one part of a run split across CI jobs: index i of n, 1-based.
type shard struct{ i, n int }

// maxShards is the most shards a run may be split into.
const maxShards = 1024

func parseShard(s string) (shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n || n > maxShards {
		return shard{}, fmt.Errorf("--shard wants i/n with 1 <= i <= n <= %d, got %q", maxShards, s)
	}
	return shard{i, n}, nil
}

// String is "i/n", or "" for an unsharded run.
func (s shard) String() string {
	if s.n <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.i, s.n)
}

// owns reports whether the site with this stable id belongs to the shard:
// the split depends on the id alone, so every shard agrees on it.
func (s shard) owns(id string) bool {
	if s.n <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32()%uint32(s.n)) == s.i-1
}

// selector says which (site, anchor) pairs a run mutates and reports:
// --site, --shard and --changed.
type selector struct {
	only  []string
	shard shard
	scope *changeScope
}

// site reports whether the site may be mutated at all.
func (s *selector) site(id string) bool {
	return (len(s.only) == 0 || slices.Contains(s.only, id)) && s.shard.owns(id)
}

// pair reports whether the anchor runs against the site's mutant: with
// --changed, a changed site meets every anchor that reaches it, and a touched
// anchor meets every site it reaches.
func (s *selector) pair(id, anchor string) bool {
	return s.site(id) && (s.scope == nil || s.scope.sites[id] || s.scope.touched(anchor))
}

// narrowed reports whether the report holds only part of the anchors.
func (s *selector) narrowed() bool { return len(s.only) > 0 || s.scope != nil }
