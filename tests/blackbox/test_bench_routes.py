"""The benchmark's own routes (`--bench-routes`, used by scripts/bench): absent by default, and
with the flag a fixed answer from an empty handler, optionally after burning CPU."""
from __future__ import annotations

import json
import os
import ssl
import http.client

import pytest

EMPTY_BODY_KEYS = {"kid", "value"}


def post(emu, path: str, body: bytes = b"{}") -> tuple[int, bytes]:
    ctx = ssl.create_default_context(cafile=str(emu.ca_path))
    ctx.check_hostname = False
    conn = http.client.HTTPSConnection("127.0.0.1", emu.port, context=ctx, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Host": "localhost", "Content-Type": "application/json"})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def cpu_seconds(pid: int) -> float:
    stat = open(f"/proc/{pid}/stat").read()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_bench_routes_are_off_by_default(emulator):
    for path in ("/_emulator/bench/empty", "/_emulator/bench/spin?us=10"):
        status, body = post(emulator, path)
        assert status == 501, body
        assert json.loads(body)["error"]["code"] == "NotImplemented"


def test_bench_routes_answer_a_fixed_body_and_spin_burns_cpu(emulator_factory):
    emu = emulator_factory(["--bench-routes"])
    status, body = post(emu, "/_emulator/bench/empty")
    assert status == 200
    assert set(json.loads(body)) == EMPTY_BODY_KEYS
    status, spun = post(emu, "/_emulator/bench/spin?us=1000")
    assert (status, spun) == (200, body)
    # 4 x 50 ms of the serving thread's CPU (not wall time): the process's CPU time shows it.
    before = cpu_seconds(emu.proc.pid)
    for _ in range(4):
        assert post(emu, "/_emulator/bench/spin?us=50000")[0] == 200
    assert cpu_seconds(emu.proc.pid) - before >= 0.15
    # N is capped at 100 ms: a huge N still answers.
    assert post(emu, "/_emulator/bench/spin?us=999999999999")[0] == 200
    # Garbage N spins for nothing.
    assert post(emu, "/_emulator/bench/spin?us=abc")[0] == 200
