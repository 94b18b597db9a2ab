from relay.auth import update_auth


async def test_update_auth_reads_the_token_time(tmp_path):
    token = tmp_path / "token"
    token.write_text("t")
    assert await update_auth(str(token)) > 0
