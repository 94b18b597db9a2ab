package scope

import (
	"fmt"
	"testing"
)

func TestShardOwnsEachSiteOnce(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7} {
		counts := make([]int, n)
		for k := 0; k < 200; k++ {
			id := fmt.Sprintf("app/m%d.py:Svc.f%d:g#0", k%13, k)
			owners := 0
			for i := 1; i <= n; i++ {
				if (Shard{i, n}).Owns(id) {
					owners++
					counts[i-1]++
				}
			}
			if owners != 1 {
				t.Fatalf("n=%d: %s owned by %d shards", n, id, owners)
			}
		}
		for i, c := range counts {
			if c == 0 {
				t.Errorf("n=%d: shard %d owns nothing of 200 sites", n, i+1)
			}
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, bad := range []string{"", "1", "0/2", "3/2", "a/b", "1/0", "-1/2"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) succeeded", bad)
		}
	}
	if s, err := ParseShard("2/4"); err != nil || s != (Shard{2, 4}) || s.String() != "2/4" {
		t.Fatalf("ParseShard(2/4) = %v, %v", s, err)
	}
}
