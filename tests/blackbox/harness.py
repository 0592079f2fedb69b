"""Black-box harness: starts the built `crosskey` binary and points real clients at it.

Runs under Debian's /usr/bin/python3 (the interpreter that sees python3-azure, msal, jwt and
requests). The binary is a black box: the harness only uses its command line, the `ready`
line it prints on stdout and the /_emulator/* admin endpoints.
"""
from __future__ import annotations

import base64
import json
import os
import shlex
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterable, Mapping, Sequence

REPO = Path(__file__).resolve().parents[2]
JS_DIR = REPO / "tests" / "js"
RESOLVE_HOSTS_PRELOAD = JS_DIR / "resolve-hosts.cjs"

READY_TIMEOUT_S = 30
STOP_GRACE_S = 5
LOG_TAIL_LINES = 50

# Names the in-process resolver sends to loopback. MSAL Python calls the public
# login.microsoftonline.com for instance discovery whatever authority it is given, and az
# needs login.microsoftonline.us to skip discovery (wire/WIRE.md §2.1, §7.1).
LOOPBACK_SUFFIXES = [".crosskey.test"]
LOOPBACK_NAMES = {"login.microsoftonline.com", "login.microsoftonline.us"}

# Variables that change which credential the Azure SDKs pick: a value leaking in from the
# developer's shell would silently send a test down another code path (e.g. JS
# ManagedIdentityCredential prefers workload identity when AZURE_FEDERATED_TOKEN_FILE is set).
CREDENTIAL_SELECTING_VARS = (
    "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "MSI_ENDPOINT",
    "IMDS_ENDPOINT", "MSI_SECRET", "IDENTITY_SERVER_THUMBPRINT", "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME", "AZURE_PASSWORD",
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
)


class EmulatorError(RuntimeError):
    """The emulator did not start or misbehaved; the message carries its log tail."""


def default_binary() -> Path:
    env = os.environ.get("CK_BIN")
    return Path(env).resolve() if env else REPO / "build" / "crosskey"


def tail(path: Path | str, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as e:
        return f"(no log: {e})"
    return "\n".join(text.splitlines()[-lines:])


class Emulator:
    """One `crosskey serve` process on free loopback ports, with its CA and bootstrap data."""

    def __init__(self, binary: Path | str | None = None, workdir: Path | str | None = None,
                 data_dir: Path | str | None = None, domain: str | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.binary = Path(binary) if binary else default_binary()
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="ck-emu-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir = Path(data_dir) if data_dir else None  # None: in-memory
        self.domain = domain
        self.env = dict(env) if env is not None else None
        self.log_path = self.workdir / "emulator.log"
        self.ca_path = self.workdir / "ca.pem"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.mi_port: int | None = None
        self.ready_info: dict | None = None
        self.bootstrap: dict = {}
        self.args: list[str] = []
        self.exited_on_its_own = False
        self._log = None
        self._reader: threading.Thread | None = None
        self._ready = threading.Event()
        self._ready_error: str | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self, extra_args: Sequence[str] = (), port: int = 0, mi_port: int = 0) -> "Emulator":
        """Starts the process and waits for its ready line. A stopped Emulator can be started
        again (same data dir, same log); pass port=emu.port to keep its URLs valid."""
        if not (self.binary.is_file() and os.access(self.binary, os.X_OK)):
            raise EmulatorError(f"no executable crosskey at {self.binary}: run scripts/build, or set CK_BIN")
        args = [str(self.binary), "serve", "--bind", "127.0.0.1", "--port", str(port), "--mi-port", str(mi_port)]
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            args += ["--data-dir", str(self.data_dir)]
        if self.domain:
            args += ["--domain", self.domain]
        self.args = args + list(extra_args)
        self._ready.clear()
        self._ready_error = None
        self.ready_info = None
        self.exited_on_its_own = False
        self._log = open(self.log_path, "ab", buffering=0)
        self._log.write(f"=== {' '.join(shlex.quote(a) for a in self.args)}\n".encode())
        # stderr goes straight to the log; stdout goes through a pipe so the ready line can be
        # read, and a thread keeps draining it so a chatty emulator never blocks on a full pipe.
        # A new session lets stop() signal the whole process group.
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._log, start_new_session=True, env=self.env)
        self._reader = threading.Thread(target=self._pump_stdout, args=(self.proc.stdout, self._log),
                                        name="ck-emu-stdout", daemon=True)
        self._reader.start()

        if not self._ready.wait(READY_TIMEOUT_S):
            self._fail_start(f"no 'ready' line on stdout within {READY_TIMEOUT_S} s")
        if self.ready_info is None:
            self._fail_start(self._ready_error or "emulator exited before printing 'ready'")
        try:
            self.port = int(self.ready_info["port"])
            self.mi_port = int(self.ready_info["miPort"])
        except (KeyError, TypeError, ValueError) as e:
            self._fail_start(f"ready line lacks port/miPort: {self.ready_info!r} ({e})")
        self._load_admin_data()
        return self

    def _pump_stdout(self, stdout, log) -> None:
        for raw in iter(stdout.readline, b""):
            try:
                log.write(raw)
            except ValueError:  # log closed by stop(); keep draining
                pass
            if self._ready.is_set():
                continue
            line = raw.decode(errors="replace").strip()
            if line == "ready" or line.startswith("ready "):
                try:
                    info = json.loads(line[len("ready"):].strip())
                    if not isinstance(info, dict):
                        raise ValueError("not a JSON object")
                    self.ready_info = info
                except ValueError as e:
                    self._ready_error = f"unparsable ready line {line!r}: {e}"
                self._ready.set()
        self._ready.set()  # EOF: the process is gone or closed stdout; unblock start()

    def _load_admin_data(self) -> None:
        import requests
        import urllib3

        # The CA is not known yet when it is fetched; these two admin reads are the harness's
        # only unverified requests. Tests check TLS with verify=ca_path themselves.
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        try:
            ca = requests.get(self.url("/_emulator/ca.pem"), verify=False, timeout=10)
            ca.raise_for_status()
            self.ca_path.write_text(ca.text)
            boot = requests.get(self.url("/_emulator/bootstrap"), verify=False, timeout=10)
            boot.raise_for_status()
            self.bootstrap = boot.json()
        except Exception as e:  # noqa: BLE001 - any failure here means a unusable emulator
            self._fail_start(f"admin endpoints failed: {e!r}")

    def _fail_start(self, why: str) -> None:
        self.stop()
        raise EmulatorError(f"crosskey failed to start: {why}\n{self.describe()}")

    def stop(self) -> int | None:
        """SIGTERM the process group, SIGKILL after STOP_GRACE_S; returns the exit code."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is not None:
            self.exited_on_its_own = True
        else:
            self._signal_group(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                proc.wait(timeout=10)
        if self._reader is not None:
            self._reader.join(timeout=2)
            if self._reader.is_alive():
                # A child of the emulator still holds stdout open: it is in our process group
                # (so the group id cannot have been reused), and it must not outlive the test.
                self._signal_group(signal.SIGKILL)
                self._reader.join(timeout=5)
        if proc.stdout:
            proc.stdout.close()
        if self._log:
            self._log.write(f"=== exit code {proc.returncode}\n".encode())
            self._log.close()
        self.proc = None
        return proc.returncode

    def _signal_group(self, sig: int) -> None:
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self) -> None:
        """Raises if the emulator died while a test was using it (a crash, not a stop())."""
        if self.proc is not None and self.proc.poll() is not None:
            self.exited_on_its_own = True
            code = self.proc.returncode
            raise EmulatorError(f"crosskey exited on its own with code {code}\n{self.describe()}")

    def describe(self) -> str:
        return (f"command: {' '.join(shlex.quote(a) for a in self.args)}\n"
                f"log: {self.log_path} (last {LOG_TAIL_LINES} lines)\n{tail(self.log_path)}")

    def __enter__(self) -> "Emulator":
        return self if self.proc else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses
    def url(self, path: str = "/") -> str:
        return f"https://127.0.0.1:{self.port}{path if path.startswith('/') else '/' + path}"

    @property
    def endpoints(self) -> dict:
        return self.bootstrap.get("endpoints", {})

    def tenant(self, name: str) -> dict:
        for t in self.bootstrap.get("tenants", []):
            if t.get("name") == name:
                return t
        raise KeyError(f"no tenant named {name!r} in bootstrap")

    @property
    def provider(self) -> dict:
        return self.tenant("provider")

    @property
    def customer(self) -> dict:
        return self.tenant("customer")

    def vault_url(self, vault: str) -> str:
        return f"https://{vault}.{self.endpoints['vaultSuffix'].lstrip('.')}"

    def hosts_lines(self, vaults: Iterable[str] = (), accounts: Iterable[str] = ()) -> list[str]:
        """/etc/hosts lines for every name a client of this emulator needs (for run_with_hosts):
        the fixed names, each vault's host and each storage account's blob host."""
        from urllib.parse import urlparse

        names = set(LOOPBACK_NAMES)
        for key in ("login", "graph", "arm"):
            host = urlparse(self.endpoints.get(key, "")).hostname
            if host and host not in ("127.0.0.1", "localhost"):
                names.add(host)
        suffix = self.endpoints.get("vaultSuffix", "").split(":")[0].lstrip(".")
        names.update(f"{v}.{suffix}" for v in vaults)
        domain = suffix[len("vault."):] if suffix.startswith("vault.") else suffix
        names.update(f"{a}.blob.{domain}" for a in accounts)
        return [f"127.0.0.1 {n}" for n in sorted(names)]


# ---------------------------------------------------------------------- name resolution
_original_getaddrinfo = socket.getaddrinfo


def is_loopback_name(host) -> bool:
    if isinstance(host, (bytes, bytearray)):
        host = host.decode(errors="replace")
    if not isinstance(host, str) or not host:
        return False
    name = host.lower().rstrip(".")
    return name in LOOPBACK_NAMES or any(name.endswith(s) or name == s.lstrip(".") for s in LOOPBACK_SUFFIXES)


def loopback_getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    """socket.getaddrinfo that answers 127.0.0.1 (IPv4 only) for the emulator's names."""
    if is_loopback_name(host):
        return _original_getaddrinfo("127.0.0.1", port, socket.AF_INET, type, proto, flags)
    return _original_getaddrinfo(host, port, family, type, proto, flags)


def add_loopback_suffix(suffix: str) -> None:
    """For a test that starts an emulator with another --domain."""
    s = suffix if suffix.startswith(".") else "." + suffix
    if s not in LOOPBACK_SUFFIXES:
        LOOPBACK_SUFFIXES.append(s)


# ---------------------------------------------------------------------- client processes
def client_env(emu: Emulator, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a real client process (az, python, node) aimed at `emu`."""
    env = dict(os.environ if base is None else base)
    for var in CREDENTIAL_SELECTING_VARS:
        env.pop(var, None)
    ep = emu.endpoints
    env.update({
        "REQUESTS_CA_BUNDLE": str(emu.ca_path),
        "NODE_EXTRA_CA_CERTS": str(emu.ca_path),
        "AZURE_AUTHORITY_HOST": ep.get("login", ""),
        "IDENTITY_ENDPOINT": ep.get("mi", ""),
        "IDENTITY_HEADER": ep.get("miHeader", ""),
        "AZURE_CORE_COLLECT_TELEMETRY": "no",
    })
    return env


def _js_script(script_path: Path | str) -> Path:
    p = Path(script_path)
    if p.is_absolute():
        return p
    for base in (JS_DIR, REPO):
        if (base / p).exists():
            return (base / p).resolve()
    return (REPO / p).resolve()


def run_node(script_path: Path | str, args: Sequence[str] = (), env: Mapping[str, str] | None = None,
             emu: Emulator | None = None, timeout: float = 120) -> tuple[int, str, str]:
    """Runs a Node script with tests/js's packages and the loopback dns preload.

    Keep scripts under tests/js: ES modules resolve `import '@azure/...'` from the script's
    own directory, not from cwd or NODE_PATH. A relative path is taken from tests/js, then
    from the repo root. env defaults to client_env(emu) when emu is given."""
    if not (JS_DIR / "node_modules").is_dir():
        raise RuntimeError(f"{JS_DIR}/node_modules is missing: run scripts/install-deps")
    if env is None:
        env = client_env(emu) if emu is not None else dict(os.environ)
    env = dict(env)
    env["CK_HOST_SUFFIXES"] = ",".join(s for s in [env.get("CK_HOST_SUFFIXES", ""), ".crosskey.test"] if s)
    env["CK_HOSTS"] = ",".join(s for s in [env.get("CK_HOSTS", ""), *sorted(LOOPBACK_NAMES)] if s)
    cmd = ["node", "--require", str(RESOLVE_HOSTS_PRELOAD), str(_js_script(script_path)), *map(str, args)]
    r = subprocess.run(cmd, cwd=JS_DIR, env=env, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def run_with_hosts(cmd: Sequence[str], env: Mapping[str, str] | None = None,
                   hosts_lines: Iterable[str] = (), timeout: float = 300) -> tuple[int, str, str]:
    """Runs `cmd` in a private mount namespace whose /etc/hosts is ours (needs root).

    For clients we cannot patch in-process (azure-cli). A bare name in hosts_lines means
    127.0.0.1; the machine's own /etc/hosts is never touched.
    """
    with tempfile.TemporaryDirectory(prefix="ck-hosts-") as d:
        hosts = Path(d) / "hosts"
        lines = ["127.0.0.1 localhost", "::1 localhost"]
        for line in hosts_lines:
            line = line.strip()
            if line:
                lines.append(line if len(line.split()) > 1 else f"127.0.0.1 {line}")
        hosts.write_text("\n".join(lines) + "\n")
        script = f'mount --bind {shlex.quote(str(hosts))} /etc/hosts && exec "$@"'
        full = ["unshare", "-m", "sh", "-c", script, "_", *map(str, cmd)]
        r = subprocess.run(full, env=None if env is None else dict(env), capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout, r.stderr


# ---------------------------------------------------------------------- encoding
def b64url(data: bytes | str) -> str:
    """base64url without padding, as JOSE and Key Vault use it."""
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str | bytes) -> bytes:
    if isinstance(text, bytes):
        text = text.decode()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def wait_until(predicate, timeout: float = 10, interval: float = 0.05):
    """Polls predicate until it returns a truthy value (returned) or timeout (AssertionError)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
