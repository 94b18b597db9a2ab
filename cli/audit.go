package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/pipeline"
	"github.com/teethtool/teeth/render"
)

// audit is "teeth audit": the baseline and reachability pass only, no
// mutants, and the audit findings.
func (a *app) audit(ctx context.Context, args []string) (err error) {
	defer interrupted(ctx, &err)
	f, c, err := a.begin("audit", args)
	if err != nil {
		return err
	}
	prog := newProgress(a.stderr, time.Now())
	defer prog.Finish()
	r, err := pipeline.Audit(ctx, c, f.options(a.version, a.stderr, prog))
	if err != nil {
		return err
	}
	errs := f.out.write(r, a.stdout)
	render.AuditRun(a.stdout, r)
	defer failed(a.stderr, errs)
	if failed := r.AuditFailures(c.AuditFailOn); len(failed) > 0 {
		fmt.Fprintf(a.stdout, "audit failed on: %s (the kinds in audit_fail_on)\n", strings.Join(failed, ", "))
		return hint.Exit(1)
	}
	return nil
}
