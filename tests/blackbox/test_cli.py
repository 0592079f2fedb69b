"""The binary's command line: hosts, env, help, bad flags, clean SIGTERM, persisted TLS material."""
import os
import signal
import subprocess

import requests

from harness import default_binary


def run(*args, timeout=30):
    return subprocess.run([str(default_binary()), *args], capture_output=True, text=True, timeout=timeout)


def test_hosts_lists_every_live_vault_of_a_running_emulator(emulator_factory, tmp_path):
    emu = emulator_factory(extra_args=["--fixture", str(default_binary().parents[1] / "fixtures" / "two-tenant-cmk.json")])
    out = run("hosts", "--port", str(emu.port), "--vault", "extra").stdout.splitlines()
    assert "127.0.0.1 cmkdemo.vault.crosskey.test" in out and "127.0.0.1 extra.vault.crosskey.test" in out
    assert "127.0.0.1 login.microsoftonline.com" in out and "127.0.0.1 login.crosskey.test" in out


def test_env_prints_what_clients_need(tmp_path):
    (tmp_path / "mi-header").write_text("secret-123\n")
    out = run("env", "--data-dir", str(tmp_path), "--port", "9443", "--mi-port", "9080").stdout
    assert f"REQUESTS_CA_BUNDLE={tmp_path}/ca.pem" in out and f"NODE_EXTRA_CA_CERTS={tmp_path}/ca.pem" in out
    assert "AZURE_AUTHORITY_HOST=https://login.crosskey.test:9443" in out
    assert "IDENTITY_ENDPOINT=http://127.0.0.1:9080/msi/token" in out and "IDENTITY_HEADER=secret-123" in out


def test_help_and_bad_flags():
    r = run("--help")
    assert r.returncode == 0 and "--listen-443" in r.stdout and "--fixture" in r.stdout
    r = run("serve", "--port", "not-a-number")
    assert r.returncode == 2 and "--port" in r.stderr
    r = run("serve", "--no-such-flag")
    assert r.returncode == 2 and "unknown flag" in r.stderr
    r = run("serve", "--cert", "only-cert.pem")
    assert r.returncode == 2


def test_sigterm_stops_cleanly_and_tls_material_persists(tmp_path):
    data = tmp_path / "data"
    ca = []
    for _ in range(2):
        proc = subprocess.Popen([str(default_binary()), "serve", "--port", "0", "--mi-port", "0", "--data-dir", str(data)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            assert line.startswith("ready "), line
            port = int(line.split('"port": ')[1].split(",")[0])
            # The data dir holds the CA from the first start on: the served one must be it.
            ca.append(requests.get(f"https://127.0.0.1:{port}/_emulator/ca.pem", verify=str(data / "ca.pem"),
                                   timeout=10).text)
            assert requests.get(f"https://127.0.0.1:{port}/_emulator/health", verify=str(data / "ca.pem"), timeout=10).status_code == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
    assert ca[0] == ca[1] and "BEGIN CERTIFICATE" in ca[0]
    assert oct(os.stat(data).st_mode & 0o777) == "0o700"
    for f in ("ca.key", "server.key", "mi-header", "backup.key"):
        assert oct(os.stat(data / f).st_mode & 0o777) == "0o600", f


def test_a_non_loopback_bind_needs_an_admin_token(tmp_path):
    """The control API serves every private key: beyond loopback it is never open. Without
    --admin-token and --data-dir the server refuses to start (before listening); with --data-dir a
    token is generated into DIR/admin-token (0600). 192.0.2.1 (TEST-NET-1) is not an address of
    this host, so nothing listens beyond loopback in this test."""
    refused = run("serve", "--bind", "192.0.2.1", "--port", "0", "--mi-port", "0")
    assert refused.returncode == 1
    assert "--admin-token" in refused.stderr and "exposes the control API" in refused.stderr, refused.stderr
    data = tmp_path / "data"
    generated = run("serve", "--bind", "192.0.2.1", "--port", "0", "--mi-port", "0", "--data-dir", str(data))
    assert generated.returncode == 1 and "cannot listen on 192.0.2.1" in generated.stderr, generated.stderr
    token = data / "admin-token"
    assert f"{data}/admin-token" in generated.stderr
    assert len(token.read_text().strip()) >= 24
    assert oct(token.stat().st_mode & 0o777) == "0o600"
