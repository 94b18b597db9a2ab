package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usageText = `usage: teeth init [--write] [--python PATH] [PROJECT]
       teeth verify [flags] [PROJECT]
       teeth audit [flags] [PROJECT]
       teeth merge [--json OUT] SHARD.json...
       teeth show [--report FILE] SITE-ID [PROJECT]
       teeth apply SITE-ID [PROJECT]
       teeth rule [flags] SITE-ID [PROJECT]
       teeth version

init reads PROJECT's Blockbuster gate (the conftest that builds BlockBuster or
blockbuster_ctx) and prints the [tool.teeth] table teeth needs, with why for
each key; --write adds it to PROJECT/pyproject.toml. Without a gate it prints
a gate conftest to start from.

verify proves that every blocking-IO anchor of PROJECT (default ".") goes red
when an offload it guards is put back on the event loop, and green again when
it is restored. Configuration comes from [tool.teeth] in PROJECT/pyproject.toml;
flags override it. Run "teeth verify -h" for the flags. audit runs only the
baseline (no mutants) and lists anchors that guard nothing, bypass the
production offload, are opted out, name symbols that are gone or duplicate
each other, and the offload sites no anchor reaches. merge combines the
JSON reports of a run split with --shard i/n into the report of the whole run.
show prints a site's mutant (and its evidence from a report); apply writes the
mutant into the working tree to reproduce it by hand (git checkout undoes it).
rule takes a survived site (a rule candidate) and proposes the detector rule
for what its un-offloaded call blocked the loop in: it proves the rule in a
sandbox (red with it, green with the offload restored), lists the anchors it
would also fire in, and prints the gate conftest patch and a commit message
(exit 0 proven, 1 no rule or not proven).

exit codes: 0 every anchor has teeth, 1 some do not, 2 usage, configuration or
environment error, 130 interrupted.
`

// exitCoder is an error that carries the process exit code.
type exitCoder interface {
	error
	ExitCode() int
}

// cliError is an error with an exit code and an optional hint line.
type cliError struct {
	msg  string
	hint string
	code int
}

func (e *cliError) Error() string { return e.msg }

// ExitCode returns the process exit code for the error.
func (e *cliError) ExitCode() int { return e.code }

func usageError(msg, hint string) error { return &cliError{msg: msg, hint: hint, code: 2} }

func main() {
	os.Exit(mainExit())
}

func mainExit() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	return exitWith(err, os.Stderr)
}

// exitWith prints err as teeth's one-line message plus hint and returns the exit code.
func exitWith(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ce *cliError
	if errors.As(err, &ce) && ce.msg == "" {
		return ce.code
	}
	fmt.Fprintf(stderr, "teeth: %v\n", err)
	if errors.As(err, &ce) && ce.hint != "" {
		fmt.Fprintf(stderr, "teeth: hint: %s\n", ce.hint)
	}
	var ec exitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 2
}

// run is teeth's whole command line, with its output writers injected.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return &cliError{code: 2}
	}
	switch args[0] {
	case "init":
		return initCmd(ctx, args[1:], stdout, stderr)
	case "verify":
		return verifyCmd(ctx, args[1:], stdout, stderr)
	case "audit":
		return auditCmd(ctx, args[1:], stdout, stderr)
	case "show":
		return showCmd(ctx, args[1:], stdout, stderr)
	case "apply":
		return applyCmd(ctx, args[1:], stdout, stderr)
	case "merge":
		return mergeCmd(ctx, args[1:], stdout, stderr)
	case "rule":
		return ruleCmd(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "teeth", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return nil
	}
	return usageError(fmt.Sprintf("unknown command %q", args[0]), `run "teeth help" for usage`)
}
