package runner

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"time"
)

// tailEvery is how often a running process's results file is read for the
// tests it finished: a baseline's tests feed the mutants that wait for them.
const tailEvery = 50 * time.Millisecond

// tail reads a results file while the plugin appends to it, and hands each
// finished test (and the collected items) to a callback as soon as its line
// is complete. A nil *tail reads nothing.
type tail struct {
	path    string
	off     int64
	partial []byte
	fn      func(ev *event)
}

// newTail follows path for onTest; nil when nobody listens.
func newTail(path string, onTest func(ev *event)) *tail {
	if onTest == nil {
		return nil
	}
	return &tail{path: path, fn: onTest}
}

// poll reads what was appended since the last poll.
func (t *tail) poll() {
	if t == nil {
		return
	}
	f, err := os.Open(t.path)
	if err != nil {
		return
	}
	defer f.Close()
	if _, err := f.Seek(t.off, io.SeekStart); err != nil {
		return
	}
	data, err := io.ReadAll(f)
	if err != nil || len(data) == 0 {
		return
	}
	t.off += int64(len(data))
	data = append(t.partial, data...)
	cut := bytes.LastIndexByte(data, '\n')
	if cut < 0 {
		t.partial = data
		return
	}
	t.partial = append([]byte(nil), data[cut+1:]...)
	for _, line := range bytes.Split(data[:cut], []byte{'\n'}) {
		var ev event
		if !bytes.Contains(line, []byte(`"ev": "test"`)) && !bytes.Contains(line, []byte(`"ev": "collected"`)) {
			continue
		}
		if json.Unmarshal(line, &ev) == nil {
			t.fn(&ev)
		}
	}
}
