package pipeline

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/internal/atomicfile"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/mutate"
)

// Mutant is one site's mutant, as teeth show and teeth apply use it.
type Mutant struct {
	Site     mutate.Site
	Original []byte // the site's file as it is
	Mutated  []byte // the file with the site un-offloaded
}

// Diff is the mutant as a unified diff of the site's file, as the reports
// show it.
func (m *Mutant) Diff() string {
	d, err := m.Site.Diff(mutate.NewSource(m.Original))
	if err != nil {
		return mutate.Diff(m.Site.Path, m.Original, m.Mutated)
	}
	return d
}

// FindMutant discovers the project's sites and returns the mutant of the
// one with this id.
func FindMutant(ctx context.Context, c *config.Config, id string) (*Mutant, error) {
	disc, err := mutate.Discover(ctx, c.HelperPython(), c.Dir, c.SourceRoots, c.Exclude, c.Wrappers)
	if err != nil {
		return nil, discoverError(err, c.HelperPython())
	}
	for _, s := range disc.Sites {
		if s.ID != id {
			continue
		}
		src, err := os.ReadFile(filepath.Join(c.Dir, filepath.FromSlash(s.Path)))
		if err != nil {
			return nil, err
		}
		mut, err := s.Apply(src)
		if err != nil {
			return nil, err
		}
		return &Mutant{Site: s, Original: src, Mutated: mut}, nil
	}
	return nil, hint.New("no site has the id "+id, "site ids are listed in the summary and the JSON report")
}

// Apply writes the mutant into the project's working tree, for a person to
// reproduce it by hand, and returns the command that undoes it. It refuses
// a file that git does not track unchanged.
func Apply(c *config.Config, m *Mutant) (undo string, err error) {
	rel := m.Site.Path
	path := filepath.Join(c.Dir, filepath.FromSlash(rel))
	if err := checkClean(c.Dir, rel); err != nil {
		return "", err
	}
	// The file keeps its mode: atomicfile gives the new file the old one's.
	err = atomicfile.Write(path, 0o644, func(w io.Writer) error { _, err := w.Write(m.Mutated); return err })
	if err != nil {
		return "", err
	}
	return "git -C " + quote(c.Dir) + " checkout -- " + quote(rel), nil
}

// checkClean refuses a file that git does not track unchanged.
func checkClean(dir, rel string) error {
	out, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--", rel).CombinedOutput()
	if err != nil {
		return hint.New("cannot check "+rel+" for uncommitted changes: "+strings.TrimSpace(string(out)),
			"teeth apply works on files in a git work tree, so that git checkout can undo it")
	}
	if len(strings.TrimSpace(string(out))) > 0 {
		return hint.New(rel+" has uncommitted changes; refusing to apply a mutant over them",
			"commit or stash them first")
	}
	return nil
}
