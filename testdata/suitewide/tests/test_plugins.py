from relay.plugins import discover


async def test_discover_lists_plugins(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    assert await discover(str(tmp_path)) == ["a", "b"]
