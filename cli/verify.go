package cli

import (
	"context"
	"time"

	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/pipeline"
	"github.com/teethtool/teeth/render"
)

// verify is "teeth verify".
func (a *app) verify(ctx context.Context, args []string) (err error) {
	defer interrupted(ctx, &err)
	f, c, err := a.begin("verify", args)
	if err != nil {
		return err
	}
	prog := newProgress(a.stderr, time.Now())
	defer prog.Finish()
	r, err := pipeline.Verify(ctx, c, f.options(a.version, a.stderr, prog))
	if err != nil {
		return err
	}
	errs := f.out.write(r, a.stdout)
	render.Summary(a.stdout, r)
	failed(a.stderr, errs)
	if r.Summary.Failed {
		return hint.Exit(1)
	}
	return nil
}

// begin parses a running command's flags and loads the configuration.
func (a *app) begin(cmd string, args []string) (*runFlags, *config.Config, error) {
	f, err := parseFlags(cmd, args, a.stderr)
	if err != nil {
		return nil, nil, err
	}
	c, err := f.config()
	return f, c, err
}
