package proc

import (
	"bytes"
	"os"
	"strconv"
)

// Gone reports whether the process pid has exited: it is no more, or it is
// a zombie its parent has not reaped yet. It works for teeth's children and
// for their children alike, and never reaps.
func Gone(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(stat, ')') // the command name may hold anything but ends there
	if i < 0 || i+2 >= len(stat) {
		return false
	}
	state := stat[i+2]
	return state == 'Z' || state == 'X'
}
