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
    for path in ("/_emulator/bench/empty", "/_emulator/bench/spin?us=10", "/_emulator/bench/crypto?op=a256kw.wrap"):
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


def test_bench_crypto_runs_the_raw_operation_then_answers_the_fixed_body(emulator_factory):
    emu = emulator_factory(["--bench-routes"])
    _, empty = post(emu, "/_emulator/bench/empty")
    for op in ("rsa2048.wrap", "rsa2048.unwrap", "a256kw.wrap", "rs256.sign_verify"):
        assert post(emu, f"/_emulator/bench/crypto?op={op}") == (200, empty), op
    # An RSA-2048 private operation costs ~0.25 ms of CPU: 400 of them show in the process's CPU
    # time (~0.1 s), where 400 AES key wraps (a few microseconds each) do not.
    ctx = ssl.create_default_context(cafile=str(emu.ca_path))
    ctx.check_hostname = False
    conn = http.client.HTTPSConnection("127.0.0.1", emu.port, context=ctx, timeout=30)  # one kept-alive connection

    def cpu_for(op: str, n: int = 400) -> float:
        before = cpu_seconds(emu.proc.pid)
        for _ in range(n):
            conn.request("POST", f"/_emulator/bench/crypto?op={op}", body=b"{}", headers={"Host": "localhost"})
            r = conn.getresponse()
            assert (r.status, r.read()) == (200, empty)
        return cpu_seconds(emu.proc.pid) - before

    try:
        rsa, aes = cpu_for("rsa2048.unwrap"), cpu_for("a256kw.wrap")
    finally:
        conn.close()
    assert rsa - aes >= 0.05, (rsa, aes)
    for op in ("", "rsa4096.unwrap", "A256KW.WRAP"):
        status, body = post(emu, f"/_emulator/bench/crypto?op={op}")
        assert status == 400, (op, body)
        assert json.loads(body)["error"]["code"] == "BadParameter"
