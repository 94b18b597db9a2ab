package cli

import (
	"context"
	"fmt"

	"github.com/teethtool/teeth/pipeline"
)

// apply is "teeth apply ID [PROJECT]": it writes the mutant into the
// working tree for a person to reproduce by hand, and refuses when the file
// has uncommitted changes.
func (a *app) apply(ctx context.Context, args []string) error {
	f, id, _, err := mutantArgs("apply", args, a.stderr, false)
	if err != nil {
		return err
	}
	c, m, err := findMutant(ctx, f, id)
	if err != nil {
		return err
	}
	undo, err := pipeline.Apply(c, m)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "applied the mutant of %s to %s\nundo it with: %s\n", id, m.Site.Path, undo)
	return nil
}
