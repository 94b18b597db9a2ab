package runner

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/mutate"
)

// The gate self-check: before any verdict is trusted, a probe test placed
// among the anchors calls a known blocking primitive (time.sleep) on a
// running loop from a module inside each source root. The detector must fire
// for every root; if it does not, the gate is not wired to the code teeth
// mutates and every verdict would be meaningless.
const (
	probeModule = "_teeth_gate_probe"
	probeTest   = "test_teeth_gate_probe.py"
)

type probe struct {
	test    string            // the probe test file, relative to the project
	nodeids map[string]string // node id -> source root it checks
	files   []string          // everything written into the sandbox
}

// writeProbe writes the probe modules and test into the sandbox.
func writeProbe(sb *Sandbox, roots, anchors []string) (*probe, error) {
	p := &probe{test: path.Join(probeDir(sb, anchors), probeTest), nodeids: map[string]string{}}
	var test strings.Builder
	test.WriteString("import asyncio\nimport importlib\n\nimport pytest\n\n\n@pytest.mark.parametrize(\"module\", [\n")
	for _, root := range roots {
		mod := path.Base(root) + "." + probeModule
		file := path.Join(root, probeModule+".py")
		if err := sb.Write(file, []byte("import time\n\n\ndef probe():\n    time.sleep(0.001)\n")); err != nil {
			return nil, err
		}
		p.files = append(p.files, file)
		fmt.Fprintf(&test, "    %q,\n", mod)
		p.nodeids[fmt.Sprintf("%s::test_teeth_gate_probe[%s]", p.test, mod)] = root
	}
	test.WriteString("])\ndef test_teeth_gate_probe(module):\n    probe = importlib.import_module(module).probe\n\n" +
		"    async def on_the_loop():\n        probe()\n\n    asyncio.run(on_the_loop())\n")
	p.files = append(p.files, p.test)
	return p, sb.Write(p.test, []byte(test.String()))
}

// probeDir is the directory of the first anchor, so the gate applies to the probe.
func probeDir(sb *Sandbox, anchors []string) string {
	first, _, _ := strings.Cut(anchors[0], "::")
	if info, err := os.Stat(filepath.Join(sb.Dir, filepath.FromSlash(first))); err == nil && info.IsDir() {
		return path.Clean(filepath.ToSlash(first))
	}
	return path.Dir(filepath.ToSlash(first))
}

// check removes the probe from res and returns an error naming the first
// source root whose blocking call the detector did not catch.
func (p *probe) check(res *Result, plan *Plan) error {
	var bad []string
	for id, root := range p.nodeids {
		t := res.Tests[id]
		if t == nil || len(t.Detector) == 0 {
			bad = append(bad, root)
		}
		delete(res.Tests, id)
	}
	res.Items = dropItems(res.Items, p.nodeids)
	res.Order = dropIDs(res.Order, p.nodeids)
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	fix := fmt.Sprintf("the gate must scan the source roots' packages and be active for tests in %s; check its scanned_modules", path.Dir(p.test))
	if !hasSites(plan.Sites, bad[0]) {
		fix = fmt.Sprintf("source root %s holds no offload site: drop it from source_roots, or make the gate scan it", bad[0])
	}
	return hint.New(fmt.Sprintf("gate self-check: time.sleep on the event loop in %s/%s.py did not raise %s under the gate",
		bad[0], probeModule, strings.Join(plan.Env.Detectors, " or ")), fix)
}

// hasSites says whether some site lies under the source root root.
func hasSites(sites []mutate.Site, root string) bool {
	root = strings.TrimSuffix(path.Clean(root), "/") + "/"
	for _, s := range sites {
		if strings.HasPrefix(s.Path, root) {
			return true
		}
	}
	return false
}

func (p *probe) remove(sb *Sandbox) {
	for _, f := range p.files {
		os.Remove(filepath.Join(sb.Dir, filepath.FromSlash(f)))
	}
}

func dropItems(items []Item, drop map[string]string) []Item {
	out := items[:0]
	for _, it := range items {
		if _, ok := drop[it.NodeID]; !ok {
			out = append(out, it)
		}
	}
	return out
}

func dropIDs(ids []string, drop map[string]string) []string {
	out := ids[:0]
	for _, id := range ids {
		if _, ok := drop[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}
