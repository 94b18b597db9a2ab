package mutate

import (
	"context"

	"github.com/teethtool/teeth/scripts"
)

// runScript runs sites.py in mode with in as JSON stdin and decodes stdout into out.
func runScript(ctx context.Context, python []string, dir, mode string, in, out any) error {
	return scripts.Run(ctx, python, "sites.py", dir, []string{mode}, in, out)
}
