package backend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Realistic sizes the realistic backend.
type Realistic struct {
	Sites, Anchors int
	ImportS        float64 // eager import work of the package, seconds
	Seed           uint64  // the same seed writes the same backend
}

// Where an operation's module is first imported.
const (
	eager    = "eager"    // at collection: the package, its core and its handlers
	service  = "service"  // by a handler's function-level import
	provider = "provider" // by the provider registry, on first use
	job      = "job"      // by the test body itself
)

// An op is one offloaded operation: an async function holding one offload
// site, reached by the anchors that cover it.
type op struct {
	n      int
	where  string // eager, service, provider or job
	module string // dotted module name
	shape  int    // index into opShapes
	wait   int    // index into waitShapes, or -1
	anchor []int  // anchors covering it
}

// opShape renders one offload shape: the module-level helper it needs (if
// any), the body of "async def op_N(path)" and what the op returns for a
// file holding "payload-N".
type opShape struct {
	kind   string // killed, fsync (unpatched primitive), mocked (the test mocks the IO) or waits (killed after a wait)
	helper string
	body   string
	want   string
}

// waitShapes are offloads whose un-offloaded call makes its test wait
// before it fails, as real services do: the call raises the detector's
// error, which a retry with back-off takes for a transient failure (0.5 +
// 1 + 2 + 4 s), or which kills the task that was to set an event or release
// a lease the caller waits on with a time-out (5 s, 3 s). Offloaded, each
// returns at once.
var waitShapes = []opShape{
	{"waits", "def _read_{n}(path):\n    with open(path, encoding=\"utf-8\") as f:\n        return f.read()\n",
		"    delay = 0.5\n    for _ in range(4):\n        try:\n            return await asyncio.to_thread(_read_{n}, path)\n" +
			"        except Exception:  # a flaky share: back off and try again\n            await asyncio.sleep(delay)\n            delay *= 2\n" +
			"    raise RuntimeError(\"gave up on \" + path)\n", `"payload-{n}"`},
	{"waits", "def _append_{n}(path):\n    with open(path, \"a\", encoding=\"utf-8\") as f:\n        f.write(\"flushed\\n\")\n",
		"    flushed = asyncio.Event()\n\n    async def _flush():\n        await asyncio.to_thread(_append_{n}, path)\n        flushed.set()\n\n" +
			"    task = asyncio.get_running_loop().create_task(_flush())\n    try:\n        await asyncio.wait_for(flushed.wait(), timeout=5)\n" +
			"    finally:\n        task.cancel()\n    return \"flushed\"\n", `"flushed"`},
	{"waits", "def _append_{n}(path):\n    with open(path, \"a\", encoding=\"utf-8\") as f:\n        f.write(\"written\\n\")\n",
		"    lease = asyncio.Lock()\n    await lease.acquire()  # released once the write lands\n\n    async def _write():\n        await asyncio.to_thread(_append_{n}, path)\n        lease.release()\n\n" +
			"    task = asyncio.get_running_loop().create_task(_write())\n    try:\n        await asyncio.wait_for(lease.acquire(), timeout=3)\n" +
			"    finally:\n        task.cancel()\n    return \"written\"\n", `"written"`},
}

// opShapes are the offload shapes real services use, killed by the gate
// when un-offloaded, plus a detector gap (os.fsync) and a mocked call.
var opShapes = []opShape{
	{"killed", "def _read_{n}(path):\n    with open(path, encoding=\"utf-8\") as f:\n        return f.read()\n",
		"    return await asyncio.to_thread(_read_{n}, path)\n", `"payload-{n}"`},
	{"killed", "", "    return await asyncio.to_thread(Path(path).read_text, encoding=\"utf-8\")\n", `"payload-{n}"`},
	{"killed", "def _load_{n}(path, *, strip=False):\n    text = Path(path).read_text(encoding=\"utf-8\")\n    return text.strip() if strip else text\n",
		"    return await run_file_io(_load_{n}, path, strip=True)\n", `"payload-{n}"`},
	{"killed", "", "    return await run_file_io(Path(path).read_text, encoding=\"utf-8\")\n", `"payload-{n}"`},
	{"killed", "def _read_{n}(path):\n    with open(path, \"rb\") as f:\n        return f.read().decode()\n",
		"    loop = asyncio.get_running_loop()\n    call = functools.partial(_read_{n}, path)\n    return await loop.run_in_executor(None, call)\n", `"payload-{n}"`},
	{"killed", "def _read_{n}(path):\n    return Path(path).read_text(encoding=\"utf-8\")\n",
		"    return await asyncio.wait_for(asyncio.to_thread(_read_{n}, path), timeout=30)\n", `"payload-{n}"`},
	{"killed", "", "    names = await asyncio.to_thread(os.listdir, os.path.dirname(path))\n    return \",\".join(sorted(names))\n", `"data-{n}.txt"`},
	{"killed", "", "    info = await run_file_io(os.stat, path)\n    return info.st_size\n", `len("payload-{n}")`},
	{"fsync", "def _flush_{n}(path):\n    fd = os.open(path, os.O_RDONLY)\n    try:\n        os.fsync(fd)\n    finally:\n        os.close(fd)\n",
		"    await asyncio.to_thread(_flush_{n}, path)\n    return \"synced\"\n", `"synced"`},
	{"mocked", "", "    names = await asyncio.to_thread(os.listdir, os.path.dirname(path))\n    return len(names)\n", `3`},
}

const (
	shapeFsync  = 8
	shapeMocked = 9
)

// realBackend is the generated realistic project: files by path.
type realBackend struct {
	sh    Realistic
	rng   *rand.Rand
	cpu   *rand.Rand // which anchor bodies compute instead of waiting (a stream of its own: the rest stays as it was)
	ops   []*op
	files map[string]string
}

// shape is op o's offload shape.
func (o *op) shapeOf() opShape {
	if o.wait >= 0 {
		return waitShapes[o.wait]
	}
	return opShapes[o.shape]
}

// WriteRealistic writes a backend shaped like a large asyncio service into
// dir: a package whose import costs importS seconds, most of its offloads in
// modules imported lazily (by handlers, by a provider registry on first use,
// by test bodies), a PEP 420 namespace package holding a file-IO wrapper
// built on functools.partial + ctx.run and a dedicated executor, anchors
// whose bodies take tens of milliseconds to about a second (half of them
// waiting, half computing), sites reached by several anchors, a few sites
// no anchor reaches, anchors whose un-offloaded call does no detectable
// blocking (os.fsync, a mocked call), and, one site in fifteen, mutants
// that make their test wait seconds before it fails (waitShapes).
func WriteRealistic(dir string, sh Realistic) error {
	b := &realBackend{sh: sh, rng: rand.New(rand.NewPCG(sh.Seed, 42)), cpu: rand.New(rand.NewPCG(sh.Seed, 43)), files: map[string]string{}}
	b.planOps()
	b.planAnchors()
	b.planWaits()
	b.writePackage()
	b.writeModules()
	b.writeTests()
	return writeFiles(dir, b.files)
}

// planOps spreads the sites over modules: a third in eagerly imported
// modules, the rest in services, providers and jobs, a few modules each.
func (b *realBackend) planOps() {
	n := b.sh.Sites
	plan := []struct {
		where string
		share float64
		mods  int
		name  string
	}{
		{eager, 0.15, 1, "svc.core.store"},
		{eager, 0.20, 3, "svc.handlers.h%d"},
		{service, 0.35, 6, "svc.services.s%d"},
		{provider, 0.15, 3, "svc.providers.p%d"},
		{job, 0.15, 3, "svc.jobs.j%d"},
	}
	for _, p := range plan {
		count := int(math.Round(p.share * float64(n)))
		for i := 0; i < count && len(b.ops) < n; i++ {
			name := p.name
			if strings.Contains(name, "%d") {
				name = fmt.Sprintf(name, i%p.mods)
			}
			b.ops = append(b.ops, &op{n: len(b.ops), where: p.where, module: name, shape: b.rng.IntN(shapeFsync), wait: -1})
		}
	}
	// Detector gaps and mocked IO live in lazily imported services.
	for i, o := range b.ops {
		if o.where == service && i%9 == 4 {
			o.shape = shapeFsync
		} else if o.where == service && i%9 == 7 {
			o.shape = shapeMocked
		}
	}
}

// planAnchors gives each op an anchor, some ops a second and third, and
// leaves one op in fifteen unreached. An op whose un-offloaded call cannot
// be detected gets an anchor of its own.
func (b *realBackend) planAnchors() {
	next := 0
	for i, o := range b.ops {
		if i%15 == 14 {
			continue // no anchor reaches it: unguarded
		}
		if o.shape >= shapeFsync {
			continue
		}
		o.anchor = append(o.anchor, next%b.sh.Anchors)
		next++
		for extra := 0; extra < 2 && b.rng.Float64() < 0.35; extra++ {
			if a := b.rng.IntN(b.sh.Anchors); !slices.Contains(o.anchor, a) {
				o.anchor = append(o.anchor, a)
			}
		}
	}
	solo := b.sh.Anchors
	for _, o := range b.ops {
		if o.shape >= shapeFsync {
			o.anchor = []int{solo}
			solo++
		}
	}
	b.sh.Anchors = solo
}

// planWaits turns one op in fifteen among those an anchor kills into an op
// whose mutant waits (waitShapes, in turn), spread over the modules.
func (b *realBackend) planWaits() {
	var killed []*op
	for _, o := range b.ops {
		if len(o.anchor) > 0 && o.shape < shapeFsync {
			killed = append(killed, o)
		}
	}
	n := len(b.ops) / 15
	for k := 0; k < n && len(killed) > 0; k++ {
		o := killed[(2*k+1)*len(killed)/(2*n)]
		o.wait = k % len(waitShapes)
	}
}

func (b *realBackend) writePackage() {
	third := b.sh.ImportS / 3
	b.files["pyproject.toml"] = `[project]
name = "svc"
version = "1.0.0"
requires-python = ">=3.12"

[tool.teeth]
source_roots = ["svc"]

[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
markers = ["allow_blocking_io: opt out of the Blockbuster gate"]
`
	b.files["svc/_work.py"] = `"""Stands in for the import-time cost of real dependencies (a web framework,
an ORM, cloud SDKs): real CPU work for a given time."""
import hashlib
import time


def burn(seconds):
    t0 = time.perf_counter()
    h = b"svc"
    while time.perf_counter() - t0 < seconds:
        for _ in range(1000):
            h = hashlib.sha256(h).digest()
`
	b.files["svc/__init__.py"] = fmt.Sprintf(`"""svc: an asyncio backend. Importing it loads the framework and the core;
services, providers and jobs are imported when first used."""
from svc._work import burn

burn(%g)

from svc import core  # noqa: E402
from svc import handlers  # noqa: E402,F401
`, third)
	b.files["svc/core/__init__.py"] = fmt.Sprintf(`from svc._work import burn

burn(%g)

from svc.core import store  # noqa: E402,F401
`, third)
	b.files["svc/handlers/__init__.py"] = fmt.Sprintf(`"""Request handlers, registered at start-up."""
from svc._work import burn

burn(%g)

from svc.handlers import h0, h1, h2  # noqa: E402,F401
`, third)
	b.files["svc/utils/file_io.py"] = `"""File IO off the event loop: a dedicated pool, the caller's context
(request id, tenant) carried into the worker thread. svc/utils is a PEP 420
namespace package: no __init__.py."""
import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_FILE_IO_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="file-io")


async def run_file_io[T](func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    loop = asyncio.get_running_loop()
    ctx = contextvars.copy_context()
    call = functools.partial(func, *args, **kwargs)
    return await loop.run_in_executor(_FILE_IO_POOL, ctx.run, call)
`
	b.files["svc/providers/__init__.py"] = `"""Storage providers, imported on first use: each pulls in its SDK."""
import importlib

_LOADED = {}


def get_provider(name):
    mod = _LOADED.get(name)
    if mod is None:
        mod = _LOADED[name] = importlib.import_module("svc.providers." + name)
    return mod
`
	b.files["svc/services/__init__.py"] = ""
	b.files["svc/jobs/__init__.py"] = ""
}

// importCost is the import-time work of a lazily imported module.
func (b *realBackend) importCost(where string) float64 {
	switch where {
	case provider:
		return 0.15 + 0.15*b.rng.Float64() // an SDK
	case service:
		return 0.03 + 0.07*b.rng.Float64()
	case job:
		return 0.02
	}
	return 0
}

func (b *realBackend) writeModules() {
	byModule := map[string][]*op{}
	var order []string
	for _, o := range b.ops {
		if byModule[o.module] == nil {
			order = append(order, o.module)
		}
		byModule[o.module] = append(byModule[o.module], o)
	}
	for _, mod := range order {
		ops := byModule[mod]
		var src strings.Builder
		src.WriteString("import asyncio\nimport functools\nimport os\nfrom pathlib import Path\n\n")
		src.WriteString("from svc._work import burn\nfrom svc.utils.file_io import run_file_io\n\n")
		if cost := b.importCost(ops[0].where); cost > 0 {
			fmt.Fprintf(&src, "burn(%.3f)\n", cost)
		}
		for _, o := range ops {
			sh := o.shapeOf()
			if sh.helper != "" {
				src.WriteString("\n\n" + num(sh.helper, o.n))
			}
			fmt.Fprintf(&src, "\n\nasync def op_%d(path):\n%s", o.n, num(sh.body, o.n))
		}
		b.files[modulePath(mod)] = src.String()
	}
	b.writeHandlers()
}

// writeHandlers adds, to the eager handler modules, the entry points that
// reach services through function-level imports and providers through the
// registry.
func (b *realBackend) writeHandlers() {
	for _, o := range b.ops {
		var entry string
		switch o.where {
		case service:
			entry = fmt.Sprintf("\n\nasync def handle_%d(path):\n    from %s import op_%d\n\n    return await op_%d(path)\n", o.n, o.module, o.n, o.n)
		case provider:
			name := o.module[strings.LastIndex(o.module, ".")+1:]
			entry = fmt.Sprintf("\n\nasync def handle_%d(path):\n    return await get_provider(%q).op_%d(path)\n", o.n, name, o.n)
		default:
			continue
		}
		h := modulePath(fmt.Sprintf("svc.handlers.h%d", o.n%3))
		if _, ok := b.files[h]; !ok {
			b.files[h] = "import asyncio\nimport functools\nimport os\nfrom pathlib import Path\n\nfrom svc.utils.file_io import run_file_io\n"
		}
		if !strings.Contains(b.files[h], "get_provider") {
			b.files[h] = strings.Replace(b.files[h], "from svc.utils.file_io", "from svc.providers import get_provider\nfrom svc.utils.file_io", 1)
		}
		b.files[h] += entry
	}
	for i := range 3 {
		if h := modulePath(fmt.Sprintf("svc.handlers.h%d", i)); b.files[h] == "" {
			b.files[h] = "\"\"\"No entry points yet.\"\"\"\n"
		}
	}
}

// writeTests writes the gate conftest and the anchors.
func (b *realBackend) writeTests() {
	b.files["tests/blocking_io/conftest.py"] = `"""Blockbuster gate: a blocking call on the event loop from svc fails the test."""
import pytest
from blockbuster import BlockBuster

_GATE = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _GATE
    if item.get_closest_marker("allow_blocking_io"):
        return (yield)
    if _GATE is None:
        _GATE = BlockBuster(scanned_modules=["svc"])
    _GATE.activate()
    try:
        return (yield)
    finally:
        _GATE.deactivate()
`
	covers := make([][]*op, b.sh.Anchors)
	for _, o := range b.ops {
		for _, a := range o.anchor {
			covers[a] = append(covers[a], o)
		}
	}
	for a, ops := range covers {
		b.files[fmt.Sprintf("tests/blocking_io/test_flow_%02d.py", a)] = b.anchor(a, ops)
	}
}

// anchor renders one anchor test: set-up, the rest of its work (tens of
// milliseconds to about a second: waiting on the network, or computing),
// then each covered operation through the way the service reaches it.
func (b *realBackend) anchor(a int, ops []*op) string {
	var head, body strings.Builder
	head.WriteString("import asyncio\nimport hashlib\nimport time\nfrom unittest import mock\n\n")
	imported := map[string]bool{}
	body.WriteString(fmt.Sprintf("\n\nasync def test_flow_%02d(tmp_path):\n", a))
	if secs := b.bodySeconds(); b.cpu.Float64() < 0.5 {
		body.WriteString(fmt.Sprintf("    await asyncio.sleep(%.3f)  # the rest of the request: auth, queries\n", secs))
	} else {
		body.WriteString(fmt.Sprintf("    _render(%.3f)  # the rest of the request: serializing, rendering\n", secs))
	}
	for _, o := range ops {
		fmt.Fprintf(&body, "    data = tmp_path / \"d%d\" / \"data-%d.txt\"\n    data.parent.mkdir()\n    data.write_text(\"payload-%d\", encoding=\"utf-8\")\n", o.n, o.n, o.n)
		call := fmt.Sprintf("await handle_%d(str(data))", o.n)
		handlers := fmt.Sprintf("svc.handlers.h%d", o.n%3)
		switch o.where {
		case eager:
			handlers, call = o.module, fmt.Sprintf("await op_%d(str(data))", o.n)
		case job:
			fmt.Fprintf(&body, "    from %s import op_%d\n\n", o.module, o.n)
			call = fmt.Sprintf("await op_%d(str(data))", o.n)
		}
		if o.where != job {
			name := fmt.Sprintf("%s_%d", map[bool]string{true: "op", false: "handle"}[o.where == eager], o.n)
			if !imported[name] {
				imported[name] = true
				fmt.Fprintf(&head, "from %s import %s\n", handlers, name)
			}
		}
		want := num(o.shapeOf().want, o.n)
		if o.shape == shapeMocked {
			fmt.Fprintf(&body, "    with mock.patch(\"os.listdir\", return_value=[\"a\", \"b\", \"c\"]):\n        assert %s == %s\n", call, want)
			continue
		}
		fmt.Fprintf(&body, "    assert %s == %s\n", call, want)
	}
	return head.String() + renderHelper + body.String()
}

// renderHelper is the CPU work of an anchor body that computes: real
// hashing for a given time, on the event loop as rendering is.
const renderHelper = `

def _render(seconds):
    t0 = time.perf_counter()
    h = b"page"
    while time.perf_counter() - t0 < seconds:
        for _ in range(200):
            h = hashlib.sha256(h).digest()
`

// bodySeconds draws a test body's own duration, log-uniform from 20 ms to 1 s.
func (b *realBackend) bodySeconds() float64 {
	return 0.02 * math.Pow(50, b.rng.Float64())
}

func num(s string, n int) string { return strings.ReplaceAll(s, "{n}", fmt.Sprint(n)) }

func modulePath(dotted string) string { return strings.ReplaceAll(dotted, ".", "/") + ".py" }
