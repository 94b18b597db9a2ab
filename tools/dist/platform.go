package dist

import (
	"fmt"
	"runtime"
	"strings"
)

// Platform is one release target: a Go GOOS/GOARCH pair and the platform tag
// of its wheel.
type Platform struct {
	GOOS, GOARCH string
	// WheelTag is the wheel's platform tag, a compressed tag set when the
	// binary fits several (a.b.c). CGO_ENABLED=0 binaries are static, so one
	// linux wheel serves glibc (manylinux2014, glibc 2.17+) and musl (Alpine)
	// systems; darwin binaries of Go 1.26 need macOS 12.
	WheelTag string
}

// String is the platform as GOOS/GOARCH.
func (p Platform) String() string { return p.GOOS + "/" + p.GOARCH }

// Platforms are the release targets of make dist.
var Platforms = []Platform{
	{"linux", "amd64", "manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_1_x86_64"},
	{"linux", "arm64", "manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64"},
	{"darwin", "amd64", "macosx_12_0_x86_64"},
	{"darwin", "arm64", "macosx_12_0_arm64"},
}

// LinuxHost is the linux platform of this machine's architecture.
func LinuxHost() (Platform, error) { return FindPlatform("linux/" + runtime.GOARCH) }

// FindPlatform returns the release target named GOOS/GOARCH.
func FindPlatform(name string) (Platform, error) {
	for _, p := range Platforms {
		if p.String() == name {
			return p, nil
		}
	}
	names := make([]string, len(Platforms))
	for i, p := range Platforms {
		names[i] = p.String()
	}
	return Platform{}, fmt.Errorf("no release target %q (targets: %s)", name, strings.Join(names, ", "))
}
