"""Durable state, the state document, reset and snapshots, and the admin token.

kill -9 during a stream of writes loses no acknowledged write: CK_KILL_TRIALS trials (10 by
default, 100+ for a soak run: CK_KILL_TRIALS=120 scripts/test -k kill).
"""
import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid

import pytest
import requests
from azure.keyvault.keys.crypto import CryptographyClient, KeyWrapAlgorithm

from flow import VAULT_SCOPE, Cloud, setup_chain, use_workload_environment
from harness import default_binary


def test_state_document_round_trips_and_snapshots_rewind(emulator_factory, tmp_path, monkeypatch):
    emu = emulator_factory()
    use_workload_environment(monkeypatch, emu)
    chain = setup_chain(emu)
    kc = chain.customer_key_client()
    key = kc.create_rsa_key("snap", size=2048)
    cc = CryptographyClient(key.id, chain.workload_credential())
    dek = os.urandom(32)
    wrapped = cc.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, dek).encrypted_key

    c = chain.cloud
    r = c.control("POST", "/_emulator/snapshots", {"name": "before-revocation"})
    assert r.status_code == 201 and r.json()["name"] == "before-revocation"
    assert c.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01").status_code == 200
    kc.update_key_properties("snap", enabled=False)
    r = c.control("POST", "/_emulator/snapshots/before-revocation/restore")
    assert r.status_code == 200
    # Everything is back, with the same key material and the same signing keys: the workload's
    # cached token and the old ciphertext still work.
    assert CryptographyClient(key.id, chain.workload_credential()).unwrap_key(
        KeyWrapAlgorithm.rsa_oaep_256, wrapped).key == dek
    assert [s["name"] for s in c.control("GET", "/_emulator/snapshots").json()["value"]] == ["before-revocation"]

    # The state document loads back, as --fixture, into another emulator with the same state.
    state = c.control("GET", "/_emulator/state").json()
    assert state["crosskeyState"] == 1
    # Secrets are kept as hashes, never in clear.
    secret = chain.customer["adminApp"]["clientSecret"]
    assert secret not in json.dumps(state["directory"])
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    emu2 = emulator_factory(extra_args=["--fixture", str(path)])
    state2 = requests.get(emu2.url("/_emulator/state"), verify=str(emu2.ca_path), timeout=30).json()
    for part in ("directory", "signingKeys", "rbac", "keyvault"):
        assert state2[part] == state[part], part
    assert state2["resources"]["subscriptions"] == state["resources"]["subscriptions"]

    # reset returns to the startup fixture
    assert c.control("POST", "/_emulator/reset").status_code == 200
    assert c.arm("GET", "customer", chain.vault_id).status_code == 404
    assert c.control("DELETE", "/_emulator/snapshots/before-revocation").status_code == 204
    assert c.control("POST", "/_emulator/snapshots/nope/restore").status_code == 404
    assert c.control("POST", "/_emulator/snapshots", {"name": "bad name!"}).status_code == 400
    assert c.control("POST", "/_emulator/state", {"crosskeyState": 99}).status_code == 400


def test_restart_keeps_state_and_clock(emulator_factory, tmp_path, monkeypatch):
    data = tmp_path / "data"
    emu = emulator_factory(data_dir=str(data))
    use_workload_environment(monkeypatch, emu)
    chain = setup_chain(emu)
    key = chain.customer_key_client().create_rsa_key("durable", size=2048)
    chain.cloud.advance_clock(1000)
    cu = chain.customer  # the last request before the restart: nothing else persists it
    signin = chain.cloud.http.post(f"{chain.cloud.login}/{cu['tenantId']}/oauth2/v2.0/token", timeout=30, data={
        "grant_type": "password", "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "username": cu["adminUser"]["username"], "password": cu["adminUser"]["password"],
        "scope": "https://management.azure.com/.default offline_access"})
    assert signin.status_code == 200, signin.text
    port = emu.port
    emu.stop()
    emu.start(port=port)
    c = Cloud(emu)
    assert c.arm("GET", "customer", chain.vault_id).status_code == 200
    assert c.control("GET", "/_emulator/clock").json()["offset"] >= 1000
    tok = c.token("customer", VAULT_SCOPE)
    r = c.http.get(f"{key.id}?api-version=7.4", headers={"Authorization": "Bearer " + tok}, timeout=30)
    assert r.status_code == 200 and r.json()["key"]["n"] and r.json()["key"]["kid"] == key.id
    assert oct(os.stat(data / "crosskey.db").st_mode & 0o777) == "0o600"
    # A user's refresh token (what azure-cli keeps between runs) survives the restart.
    again = c.http.post(f"{c.login}/{cu['tenantId']}/oauth2/v2.0/token", timeout=30, data={
        "grant_type": "refresh_token", "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "refresh_token": signin.json()["refresh_token"], "scope": "https://management.azure.com/.default"})
    assert again.status_code == 200, again.text


def test_newer_schema_is_refused(emulator_factory, tmp_path):
    import sqlite3
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    db = sqlite3.connect(data / "crosskey.db")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('schema_version', '7')")
    db.commit()
    db.close()
    from harness import EmulatorError
    with pytest.raises(EmulatorError) as e:
        emulator_factory(data_dir=str(data))
    assert "schema version 7" in str(e.value)


def test_admin_token_guards_the_control_api(tmp_path):
    proc = subprocess.Popen([str(default_binary()), "serve", "--port", "0", "--mi-port", "0", "--admin-token", "s3cret",
                             "--data-dir", str(tmp_path / "d")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        port = int(line.split('"port": ')[1].split(",")[0])
        ca = str(tmp_path / "d" / "ca.pem")
        url = f"https://127.0.0.1:{port}/_emulator"
        assert requests.get(f"{url}/health", verify=ca, timeout=10).status_code == 200
        assert requests.get(f"{url}/ca.pem", verify=ca, timeout=10).status_code == 200
        for path in ("/clock", "/bootstrap", "/state", "/audit"):
            r = requests.get(url + path, verify=ca, timeout=10)
            assert r.status_code == 401 and "admin-token" in r.json()["error"]["message"], path
        r = requests.get(f"{url}/bootstrap", verify=ca, timeout=10, headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 200 and r.json()["tenants"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def _start(binary, data, port):
    proc = subprocess.Popen([str(binary), "serve", "--port", str(port), "--mi-port", "0", "--data-dir", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    line = proc.stdout.readline()
    assert line.startswith("ready "), line
    return proc, int(line.split('"port": ')[1].split(",")[0])


def test_kill_9_during_writes_loses_no_acknowledged_write(tmp_path):
    trials = int(os.environ.get("CK_KILL_TRIALS", "10"))
    data = tmp_path / "data"
    binary = default_binary()
    proc, port = _start(binary, data, 0)
    ca = str(data / "ca.pem")
    boot = requests.get(f"https://127.0.0.1:{port}/_emulator/bootstrap", verify=ca, timeout=10).json()
    t = next(x for x in boot["tenants"] if x["name"] == "customer")

    def arm_token(p):
        r = requests.post(f"https://127.0.0.1:{p}/{t['tenantId']}/oauth2/v2.0/token", verify=ca, timeout=10, data={
            "grant_type": "client_credentials", "client_id": t["adminApp"]["appId"],
            "client_secret": t["adminApp"]["clientSecret"], "scope": "https://management.azure.com/.default"})
        return r.json()["access_token"]

    acknowledged = []
    rng = random.Random(1234)
    try:
        for trial in range(trials):
            token = arm_token(port)
            stop = threading.Event()

            def writer():
                s = requests.Session()
                while not stop.is_set():
                    name = f"rg-{trial}-{uuid.uuid4().hex[:6]}"
                    try:
                        r = s.put(f"https://127.0.0.1:{port}/subscriptions/{t['subscriptionId']}/resourcegroups/{name}"
                                  "?api-version=2021-04-01", json={"location": "westus"}, verify=ca, timeout=5,
                                  headers={"Authorization": "Bearer " + token})
                    except requests.RequestException:
                        return
                    if r.status_code in (200, 201):
                        acknowledged.append(name)
            threads = [threading.Thread(target=writer) for _ in range(3)]
            for th in threads:
                th.start()
            time.sleep(0.05 + rng.random() * 0.3)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            stop.set()
            for th in threads:
                th.join(timeout=10)
            proc, port = _start(binary, data, port)
        token = arm_token(port)
        r = requests.get(f"https://127.0.0.1:{port}/subscriptions/{t['subscriptionId']}/resourcegroups?api-version=2021-04-01",
                         verify=ca, timeout=30, headers={"Authorization": "Bearer " + token})
        present = {g["name"] for g in r.json()["value"]}
        missing = [n for n in acknowledged if n not in present]
        assert acknowledged and not missing, f"{len(missing)} acknowledged writes lost of {len(acknowledged)}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
