"""The Blockbuster gate over the whole suite: every test runs inside
blockbuster_ctx("relay"), unless it opts out with skip_blockbuster or lives
in a benchmark module."""

import pytest

try:
    from blockbuster import blockbuster_ctx

    HAS_BLOCKBUSTER = True
except ImportError:  # the gate is optional: without Blockbuster the suite runs ungated
    HAS_BLOCKBUSTER = False


@pytest.fixture(autouse=HAS_BLOCKBUSTER)
def blockbuster(request):
    # Opt a single test out with @pytest.mark.skip_blockbuster.
    if "skip_blockbuster" in request.node.keywords:
        yield
        return

    # No gate for the benchmarks: they measure, they do not guard.
    node = request.node.parent
    while node:
        if node.name.startswith("test_benchmarks"):
            yield
            return
        node = node.parent

    with blockbuster_ctx("relay", excluded_modules=["relay.testing"]) as bb:
        # The token's mtime is read on the loop on purpose (it is a stat of a small local file).
        bb.functions["os.stat"].can_block_in("relay/auth.py", "update_auth")
        # Plugin discovery lists a directory once at start-up: accepted.
        bb.functions["os.listdir"].deactivate()
        yield
