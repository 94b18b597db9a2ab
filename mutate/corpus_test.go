package mutate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCorpus applies every site found under $TEETH_CORPUS (e.g. a Python
// installation's lib dir) and checks each mutant: bytes outside the edit kept,
// and a mutant compiles whenever its original does. Skipped when unset.
func TestCorpus(t *testing.T) {
	root := os.Getenv("TEETH_CORPUS")
	if root == "" {
		t.Skip("TEETH_CORPUS not set")
	}
	py := testPython(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res, err := Discover(ctx, py, root, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d sites, %d errors, %d wrappers", len(res.Sites), len(res.Errors), len(res.Wrappers))
	var names []string
	var sources [][]byte
	orig := map[string]int{} // path -> index of the original in sources
	for _, s := range res.Sites {
		if _, ok := orig[s.Path]; !ok {
			src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(s.Path)))
			if err != nil {
				t.Fatal(err)
			}
			orig[s.Path] = len(sources)
			names, sources = append(names, s.Path), append(sources, src)
		}
		src := sources[orig[s.Path]]
		mut, err := s.Apply(src)
		if err != nil {
			t.Fatalf("%s: %v", s.ID, err)
		}
		checkMutant(t, s, src, mut)
		names, sources = append(names, s.ID), append(sources, mut)
	}
	msgs, err := Compile(ctx, py, names, sources)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		path, _, _ := strings.Cut(name, ":")
		if o, ok := orig[path]; ok && o != i && msgs[i] != "" && msgs[o] == "" {
			t.Errorf("mutant %s does not compile: %s", name, msgs[i])
		}
	}
	for _, e := range res.Errors {
		if strings.HasPrefix(e.Msg, "offload site skipped") {
			t.Logf("%s:%d: %s", e.Path, e.Line, e.Msg)
		}
	}
}
