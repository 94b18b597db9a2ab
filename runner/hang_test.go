package runner

import (
	"testing"

	"github.com/teethtool/teeth/report"
)

// Dumps as CPython's faulthandler writes them (most recent call first).
const (
	idleDump = `Thread 0x00007f2a1b7fe6c0 (most recent call first):
  File "/usr/lib/python3.12/threading.py", line 355 in wait
  File "/usr/lib/python3.12/threading.py", line 1030 in _bootstrap

Current thread 0x00007f2a1f5b8740 (most recent call first):
  File "/usr/lib/python3.12/selectors.py", line 468 in select
  File "/usr/lib/python3.12/asyncio/base_events.py", line 1949 in _run_once
  File "/usr/lib/python3.12/asyncio/base_events.py", line 641 in run_forever
  File "/tmp/sb/tests/test_peer.py", line 9 in test_ask
`
	blockedDump = `Current thread 0x00007f2a1f5b8740 (most recent call first):
  File "/usr/lib/python3.12/queue.py", line 171 in get
  File "/tmp/sb/app/export.py", line 25 in _drain_chunks
  File "/tmp/sb/app/export.py", line 40 in export_jsonl
  File "/usr/lib/python3.12/asyncio/events.py", line 84 in _run
  File "/usr/lib/python3.12/asyncio/base_events.py", line 1987 in _run_once
`
	noLoopDump = `Current thread 0x00007f2a1f5b8740 (most recent call first):
  File "/usr/lib/python3.12/site-packages/pkg/mod.py", line 3 in wait
  File "/tmp/sb/tests/test_sync.py", line 7 in test_sync
`
)

func TestParseHang(t *testing.T) {
	for _, c := range []struct {
		dump, state, at string
	}{
		{idleDump, report.HangIdle, "selectors.py:468 in select"},
		{blockedDump, report.HangBlocked, "app/export.py:25 in _drain_chunks"},
		{noLoopDump, report.HangNoLoop, "tests/test_sync.py:7 in test_sync"},
	} {
		h := ParseHang(c.dump, "/tmp/sb")
		if h == nil || h.State != c.state || h.At != c.at {
			t.Errorf("ParseHang = %+v, want state %s at %s", h, c.state, c.at)
		}
	}
	if h := ParseHang("", "/tmp/sb"); h != nil {
		t.Errorf("empty dump: %+v", h)
	}
}
