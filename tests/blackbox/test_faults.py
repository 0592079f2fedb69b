"""Fault injection (/_emulator/faults) against the real clients: an AADSTS700213 answer from
the customer tenant's token endpoint breaks the workload's ClientAssertionCredential only;
a 503 on one vault's unwrapKey leaves wrapKey and other vaults alone and expires after
"times"; latency delays; a drop is a connection error; a seeded probability repeats across
emulators; bad rules get a 400 that says what to fix.
"""
import os
import time
import uuid

import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError

from flow import CRYPTO_OFFICER, ENCRYPTION_USER, EXCHANGE_SCOPE, VAULT_SCOPE, b64, setup_chain, unb64, \
    use_workload_environment

FAULTS = "/_emulator/faults"


@pytest.fixture(scope="module")
def world(emulator):
    """One CMK chain (provider app + UAMI + FIC, customer SP) with two customer vaults, each
    holding an RSA key the workload may wrap and unwrap with."""
    mp = pytest.MonkeyPatch()
    use_workload_environment(mp, emulator)
    try:
        chain = setup_chain(emulator, vault_prefix="fa")
        chain.key = chain.customer_key_client().create_rsa_key("cmk", size=2048)
        chain.other_vault, chain.other_key = add_vault(chain)
        chain.token = chain.workload_credential().get_token(VAULT_SCOPE).token
        yield chain
    finally:
        mp.undo()


@pytest.fixture
def chain(world, monkeypatch, emulator):
    use_workload_environment(monkeypatch, emulator)
    clear(world.cloud)
    yield world
    clear(world.cloud)


def add_vault(chain):
    """A second RBAC vault in the customer tenant, with the same role assignments and a key."""
    from azure.keyvault.keys import KeyClient
    c, cu = chain.cloud, chain.customer
    name = f"fb{uuid.uuid4().hex[:8]}"
    vault_id = chain.vault_id.rsplit("/", 1)[0] + "/" + name
    r = c.arm("PUT", "customer", vault_id, {"location": "westus", "properties": {
        "tenantId": cu["tenantId"], "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": True,
        "enablePurgeProtection": True, "enableSoftDelete": True, "softDeleteRetentionInDays": 90}})
    assert r.status_code in (200, 201), r.text
    uri = r.json()["properties"]["vaultUri"].rstrip("/")
    assert c.assign("customer", vault_id, CRYPTO_OFFICER, cu["adminApp"]["servicePrincipalObjectId"]).status_code == 201
    assert c.assign("customer", vault_id, ENCRYPTION_USER, chain.sp["id"]).status_code == 201
    key = KeyClient(uri, c.admin_credential("customer")).create_rsa_key("cmk", size=2048)
    return name, key


def add(cloud, rule) -> dict:
    r = cloud.control("POST", FAULTS, rule)
    assert r.status_code == 201, r.text
    return r.json()


def clear(cloud) -> None:
    assert cloud.control("DELETE", FAULTS).status_code == 204


def listed(cloud, rule_id) -> dict:
    r = cloud.control("GET", f"{FAULTS}/{rule_id}")
    assert r.status_code == 200, r.text
    return r.json()


def kv(chain, key, op, value: bytes, session=None):
    return (session or chain.cloud.http).post(
        f"{key.id}/{op}?api-version=7.4", json={"alg": "RSA-OAEP-256", "value": b64(value)}, timeout=30,
        headers={"Authorization": "Bearer " + chain.token})


# --------------------------------------------------------------------- (1) token endpoint

def test_aadsts700213_for_customer_tenant_breaks_workload_but_not_provider_tenant(chain):
    c = chain.cloud
    customer_tid, provider = chain.customer["tenantId"], chain.provider
    description = ("AADSTS700213: No matching federated identity record found for presented assertion subject "
                   f"'{chain.uami['principalId']}'.")
    rule = add(c, {"plane": "login", "operation": "token", "tenant": customer_tid, "status": 400,
                   "body": {"error": "invalid_client", "error_description": description, "error_codes": [700213]}})

    with pytest.raises(ClientAuthenticationError) as e:
        chain.workload_credential().get_token(VAULT_SCOPE)
    assert "AADSTS700213" in str(e.value)
    assert listed(c, rule["id"])["fired"] >= 1

    # The provider tenant's token endpoint answers as usual: a raw client-credentials request...
    r = c.http.post(f"{c.login}/{provider['tenantId']}/oauth2/v2.0/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": provider["adminApp"]["appId"],
        "client_secret": provider["adminApp"]["clientSecret"], "scope": "https://management.azure.com/.default"})
    assert r.status_code == 200, r.text
    assert r.json()["access_token"]
    # ...and the MI endpoint, the first hop of the workload, still issues its assertion.
    from azure.identity import ManagedIdentityCredential
    assert ManagedIdentityCredential(client_id=chain.uami["clientId"]).get_token(EXCHANGE_SCOPE).token

    assert c.control("DELETE", f"{FAULTS}/{rule['id']}").status_code == 204
    assert chain.workload_credential().get_token(VAULT_SCOPE).token


# --------------------------------------------------------------------- (2) one vault, one operation

def test_503_on_one_vaults_unwrap_leaves_wrap_and_other_vaults_and_expires_after_times(chain):
    c = chain.cloud
    dek = os.urandom(32)
    wrapped = kv(chain, chain.key, "wrapkey", dek)
    assert wrapped.status_code == 200, wrapped.text
    other_wrapped = kv(chain, chain.other_key, "wrapkey", dek)
    assert other_wrapped.status_code == 200, other_wrapped.text

    rule = add(c, {"plane": "keyvault", "vault": chain.vault, "operation": "unwrapKey",
                   "principal": chain.app["appId"], "status": 503, "headers": {"Retry-After": "1"}, "times": 2})
    assert rule["remaining"] == 2

    r = kv(chain, chain.key, "unwrapkey", unb64(wrapped.json()["value"]))
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "ServiceUnavailable"
    assert r.json()["error"]["message"] == f"injected fault {rule['id']}"
    assert r.headers["Retry-After"] == "1"
    assert r.headers["x-ms-request-id"]

    # wrapKey on the same vault and unwrapKey on the other vault are not matched.
    assert kv(chain, chain.key, "wrapkey", dek).status_code == 200
    r = kv(chain, chain.other_key, "unwrapkey", unb64(other_wrapped.json()["value"]))
    assert r.status_code == 200 and unb64(r.json()["value"]) == dek

    assert kv(chain, chain.key, "unwrapkey", unb64(wrapped.json()["value"])).status_code == 503
    r = kv(chain, chain.key, "unwrapkey", unb64(wrapped.json()["value"]))  # third call: the rule has expired
    assert r.status_code == 200, r.text
    assert unb64(r.json()["value"]) == dek
    state = listed(c, rule["id"])
    assert state["fired"] == 2 and state["remaining"] == 0 and state["expired"] is True


def test_rule_for_another_principal_or_tenant_does_not_fire(chain):
    c = chain.cloud
    add(c, {"plane": "keyvault", "principal": str(uuid.uuid4()), "status": 500})
    add(c, {"plane": "keyvault", "tenant": chain.provider["tenantId"], "status": 500})
    assert kv(chain, chain.key, "wrapkey", os.urandom(32)).status_code == 200


# --------------------------------------------------------------------- (3) latency

def test_latency_delays_then_the_call_succeeds(chain):
    c = chain.cloud
    dek = os.urandom(32)
    assert kv(chain, chain.key, "wrapkey", dek).status_code == 200  # warm connection
    add(c, {"plane": "keyvault", "vault": chain.vault, "operation": "wrapKey", "latencyMs": 600})
    started = time.monotonic()
    r = kv(chain, chain.key, "wrapkey", dek)
    elapsed = time.monotonic() - started
    assert r.status_code == 200, r.text
    assert elapsed >= 0.6, elapsed
    started = time.monotonic()
    assert kv(chain, chain.other_key, "wrapkey", dek).status_code == 200
    assert time.monotonic() - started < 0.6


# --------------------------------------------------------------------- (4) drop

def test_drop_is_a_connection_error_on_https_and_on_the_mi_port(chain, emulator):
    c = chain.cloud
    dek = os.urandom(32)
    rule = add(c, {"plane": "keyvault", "vault": chain.vault, "operation": "wrapKey", "drop": True, "times": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        kv(chain, chain.key, "wrapkey", dek, session=requests.Session())
    assert listed(c, rule["id"])["fired"] == 1
    assert kv(chain, chain.key, "wrapkey", dek).status_code == 200  # expired after one drop

    # A kept-alive connection that carried an earlier answer is dropped just the same.
    s = requests.Session()
    s.verify = str(emulator.ca_path)
    assert kv(chain, chain.key, "wrapkey", dek, session=s).status_code == 200
    add(c, {"plane": "keyvault", "vault": chain.vault, "operation": "wrapKey", "drop": True, "times": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        kv(chain, chain.key, "wrapkey", dek, session=s)

    ep = emulator.endpoints
    add(c, {"plane": "mi", "operation": "token", "drop": True})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(ep["mi"], params={"resource": "api://AzureADTokenExchange", "api-version": "2019-08-01",
                                       "client_id": chain.uami["clientId"]},
                     headers={"X-IDENTITY-HEADER": ep["miHeader"]}, timeout=30)
    assert emulator.running


# --------------------------------------------------------------------- (5) seeded probability

def fire_pattern(emu, n=40) -> str:
    http = requests.Session()
    http.verify = str(emu.ca_path)
    r = http.post(emu.url(FAULTS), json={"plane": "login", "operation": "discovery", "status": 503,
                                         "probability": 0.5, "seed": 20240601}, timeout=30)
    assert r.status_code == 201, r.text
    pattern = ""
    for _ in range(n):
        r = http.get(emu.url("/common/discovery/instance"), params={"api-version": "1.1"}, timeout=30)
        assert r.status_code in (200, 503), r.text
        pattern += "X" if r.status_code == 503 else "."
    rule = http.get(emu.url(FAULTS), timeout=30).json()["value"][0]
    assert rule["fired"] == pattern.count("X") and rule["matched"] == n
    return pattern


def test_seeded_probability_gives_the_same_pattern_on_two_emulators(emulator_factory):
    first = fire_pattern(emulator_factory())
    second = fire_pattern(emulator_factory())
    assert first == second
    assert 5 < first.count("X") < 35, first


# --------------------------------------------------------------------- (6) control API

@pytest.mark.parametrize("rule, message", [
    ({"plane": "storage", "status": 503}, "Unknown plane 'storage'"),
    ({"plane": "keyvault", "status": 503, "probability": 1.5}, "'probability' must be between 0 and 1"),
    ({"status": 200}, "outside 400-599"),
    ({"plane": "keyvault", "operation": "unwrapKey"}, "needs an action"),
    ({"plane": "keyvault", "staus": 503}, "Unknown field 'staus'"),
    ({"status": 503, "drop": True}, "not both"),
    ({"plane": "arm", "vault": "x", "status": 503}, "only match Key Vault"),
])
def test_bad_rule_is_refused_with_a_message(chain, rule, message):
    r = chain.cloud.control("POST", FAULTS, rule)
    assert r.status_code == 400
    assert message in r.json()["error"]["message"], r.text
    assert chain.cloud.control("GET", FAULTS).json()["value"] == []


def test_list_get_delete_and_clear(chain):
    c = chain.cloud
    a = add(c, {"plane": "keyvault", "operation": "sign", "status": 429, "times": 3})
    b = add(c, {"id": "slow-graph", "plane": "graph", "latencyMs": 5})
    assert b["id"] == "slow-graph"
    assert c.control("POST", FAULTS, {"id": "slow-graph", "latencyMs": 1}).status_code == 409
    rules = c.control("GET", FAULTS).json()["value"]
    assert [r["id"] for r in rules] == [a["id"], "slow-graph"]
    assert rules[0]["remaining"] == 3 and rules[0]["fired"] == 0 and rules[1]["remaining"] is None

    assert c.control("DELETE", f"{FAULTS}/{a['id']}").status_code == 204
    assert c.control("DELETE", f"{FAULTS}/{a['id']}").status_code == 404
    assert [r["id"] for r in c.control("GET", FAULTS).json()["value"]] == ["slow-graph"]
    assert c.control("DELETE", FAULTS).status_code == 204
    assert c.control("GET", FAULTS).json()["value"] == []
    # Faults never apply to the control API itself.
    add(c, {"status": 500})
    assert c.control("GET", "/_emulator/health").status_code == 200
    assert c.control("GET", FAULTS).status_code == 200


def test_a_key_vault_fault_looks_like_a_key_vault_error_and_both_names_select_it(chain):
    """An injected Key Vault error carries innererror like a real one; a rule may name the
    operation by its id (unwrapKey) or its AuditEvent name (KeyUnwrap), and the audit filter
    takes either too."""
    c = chain.cloud
    dek = os.urandom(32)
    wrapped = kv(chain, chain.key, "wrapkey", dek)
    assert wrapped.status_code == 200, wrapped.text
    rule = add(c, {"plane": "keyvault", "vault": chain.vault, "operation": "KeyUnwrap", "status": 503, "times": 1})
    r = kv(chain, chain.key, "unwrapkey", unb64(wrapped.json()["value"]))
    assert r.status_code == 503, r.text
    err = r.json()["error"]
    assert err["code"] == "ServiceUnavailable" and err["innererror"]["code"] == "InjectedFault"
    assert err["message"] == f"injected fault {rule['id']}"
    assert kv(chain, chain.key, "unwrapkey", unb64(wrapped.json()["value"])).status_code == 200
    by_id = c.http.get(c.emu.url("/_emulator/audit"), params={"operation": "unwrapKey"}, timeout=30).json()["value"]
    by_name = c.http.get(c.emu.url("/_emulator/audit"), params={"operation": "KeyUnwrap"}, timeout=30).json()["value"]
    assert by_id and [e["requestId"] for e in by_id] == [e["requestId"] for e in by_name]
    assert all(e["operationName"] == "KeyUnwrap" and e["operationId"] == "unwrapKey" for e in by_id)
