"""Fixtures for the black-box tests: a real `crosskey` process per module, name resolution and
CA trust for in-process Python clients. Helpers live in harness.py (import them from there)."""
from __future__ import annotations

import socket

import pytest

import harness
from harness import Emulator, EmulatorError


@pytest.fixture(scope="session", autouse=True)
def loopback_names():
    """Every test resolves the emulator's names to 127.0.0.1 without /etc/hosts (each vault
    has its own host name, and hosts files have no wildcards)."""
    mp = pytest.MonkeyPatch()
    mp.setattr(socket, "getaddrinfo", harness.loopback_getaddrinfo)
    yield
    mp.undo()


def _trust(mp: pytest.MonkeyPatch, emu: Emulator) -> None:
    """REQUESTS_CA_BUNDLE for this process, so in-process SDK clients (requests reads it on
    every request through trust_env) trust `emu`. One emulator's CA at a time, not a bundle:
    two emulators' CAs may share a subject name, and OpenSSL may then pick the wrong one and
    report a signature failure."""
    mp.setenv("REQUESTS_CA_BUNDLE", str(emu.ca_path))


def _start(emu: Emulator, extra_args=()) -> Emulator:
    try:
        return emu.start(extra_args)
    except EmulatorError as e:
        # pytest.fail keeps the message (command, log tail) and drops a useless traceback.
        pytest.fail(str(e), pytrace=False)


def _stop_checking_crash(emu: Emulator) -> None:
    crashed = emu.proc is not None and emu.proc.poll() is not None
    description = emu.describe() if crashed else ""
    code = emu.stop()
    if crashed:
        pytest.fail(f"crosskey died during the tests (exit code {code})\n{description}", pytrace=False)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    """A fresh in-memory emulator for each test module."""
    mp = pytest.MonkeyPatch()
    emu = _start(Emulator(workdir=tmp_path_factory.mktemp("emu")))
    _trust(mp, emu)
    try:
        yield emu
    finally:
        try:
            _stop_checking_crash(emu)
        finally:
            mp.undo()


class EmulatorFactory:
    """Starts emulators with custom flags for one test; the fixture stops them all.

    The process-wide REQUESTS_CA_BUNDLE follows the most recently started emulator; pass
    connection_verify=emu.ca_path (SDK) or verify=emu.ca_path (requests) to reach another."""

    def __init__(self, tmp_path_factory, mp: pytest.MonkeyPatch):
        self._tmp = tmp_path_factory
        self._mp = mp
        self.started: list[Emulator] = []

    def __call__(self, extra_args=(), data_dir=None, domain=None, env=None) -> Emulator:
        emu = Emulator(workdir=self._tmp.mktemp("emu"), data_dir=data_dir, domain=domain, env=env)
        self.started.append(emu)
        emu.start(extra_args)  # EmulatorError (with the log tail) lets a test expect a failure
        _trust(self._mp, emu)
        return emu

    def stop_all(self) -> None:
        errors = []
        for emu in reversed(self.started):
            try:
                _stop_checking_crash(emu)
            except BaseException as e:  # noqa: BLE001 - stop every one, then report
                errors.append(e)
        if errors:
            raise errors[0]


@pytest.fixture
def emulator_factory(tmp_path_factory):
    """factory(extra_args=[...], data_dir=None|path, domain=None, env=None) -> started Emulator.

    Raises harness.EmulatorError when the emulator does not come up (e.g. a bad flag).
    A test that expects its emulator to exit (e.g. a bad flag) should call emu.stop() itself
    before returning; otherwise an emulator found dead at teardown is reported as a crash."""
    mp = pytest.MonkeyPatch()
    factory = EmulatorFactory(tmp_path_factory, mp)
    try:
        yield factory
    finally:
        try:
            factory.stop_all()
        finally:
            mp.undo()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed test, show the tail of the log of each emulator the test used."""
    outcome = yield
    report = outcome.get_result()
    # Setup and teardown failures of the fixtures already carry the log tail in their message.
    if not report.failed or report.when != "call":
        return
    funcargs = getattr(item, "funcargs", {})
    emus = []
    if isinstance(funcargs.get("emulator"), Emulator):
        emus.append(funcargs["emulator"])
    factory = funcargs.get("emulator_factory")
    if isinstance(factory, EmulatorFactory):
        emus.extend(factory.started)
    for emu in emus:
        report.sections.append((f"crosskey log {emu.log_path}", harness.tail(emu.log_path)))


def pytest_report_header(config):
    binary = harness.default_binary()
    state = "" if binary.exists() else " (missing: run scripts/build or set CK_BIN)"
    return f"crosskey binary: {binary}{state}"

