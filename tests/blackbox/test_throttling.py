"""Per-vault throttling modelled on Key Vault's limits: 429 with Retry-After, weighted by key
type, off by default; the real Python and Node clients' retry policies recover."""
import json
import os
import time

from azure.keyvault.keys.crypto import CryptographyClient, KeyWrapAlgorithm

from flow import VAULT_SCOPE, b64, setup_chain, use_workload_environment
from harness import client_env, run_node


def configure(chain, **body):
    r = chain.cloud.control("POST", "/_emulator/throttling", body)
    assert r.status_code == 200, r.text
    return r.json()


def test_throttling_answers_429_with_retry_after_and_clients_recover(emulator_factory, monkeypatch):
    emu = emulator_factory()
    use_workload_environment(monkeypatch, emu)
    chain = setup_chain(emu)
    kc = chain.customer_key_client()
    key = kc.create_rsa_key("t2048", size=2048)
    key4096 = kc.create_rsa_key("t4096", size=4096)
    token = chain.workload_credential().get_token(VAULT_SCOPE).token
    body = {"alg": "RSA-OAEP", "value": b64(os.urandom(32))}

    def wrap(k):
        return chain.cloud.http.post(f"{k.id}/wrapkey?api-version=7.4", json=body, timeout=30,
                                     headers={"Authorization": "Bearer " + token})

    assert chain.cloud.control("GET", "/_emulator/throttling").json()["enabled"] is False
    # A budget of 8 units per 3 s window: eight RSA-2048 operations, or one RSA-4096 one.
    assert configure(chain, enabled=True, windowSeconds=3, scale=0.002)["budgetUnitsPerWindow"] == 8
    statuses = [wrap(key).status_code for _ in range(9)]
    assert statuses[:8] == [200] * 8
    r = wrap(key)
    assert r.status_code == 429 and r.json()["error"]["code"] == "Throttled"
    assert 1 <= int(r.headers["Retry-After"]) <= 3
    time.sleep(int(r.headers["Retry-After"]) + 0.2)
    assert wrap(key4096).status_code == 200   # 8 units: the whole window
    assert wrap(key).status_code == 429

    # The real SDKs honour Retry-After and succeed once the window rolls over.
    time.sleep(3.2)
    cc = CryptographyClient(key.id, chain.workload_credential())
    wrapped = [cc.wrap_key(KeyWrapAlgorithm.rsa_oaep, os.urandom(32)) for _ in range(1)]  # warms the client (GET)
    started = time.time()
    results = [cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep, wrapped[0].encrypted_key) for _ in range(12)]
    assert len(results) == 12 and time.time() - started >= 1   # at least one 429 was waited out

    env = client_env(emu)
    time.sleep(3.2)
    cfg = dict(emu.bootstrap, keyId=key.id, appId=chain.app["appId"], miClientId=chain.uami["clientId"], count=12)
    rc, out, err = run_node("throttled_unwrap.mjs", [json.dumps(cfg)], env=env, emu=emu)
    assert rc == 0, out + err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["unwrapped"] == 12 and result["elapsedMs"] >= 1000

    configure(chain, enabled=False)
    assert all(wrap(key).status_code == 200 for _ in range(20))


def test_bad_throttling_configuration_is_400(emulator):
    import requests
    url = emulator.url("/_emulator/throttling")
    for body in ({"enabled": "yes"}, {"enabled": True, "scale": 0}, {"enabled": True, "windowSeconds": "10"}):
        r = requests.post(url, json=body, verify=str(emulator.ca_path), timeout=30)
        assert r.status_code == 400, body
