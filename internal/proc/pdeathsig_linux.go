package proc

import (
	"os/exec"
	"syscall"
)

// pdeathsig asks the kernel to SIGKILL cmd's process when teeth's starter
// thread, which lives as long as teeth, exits.
func pdeathsig(cmd *exec.Cmd) bool {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	return true
}
