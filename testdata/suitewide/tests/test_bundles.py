from relay.bundles import read_manifest
from relay.testing import make_bundle


async def test_bundle_manifest_is_read():
    blob = make_bundle({"manifest.json": b'{"name": "relay-plugin"}'})
    assert await read_manifest(blob) == {"name": "relay-plugin"}
