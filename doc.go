// Teeth proves that a Python backend's blocking-IO regression tests have teeth.
//
// Async Python services keep blocking IO off the event loop by offloading it
// (await asyncio.to_thread(...), loop.run_in_executor(...), project wrappers)
// and guard those offloads with anchor tests run under a Blockbuster gate.
// An anchor has teeth when putting the blocking call back on the loop turns
// it red and restoring the offload turns it green again.
//
// Usage:
//
//	teeth init [--write] [--python PATH] [PROJECT]
//	teeth verify [flags] [PROJECT]
//	teeth audit [flags] [PROJECT]
//	teeth merge [report flags] SHARD.json...
//	teeth show [--report FILE] SITE-ID [PROJECT]
//	teeth apply SITE-ID [PROJECT]
//	teeth rule [flags] SITE-ID [PROJECT]
//
// init reads the project's Blockbuster gate conftest and prints the
// [tool.teeth] table verify needs (the package directories behind the gate's
// scanned modules, the anchors directory, the opt-out marker, the
// interpreter), with the reason for each key; --write adds it to
// pyproject.toml, never over an existing table. A project without a gate
// gets a gate conftest to start from.
//
// verify finds every offload site in the project's source roots, checks that
// the gate fires inside them, runs the anchors once to learn which sites each
// one reaches, then, in sandbox copies of the project, un-offloads each
// reached site and runs the anchors that reach it. It prints a verdict per
// anchor and per site, proves the detector rule proposed for every survived
// site, and exits 0 when every anchor has teeth, 1 when some do not, and 2 on
// a usage, configuration or environment error. audit runs only the baseline
// and reports anchors that guard nothing, offload sites no anchor reaches,
// and the blocking calls the gate caught at baseline that production code
// swallowed (latent); merge combines sharded runs; show and apply look at
// one mutant. rule follows the SOP's RULE route for a survived site: it
// proposes a Blockbuster rule for the primitive its un-offloaded call blocked
// the loop in (on the name the call went through: builtins.open for the
// builtin open), proves it on the run's sandboxes (red with the rule, green
// with the offload restored), runs the green anchors with it for collateral,
// and prints the gate conftest patch and the rule commit's message. See README.md for the configuration keys, the verdicts and the
// JSON report's schema.
package main
