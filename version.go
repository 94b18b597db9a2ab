package main

import "runtime/debug"

// version is set by the build: -ldflags "-X main.version=..." (make build and
// make dist stamp git describe). -X needs a constant initializer, so a go
// install of a tagged module gets its module version from init instead.
var version = "devel"

func init() { version = resolveVersion(version, debug.ReadBuildInfo) }

// resolveVersion returns the stamped version when there is one, else the main
// module's version from the build info, else "devel".
func resolveVersion(stamped string, info func() (*debug.BuildInfo, bool)) string {
	if stamped != "devel" {
		return stamped
	}
	if bi, ok := info(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
