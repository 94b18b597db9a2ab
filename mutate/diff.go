package mutate

import udiff "github.com/aymanbagabas/go-udiff"

// Diff returns a unified diff of before and after (a/<path> b/<path>, 3 lines of
// context); "" when they are equal.
func Diff(path string, before, after []byte) string {
	return udiff.Unified("a/"+path, "b/"+path, string(before), string(after))
}
