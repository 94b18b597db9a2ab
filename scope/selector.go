// Package scope owns what one run covers: the sites named with --site, the
// shard of a run split with --shard, and the changed-only scope of
// --changed (the sites in code changed since a merge base, and the anchors
// the change touches).
package scope

import "slices"

// Selector says which (site, anchor) pairs a run mutates and reports:
// --site, --shard and --changed.
type Selector struct {
	Only   []string // site ids named with --site; empty: every site
	Shard  Shard
	Change *Change // --changed; nil: no change scope
}

// Site reports whether the site may be mutated at all.
func (s *Selector) Site(id string) bool {
	return (len(s.Only) == 0 || slices.Contains(s.Only, id)) && s.Shard.Owns(id)
}

// Pair reports whether the anchor runs against the site's mutant: with
// --changed, a changed site meets every anchor that reaches it, and a touched
// anchor meets every site it reaches.
func (s *Selector) Pair(id, anchor string) bool {
	return s.Site(id) && (s.Change == nil || s.Change.sites[id] || s.Change.Touched(anchor))
}

// Narrowed reports whether the report holds only part of the anchors.
func (s *Selector) Narrowed() bool { return len(s.Only) > 0 || s.Change != nil }
