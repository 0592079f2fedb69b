"""Control API details: the clock (advance, set, freeze), bad control calls, the request log,
and fixture keys imported from PEM."""
import json
import time

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from flow import Cloud


def test_clock_advance_set_freeze_and_bad_bodies(emulator):
    url, ca = emulator.url("/_emulator/clock"), str(emulator.ca_path)
    base = requests.get(url, verify=ca, timeout=10).json()
    assert abs(base["now"] - time.time()) < 3600 * 24 * 365 * 10
    r = requests.post(url, json={"advanceSeconds": 3600}, verify=ca, timeout=10).json()
    assert r["now"] - base["now"] >= 3600
    r = requests.post(url, json={"set": 2000000000, "freeze": True}, verify=ca, timeout=10).json()
    assert r["now"] == 2000000000 and r["frozen"] is True
    time.sleep(1.1)
    assert requests.get(url, verify=ca, timeout=10).json()["now"] == 2000000000
    r = requests.post(url, json={"freeze": False}, verify=ca, timeout=10).json()
    assert r["frozen"] is False and r["now"] >= 2000000000
    for bad in ({}, {"advanceSeconds": "1"}, [1]):
        resp = requests.post(url, json=bad, verify=ca, timeout=10)
        assert resp.status_code == 400 and resp.json()["error"]["message"]
    requests.post(url, json={"set": int(time.time())}, verify=ca, timeout=10)
    resp = requests.get(emulator.url("/_emulator/nothing-here"), verify=ca, timeout=10)
    assert resp.status_code == 501 and "nothing-here" in resp.json()["error"]["message"]


def test_request_log_at_info_level(emulator_factory):
    emu = emulator_factory(extra_args=["--log-level", "info"])
    r = requests.get(emu.url("/_emulator/health"), verify=str(emu.ca_path), timeout=10)
    rid = r.headers["x-ms-request-id"]
    time.sleep(0.2)
    log = emu.log_path.read_text()
    assert any(line.startswith("GET ") and "/_emulator/health 200" in line and rid in line for line in log.splitlines())


def test_fixture_key_from_pem(emulator_factory, tmp_path):
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    fixture = {"seed": "pem", "tenants": [{
        "name": "customer",
        "users": [{"userPrincipalName": "admin@customer.test", "password": "Pw-123456", "globalAdmin": True}],
        "applications": [{"name": "admin", "secrets": [{"value": "admin-secret-0123456789"}],
                          "servicePrincipal": {"globalAdmin": True}}],
        "subscriptions": [{"name": "s", "resourceGroups": [{"name": "rg", "vaults": [
            {"name": "pemvault", "properties": {"enableRbacAuthorization": True},
             "keys": [{"name": "from-pem", "pem": pem}]}]}]}],
        "roleAssignments": [{"scope": "${vaultId:pemvault}", "role": "Key Vault Crypto User", "principal": "app:admin"}]}]}
    path = tmp_path / "pem.json"
    path.write_text(json.dumps(fixture))
    emu = emulator_factory(extra_args=["--fixture", str(path)])
    c = Cloud(emu)
    tok = c.token("customer", "https://vault.azure.net/.default")
    r = c.http.get(emu.vault_url("pemvault") + "/keys/from-pem?api-version=7.4", headers={"Authorization": "Bearer " + tok},
                   timeout=30)
    assert r.status_code == 200 and r.json()["key"]["kty"] == "EC" and r.json()["key"]["crv"] == "P-256"
    assert "d" not in r.json()["key"]
