package tempdir

import (
	"os"
	"strconv"
	"strings"
)

// startTime is a process's start time in clock ticks since boot, and the
// boot's id; "" if there is no such process.
func startTime(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name, in parentheses, may hold anything: fields follow the last ')'.
	i := strings.LastIndexByte(string(data), ')')
	fields := strings.Fields(string(data[i+1:]))
	if i < 0 || len(fields) < 20 {
		return ""
	}
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return fields[19] + "@" + strings.TrimSpace(string(boot))
}

// alive reports whether pid is a running process (a zombie is not).
func alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(data), ')')
	fields := strings.Fields(string(data[i+1:]))
	return i >= 0 && len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}
