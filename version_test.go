package main

import (
	"runtime/debug"
	"testing"
)

func TestResolveVersion(t *testing.T) {
	info := func(v string, ok bool) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/teethtool/teeth", Version: v}}, ok
		}
	}
	for _, c := range []struct {
		stamped, module string
		ok              bool
		want            string
	}{
		{"v0.3.0-4-g1234abc", "v0.2.0", true, "v0.3.0-4-g1234abc"}, // -ldflags wins
		{"devel", "v0.2.0", true, "v0.2.0"},                        // go install ...@v0.2.0
		{"devel", "(devel)", true, "devel"},                        // go build without VCS
		{"devel", "", true, "devel"},
		{"devel", "v0.2.0", false, "devel"}, // no build info
	} {
		if got := resolveVersion(c.stamped, info(c.module, c.ok)); got != c.want {
			t.Errorf("resolveVersion(%q, %q, %v) = %q, want %q", c.stamped, c.module, c.ok, got, c.want)
		}
	}
}
