"""HTTP/1.1 framing on the HTTPS listener, over raw TLS sockets: keep-alive, pipelining, bodies
split across TLS records, chunked bodies and Expect: 100-continue (left to httplib), Connection:
close, truncated and oversized bodies, garbage, HEAD. The server parses plain requests itself and
hands everything else to cpp-httplib; both paths must frame answers the same way."""
from __future__ import annotations

import json
import re
import socket
import ssl
import time

import pytest

HOST = b"Host: localhost\r\n"


def connect(emulator, timeout=10.0) -> ssl.SSLSocket:
    ctx = ssl.create_default_context(cafile=str(emulator.ca_path))
    ctx.check_hostname = False
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", emulator.port), timeout=timeout),
                        server_hostname="localhost")
    s.settimeout(timeout)
    return s


class Reader:
    """Reads HTTP/1.1 responses (Content-Length framed) off one socket."""

    def __init__(self, sock: ssl.SSLSocket):
        self.sock = sock
        self.buf = b""

    def _more(self) -> bool:
        d = self.sock.recv(65536)
        if not d:
            return False
        self.buf += d
        return True

    def response(self, head_request=False):
        while b"\r\n\r\n" not in self.buf:
            if not self._more():
                raise EOFError(f"connection closed mid-response: {self.buf!r}")
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.1 (\d{3}) (.+)$", lines[0])
        assert m, lines[0]
        status = int(m.group(1))
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        if status in (100,):
            return status, headers, b""
        length = 0 if head_request else int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            if not self._more():
                raise EOFError("connection closed mid-body")
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body

    def closed(self) -> bool:
        """True when the server ends the connection (EOF or reset) with nothing more sent."""
        try:
            while True:
                d = self.sock.recv(65536)
                if not d:
                    return True
                self.buf += d
        except (ConnectionError, ssl.SSLError):
            return True
        except socket.timeout:
            return False


def health() -> bytes:
    return b"GET /_emulator/health HTTP/1.1\r\n" + HOST + b"\r\n"


def snapshot(name: str, extra: bytes = b"") -> bytes:
    body = json.dumps({"name": name}).encode()
    return (b"POST /_emulator/snapshots HTTP/1.1\r\n" + HOST + b"Content-Type: application/json\r\n" + extra +
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def test_keep_alive_serves_two_requests_on_one_connection(emulator):
    with connect(emulator) as s:
        r = Reader(s)
        for _ in range(2):
            s.sendall(health())
            status, headers, body = r.response()
            assert status == 200 and json.loads(body) == {"status": "ok"}
            assert headers["keep-alive"].startswith("timeout=")
            assert "connection" not in headers
            assert re.fullmatch(r"[0-9a-f-]{36}", headers["x-ms-request-id"])


def test_pipelined_requests_in_one_write_are_answered_in_order(emulator):
    with connect(emulator) as s:
        s.sendall(health() + snapshot("pipe-a") + health() + snapshot("pipe-b"))
        r = Reader(s)
        answers = [r.response() for _ in range(4)]
        assert [a[0] for a in answers] == [200, 201, 200, 201]
        assert json.loads(answers[1][2])["name"] == "pipe-a"
        assert json.loads(answers[3][2])["name"] == "pipe-b"


def test_requests_in_separate_tls_records_sent_together_are_all_answered(emulator):
    # The server reads ahead: a later record can sit in OpenSSL's buffer, not the socket's, when
    # the first request is answered. Each request must still be answered without a new write.
    with connect(emulator) as s:
        for name in ("rec-a", "rec-b", "rec-c"):
            s.sendall(snapshot(name))  # one TLS record each, back to back
        r = Reader(s)
        answers = [r.response() for _ in range(3)]
        assert [a[0] for a in answers] == [201, 201, 201]
        assert [json.loads(a[2])["name"] for a in answers] == ["rec-a", "rec-b", "rec-c"]


def test_body_split_across_tls_writes(emulator):
    body = json.dumps({"name": "split-body"}).encode()
    head = (b"POST /_emulator/snapshots HTTP/1.1\r\n" + HOST +
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    with connect(emulator) as s:
        # The header block itself in two records, then the body a few bytes per record.
        s.sendall(head[:20])
        time.sleep(0.05)
        s.sendall(head[20:])
        for i in range(0, len(body), 4):
            time.sleep(0.02)
            s.sendall(body[i:i + 4])
        status, _, answer = Reader(s).response()
        assert status == 201 and json.loads(answer)["name"] == "split-body"


def test_chunked_request_body_is_answered(emulator):
    body = json.dumps({"name": "chunked"}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 5]), body[i:i + 5]) for i in range(0, len(body), 5))
    with connect(emulator) as s:
        s.sendall(b"POST /_emulator/snapshots HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n" +
                  chunks + b"0\r\n\r\n" + health())
        r = Reader(s)
        status, _, answer = r.response()
        assert status == 201 and json.loads(answer)["name"] == "chunked"
        assert r.response()[0] == 200  # the connection stays usable


def test_expect_100_continue(emulator):
    body = json.dumps({"name": "expect"}).encode()
    with connect(emulator) as s:
        s.sendall(b"POST /_emulator/snapshots HTTP/1.1\r\n" + HOST + b"Expect: 100-continue\r\n" +
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        r = Reader(s)
        status, _, _ = r.response()
        assert status == 100
        s.sendall(body)
        status, _, answer = r.response()
        assert status == 201 and json.loads(answer)["name"] == "expect"


def test_connection_close_is_honoured(emulator):
    with connect(emulator) as s:
        s.sendall(b"GET /_emulator/health HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n" + health())
        r = Reader(s)
        status, headers, _ = r.response()
        assert status == 200 and headers["connection"] == "close" and "keep-alive" not in headers
        assert r.closed()
        assert r.buf == b""  # the pipelined second request was not answered


def test_truncated_body_does_not_hang_the_server(emulator):
    with connect(emulator, timeout=15) as s:
        s.sendall(b"POST /_emulator/snapshots HTTP/1.1\r\n" + HOST + b"Content-Length: 100\r\n\r\n{\"name\":")
        s.shutdown(socket.SHUT_WR)  # the rest never comes
        started = time.monotonic()
        assert Reader(s).closed()
        assert time.monotonic() - started < 10
    # The server still serves others.
    with connect(emulator) as s:
        s.sendall(health())
        assert Reader(s).response()[0] == 200


def test_oversized_content_length_gets_413(emulator):
    with connect(emulator) as s:
        # httplib reads (and drops) the announced body before it answers.
        s.sendall(b"POST /_emulator/snapshots HTTP/1.1\r\n" + HOST + b"Content-Length: 2000000\r\n\r\n" +
                  b"x" * 2000000)
        status, _, body = Reader(s).response()
        assert status == 413
        assert "too large" in json.loads(body)["error"]["message"]


@pytest.mark.parametrize("line", [b"GARBAGE\r\n\r\n", b"GET /x HTTP/9.9\r\n" + HOST + b"\r\n",
                                  b"GET  HTTP/1.1\r\n\r\n", b"\x00\x01\x02 / HTTP/1.1\r\n\r\n"])
def test_garbage_request_line_gets_400(emulator, line):
    with connect(emulator) as s:
        s.sendall(line)
        status, _, _ = Reader(s).response()
        assert status == 400


def test_head_has_headers_and_no_body(emulator):
    with connect(emulator) as s:
        r = Reader(s)
        s.sendall(b"GET /nope HTTP/1.1\r\n" + HOST + b"\r\n")
        get_status, get_headers, get_body = r.response()
        s.sendall(b"HEAD /nope HTTP/1.1\r\n" + HOST + b"\r\n")
        status, headers, _ = r.response(head_request=True)
        assert status == get_status
        assert int(headers["content-length"]) > 0 and headers["accept-ranges"] == "bytes"
        # No body bytes followed: the next answer on the connection starts cleanly.
        s.sendall(health())
        assert r.response()[0] == 200


def test_header_names_are_case_insensitive_and_query_decoded(emulator):
    with connect(emulator) as s:
        s.sendall(b"GET /common/v2.0/.well-known/openid-configuration?x=%41 HTTP/1.1\r\n"
                  b"hOsT: login.crosskey.test\r\n\r\n")
        status, headers, body = Reader(s).response()
        assert status == 200 and "token_endpoint" in json.loads(body)


# Headers whose values differ between any two answers.
VOLATILE = {"date", "x-ms-request-id"}


def _both_paths(emulator, request: bytes):
    """The answer to `request` as the fast path serves it, and as cpp-httplib serves it: a
    percent-escape in a header value (meaningless to every plane) sends the same request to
    httplib's own parser."""
    head, body = request.split(b"\r\n\r\n", 1)
    detour = head + b"\r\nX-Crosskey-Path: %68ttplib\r\n\r\n" + body
    answers = []
    for raw in (request, detour):
        with connect(emulator) as s:
            s.sendall(raw)
            answers.append(Reader(s).response())
    return answers


@pytest.mark.parametrize("request_bytes", [
    health(),
    b"GET /_emulator/nothing HTTP/1.1\r\n" + HOST + b"\r\n",
    b"GET /_emulator/faults HTTP/1.1\r\n" + HOST + b"\r\n",
    b"POST /_emulator/clock HTTP/1.1\r\n" + HOST + b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n[]",
    b"GET /subscriptions HTTP/1.1\r\nHost: management.crosskey.test\r\n\r\n",
    b"GET /v1.0/users HTTP/1.1\r\nHost: graph.crosskey.test\r\nAuthorization: Bearer x.y.z\r\n\r\n",
    b"GET /common/discovery/instance HTTP/1.1\r\nHost: login.crosskey.test\r\n\r\n",
])
def test_the_fast_path_and_httplib_answer_the_same_bytes_alike(emulator, request_bytes):
    (s1, h1, b1), (s2, h2, b2) = _both_paths(emulator, request_bytes)
    assert s1 == s2, (s1, s2, b1[:200], b2[:200])
    assert {k: v for k, v in h1.items() if k not in VOLATILE} == {k: v for k, v in h2.items() if k not in VOLATILE}
    # Bodies name their own request id (Graph innerError, OAuth trace ids) and times.
    ids = [h1.get("x-ms-request-id", ""), h2.get("x-ms-request-id", "")]
    norm = [re.sub(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z?", b"TIME", b.replace(i.encode(), b"ID"))
            for b, i in ((b1, ids[0]), (b2, ids[1]))]
    assert norm[0] == norm[1], (b1[:300], b2[:300])
