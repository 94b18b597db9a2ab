package scope

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is one part of a run split across CI jobs: index I of N, 1-based.
// The zero Shard is the whole run.
type Shard struct{ I, N int }

// MaxShards is the most shards a run may be split into.
const MaxShards = 1024

// ParseShard parses "i/n".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n || n > MaxShards {
		return Shard{}, fmt.Errorf("--shard wants i/n with 1 <= i <= n <= %d, got %q", MaxShards, s)
	}
	return Shard{i, n}, nil
}

// String is "i/n", or "" for an unsharded run.
func (s Shard) String() string {
	if s.N <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.I, s.N)
}

// Owns reports whether the site with this stable id belongs to the shard:
// the split depends on the id alone, so every shard agrees on it.
func (s Shard) Owns(id string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32()%uint32(s.N)) == s.I-1
}
