import asyncio
import socket

from relay.peer import ask, serve_once


async def test_ask_gets_the_greeting():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    peer = asyncio.create_task(serve_once(server))
    try:
        assert await ask(*server.getsockname()) == b"hello from relay\n"
        await peer
    finally:
        server.close()
