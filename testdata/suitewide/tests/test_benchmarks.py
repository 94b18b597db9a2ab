"""Benchmarks: the conftest runs them without the gate (by module name)."""

from relay import store


async def test_benchmark_load(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"subject": "x"}', encoding="utf-8")
    for _ in range(20):
        await store.load(path)


def test_benchmark_subject():
    for _ in range(1000):
        store.subject({"subject": "x"})
