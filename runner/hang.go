package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/teethtool/teeth/report"
)

// sampleStacks asks the pytest process of a run that is over its time limit
// for a dump of its threads' stacks (teeth_stack: the process named by the
// results file's "stack" event) and waits, at most a second and a half, for
// the dump to be written. The run is killed after it either way.
func sampleStacks(resultsPath string) {
	ev := lastStackEvent(resultsPath)
	if ev.PID <= 0 || ev.Signal <= 0 || ev.File == "" {
		return
	}
	if syscall.Kill(ev.PID, syscall.Signal(ev.Signal)) != nil {
		return
	}
	var last int64 = -1
	for deadline := time.Now().Add(1500 * time.Millisecond); time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		fi, err := os.Stat(ev.File)
		if err != nil {
			continue
		}
		if fi.Size() > 0 && fi.Size() == last {
			return // written, and no longer growing
		}
		last = fi.Size()
	}
}

// lastStackEvent is the last "stack" event of a results file.
func lastStackEvent(path string) stackEvent {
	data, err := os.ReadFile(path)
	if err != nil {
		return stackEvent{}
	}
	var out stackEvent
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"ev": "stack"`)) {
			continue
		}
		var ev event
		if json.Unmarshal(line, &ev) == nil && ev.Ev == "stack" {
			out = stackEvent{PID: ev.PID, Signal: ev.Signal, File: ev.File}
		}
	}
	return out
}

// readHang reads the stack dump a timed-out run left, if any, and says what
// its event loop's thread was doing; sandbox makes its paths relative.
func readHang(ev stackEvent, sandbox string) *report.Hang {
	if ev.File == "" {
		return nil
	}
	data, err := os.ReadFile(ev.File)
	if err != nil || len(data) == 0 {
		return nil
	}
	return ParseHang(string(data), sandbox)
}

var frameLine = regexp.MustCompile(`^\s*File "(.*)", line (\d+) in (.*)$`)

// ParseHang reads a faulthandler dump of every thread's stack (most recent
// call first) and says what the thread running the asyncio event loop was
// doing: idle in its selector (waiting for I/O or a timer that never came),
// blocked in a call (where), or, when no thread runs a loop, where the
// main thread was. Paths under sandbox are made relative to it.
func ParseHang(dump, sandbox string) *report.Hang {
	threads := splitThreads(dump)
	if len(threads) == 0 {
		return nil
	}
	for _, frames := range threads {
		loop := -1
		for i, f := range frames {
			if f.fn == "_run_once" && strings.HasSuffix(f.file, "asyncio/base_events.py") {
				loop = i
				break
			}
		}
		if loop < 0 {
			continue
		}
		h := &report.Hang{Stack: stackText(frames[:min(loop+1, 8)], sandbox)}
		switch {
		case loop == 0:
			h.State, h.At = report.HangIdle, frames[0].text(sandbox)
		case loop == 1 && frames[0].fn == "select" && strings.HasSuffix(frames[0].file, "selectors.py"):
			h.State, h.At = report.HangIdle, frames[0].text(sandbox)
		default:
			h.State, h.At = report.HangBlocked, innermost(frames[:loop], sandbox).text(sandbox)
		}
		return h
	}
	main := threads[len(threads)-1]
	for _, frames := range threads {
		if frames[0].current {
			main = frames
		}
	}
	return &report.Hang{State: report.HangNoLoop, At: innermost(main, sandbox).text(sandbox), Stack: stackText(main[:min(len(main), 8)], sandbox)}
}

type frame struct {
	file, line, fn string
	current        bool // of the thread that got the signal
}

func (f frame) text(sandbox string) string {
	return shortPath(f.file, sandbox) + ":" + f.line + " in " + f.fn
}

// libDir matches the part of a path up to the standard library or an
// installed package: ".../lib/python3.12/", ".../site-packages/".
var libDir = regexp.MustCompile(`^.*/(site-packages|dist-packages|lib/python[0-9.]+)/`)

// shortPath is a frame's file relative to the sandbox, or to the standard
// library or site-packages directory it is in ("asyncio/base_events.py").
func shortPath(file, sandbox string) string {
	if rel, ok := strings.CutPrefix(file, sandbox+"/"); ok && sandbox != "" {
		return rel
	}
	return libDir.ReplaceAllString(file, "")
}

// innermost is the most recent frame in the project (under sandbox), else
// the most recent frame.
func innermost(frames []frame, sandbox string) frame {
	for _, f := range frames {
		if sandbox != "" && strings.HasPrefix(f.file, sandbox+"/") && !strings.Contains(f.file, "/site-packages/") {
			return f
		}
	}
	return frames[0]
}

func stackText(frames []frame, sandbox string) []string {
	out := make([]string, len(frames))
	for i, f := range frames {
		out[i] = f.text(sandbox)
	}
	return out
}

// splitThreads parses a faulthandler dump into each thread's frames, most
// recent first; threads without a Python frame are left out.
func splitThreads(dump string) [][]frame {
	var out [][]frame
	var cur []frame
	current := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur = nil
	}
	for _, line := range strings.Split(dump, "\n") {
		if strings.HasSuffix(strings.TrimSpace(line), "(most recent call first):") {
			flush()
			current = strings.HasPrefix(strings.TrimSpace(line), "Current thread")
			continue
		}
		if m := frameLine.FindStringSubmatch(line); m != nil {
			cur = append(cur, frame{file: m[1], line: m[2], fn: strings.TrimSpace(m[3]), current: current})
		}
	}
	flush()
	return out
}
