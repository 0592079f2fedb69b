#!/usr/bin/python3
"""crosskey benchmark driver (run through scripts/bench, which builds first).

Stages, each figure set against its ceiling:
  0. HTTP ceiling  the server's benchmark-only route /_emulator/bench/empty (--bench-routes):
                   same binary, listener, TLS, request conversion and load as every plane,
                   a fixed ~140-byte JSON body, no plane touched.
  1. raw           bench/raw_crypto_bench (OpenSSL EVP directly), pinned to core 0.
  2. in-process    bench/in_process_bench (Cloud + KeyVaultService::Crypt through the full
                   gate, the token service), pinned to core 0.
  3. HTTPS         the server pinned to core 0, wrk (one thread, Lua script) on core 1,
                   keep-alive connections, real bearer tokens from the server's token service
                   (set up over REST as tests/blackbox/flow.py does). Also the peer-comparable
                   set-up: server unpinned, wrk -t1 unpinned.
  4. start-up and memory: exec -> first served request with persisted TLS material; RSS idle,
                   after creating N keys over REST, and across a sustained load.

Writes bench/results.json (or --out) and prints one table. Exit status is non-zero only when
a stage failed to run (a target missed is reported, never asserted).
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import platform
import re
import select
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
WRK_DIR = REPO / "bench" / "wrk"

CRYPTO_OFFICER = "Key Vault Crypto Officer"
ENCRYPTION_USER = "Key Vault Crypto Service Encryption User"
EXCHANGE_RESOURCE = "api://AzureADTokenExchange"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
KV_API = "7.4"

VERDICT_OPS = ("empty", "rsa2048.unwrap", "rsa2048.wrap", "a256kw.wrap", "fic.exchange")  # and the ceiling
def raw_base(op: str) -> str:
    """The stage-1 row an operation's crypto is measured by (a FIC exchange: sign + verify)."""
    return "rs256.sign_verify" if op == "fic.exchange" else op


SPIN_OPS = ("rsa2048.unwrap", "rsa2048.wrap", "a256kw.wrap", "fic.exchange")
PEER_OPS = ("empty", "rsa2048.wrap", "rsa2048.unwrap")
# smoke: every stage and every kind of row runs once, for the shortest time wrk allows (1 s),
# so the benchmark cannot rot; ~15 s of stages. Its figures are not worth reading.
PROFILES = {
    "full": dict(gb_min_time=0.2, wrk_seconds=2, side_seconds=1, conns=[1, 8, 64], peer_conns=[1, 8, 32], soak_seconds=60,
                 soak_warmup_requests=2 * 20_000, soak_warmup_max_seconds=90, soak_sample=5, keys=100_000, starts=5,
                 big_rsa=True, best_of_two=True, recheck=True, handshake_seconds=1, spin_ops=SPIN_OPS, peer_ops=PEER_OPS, idle_wait=1.0),
    "smoke": dict(gb_min_time=0.01, wrk_seconds=1, side_seconds=1, conns=[8], peer_conns=[8], soak_seconds=1,
                  soak_warmup_requests=1, soak_warmup_max_seconds=1, soak_sample=1, keys=2_000, starts=2,
                  big_rsa=False, best_of_two=False, recheck=False, handshake_seconds=0.3, spin_ops=("a256kw.wrap",), peer_ops=("rsa2048.wrap",),
                  idle_wait=0.2),
}
AUDIT_RING = 20_000  # records a server keeps in memory (AuditLog::kMaxRecords, common/audit_log.h)
SERVER_THREADS = 96  # above the largest connection count: a kept-alive connection holds a thread


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class StageError(RuntimeError):
    pass


# ----------------------------------------------------------------------------------------- server

class Server:
    """One `crosskey serve --bench-routes` process on free loopback ports."""

    def __init__(self, binary: Path, data_dir: Path | None, log_path: Path, cpus: str | None):
        # data_dir None: everything in memory (the durable store rewrites the whole state per
        # write, which the 100,000-key stage cannot afford).
        self.binary, self.data_dir, self.log_path, self.cpus = binary, data_dir, log_path, cpus
        self.proc: subprocess.Popen | None = None
        self.port = self.mi_port = 0
        self.exec_to_ready_s = 0.0
        self._ca: str | None = None

    def start(self, timeout: float = 60) -> "Server":
        cmd = [str(self.binary), "serve", "--bench-routes", "--port", "0", "--mi-port", "0",
               "--threads", str(SERVER_THREADS)]
        if self.data_dir is not None:
            cmd += ["--data-dir", str(self.data_dir)]
        if self.cpus is not None:
            cmd = ["taskset", "-c", self.cpus] + cmd  # taskset execs: the pid stays the server's
        logf = open(self.log_path, "ab")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=logf, stdin=subprocess.DEVNULL)
        logf.close()
        line = b""
        deadline = t0 + timeout
        while not line.endswith(b"\n"):
            left = deadline - time.perf_counter()
            if left <= 0 or self.proc.poll() is not None:
                self.stop()
                raise StageError(f"server did not print 'ready' (log: {self.log_path})")
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    continue
                line += chunk
        self.exec_to_ready_s = time.perf_counter() - t0
        text = line.decode().strip()
        if not text.startswith("ready "):
            self.stop()
            raise StageError(f"unexpected first line {text!r}")
        info = json.loads(text[len("ready "):])
        self.port, self.mi_port = info["port"], info["miPort"]
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def ca(self) -> str:
        if self.data_dir is not None:
            return str(self.data_dir / "ca.pem")
        if self._ca is None:  # in-memory CA: fetch it once (unverified, as the harness does)
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=10)
            conn.request("GET", "/_emulator/ca.pem")
            pem = conn.getresponse().read()
            conn.close()
            path = self.log_path.with_suffix(".ca.pem")
            path.write_bytes(pem)
            self._ca = str(path)
        return self._ca

    def status_kb(self, field: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def rss_mb(self) -> float:
        return self.status_kb("VmRSS") / 1024.0

    def pin(self, cpus: str) -> None:
        # -a: every thread of the process (the worker pool exists from the start).
        subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(self.pid)], check=True, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc/PID/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15)


def first_request_s(port: int) -> float:
    """Time for one GET /_emulator/health on a new TLS connection (seconds)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    t0 = time.perf_counter()
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    conn.request("GET", "/_emulator/health")
    r = conn.getresponse()
    r.read()
    conn.close()
    if r.status != 200:
        raise StageError(f"health answered {r.status}")
    return time.perf_counter() - t0


class SServer:
    """`openssl s_server -www` with the crosskey server's own certificate and key, on the same
    core: OpenSSL's reference server, the ceiling for new TLS connections."""

    def __init__(self, data_dir: Path | None, cpus: str | None, log_path: Path):
        self.data_dir, self.cpus, self.log_path = data_dir, cpus, log_path
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> "SServer | None":
        if self.data_dir is None or not shutil.which("openssl") or not (self.data_dir / "server.pem").exists():
            return None
        with socket.socket() as probe:  # a free port (s_server cannot report one it chose)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        cmd = ["openssl", "s_server", "-accept", f"127.0.0.1:{self.port}", "-www", "-quiet",
               "-cert", str(self.data_dir / "server.pem"), "-key", str(self.data_dir / "server.key")]
        if self.cpus is not None:
            cmd = ["taskset", "-c", self.cpus] + cmd
        with open(self.log_path, "ab") as logf:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=logf, stdin=subprocess.DEVNULL)
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise StageError(f"openssl s_server exited (log: {self.log_path})")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise StageError("openssl s_server did not listen")

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def ca(self) -> str:
        return str(self.data_dir / "ca.pem")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def new_connections(srv: Server, seconds: float, resume: bool, cpu: str | None) -> dict:
    """Connections/s and server CPU per connection when every request opens a new TLS
    connection (GET /_emulator/health, Connection: close), each with a full handshake, or
    each resuming the session of the one before (TLS 1.3 ticket: no certificate signature)."""
    ctx = ssl.create_default_context(cafile=srv.ca)
    ctx.check_hostname = False
    request = b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    old_affinity = os.sched_getaffinity(0)
    if cpu is not None:
        os.sched_setaffinity(0, {int(cpu)})  # the load's core, as wrk's
    try:
        session, count, resumed = None, 0, 0
        cpu0, t0 = cpu_seconds(srv.pid), time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            raw = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            with ctx.wrap_socket(raw, server_hostname="localhost", session=session if resume else None) as s:
                s.sendall(request)
                head = b""
                while chunk := s.recv(65536):  # to EOF: TLS 1.3 tickets come with the answer
                    head += chunk
                if not re.match(rb"HTTP/1\.[01] 200 ", head):
                    raise StageError(f"health over a new connection answered {head[:40]!r}")
                resumed += s.session_reused
                session = s.session
            count += 1
        wall, cpu_s = time.perf_counter() - t0, cpu_seconds(srv.pid) - cpu0
    finally:
        os.sched_setaffinity(0, old_affinity)
    if resume and resumed < count - 1:
        raise StageError(f"only {resumed} of {count - 1} connections resumed their session")
    return {"connections": count, "ops": count / wall, "resumed": resumed,
            "server_cpu_us": cpu_s / count * 1e6 if count else None}


# ------------------------------------------------------------------------------ REST (flow.py)

class Rest:
    """REST calls to one server: every plane on 127.0.0.1:PORT, chosen by the Host header."""

    def __init__(self, srv: Server, domain: str = "crosskey.test"):
        self.srv, self.domain = srv, domain
        self.http = requests.Session()
        self.base = f"https://127.0.0.1:{srv.port}"
        self.boot = self.call("GET", "login", "/_emulator/bootstrap").json()

    def host(self, name: str) -> str:
        return f"{name}.{self.domain}:{self.srv.port}"

    def call(self, method: str, host: str, path: str, token: str | None = None, body=None, form=None,
             ok=(200, 201)) -> requests.Response:
        headers = {"Host": self.host(host) if "." not in host else host}
        if token:
            headers["Authorization"] = "Bearer " + token
        # verify per request: a session's verify loses to REQUESTS_CA_BUNDLE from the environment.
        r = self.http.request(method, self.base + path, json=body, data=form, headers=headers, timeout=60,
                              verify=self.srv.ca)
        if ok and r.status_code not in ok:
            raise StageError(f"{method} {host}{path} -> {r.status_code}: {r.text[:300]}")
        return r

    def tenant(self, name: str) -> dict:
        return next(t for t in self.boot["tenants"] if t["name"] == name)

    def admin_token(self, tenant: str, scope: str) -> str:
        t = self.tenant(tenant)
        form = {"grant_type": "client_credentials", "client_id": t["adminApp"]["appId"],
                "client_secret": t["adminApp"]["clientSecret"], "scope": scope}
        return self.call("POST", "login", f"/{t['tenantId']}/oauth2/v2.0/token", form=form).json()["access_token"]

    def arm(self, method: str, tenant: str, path: str, body=None, api="2023-07-01") -> dict:
        tok = self.admin_token(tenant, "https://management.azure.com/.default")
        sep = "&" if "?" in path else "?"
        return self.call(method, "management", f"{path}{sep}api-version={api}", tok, body).json()

    def graph(self, method: str, tenant: str, path: str, body=None) -> dict:
        tok = self.admin_token(tenant, "https://graph.microsoft.com/.default")
        return self.call(method, "graph", path, tok, body).json()

    def assign(self, scope: str, role_name: str, principal: str) -> None:
        q = urllib.parse.quote(f"roleName eq '{role_name}'")
        role = self.arm("GET", "customer", f"{scope}/providers/Microsoft.Authorization/roleDefinitions?$filter={q}",
                        api="2022-04-01")["value"][0]["id"]
        self.arm("PUT", "customer", f"{scope}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}",
                 {"properties": {"roleDefinitionId": role, "principalId": principal,
                                 "principalType": "ServicePrincipal"}}, api="2022-04-01")


def setup_chain(rest: Rest, rsa_sizes: list[int], oct_key: bool) -> dict:
    """Phases 1-3 over REST: provider app + UAMI + FIC, customer SP + RBAC vault + role
    assignments, keys created by the customer admin (Crypto Officer), and the workload's Key
    Vault token obtained the real way: MI token -> federated exchange at the customer tenant."""
    p, c = rest.tenant("provider"), rest.tenant("customer")
    sfx = uuid.uuid4().hex[:8]
    app = rest.graph("POST", "provider", "/v1.0/applications",
                     {"displayName": f"bench-app-{sfx}", "signInAudience": "AzureADMultipleOrgs"})
    psub = p["subscriptionId"]
    rest.arm("PUT", "provider", f"/subscriptions/{psub}/resourcegroups/bench-prov-{sfx}", {"location": "westus"},
             api="2021-04-01")
    uami = rest.arm("PUT", "provider", f"/subscriptions/{psub}/resourceGroups/bench-prov-{sfx}/providers/"
                    f"Microsoft.ManagedIdentity/userAssignedIdentities/bench-mi-{sfx}", {"location": "westus"})
    uami = uami["properties"]
    rest.graph("POST", "provider", f"/v1.0/applications/{app['id']}/federatedIdentityCredentials",
               {"name": f"bench-fic-{sfx}", "issuer": f"https://login.microsoftonline.com/{p['tenantId']}/v2.0",
                "subject": uami["principalId"], "audiences": [EXCHANGE_RESOURCE]})
    sp = rest.graph("POST", "customer", "/v1.0/servicePrincipals", {"appId": app["appId"]})
    csub = c["subscriptionId"]
    rest.arm("PUT", "customer", f"/subscriptions/{csub}/resourcegroups/bench-cust-{sfx}", {"location": "westus"},
             api="2021-04-01")
    vault = f"bench{sfx}"
    vault_id = f"/subscriptions/{csub}/resourceGroups/bench-cust-{sfx}/providers/Microsoft.KeyVault/vaults/{vault}"
    rest.arm("PUT", "customer", vault_id, {"location": "westus", "properties": {
        "tenantId": c["tenantId"], "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": True,
        "enablePurgeProtection": True, "enableSoftDelete": True, "softDeleteRetentionInDays": 90}})
    rest.assign(vault_id, CRYPTO_OFFICER, c["adminApp"]["servicePrincipalObjectId"])
    rest.assign(vault_id, ENCRYPTION_USER, sp["id"])

    officer = rest.admin_token("customer", "https://vault.azure.net/.default")
    kv_host = f"{vault}.vault.{rest.domain}:{rest.srv.port}"
    keys = {}
    for bits in rsa_sizes:
        rest.call("POST", kv_host, f"/keys/rsa{bits}/create?api-version={KV_API}", officer,
                  {"kty": "RSA", "key_size": bits})
        keys[f"rsa{bits}"] = "RSA-OAEP-256"
    if oct_key:
        rest.call("POST", kv_host, f"/keys/a256kw/create?api-version={KV_API}", officer,
                  {"kty": "oct-HSM", "key_size": 256})
        keys["a256kw"] = "A256KW"

    # Phase 3: the provider workload's managed identity token, exchanged at the customer tenant.
    mi = requests.get(f"http://127.0.0.1:{rest.srv.mi_port}/msi/token",
                      params={"api-version": "2019-08-01", "resource": EXCHANGE_RESOURCE,
                              "client_id": uami["clientId"]},
                      headers={"X-IDENTITY-HEADER": rest.boot["endpoints"]["miHeader"]}, timeout=30)
    if mi.status_code != 200:
        raise StageError(f"MI token: {mi.status_code} {mi.text[:300]}")
    assertion = mi.json()["access_token"]
    fic_form = {"grant_type": "client_credentials", "client_id": app["appId"], "client_assertion": assertion,
                "client_assertion_type": JWT_BEARER, "scope": "https://vault.azure.net/.default"}
    fic_path = f"/{c['tenantId']}/oauth2/v2.0/token"
    workload = rest.call("POST", "login", fic_path, form=fic_form).json()["access_token"]

    cek = os.urandom(32)
    bodies = {}
    for name, alg in keys.items():
        wrap = {"alg": alg, "value": b64url(cek)}
        r = rest.call("POST", kv_host, f"/keys/{name}/wrapkey?api-version={KV_API}", workload, wrap).json()
        unwrap = {"alg": alg, "value": r["value"]}
        back = rest.call("POST", kv_host, f"/keys/{name}/unwrapkey?api-version={KV_API}", workload, unwrap).json()
        if back["value"] != b64url(cek):
            raise StageError(f"{name}: unwrap did not return the wrapped key")
        bodies[f"{name}.wrap"] = (f"/keys/{name}/wrapkey?api-version={KV_API}", json.dumps(wrap))
        bodies[f"{name}.unwrap"] = (f"/keys/{name}/unwrapkey?api-version={KV_API}", json.dumps(unwrap))
    return {"vault": vault, "kv_host": kv_host, "officer_token": officer, "workload_token": workload,
            "fic_path": fic_path, "fic_body": urllib.parse.urlencode(fic_form), "bodies": bodies,
            "login_host": rest.host("login")}


# ------------------------------------------------------------------------------------------- wrk

class Wrk:
    def __init__(self, port: int, tmp: Path, server_pid: int | None = None):
        self.port, self.tmp, self.server_pid = port, tmp, server_pid

    def cmd(self, script: str, conns: int, seconds: float, cpus: str | None, env: dict) -> tuple[list, dict]:
        cmd = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s", "-s", str(WRK_DIR / script),
               f"https://127.0.0.1:{self.port}/"]
        if cpus is not None:
            cmd = ["taskset", "-c", cpus] + cmd
        full_env = dict(os.environ)
        full_env.update(env)
        return cmd, full_env

    def env(self, method: str, path: str, host: str, body: str | None, ctype: str, bearer: str | None) -> dict:
        env = {"CK_METHOD": method, "CK_PATH": path, "CK_HOST": host, "CK_CONTENT_TYPE": ctype,
               "CK_BEARER": bearer or "", "CK_BODY_FILE": ""}
        if body is not None:
            f = self.tmp / f"body-{uuid.uuid4().hex}"
            f.write_text(body)
            env["CK_BODY_FILE"] = str(f)
        return env

    @staticmethod
    def parse(out: str, tag: str = "CKJSON") -> dict:
        for line in out.splitlines():
            if line.startswith(tag + " "):
                return json.loads(line[len(tag) + 1:])
        raise StageError(f"wrk printed no {tag} line:\n{out[-2000:]}")

    def run(self, env: dict, conns: int, seconds: float, cpus: str | None) -> dict:
        cmd, full_env = self.cmd("request.lua", conns, seconds, cpus, env)
        cpu0 = cpu_seconds(self.server_pid) if self.server_pid else 0.0
        p = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=seconds + 60)
        server_cpu = cpu_seconds(self.server_pid) - cpu0 if self.server_pid else 0.0
        if p.returncode != 0:
            raise StageError(f"wrk failed ({p.returncode}): {p.stderr[-1000:]}")
        d = self.parse(p.stdout)
        secs = d["duration_us"] / 1e6
        errors = d["errors_status"] + d["errors_connect"] + d["errors_read"] + d["errors_write"] + d["errors_timeout"]
        return {"conns": conns, "requests": d["requests"], "seconds": round(secs, 3),
                "ops": d["requests"] / secs if secs else 0.0, "p50_ms": d["lat_p50_us"] / 1000.0,
                "p99_ms": d["lat_p99_us"] / 1000.0, "mean_ms": d["lat_mean_us"] / 1000.0, "errors": errors,
                "errors_status": d["errors_status"], "server_cpu_s": round(server_cpu, 2),
                "server_util": round(server_cpu / secs, 2) if secs else 0.0,
                # Requests per second of server CPU: what one core fully ours would serve. On a
                # busy machine this is the figure to compare with the (CPU-time) ceilings.
                "ops_per_cpu_s": d["requests"] / server_cpu if server_cpu > 0 else None}


# --------------------------------------------------------------------------- Google Benchmark

def run_gbench(binary: Path, min_time: float, cpus: str | None, filt: str | None, tmp: Path) -> dict:
    """Each benchmark's figures; for one that repeats (the verdict rows run twice inside the
    binaries), its fastest run per CPU-second, as the HTTPS verdict rows keep the better of two."""
    out = tmp / f"{binary.name}.json"
    cmd = [str(binary), f"--benchmark_min_time={min_time}", f"--benchmark_out={out}",
           "--benchmark_out_format=json"]
    if filt:
        cmd.append(f"--benchmark_filter={filt}")
    if cpus is not None:
        cmd = ["taskset", "-c", cpus] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise StageError(f"{binary.name} failed ({p.returncode}): {p.stderr[-2000:]}")
    data = json.loads(out.read_text())
    results = {}
    for b in data["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration":
            continue  # mean / median / stddev of repetitions
        # "rsa2048.wrap/repeats:2/real_time" -> "rsa2048.wrap"
        name = re.sub(r"/(real_time|repeats:\d+)", "", b.get("run_name", b["name"]))
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        real_s, cpu_s = b["real_time"] * scale, b["cpu_time"] * scale
        if name in results and results[name]["cpu_us_per_op"] <= cpu_s * 1e6:
            continue
        results[name] = {"ops": 1.0 / real_s, "ops_cpu": 1.0 / cpu_s, "us_per_op": real_s * 1e6,
                         "cpu_us_per_op": cpu_s * 1e6, "iterations": b["iterations"]}
    return results


# ------------------------------------------------------------------------------------ the run

class Bench:
    def __init__(self, args):
        self.args = args
        self.mode = "smoke" if args.smoke else "full"
        self.p = PROFILES[self.mode]
        self.build_dir = Path(args.build_dir).resolve()
        self.binary = self.build_dir / "crosskey"
        self.tmp = Path(tempfile.mkdtemp(prefix="ck-bench-"))
        cpus = sorted(os.sched_getaffinity(0))  # the CPUs this process may use (CI may restrict them)
        self.pinned = len(cpus) >= 2 and shutil.which("taskset") is not None
        self.server_cpu = str(cpus[0]) if self.pinned else None
        self.load_cpu = str(cpus[1]) if self.pinned else None
        self.all_cpus = ",".join(str(c) for c in cpus)
        self.results: dict = {
            "mode": self.mode, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": machine_info(), "pinned": self.pinned, "loadavg_start": loadavg(),
            "stages": {}, "errors": [], "timings_s": {},
        }
        self.servers: list[Server] = []

    # Each stage records its own error and the run goes on: one table shows everything.
    def stage(self, name: str, fn) -> None:
        log(f"stage {name} (load average {loadavg()})")
        t0 = time.perf_counter()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - report any failure, keep the other stages
            msg = f"{name}: {type(e).__name__}: {e}"
            log("ERROR " + msg)
            self.results["errors"].append(msg)
        self.results["timings_s"][name] = round(time.perf_counter() - t0, 1)

    def new_server(self, label: str, cpus: str | None, in_memory: bool = False) -> Server:
        data_dir = None if in_memory else self.tmp / f"data-{label}"
        srv = Server(self.binary, data_dir, self.tmp / f"server-{label}.log", cpus)
        self.servers.append(srv)
        return srv.start()

    def stop_all(self) -> None:
        for s in self.servers:
            s.stop()

    # ---- stages

    def raw(self) -> None:
        filt = None if self.p["big_rsa"] else "^(rsa2048|a256kw|rs256)"
        self.results["stages"]["raw"] = run_gbench(self.build_dir / "raw_crypto_bench", self.p["gb_min_time"],
                                                   self.server_cpu, filt, self.tmp)

    def in_process(self) -> None:
        filt = None if self.p["big_rsa"] else "^(rsa2048|a256kw|fic|token)"
        self.results["stages"]["in_process"] = run_gbench(self.build_dir / "in_process_bench", self.p["gb_min_time"],
                                                          self.server_cpu, filt, self.tmp)

    def recheck(self) -> None:
        """The verdict rows of stages 1 and 2 once more, minutes after the first time, each
        keeping the faster of its two measurements: a neighbour that slowed one of them (noise
        only ever takes throughput away) would otherwise skew every ratio read against it."""
        filt = r"^(rsa2048|rsa3072|rsa4096|a256kw)\.(wrap|unwrap)/"
        for stage, binary, extra in (("raw", "raw_crypto_bench", r"|^rs256\.sign_verify/"),
                                     ("in_process", "in_process_bench", "")):
            again = run_gbench(self.build_dir / binary, self.p["gb_min_time"], self.server_cpu, filt + extra,
                               self.tmp)
            first = self.results["stages"].get(stage, {})
            for name, r in again.items():
                old = first.get(name)
                runs = [round(x["ops_cpu"]) for x in (old, r) if x]
                best = r if not old or r["ops_cpu"] > old["ops_cpu"] else old
                first[name] = dict(best, runs_ops_cpu=runs)
            self.results["stages"][stage] = first

    def https(self) -> None:
        p = self.p
        srv = self.new_server("main", self.server_cpu)
        self.main = srv
        rest = Rest(srv)
        sizes = [2048, 3072, 4096] if p["big_rsa"] else [2048]
        chain = setup_chain(rest, sizes, True)
        self.chain = chain
        wrk = Wrk(srv.port, self.tmp, srv.pid)
        targets = self.https_targets(chain)
        # The crypto routes make their keys on first use (an RSA-2048 generation): not in a run.
        for name in targets:
            if name.startswith("crypto."):
                rest.call("POST", "login", targets[name][0]["CK_PATH"], body={})
        out: dict = {}
        for name, (env, conn_list) in targets.items():
            if not conn_list:
                continue
            out[name] = {}
            for c in conn_list:
                # The verdict rows and their bounds (c = 8) get wrk_seconds; the others (other
                # connection counts, other key sizes) side_seconds, which keeps the run short.
                main = c == 8 and (name in VERDICT_OPS or name.startswith(("spin.", "crypto.")))
                r = wrk.run(env, c, p["wrk_seconds"] if main else p["side_seconds"], self.load_cpu)
                out[name][f"c{c}"] = r
                log(f"  https {name} c={c}: {r['ops']:,.0f}/s p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms"
                    + (f" ERRORS {r['errors']}" if r["errors"] else ""))
                if r["errors_status"]:
                    raise StageError(f"{name} c={c}: {r['errors_status']} non-2xx answers")
        # The verdict rows and their ceilings get a second run at c = 8, and keep the better one:
        # on a shared machine noise only ever takes throughput away.
        if p["best_of_two"]:
            for name in VERDICT_OPS:
                first = out.get(name, {}).get("c8")
                if not first:
                    continue
                again = wrk.run(targets[name][0], 8, p["wrk_seconds"], self.load_cpu)
                best = again if again["ops"] > first["ops"] and not again["errors_status"] else first
                out[name]["c8"] = dict(best, runs_ops=[round(first["ops"]), round(again["ops"])])
                log(f"  https {name} c=8 again: {again['ops']:,.0f}/s (kept {best['ops']:,.0f}/s)")
        self.results["stages"]["https"] = out
        # New connections: what TLS session resumption saves the server (issue 7's tuning list),
        # against OpenSSL's own server (s_server, same certificate and core) as the ceiling.
        conn_out: dict = {"crosskey": {}, "s_server": {}}
        ceiling = SServer(srv.data_dir, self.server_cpu, self.tmp / "s_server.log").start()
        try:
            for label, target in (("s_server", ceiling), ("crosskey", srv)):
                if target is None:
                    continue
                for mode in ("full", "resumed"):
                    r = new_connections(target, p["handshake_seconds"], mode == "resumed", self.load_cpu)
                    conn_out[label][mode] = r
                    log(f"  https new connection ({label}), {mode} handshake: {r['ops']:,.0f}/s, "
                        f"server {r['server_cpu_us']:.0f} us CPU each")
        finally:
            if ceiling is not None:
                ceiling.stop()
        self.results["stages"]["https_new_connections"] = conn_out

    def https_targets(self, chain: dict) -> dict:
        conns = self.p["conns"]
        wrk = Wrk(0, self.tmp)
        kv = chain["kv_host"]
        # The ceiling gets the very request a wrap gets (bearer token, wrap body, vault host), so
        # the ratio to it isolates the handler; empty.bare (no token, tiny body) shows what
        # reading a ~1.3 KB bearer header costs the HTTP layer by itself.
        _, wrap_body = chain["bodies"]["rsa2048.wrap"]
        t = {"empty": (wrk.env("POST", "/_emulator/bench/empty", kv, wrap_body, "application/json",
                               chain["workload_token"]), conns),
             "empty.bare": (wrk.env("POST", "/_emulator/bench/empty", kv, "{}", "application/json", None),
                            [8] if self.p["big_rsa"] else [])}
        for name, (path, body) in chain["bodies"].items():
            main = name in ("rsa2048.wrap", "rsa2048.unwrap", "a256kw.wrap")
            t[name] = (wrk.env("POST", path, kv, body, "application/json", chain["workload_token"]),
                       conns if main else [8] if self.p["big_rsa"] else [])
        t["fic.exchange"] = (wrk.env("POST", chain["fic_path"], chain["login_host"], chain["fic_body"],
                                     "application/x-www-form-urlencoded", None), conns)
        # spin.X: the empty route after burning as much CPU as the raw crypto of X costs (stage
        # 1): an X with no plane code at all, over this very stack. Its ratio is the most X can
        # reach here, which tells the plane's share of a gap from the HTTP stack's.
        raw = self.results["stages"].get("raw", {})
        for name in self.p["spin_ops"]:
            base = raw_base(name)
            ops = raw.get(base, {}).get("ops_cpu")
            if ops:
                us = max(1, round(1e6 / ops))
                t["spin." + name] = (wrk.env("POST", f"/_emulator/bench/spin?us={us}", kv, wrap_body,
                                             "application/json", chain["workload_token"]), [8])
            # crypto.X: the empty route after running X's raw crypto itself (bench_crypto.h).
            # Unlike a fixed CPU time, the crypto slows down when the load generator keeps the
            # other core busy (on this VM the two vCPUs share a physical core's resources).
            t["crypto." + name] = (wrk.env("POST", f"/_emulator/bench/crypto?op={base}", kv, wrap_body,
                                           "application/json", chain["workload_token"]), [8])
        return t

    def soak(self) -> None:
        """Sustained token + wrap load (FIC exchanges and A256KW wraps, 4 connections each) on a
        server of its own (pinned, with a data dir like the main one), RSS sampled throughout.
        The server keeps its last AUDIT_RING audit records in memory (one per request here), so
        RSS legitimately climbs until that ring is full; a warm-up with the same mix fills it
        first (at least soak_warmup_requests, twice the ring, in 5 s rounds,
        soak_warmup_max_seconds at most), and growth after that is what a leak would show."""
        p = self.p
        srv = self.new_server("soak", self.server_cpu)
        chain = setup_chain(Rest(srv), [2048], True)
        wrk = Wrk(srv.port, self.tmp)
        t = self.https_targets(chain)

        def mixed(secs: float, t_offset: float, samples: list) -> dict:
            procs = []
            for name, conns in (("fic.exchange", 4), ("a256kw.wrap", 4)):
                cmd, env = wrk.cmd("request.lua", conns, secs, self.load_cpu, t[name][0])
                procs.append((name, subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                     text=True)))
            t0 = time.perf_counter()
            step = min(p["soak_sample"], 0.5) if secs < 5 else p["soak_sample"]
            next_sample = t0 + step
            # Sampled every `step`, but the end of the load is noticed within 0.1 s (a plain
            # sleep(step) loop overslept each round by up to a step: ~10 s per full run).
            while any(pr.poll() is None for _, pr in procs):
                now = time.perf_counter()
                if now >= next_sample:
                    samples.append((round(t_offset + now - t0, 1), srv.rss_mb()))
                    next_sample += step
                time.sleep(min(0.1, max(0.0, next_sample - now)))
            samples.append((round(t_offset + time.perf_counter() - t0, 1), srv.rss_mb()))
            load = {}
            for name, pr in procs:
                o, _ = pr.communicate()
                d = Wrk.parse(o)
                load[name] = {"requests": d["requests"], "ops": d["requests"] / (d["duration_us"] / 1e6),
                              "errors_status": d["errors_status"]}
            return load

        secs = p["soak_seconds"]
        warm_samples = [(0.0, srv.rss_mb())]
        warm_secs, warm_requests, warm = 0.0, 0, {}
        while warm_requests < p["soak_warmup_requests"] and warm_secs < p["soak_warmup_max_seconds"]:
            chunk = min(5, p["soak_warmup_max_seconds"])
            warm = mixed(chunk, warm_secs, warm_samples)
            warm_secs += chunk
            warm_requests += sum(v["requests"] for v in warm.values())
        samples = [(0.0, srv.rss_mb())]
        load = mixed(secs, 0.0, samples)
        time.sleep(0.5)
        samples.append((round(samples[-1][0] + 0.5, 1), srv.rss_mb()))
        half = [x for x in samples if x[0] >= secs / 2]
        srv.stop()
        self.results["stages"]["soak"] = {
            "warmup_seconds": warm_secs, "warmup_requests": warm_requests, "warmup_last_round": warm,
            "warmup_rss_mb": [round(warm_samples[0][1], 1), round(warm_samples[-1][1], 1)],
            "seconds": secs, "load": load, "rss_samples_mb": [[a, round(b, 1)] for a, b in samples],
            "rss_start_mb": round(samples[0][1], 1), "rss_end_mb": round(samples[-1][1], 1),
            "rss_growth_mb": round(samples[-1][1] - samples[0][1], 1),
            "rss_growth_second_half_mb": round(samples[-1][1] - half[0][1], 1) if half else None,
        }

    def peer(self) -> None:
        """The peer-comparable set-up: server unpinned, wrk one thread, unpinned."""
        srv, chain = self.main, self.chain
        srv.pin(self.all_cpus)
        wrk = Wrk(srv.port, self.tmp, srv.pid)
        t = self.https_targets(chain)
        out: dict = {}
        for name in self.p["peer_ops"]:
            out[name] = {}
            for c in self.p["peer_conns"]:
                r = wrk.run(t[name][0], c, self.p["wrk_seconds"] if c > 1 else self.p["side_seconds"], None)
                out[name][f"c{c}"] = r
                log(f"  peer {name} c={c}: {r['ops']:,.0f}/s p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms")
        self.results["stages"]["peer"] = out

    def startup(self) -> None:
        """exec -> first served request, with the TLS material persisted by an earlier start."""
        # A data dir of its own, holding what one earlier start persisted (CA, server
        # certificate, secrets, the default fixture's state) and nothing more.
        data = self.tmp / "data-startup"
        first = Server(self.binary, data, self.tmp / "server-startup.log", None).start()
        first_request_s(first.port)
        first.stop()
        self.results["stages"]["startup_first_run_ms"] = round(first.exec_to_ready_s * 1000, 1)
        runs = []
        for i in range(self.p["starts"]):
            srv = Server(self.binary, data, self.tmp / "server-startup.log", None)
            t0 = time.perf_counter()
            srv.start()
            first = first_request_s(srv.port)
            total = srv.exec_to_ready_s + first
            runs.append({"exec_to_ready_ms": round(srv.exec_to_ready_s * 1000, 1),
                         "first_request_ms": round(first * 1000, 1), "total_ms": round(total * 1000, 1),
                         "wall_ms": round((time.perf_counter() - t0) * 1000, 1)})
            srv.stop()
        totals = [r["total_ms"] for r in runs]
        self.results["stages"]["startup"] = {"runs": runs, "median_ms": statistics.median(totals),
                                             "min_ms": min(totals)}

    def memory(self) -> None:
        """RSS idle, then after creating N keys through the data plane. In memory (no
        --data-dir: the durable store rewrites the whole state per write), oct-HSM 256 keys
        (generation is cheap, so the figure is the per-key bookkeeping, not RSA generation)."""
        srv = self.new_server("memory", self.server_cpu, in_memory=True)
        first_request_s(srv.port)
        time.sleep(self.p["idle_wait"])
        idle = srv.rss_mb()
        rest = Rest(srv)
        chain = setup_chain(rest, [], False)
        after_setup = srv.rss_mb()
        n = self.p["keys"]
        body = self.tmp / "create-oct.json"
        body.write_text(json.dumps({"kty": "oct-HSM", "key_size": 256}))
        wrk = Wrk(srv.port, self.tmp)
        env = {"CK_HOST": chain["kv_host"], "CK_BEARER": chain["officer_token"], "CK_BODY_FILE": str(body),
               "CK_KEY_COUNT": str(n), "CK_KEY_PREFIX": "bulk"}
        bound = max(30, n // 200)  # seconds; wrk is interrupted as soon as the keys exist
        cmd, full_env = wrk.cmd("create_keys.lua", 8, bound, self.load_cpu, env)
        t0 = time.perf_counter()
        pr = subprocess.Popen(cmd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        created = None
        for line in pr.stdout:  # the script prints CKCREATED when done; wrk itself sleeps out -d
            if line.startswith("CKCREATED "):
                created = json.loads(line[len("CKCREATED "):])
                secs = time.perf_counter() - t0
                pr.send_signal(signal.SIGINT)  # wrk stops at once on SIGINT and prints its summary
                break
        pr.communicate(timeout=60)
        if created is None:
            raise StageError(f"wrk create_keys ended without creating the keys (rc {pr.returncode})")
        if created["created"] < n:
            raise StageError(f"created {created['created']} of {n} keys ({created['failed']} failed)")
        time.sleep(0.5)
        after = srv.rss_mb()
        hwm = srv.status_kb("VmHWM") / 1024.0
        srv.stop()
        self.results["stages"]["memory"] = {
            "idle_rss_mb": round(idle, 1), "after_setup_rss_mb": round(after_setup, 1), "keys": n,
            "key_type": "oct-HSM 256", "create_seconds": round(secs, 1), "create_ops": round(n / secs),
            "after_keys_rss_mb": round(after, 1), "peak_rss_mb": round(hwm, 1),
            "per_key_bytes": round((after - after_setup) * 1024 * 1024 / n),
        }

    def run(self) -> int:
        t0 = time.perf_counter()
        self.stage("1 raw", self.raw)
        self.stage("2 in-process", self.in_process)
        self.stage("0+3 https", self.https)
        if hasattr(self, "chain"):
            self.stage("3 peer", self.peer)
        if hasattr(self, "main"):
            self.main.stop()
        self.stage("4 soak", self.soak)
        self.stage("4 start-up", self.startup)
        self.stage("4 memory", self.memory)
        if self.p["recheck"]:
            self.stage("1+2 again", self.recheck)
        self.stop_all()
        self.results["loadavg_end"] = loadavg()
        self.results["timings_s"]["total"] = round(time.perf_counter() - t0, 1)
        if os.environ.get("CK_BENCH_BUILD_SECONDS"):
            self.results["timings_s"]["build"] = int(os.environ["CK_BENCH_BUILD_SECONDS"])
        rows = build_table(self.results)
        self.results["table"] = rows
        out = Path(self.args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(self.results, indent=2) + "\n")
        print(render_table(rows, self.results))
        print(f"\nresults: {out}")
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"work dir kept: {self.tmp}")
        return 1 if self.results["errors"] else 0


def machine_info() -> dict:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    info = {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release()}
    try:
        info["openssl"] = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    try:
        info["wrk"] = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        pass
    return info


# ------------------------------------------------------------------------------------ the table

def fmt_ops(x: float) -> str:
    return f"{x:,.0f}/s" if x >= 100 else f"{x:,.1f}/s"


def fmt_ratio(x: float | None, threshold: float | None = None) -> str:
    """Two decimals; three when two would round a miss of `threshold` up to it (0.8996 -> 0.900x)."""
    if x is None:
        return "-"
    if threshold is not None and x < threshold and round(x, 2) >= threshold:
        return f"{x:.3f}x"
    return f"{x:.2f}x"


def row(metric, value, ratio="", target="", met=None, **extra) -> dict:
    return {"metric": metric, "value": value, "ratio": ratio, "target": target,
            "met": None if met is None else bool(met), **extra}


def build_table(res: dict) -> list[dict]:
    """Rows of the one table. Stages 1-2 count operations per CPU-second of the pinned core
    (Google Benchmark cpu_time: other processes on a busy machine do not lower it); stage 3
    counts what the client saw per wall-clock second, and also per second of server CPU."""
    st = res["stages"]
    raw, inp = st.get("raw", {}), st.get("in_process", {})
    https, peer = st.get("https", {}), st.get("peer", {})
    rows: list[dict] = []

    def core(d, name):  # ops per CPU-second of one core (stages 1-2)
        return d.get(name, {}).get("ops_cpu")

    def ratio(a, b):
        return a / b if a and b else None

    def runs_note(d, name):  # a row measured again at the end of the run (Bench.recheck)
        runs = d.get(name, {}).get("runs_ops_cpu") or []
        return f" (best of {' and '.join(fmt_ops(x) for x in runs)})" if len(runs) > 1 else ""

    crypt = [n for n in ("rsa2048.wrap", "rsa2048.unwrap", "rsa3072.wrap", "rsa3072.unwrap", "rsa4096.wrap",
                         "rsa4096.unwrap", "a256kw.wrap", "a256kw.unwrap") if n in raw or n in inp]
    # 1. raw ceilings
    for n in crypt + ["rs256.sign", "rs256.verify", "rs256.sign_verify"]:
        if n in raw:
            fresh = raw.get(n + ".fresh_ctx")
            note = f"fresh EVP ctx per op: {fmt_ops(fresh['ops_cpu'])}" if fresh else ""
            rows.append(row(f"1 raw {n}", fmt_ops(core(raw, n)), "ceiling" + runs_note(raw, n), note))
    # 2. in-process through the gate
    for n in crypt:
        if n in inp:
            rr = ratio(core(inp, n), core(raw, n))
            rows.append(row(f"2 in-process {n}", fmt_ops(core(inp, n)), f"{fmt_ratio(rr, 0.9)} raw" + runs_note(inp, n),
                            ">= 0.90x raw", rr is not None and rr >= 0.9))
    for n, base in (("rsa2048.unwrap.with_token", "rsa2048.unwrap"), ("a256kw.wrap.with_token", "a256kw.wrap")):
        if n in inp:
            rows.append(row(f"2 in-process {n}", fmt_ops(core(inp, n)),
                            f"{fmt_ratio(ratio(core(inp, n), core(raw, base)))} raw"))
    # The whole Key Vault plane without sockets: what the server adds to it is the HTTP stack.
    for n, base in (("rsa2048.unwrap.plane", "rsa2048.unwrap"), ("a256kw.wrap.plane", "a256kw.wrap")):
        if n in inp:
            us = inp[n]["cpu_us_per_op"]
            gate = inp.get(base, {}).get("cpu_us_per_op")
            note = f"{us:.1f} us per call" + (f", {us - gate:.1f} us over the gate's" if gate else "")
            rows.append(row(f"2 in-process {n}", fmt_ops(core(inp, n)),
                            f"{fmt_ratio(ratio(core(inp, n), core(raw, base)))} raw", note))
    for n in ("fic.exchange", "fic.exchange_and_validate"):
        if n in inp:
            rows.append(row(f"2 in-process {n}", fmt_ops(core(inp, n)),
                            f"{fmt_ratio(ratio(core(inp, n), core(raw, 'rs256.sign_verify')))} raw sign+verify"))
    for n, base in (("token.validate_fresh", "rs256.verify"), ("token.validate_cached", None)):
        if n in inp:
            rows.append(row(f"2 in-process {n}", fmt_ops(core(inp, n)),
                            f"{fmt_ratio(ratio(core(inp, n), core(raw, base)))} raw verify" if base else ""))

    # 0 + 3. HTTPS
    def base_names(name):
        return raw_base(name), name

    def https_rows(block, prefix, with_ratios):
        for name, per_c in block.items():
            for ck, r in per_c.items():
                v = f"{fmt_ops(r['ops'])} p50 {r['p50_ms']:.2f} p99 {r['p99_ms']:.2f} ms"
                cpu = r.get("ops_per_cpu_s")
                parts = []
                if name.startswith("empty"):
                    parts.append("ceiling" if name == "empty" else "ceiling, no token, body {}")
                    if cpu:
                        parts.append(f"{fmt_ops(cpu)} per server CPU-s")
                elif name.startswith(("spin.", "crypto.")):
                    kind, op = name.split(".", 1)
                    rb, _ = base_names(op)
                    what = f"the raw CPU cost of {op}" if kind == "spin" else f"{op}'s raw crypto, run"
                    parts.append(f"empty route + {what}: raw "
                                 f"{fmt_ratio(ratio(r['ops'], core(raw, rb)))}, empty "
                                 f"{fmt_ratio(ratio(r['ops'], block.get('empty', {}).get(ck, {}).get('ops')))}")
                elif with_ratios:
                    rb, ib = base_names(name)
                    parts.append(f"raw {fmt_ratio(ratio(r['ops'], core(raw, rb)))}")
                    parts.append(f"in-proc {fmt_ratio(ratio(r['ops'], core(inp, ib)))}")
                    parts.append(f"empty {fmt_ratio(ratio(r['ops'], block.get('empty', {}).get(ck, {}).get('ops')))}")
                    if cpu:
                        parts.append(f"per server CPU-s: raw {fmt_ratio(ratio(cpu, core(raw, rb)))}")
                rows.append(row(f"{prefix} {name} {ck}", v, ", ".join(parts)))

    https_rows(https, "3 https", True)

    def best(block, name, key="ops"):
        per_c = block.get(name, {})
        if not per_c:
            return None, None
        ck = max(per_c, key=lambda k: per_c[k].get(key) or 0)
        return per_c[ck].get(key), ck

    # Verdict rows for the targets, each at its best connection count. Judged on
    # wall-clock throughput; the CPU-normalised ratio is shown beside it.
    if https:
        u, uc = best(https, "rsa2048.unwrap")
        ucpu, _ = best(https, "rsa2048.unwrap", "ops_per_cpu_s")
        rr = ratio(u, core(raw, "rsa2048.unwrap"))

        def spin_bound(op, against, kind="spin"):  # the no-plane operation's ratio at c8 (https_targets)
            return ratio(https.get(f"{kind}.{op}", {}).get("c8", {}).get("ops"), against)

        def bound_note(op, against):
            b, c = spin_bound(op, against), spin_bound(op, against, "crypto")
            return ((f"; no-plane bound here: {fmt_ratio(b)}" if b else "")
                    + (f", with the crypto run under the same load: {fmt_ratio(c)}" if c else ""))

        rows.append(row(f"T https unwrap rsa2048 (best {uc})", fmt_ops(u or 0),
                        f"{fmt_ratio(rr, 0.85)} raw (per server CPU-s {fmt_ratio(ratio(ucpu, core(raw, 'rsa2048.unwrap')))}"
                        f"{bound_note('rsa2048.unwrap', core(raw, 'rsa2048.unwrap'))})",
                        ">= 0.85x raw private", rr is not None and rr >= 0.85))
        for n in ("rsa2048.wrap", "a256kw.wrap"):
            # The operation at its best connection count against the ceiling at that same count.
            w, wc = best(https, n)
            er = https.get("empty", {}).get(wc, {})
            wcpu = https.get(n, {}).get(wc, {}).get("ops_per_cpu_s")
            rr = ratio(w, er.get("ops"))
            # The most any server can reach on one core: the empty request's cost plus the raw
            # crypto's, nothing else (t_empty / (t_empty + t_raw), both per CPU-second).
            ecpu, rawc = er.get("ops_per_cpu_s"), core(raw, n)
            bound = (1 / ecpu) / (1 / ecpu + 1 / rawc) if ecpu and rawc else None
            empty_c8 = https.get("empty", {}).get("c8", {}).get("ops")
            measured, run = spin_bound(n, empty_c8), spin_bound(n, empty_c8, "crypto")
            rows.append(row(f"T https {n} (best {wc})", fmt_ops(w or 0),
                            f"{fmt_ratio(rr, 0.7)} empty {wc} (per server CPU-s "
                            f"{fmt_ratio(ratio(wcpu, er.get('ops_per_cpu_s')))}; bound with zero overhead: "
                            f"{fmt_ratio(bound)} computed"
                            + (f", measured at c8: {fmt_ratio(measured)}" if measured else "")
                            + (f", with the crypto run: {fmt_ratio(run)}" if run else "") + ")",
                            ">= 0.70x empty", rr is not None and rr >= 0.7))
        f, fc = best(https, "fic.exchange")
        fcpu, _ = best(https, "fic.exchange", "ops_per_cpu_s")
        rr = ratio(f, core(raw, "rs256.sign_verify"))
        rows.append(row(f"T https fic.exchange (best {fc})", fmt_ops(f or 0),
                        f"{fmt_ratio(rr, 0.8)} raw sign+verify (per server CPU-s "
                        f"{fmt_ratio(ratio(fcpu, core(raw, 'rs256.sign_verify')))}"
                        f"{bound_note('fic.exchange', core(raw, 'rs256.sign_verify'))})",
                        ">= 0.80x and >= 2,000/s", rr is not None and rr >= 0.8 and (f or 0) >= 2000))

    nc = st.get("https_new_connections", {})
    for mode in ("full", "resumed"):
        ours, ceil = nc.get("crosskey", {}).get(mode), nc.get("s_server", {}).get(mode)
        if ceil:
            rows.append(row(f"3 https new connection, {mode} handshake: openssl s_server", fmt_ops(ceil["ops"]),
                            f"ceiling, server {ceil['server_cpu_us']:.0f} us CPU per connection"))
        if ours:
            note = f"server {ours['server_cpu_us']:.0f} us CPU per connection"
            if ceil:  # per server CPU-s, as the ceiling is single-threaded and the client shared
                note += f"; per server CPU-s {fmt_ratio(ratio(ceil['server_cpu_us'], ours['server_cpu_us']))} s_server"
            full = nc.get("crosskey", {}).get("full", {})
            if mode == "resumed" and full.get("server_cpu_us"):
                note += f"; {fmt_ratio(ratio(ours['server_cpu_us'], full['server_cpu_us']))} the full handshake's CPU"
            rows.append(row(f"3 https new connection, {mode} handshake", fmt_ops(ours["ops"]), note))

    # peer-comparable set-up
    https_rows(peer, "3 peer", False)
    if peer:
        for name, goal in (("rsa2048.wrap", 12000), ("rsa2048.unwrap", 4000), ("empty", 18000)):
            if name not in peer:
                continue  # smoke: one peer row
            v, c = best(peer, name)
            rows.append(row(f"T peer {name} (best {c})", fmt_ops(v or 0), "", f">= {goal:,}/s",
                            v is not None and v >= goal))

    # 4. start-up and memory
    if "startup" in st:
        s = st["startup"]
        first = st.get("startup_first_run_ms")
        rows.append(row("4 cold start exec->first 200 (median)", f"{s['median_ms']:.1f} ms",
                        f"min {s['min_ms']:.1f} ms" + (f"; first run {first:.0f} ms to ready" if first else ""),
                        "<= 100 ms", s["median_ms"] <= 100))
    if "memory" in st:
        m = st["memory"]
        rows.append(row("4 RSS idle", f"{m['idle_rss_mb']:.1f} MB", "", "<= 25 MB", m["idle_rss_mb"] <= 25))
        rows.append(row(f"4 RSS after {m['keys']:,} keys ({m['key_type']})", f"{m['after_keys_rss_mb']:.1f} MB",
                        f"{m['per_key_bytes']:,} B/key incl. 1 audit record each; created {m['create_ops']:,}/s",
                        "<= 400 MB" if m["keys"] >= 100_000 else "(smoke: fewer keys)",
                        m["after_keys_rss_mb"] <= 400 if m["keys"] >= 100_000 else None))
    if "soak" in st:
        s = st["soak"]
        loads = ", ".join(f"{k} {fmt_ops(v['ops'])}" for k, v in s["load"].items())
        warm = s.get("warmup_rss_mb")
        wtxt = (f" (after a {s['warmup_seconds']:.0f} s, {s.get('warmup_requests', 0):,}-request warm-up: "
                f"{warm[0]:.0f} -> {warm[1]:.0f} MB)") if warm else ""
        ring_full = s.get("warmup_requests", 0) >= AUDIT_RING
        rows.append(row(f"4 RSS growth over {s['seconds']} s load", f"{s['rss_growth_mb']:+.1f} MB",
                        f"{s['rss_start_mb']:.1f} -> {s['rss_end_mb']:.1f} MB{wtxt}; {loads}",
                        "flat (<= 5 MB)" if ring_full else "(warm-up too short to fill the audit ring)",
                        s["rss_growth_mb"] <= 5 if ring_full else None))
    return rows


def render_table(rows: list[dict], res: dict) -> str:
    head = ["metric", "value", "ratio", "target", "met?"]
    body = [[r["metric"], r["value"], r["ratio"], r["target"],
             "" if r["met"] is None else ("yes" if r["met"] else "NO")] for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(head)]
    line = "  ".join("-" * w for w in widths)
    out = []
    m = res["machine"]
    out.append(f"crosskey benchmark ({res['mode']}) on {m.get('nproc')} x {m.get('cpu')}; "
               f"server {'pinned to one core, load on another' if res['pinned'] else 'unpinned (one core only)'}; "
               f"load average {res['loadavg_start']} -> {res.get('loadavg_end')}")
    out.append("stages 1-2: operations per CPU-second of the pinned core; stage 3: per wall-clock second "
               "as the client saw it (ratios to stages 1-2), also per second of server CPU")
    out.append("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    out.append(line)
    for b in body:
        out.append("  ".join(c.ljust(w) for c, w in zip(b, widths)).rstrip())
    met = [r for r in rows if r["met"] is not None]
    out.append(line)
    build = res["timings_s"].get("build")
    out.append(f"targets met: {sum(1 for r in met if r['met'])} of {len(met)}; "
               f"stages {res['timings_s'].get('total')} s" + (f" + build {build} s" if build is not None else ""))
    for e in res["errors"]:
        out.append(f"ERROR {e}")
    return "\n".join(out)


def render_markdown(rows: list[dict]) -> str:
    out = ["| metric | value | ratio | target | met? |", "|---|---|---|---|---|"]
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        cells = [r["metric"], r["value"], r["ratio"], r["target"], met]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="every stage and kind of row once, for about a second (CI)")
    ap.add_argument("--build-dir", default=str(REPO / "build-bench"))
    ap.add_argument("--out", default=str(REPO / "bench" / "results.json"))
    ap.add_argument("--keep", action="store_true", help="keep the temporary work dir (logs, data dirs)")
    ap.add_argument("--render", metavar="RESULTS_JSON", help="print the table of an earlier run and exit")
    ap.add_argument("--markdown", action="store_true", help="with --render: a Markdown table")
    args = ap.parse_args()
    if args.render:
        res = json.loads(Path(args.render).read_text())
        rows = build_table(res)
        print(render_markdown(rows) if args.markdown else render_table(rows, res))
        return 0
    if not shutil.which("wrk"):
        log("wrk is not installed (scripts/install-deps installs it)")
        return 2
    bench = Bench(args)
    try:
        return bench.run()
    finally:
        bench.stop_all()


if __name__ == "__main__":
    sys.exit(main())
