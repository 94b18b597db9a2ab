package runner

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
)

// Tree is what the sandbox copy of a project must treat specially: the
// entries it skips, the symlinks it re-points, and the symlinked directories
// that lead back into their own ancestry (pytest would collect the same tests
// again and again through them).
type Tree struct {
	dir   string
	skip  map[string]bool   // absolute paths in the project that are not copied
	links map[string]string // absolute path of a symlink -> the target its sandbox copy gets
	deep  map[string]bool   // symlinks on the way to a source root: copied as the directories they lead to
	// Loops are the slash paths, relative to the project, of the symlinked
	// directories on a cycle; pytest is told to ignore them.
	Loops []string
	// Notes say, one line per kind, what was skipped, re-pointed or ignored.
	Notes []string
}

// ScanTree walks the project at dir (a path free of symlinks) as the
// sandbox copy will, skipping what sandboxes never hold and avoid (teeth's
// scratch space), and classifies what a copy must not simply open and read.
// A symlink on the way to a source root (roots: slash paths relative to dir)
// is copied as the directory it leads to, since mutants are written there.
// Otherwise
// FIFOs are copied as new FIFOs (never opened), sockets and device files are
// skipped, unreadable files and directories are skipped, symlinks that lead
// nowhere are copied as they are, symlinks that point outside the project
// are re-pointed at the same target, absolute symlinks into the project at
// the sandbox's own copy, and looping directory symlinks are reported.
func ScanTree(dir, avoid string, roots []string) (*Tree, error) {
	t := &Tree{dir: dir, skip: map[string]bool{}, links: map[string]string{}, deep: map[string]bool{}}
	k := map[string][]string{}
	var dirLinks []dirLink
	outside := t.rootLinks(roots)
	visit := func(p string, d fs.DirEntry, base string) error {
		if p == base {
			return nil
		}
		mode := d.Type()
		switch {
		case mode.IsDir():
			if p == avoid || skippedDir(p, d.Name()) {
				return filepath.SkipDir
			}
			if syscall.Access(p, 0x4|0x1) != nil { // R_OK|X_OK
				t.skip[p] = true
				k[kindUnreadable] = append(k[kindUnreadable], t.rel(p)+"/")
				return filepath.SkipDir
			}
		case mode&fs.ModeSymlink != 0:
			if dl, ok := t.symlink(p, k); ok {
				dirLinks = append(dirLinks, dl)
			}
		case mode&fs.ModeNamedPipe != 0:
			k[kindFIFO] = append(k[kindFIFO], t.rel(p))
		case mode&fs.ModeSocket != 0:
			t.skip[p] = true
			k[kindSocket] = append(k[kindSocket], t.rel(p))
		case mode&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeIrregular) != 0:
			t.skip[p] = true
			k[kindDevice] = append(k[kindDevice], t.rel(p))
		case filepath.Ext(p) == ".pyc":
		default:
			if syscall.Access(p, 0x4) != nil { // R_OK
				t.skip[p] = true
				k[kindUnreadable] = append(k[kindUnreadable], t.rel(p))
			}
		}
		return nil
	}
	// The project, then the directories a symlinked source root leads to
	// outside it: the sandbox copies them too.
	for _, base := range append([]string{dir}, outside...) {
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == base {
					return err
				}
				t.skip[p] = true
				k[kindUnreadable] = append(k[kindUnreadable], t.rel(p))
				return skipDirOf(d)
			}
			return visit(p, d, base)
		})
		if err != nil {
			return nil, fmt.Errorf("reading the project %s: %w", base, err)
		}
	}
	for _, dl := range cycles(dirLinks) {
		t.Loops = append(t.Loops, t.rel(dl.path))
		k[kindLoop] = append(k[kindLoop], t.rel(dl.path)+" -> "+dl.target)
	}
	t.Notes = notes(k)
	return t, nil
}

// rootLinks marks the symlinks on the way to each source root for a deep
// copy, each link of a chain of them too (the copy follows the chain), and
// returns the directories they lead to that the walk of the project does
// not meet (outside it, or inside through a symlink): the copy reads them.
func (t *Tree) rootLinks(roots []string) []string {
	var outside []string
	for _, r := range roots {
		p := t.dir
		for _, part := range strings.Split(r, "/") {
			p = filepath.Join(p, part)
			for q, hops := p, 0; hops < 40; hops++ {
				info, err := os.Lstat(q)
				if err != nil || info.Mode()&fs.ModeSymlink == 0 {
					real, err := filepath.EvalSymlinks(q)
					if err == nil && q != p && (real != q || !within(real, t.dir)) && !slices.Contains(outside, q) {
						outside = append(outside, q) // the path the copy reads it by, which the walk of the project does not meet
					}
					break
				}
				t.deep[q] = true
				target, err := os.Readlink(q)
				if err != nil {
					break
				}
				if !filepath.IsAbs(target) {
					target = filepath.Join(filepath.Dir(q), target)
				}
				q = target
			}
		}
	}
	return outside
}

// The kinds of odd entries, in the order their notes are printed.
const (
	kindNowhere    = "nowhere"
	kindOutside    = "outside"
	kindLoop       = "loop"
	kindFIFO       = "fifo"
	kindSocket     = "socket"
	kindDevice     = "device"
	kindUnreadable = "unreadable"
)

// dirLink is a symlink to a directory inside the project.
type dirLink struct {
	path   string // the link, absolute
	parent string // the directory holding it (free of symlinks: the walk follows none)
	real   string // where it leads, free of symlinks
	target string // its target as written
}

// symlink classifies the symlink at p; a link to a directory inside the
// project is returned for the cycle check.
func (t *Tree) symlink(p string, k map[string][]string) (dirLink, bool) {
	if t.deep[p] {
		return dirLink{}, false // copied as a directory
	}
	target, err := os.Readlink(p)
	if err != nil {
		t.skip[p] = true
		k[kindUnreadable] = append(k[kindUnreadable], t.rel(p))
		return dirLink{}, false
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		k[kindNowhere] = append(k[kindNowhere], t.rel(p))
		return dirLink{}, false // a loop or a missing target: copied as it is, harmless
	}
	if !within(real, t.dir) {
		t.links[p] = real
		if !skippedDirs[filepath.Base(p)] { // a linked .venv is common and never used from a sandbox
			k[kindOutside] = append(k[kindOutside], t.rel(p)+" -> "+target)
		}
		return dirLink{}, false
	}
	if filepath.IsAbs(target) { // into the project: the sandbox's copy must get its own
		rel, err := filepath.Rel(filepath.Dir(p), real)
		if err == nil {
			t.links[p] = rel
		}
	}
	if info, err := os.Stat(p); err == nil && info.IsDir() {
		return dirLink{path: p, parent: filepath.Dir(p), real: real, target: target}, true
	}
	return dirLink{}, false
}

// cycles returns the directory links from which a walk that follows
// symlinks (pytest's collection does) comes back to the same link: a link
// leads to every link in the directory it points at, or below it.
func cycles(links []dirLink) []dirLink {
	var out []dirLink
	for i, l := range links {
		seen := map[int]bool{}
		for queue := []int{i}; len(queue) > 0 && !seen[i]; queue = queue[1:] {
			for j, m := range links {
				if !seen[j] && within(m.parent, links[queue[0]].real) {
					seen[j] = true
					queue = append(queue, j)
				}
			}
		}
		if seen[i] {
			out = append(out, l)
		}
	}
	return out
}

// within reports whether path is dir or lies under it.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

func (t *Tree) rel(p string) string {
	rel, err := filepath.Rel(t.dir, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}

func skipDirOf(d fs.DirEntry) error {
	if d != nil && d.IsDir() {
		return filepath.SkipDir
	}
	return nil
}

// IgnoreArgs are the pytest arguments that keep collection out of the loops.
func (t *Tree) IgnoreArgs() []string {
	var args []string
	for _, l := range t.Loops {
		args = append(args, "--ignore="+filepath.FromSlash(l))
	}
	return args
}

// notes turns the odd entries by kind into one line each.
func notes(k map[string][]string) []string {
	say := map[string][2]string{
		kindNowhere:    {"symlink in the project leads nowhere (a loop or a missing target); it is copied as it is", "symlinks in the project lead nowhere (a loop or a missing target); they are copied as they are"},
		kindOutside:    {"symlink points outside the project; the sandboxes link to the same target", "symlinks point outside the project; the sandboxes link to the same targets"},
		kindLoop:       {"symlinked directory leads back into a directory that holds it; pytest is told to ignore it", "symlinked directories lead back into directories that hold them; pytest is told to ignore them"},
		kindFIFO:       {"FIFO in the project is copied as a new, empty FIFO (never opened)", "FIFOs in the project are copied as new, empty FIFOs (never opened)"},
		kindSocket:     {"socket in the project is not copied into the sandboxes", "sockets in the project are not copied into the sandboxes"},
		kindDevice:     {"device file in the project is not copied into the sandboxes", "device files in the project are not copied into the sandboxes"},
		kindUnreadable: {"unreadable entry in the project is not copied into the sandboxes (permission denied)", "unreadable entries in the project are not copied into the sandboxes (permission denied)"},
	}
	var out []string
	for _, kind := range []string{kindNowhere, kindOutside, kindLoop, kindFIFO, kindSocket, kindDevice, kindUnreadable} {
		names := k[kind]
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		what := say[kind][0]
		if len(names) > 1 {
			what = say[kind][1]
		}
		shown := names
		more := ""
		if len(names) > 3 {
			shown, more = names[:3], fmt.Sprintf(", and %d more", len(names)-3)
		}
		out = append(out, fmt.Sprintf("%d %s: %s%s", len(names), what, strings.Join(shown, ", "), more))
	}
	return out
}
