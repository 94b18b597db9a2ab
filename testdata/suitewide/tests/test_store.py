from relay import store


async def test_save_then_load(tmp_path):
    path = tmp_path / "m.json"
    await store.save(path, {"subject": "hi"})
    assert await store.load(path) == {"subject": "hi"}


async def test_load_reads_the_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"subject": "x"}', encoding="utf-8")
    assert (await store.load(path))["subject"] == "x"


def test_subject_defaults():
    assert store.subject({}) == "(no subject)"


def test_subject_strips():
    assert store.subject({"subject": "  a "}) == "a"
