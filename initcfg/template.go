package initcfg

import "strings"

// templatePath is where teeth init suggests saving a new gate conftest.
const templatePath = "tests/blocking_io/conftest.py"

// template proposes a gate conftest for a project that has none: a
// Blockbuster hookwrapper around each test's setup, call and teardown, for
// the tests in its directory, with the allow_blocking_io opt-out marker.
func (p *Proposal) template(dir string, pp *pyproject) {
	var names []string
	for _, c := range candidatePackages(dir, pp) {
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		names = []string{"your_package"}
		p.note("no package of the project found: replace your_package in SCANNED_MODULES with the packages whose blocking calls the gate must catch")
	}
	p.Template = strings.Replace(gateTemplate, "SCANNED_MODULES = []", "SCANNED_MODULES = "+tomlList(names), 1)
	p.TemplatePath = templatePath
}

const gateTemplate = `"""Blockbuster gate for the blocking-IO anchors in this directory.

Every test collected from this directory runs (setup, call and teardown) with
Blockbuster active: a blocking call made on the event-loop thread from code
in SCANNED_MODULES raises blockbuster.BlockingError, and the test fails.
Opt a test out with @pytest.mark.allow_blocking_io (say why next to it).
Needs pytest 8+ (wrapper hooks) and the blockbuster package.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from blockbuster import BlockBuster

ANCHOR_DIR = Path(__file__).parent.resolve()
SCANNED_MODULES = []
OPT_OUT = "allow_blocking_io"

_blockbuster: BlockBuster | None = None


def _gate() -> BlockBuster:
    global _blockbuster
    if _blockbuster is None:
        _blockbuster = BlockBuster(scanned_modules=SCANNED_MODULES)
    return _blockbuster


def _is_anchor(item: pytest.Item) -> bool:
    return ANCHOR_DIR in Path(str(item.path)).resolve().parents


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", OPT_OUT + ": opt this test out of the Blockbuster gate")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    if not _is_anchor(item) or item.get_closest_marker(OPT_OUT):
        return (yield)
    gate = _gate()
    gate.activate()
    try:
        return (yield)
    finally:
        gate.deactivate()
`
