package mutate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzApply discovers and applies every site in arbitrary source bytes. Apply must
// never modify its input, must only replace the site's span and append the helper,
// and every mutant of a source that compiles must compile.
func FuzzApply(f *testing.F) {
	py := testPython(f)
	for _, file := range goldenFiles(f) {
		g := loadGolden(f, file)
		for _, in := range g.inputs {
			if strings.HasSuffix(in.Name, ".py") && len(in.Data) > 0 {
				f.Add(encode(f, in.Data, g.xforms[in.Name]))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "m.py"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Discover(testCtx(t), py, dir, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		names, sources := []string{"m.py"}, [][]byte{src}
		for _, s := range res.Sites {
			names, sources = append(names, s.ID), append(sources, applyChecked(t, s, src))
		}
		if len(res.Sites) == 0 {
			return
		}
		msgs, err := Compile(testCtx(t), py, names, sources)
		if err != nil {
			t.Fatal(err)
		}
		for i, msg := range msgs[1:] {
			if msgs[0] == "" && msg != "" {
				t.Errorf("mutant %s does not compile: %s\n%s", names[i+1], msg, Diff("m.py", src, sources[i+1]))
			}
		}
		source := func(string) (*Source, error) { return NewSource(src), nil }
		checked, err := Check(testCtx(t), py, res.Sites, source, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, msg := range checked {
			if (msg == "") != (msgs[i+1] == "") {
				t.Errorf("mutant %s: the statement check says %q, the whole file %q", names[i+1], msg, msgs[i+1])
			}
		}
	})
}
