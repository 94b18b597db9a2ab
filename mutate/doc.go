// Package mutate owns offload sites and un-offload mutants. It runs the embedded
// scripts/sites.py with the target project's interpreter to find the places where a
// Python async backend hands a blocking call to a thread (asyncio.to_thread,
// loop.run_in_executor, anyio, starlette, asgiref, langchain and project-local
// pass-through wrappers), and rewrites one site at a time so that the blocking call
// runs on the event loop again. It also compiles mutants and renders their diffs.
// Wrappers are matched by the dotted names package pyimport gives the modules.
//
// Qualnames follow Python's __qualname__: "f", "C.m", "f.<locals>.g",
// "f.<locals>.<lambda>", and "<module>" for top-level code.
package mutate
