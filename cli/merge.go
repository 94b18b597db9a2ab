package cli

import (
	"context"
	"encoding/json"
	"flag"
	"os"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/render"
	"github.com/teethtool/teeth/report"
)

// merge is "teeth merge [--partial] [report flags] SHARD.json...": it
// combines the reports of a sharded run into the report of the whole run.
// A partial merge (some shards missing, --partial) exits 1 at best.
func (a *app) merge(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("teeth merge", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	out := outputs{noSources: true}
	out.register(fs)
	partial := fs.Bool("partial", false, "merge the shards given although some of the run's are missing: the report says partial, and the exit code is never 0")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return hint.New("merge needs the JSON reports of the shards", "teeth merge --json all.json shard1.json shard2.json")
	}
	var shards []*report.Report
	for _, f := range files {
		r, err := readReport(f)
		if err != nil {
			return err
		}
		shards = append(shards, r)
	}
	m, err := report.Merge(shards, files, *partial)
	if err != nil {
		return err
	}
	errs := out.write(m, a.stdout)
	render.Summary(a.stdout, m)
	failed(a.stderr, errs)
	if m.Summary.Failed {
		return hint.Exit(1)
	}
	return nil
}

func readReport(path string) (*report.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, hint.New("cannot read report "+path, "pass the files written with --json")
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, hint.New(path+" is not a teeth JSON report: "+err.Error(), "pass the files written with --json")
	}
	return &r, nil
}
