// Package cli owns teeth's command line: its commands and flags, the report
// files a run writes, the progress on stderr, and the exit codes. The work
// itself is the pipeline's; the reports' formats are render's.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/teethtool/teeth/internal/hint"
)

const usageText = `usage: teeth init [--write] [--python PATH] [PROJECT]
       teeth verify [flags] [PROJECT]
       teeth audit [flags] [PROJECT]
       teeth merge [--partial] [--json OUT] SHARD.json...
       teeth show [--report FILE] SITE-ID [PROJECT]
       teeth apply SITE-ID [PROJECT]
       teeth rule [flags] SITE-ID [PROJECT]
       teeth comment [--pr N] [--report-url URL] REPORT.json
       teeth version

init reads PROJECT's Blockbuster gate (the conftest that builds BlockBuster or
blockbuster_ctx) and prints the [tool.teeth] table teeth needs, with why for
each key; --write adds it to PROJECT/pyproject.toml. Without a gate it prints
a gate conftest to start from.

verify proves that every blocking-IO anchor of PROJECT (default ".") goes red
when an offload it guards is put back on the event loop, and green again when
it is restored. Configuration comes from [tool.teeth] in PROJECT/pyproject.toml;
flags override it. Run "teeth verify -h" for the flags. verify also proves the
detector rule it proposes for every survived site (--no-prove-rules: not).
audit runs only the baseline (no mutants) and lists the blocking calls the gate
caught at baseline that production code swallowed (latent), anchors that guard
nothing, bypass the production offload, are opted out, name symbols that are
gone or duplicate each other, and the offload sites no anchor reaches. merge combines the
JSON reports of a run split with --shard i/n into the report of the whole run:
every shard of one run, once (--partial merges an incomplete set, which fails).
show prints a site's mutant (and its evidence from a report); apply writes the
mutant into the working tree to reproduce it by hand (git checkout undoes it).
rule takes a survived site (a rule candidate) and proposes the detector rule
for what its un-offloaded call blocked the loop in: it proves the rule in a
sandbox (red with it, green with the offload restored), lists the anchors it
would also fire in, and prints the gate conftest patch and a commit message
(exit 0 proven, 1 no rule or not proven). comment keeps one comment on a
GitHub pull request up to date with a JSON report (GITHUB_TOKEN,
GITHUB_REPOSITORY and the pull_request event, as in a workflow); no token, or
a read-only one, is said in one line and exits 0.

exit codes: 0 every anchor has teeth, 1 some do not, 2 usage, configuration or
environment error, 130 interrupted.
`

// exitCoder is an error that carries the process exit code.
type exitCoder interface {
	error
	ExitCode() int
}

// Main runs teeth with the process's arguments, SIGINT and SIGTERM ending
// the run, and returns its exit code; version is teeth's.
func Main(version string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := Run(ctx, version, os.Args[1:], os.Stdout, os.Stderr)
	return exitWith(err, os.Stderr)
}

// exitWith prints err as teeth's one-line message plus hint and returns the
// exit code. Every exit 2 says what to do: an error without a hint of its
// own gets hint.For's.
func exitWith(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var he *hint.Error
	if errors.As(err, &he) && he.Msg == "" {
		return he.Code
	}
	code := 2
	var ec exitCoder
	if errors.As(err, &ec) {
		code = ec.ExitCode()
	}
	fmt.Fprintf(stderr, "teeth: %v\n", err)
	switch {
	case errors.As(err, &he) && he.Hint != "":
		fmt.Fprintf(stderr, "teeth: hint: %s\n", he.Hint)
	case code == 2:
		fmt.Fprintf(stderr, "teeth: hint: %s\n", hint.For(err))
	}
	return code
}

// app is one run of the command line: teeth's version and the writers.
type app struct {
	version        string
	stdout, stderr io.Writer
}

// Run is teeth's whole command line, with its output writers injected.
func Run(ctx context.Context, version string, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return hint.New("no command given", `run "teeth verify" in your project's directory, or "teeth help" for every command`)
	}
	a := &app{version: version, stdout: stdout, stderr: stderr}
	commands := map[string]func(context.Context, []string) error{
		"init": a.init, "verify": a.verify, "audit": a.audit, "show": a.show,
		"apply": a.apply, "merge": a.merge, "rule": a.rule, "comment": a.comment,
	}
	if cmd, ok := commands[args[0]]; ok {
		return cmd(ctx, args[1:])
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, "teeth", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return nil
	}
	return hint.New(fmt.Sprintf("unknown command %q", args[0]), `run "teeth help" for usage`)
}

// interrupted makes the error of a run that SIGINT or SIGTERM cut short
// exit 130, whichever step it was in: a helper killed by the cancellation
// must not read as a configuration error. A finished run's exit 1 stays.
func interrupted(ctx context.Context, err *error) {
	var he *hint.Error
	if *err != nil && ctx.Err() != nil && (!errors.As(*err, &he) || he.Code != 1) {
		*err = &hint.Error{Msg: "interrupted; the project tree was not touched", Code: 130}
	}
}
