// Package backend writes the synthetic asyncio backends teeth's benchmark
// measures (and its tests run small): a uniform one where every module is
// imported at collection, and a realistic one shaped like a large service.
package backend

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Uniform sizes the uniform backend.
type Uniform struct {
	Sites, Anchors int
	ImportS, TestS float64 // import work and each anchor's body, seconds
}

// WriteUniform writes a synthetic backend into dir: an app package whose
// import does real work for importS seconds, one offload site per function,
// sites spread over files of ten, and anchors that each await testS seconds
// and then call the sites assigned to them round-robin.
func WriteUniform(dir string, sh Uniform) error {
	files := map[string]string{
		"pyproject.toml": `[tool.teeth]
source_roots = ["app"]

[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
`,
		"app/__init__.py": fmt.Sprintf(`"""Synthetic backend: importing it costs real work, like a large service."""
import hashlib
import time

_t0 = time.perf_counter()
_h = b"teeth"
while time.perf_counter() - _t0 < %g:
    for _ in range(1000):
        _h = hashlib.sha256(_h).digest()
`, sh.ImportS),
		"tests/blocking_io/conftest.py": `import pytest
from blockbuster import BlockBuster


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    bb = BlockBuster(scanned_modules=["app"])
    bb.activate()
    try:
        yield
    finally:
        bb.deactivate()
`,
	}
	for f := 0; f*10 < sh.Sites; f++ {
		var b strings.Builder
		b.WriteString("import asyncio\n\n\ndef _read(path):\n    with open(path) as f:\n        return f.read()\n")
		for i := f * 10; i < min(sh.Sites, f*10+10); i++ {
			fmt.Fprintf(&b, "\n\nasync def op_%d(path):\n    return await asyncio.to_thread(_read, path)\n", i)
		}
		files[fmt.Sprintf("app/ops_%d.py", f)] = b.String()
	}
	for a := 0; a < sh.Anchors; a++ {
		var b strings.Builder
		b.WriteString("import asyncio\n\n")
		var calls []int
		for i := a; i < sh.Sites; i += sh.Anchors {
			calls = append(calls, i)
			fmt.Fprintf(&b, "from app.ops_%d import op_%d\n", i/10, i)
		}
		fmt.Fprintf(&b, "\n\nasync def test_anchor_%d(tmp_path):\n    p = tmp_path / \"data.txt\"\n    p.write_text(\"x\")\n    await asyncio.sleep(%g)\n", a, sh.TestS)
		for _, i := range calls {
			fmt.Fprintf(&b, "    assert await op_%d(str(p)) == \"x\"\n", i)
		}
		files[fmt.Sprintf("tests/blocking_io/test_anchor_%d.py", a)] = b.String()
	}
	return writeFiles(dir, files)
}

// writeFiles writes each file's body at its slash path under dir.
func writeFiles(dir string, files map[string]string) error {
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
