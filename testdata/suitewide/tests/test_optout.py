import pytest

from relay import store


@pytest.mark.skip_blockbuster
async def test_load_without_the_gate(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("{}", encoding="utf-8")
    assert await store.load(path) == {}
