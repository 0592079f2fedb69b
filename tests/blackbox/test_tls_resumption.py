"""TLS session resumption on the HTTPS listener (issue 7's "TLS session resumption"): a client
that reconnects with the session of an earlier connection skips the full handshake (no
certificate signature, no key exchange on the server's side), for TLS 1.3 (tickets) and 1.2
(tickets or the server's session cache). OpenSSL's server defaults provide it; this keeps it on."""
from __future__ import annotations

import socket
import ssl

import pytest

REQUEST = b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def context(emulator, version: ssl.TLSVersion) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(emulator.ca_path))
    ctx.check_hostname = False
    ctx.minimum_version = version
    ctx.maximum_version = version
    return ctx


def health(emulator, ctx: ssl.SSLContext, session: ssl.SSLSession | None = None):
    """One request on a new connection; returns (the session after the answer, whether it was
    resumed, the status line)."""
    raw = socket.create_connection(("127.0.0.1", emulator.port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
        s.sendall(REQUEST)
        data = b""
        while True:  # TLS 1.3 tickets arrive after the handshake, with the first answer's records
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return s.session, s.session_reused, data.split(b"\r\n", 1)[0]


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2], ids=["tls1.3", "tls1.2"])
def test_a_reconnect_with_the_earlier_session_is_resumed(emulator, version):
    ctx = context(emulator, version)
    session, reused, status = health(emulator, ctx)
    assert status == b"HTTP/1.1 200 OK"
    assert not reused, "a first connection has nothing to resume"
    assert session is not None

    again, reused, status = health(emulator, ctx, session)
    assert status == b"HTTP/1.1 200 OK"
    assert reused, f"the {version.name} session of the first connection was not resumed"

    # A connection offered no session makes a full handshake again.
    _, reused, _ = health(emulator, ctx)
    assert not reused
