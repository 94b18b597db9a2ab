"""The relay's peer protocol: one request, one greeting back."""

import asyncio
import socket
from pathlib import Path

GREETING = Path(__file__).with_name("greeting.txt")


def _greeting() -> bytes:
    return GREETING.read_bytes()


async def serve_once(server: socket.socket) -> None:
    """Answers one peer: reads its request, sends the greeting, hangs up."""
    loop = asyncio.get_running_loop()
    conn, _ = await loop.sock_accept(server)
    await loop.sock_recv(conn, 1024)
    reply = await asyncio.to_thread(_greeting)
    await loop.sock_sendall(conn, reply)
    conn.close()


async def ask(host: str, port: int) -> bytes:
    """Sends a request and reads the whole reply (no timeout: the peer hangs up)."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"hello\n")
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    return data
