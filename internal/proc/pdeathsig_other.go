//go:build !linux

package proc

import "os/exec"

// pdeathsig: only Linux has a parent-death signal; the lifeline remains.
func pdeathsig(*exec.Cmd) bool { return false }
