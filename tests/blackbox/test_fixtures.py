"""Declarative fixtures: a preconfigured two-tenant CMK chain usable by the real SDKs at once,
refusal of bad fixtures with the path of the offending field, and external OIDC issuers
(GitHub-Actions-style federation) trusted through their JWKS.
"""
import json
import os
import time
import uuid

import jwt as pyjwt
import pytest
from azure.identity import ClientAssertionCredential, ManagedIdentityCredential
from azure.keyvault.keys.crypto import CryptographyClient, KeyWrapAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa

from flow import EXCHANGE_SCOPE, VAULT_SCOPE, Cloud, use_workload_environment
from harness import REPO, EmulatorError

TWO_TENANT = REPO / "fixtures" / "two-tenant-cmk.json"
DEPLOYER = "11111111-2222-4333-8444-555555555555"


def test_two_tenant_fixture_is_ready_for_phase_three(emulator_factory, monkeypatch):
    emu = emulator_factory(extra_args=["--fixture", str(TWO_TENANT)])
    use_workload_environment(monkeypatch, emu)
    cloud = Cloud(emu)
    prov, cust = cloud.tenant("provider"), cloud.tenant("customer")
    app = cloud.graph("GET", "provider", "/v1.0/applications?$filter=displayName eq 'cmk-multitenant-app'").json()["value"][0]
    mi_id = (f"/subscriptions/{prov['subscriptionId']}/resourceGroups/provider-rg/providers/"
             "Microsoft.ManagedIdentity/userAssignedIdentities/workload-mi")
    mi = cloud.arm("GET", "provider", mi_id).json()["properties"]
    fic = cloud.graph("GET", "provider", f"/v1.0/applications/{app['id']}/federatedIdentityCredentials").json()["value"][0]
    assert fic["subject"] == mi["principalId"]
    assert fic["issuer"] == f"https://login.microsoftonline.com/{prov['tenantId']}/v2.0"
    vault_uri = cloud.arm("GET", "customer", f"/subscriptions/{cust['subscriptionId']}/resourceGroups/customer-rg/providers/"
                          "Microsoft.KeyVault/vaults/cmkdemo").json()["properties"]["vaultUri"]
    assert f":{emu.port}/" in vault_uri
    key = cloud.http.get(f"{vault_uri}keys/cmk?api-version=7.4", timeout=30, headers={
        "Authorization": "Bearer " + cloud.token("customer", VAULT_SCOPE)}).json()
    assert key["key"]["key_ops"] == ["wrapKey", "unwrapKey"]

    mi_cred = ManagedIdentityCredential(client_id=mi["clientId"])
    workload = ClientAssertionCredential(cust["tenantId"], app["appId"], lambda: mi_cred.get_token(EXCHANGE_SCOPE).token)
    cc = CryptographyClient(key["key"]["kid"], workload)
    dek = os.urandom(32)
    wrapped = cc.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, dek).encrypted_key
    assert cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped).key == dek


@pytest.mark.parametrize("mutate,path", [
    (lambda f: f["tenants"][0]["applications"][1].pop("name"), "$.tenants[0].applications[1].name"),
    (lambda f: f["tenants"][1]["roleAssignments"][2].update(role="Key Vault Wizard"), "$.tenants[1].roleAssignments[2].role"),
    (lambda f: f["tenants"][1]["roleAssignments"][0].update(principal="user:ghost@customer.test"),
     "$.tenants[1].roleAssignments[0].principal"),
    (lambda f: f["tenants"][0]["applications"][1]["federatedCredentials"][0].update(subject="${uamiPrincipalId:nope}"),
     "$.tenants[0].applications[1].federatedCredentials[0].subject"),
    (lambda f: f["tenants"][1]["subscriptions"][0]["resourceGroups"][0]["vaults"][0]["keys"][0].update(keySize=1000),
     "$.tenants[1].subscriptions[0].resourceGroups[0].vaults[0].keys[0]"),
])
def test_bad_fixture_is_refused_with_the_offending_path(emulator_factory, tmp_path, mutate, path):
    fixture = json.loads(TWO_TENANT.read_text())
    mutate(fixture)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(fixture))
    with pytest.raises(EmulatorError) as e:
        emulator_factory(extra_args=["--fixture", str(bad)])
    assert path in str(e.value)


def test_unreadable_fixture_file_is_refused(emulator_factory, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(EmulatorError) as e:
        emulator_factory(extra_args=["--fixture", str(bad)])
    assert "not valid JSON" in str(e.value)


def test_external_oidc_issuer_federates_through_its_jwks(emulator_factory, tmp_path):
    issuer = "https://token.actions.githubusercontent.com"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(pyjwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk["kid"] = "gh-1"
    subject = "repo:contoso/app:environment:prod"
    fixture = {"seed": "gh", "oidcIssuers": [{"issuer": issuer, "jwks": {"keys": [jwk]}}], "tenants": [{
        "name": "provider",
        "applications": [{"name": "deployer", "appId": DEPLOYER, "signInAudience": "AzureADMyOrg", "servicePrincipal": True,
                          "federatedCredentials": [{"name": "gh", "issuer": issuer, "subject": subject}]}]}]}
    path = tmp_path / "gh.json"
    path.write_text(json.dumps(fixture))
    emu = emulator_factory(extra_args=["--fixture", str(path)])
    tenant = emu.bootstrap["tenants"][0]["tenantId"]
    cloud = Cloud(emu)

    def assertion(signing_key, sub=subject):
        now = int(time.time())
        return pyjwt.encode({"iss": issuer, "sub": sub, "aud": "api://AzureADTokenExchange", "iat": now, "nbf": now,
                             "exp": now + 600, "jti": str(uuid.uuid4())}, signing_key, algorithm="RS256",
                            headers={"kid": "gh-1"})

    def exchange(token):
        return cloud.http.post(f"{cloud.login}/{tenant}/oauth2/v2.0/token", timeout=30, data={
            "grant_type": "client_credentials", "client_id": DEPLOYER,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": token, "scope": "https://management.azure.com/.default"})

    ok = exchange(assertion(key))
    assert ok.status_code == 200, ok.text
    claims = pyjwt.decode(ok.json()["access_token"], options={"verify_signature": False})
    assert claims["tid"] == tenant
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert exchange(assertion(other)).json()["error_codes"] == [700027]
    assert exchange(assertion(key, sub="repo:contoso/app:ref:refs/heads/dev")).json()["error_codes"] == [700213]


CONSUMERS = REPO / "fixtures" / "cmk-consumers.json"


def _consumer_states(cloud):
    r = cloud.control("GET", "/_emulator/consumers")
    assert r.status_code == 200, r.text
    return {v["name"]: v for v in r.json()["value"]}


def test_consumers_fixture_configures_all_four_kinds_healthy(emulator_factory):
    emu = emulator_factory(extra_args=["--fixture", str(CONSUMERS)])
    cloud = Cloud(emu)
    states = _consumer_states(cloud)
    assert {n: s["kind"] for n, s in states.items()} == {
        "stcontoso": "storage", "cosmos-contoso": "cosmos", "des-contoso": "diskEncryptionSet",
        "disk-contoso": "disks", "sql-contoso": "sqlServer", "appdb": "sql", }
    assert all(s["state"] in ("Healthy", "Online") for s in states.values()), states
    # Each wrapped its DEK through the chain at load: the customer's key, the workload UAMI.
    assert states["stcontoso"]["chain"]["vault"] == "cmkdemo"
    assert states["disk-contoso"]["ownerId"].endswith("/diskEncryptionSets/des-contoso")
    prov = cloud.tenant("provider")
    st = cloud.arm("GET", "provider", f"/subscriptions/{prov['subscriptionId']}/resourceGroups/provider-rg/providers/"
                   "Microsoft.Storage/storageAccounts/stcontoso", api="2023-01-01")
    assert st.status_code == 200, st.text
    kvp = st.json()["properties"]["encryption"]["keyvaultproperties"]
    assert kvp["currentVersionedKeyIdentifier"].startswith(f"https://cmkdemo.vault.crosskey.test:{emu.port}/keys/cmk/")
    for kind, name in (("storage", "stcontoso"), ("cosmos", "cosmos-contoso"), ("disks", "disk-contoso"), ("sql", "appdb")):
        assert cloud.http.put(emu.url(f"/_emulator/data/{kind}/{name}?item=x"), data=b"v-" + name.encode(), timeout=30).status_code == 201
        got = cloud.http.get(emu.url(f"/_emulator/data/{kind}/{name}?item=x"), timeout=30)
        assert got.status_code == 200 and got.content == b"v-" + name.encode()


def test_a_running_emulator_loads_a_fixture_through_the_state_endpoint(emulator_factory):
    emulator = emulator_factory()
    cloud = Cloud(emulator)
    r = cloud.control("POST", "/_emulator/state", json.loads(CONSUMERS.read_text()))
    assert r.status_code == 200, r.text
    assert "stcontoso" in _consumer_states(cloud)
    assert cloud.http.get(emulator.url("/_emulator/bootstrap"), timeout=30).json()["tenants"][0]["name"] == "provider"
    # Reset goes back to what the process started with (here the default fixture).
    assert cloud.control("POST", "/_emulator/reset").status_code == 200
    assert "stcontoso" not in _consumer_states(cloud)
    bad = cloud.control("POST", "/_emulator/state", {"tenants": [{"name": "x", "resources": [{"id": 7}]}]})
    assert bad.status_code == 400 and "$.tenants[0].resources[0].id" in bad.text, bad.text


def test_consumer_resource_that_cannot_reach_its_key_is_refused_with_its_path(emulator_factory, tmp_path):
    fixture = json.loads(CONSUMERS.read_text())
    # Without the role assignment the storage account cannot wrap its DEK: the PUT is refused.
    fixture["tenants"][1]["roleAssignments"] = [ra for ra in fixture["tenants"][1]["roleAssignments"]
                                                if ra["role"] != "Key Vault Crypto Service Encryption User"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(fixture))
    with pytest.raises(EmulatorError) as e:
        emulator_factory(extra_args=["--fixture", str(bad)])
    assert "$.tenants[0].resources[0]" in str(e.value) and "ForbiddenByRbac" in str(e.value)


def test_kubernetes_token_reaches_the_customer_key_through_the_uami_fic(emulator_factory, tmp_path, monkeypatch):
    """Workload identity federation for a UAMI (the provider's AKS pod): a service-account token
    from an external issuer -> the UAMI's token (its own FIC, an ARM child of the identity) ->
    the app's token in the customer tenant (the app FIC trusting the UAMI) -> wrap/unwrap."""
    issuer = "https://oidc.prod-aks.azure.com/11111111-2222-3333-4444-555555555555/"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(pyjwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk["kid"] = "aks-1"
    fixture = json.loads(TWO_TENANT.read_text())
    fixture["oidcIssuers"] = [{"issuer": issuer, "jwks": {"keys": [jwk]}}]
    path = tmp_path / "aks.json"
    path.write_text(json.dumps(fixture))
    emu = emulator_factory(extra_args=["--fixture", str(path)])
    use_workload_environment(monkeypatch, emu)
    cloud = Cloud(emu)
    prov, cust = cloud.tenant("provider"), cloud.tenant("customer")
    mi_id = (f"/subscriptions/{prov['subscriptionId']}/resourceGroups/provider-rg/providers/"
             "Microsoft.ManagedIdentity/userAssignedIdentities/workload-mi")
    mi = cloud.arm("GET", "provider", mi_id, api="2023-01-31").json()["properties"]
    subject = "system:serviceaccount:billing:encryptor"
    r = cloud.arm("PUT", "provider", f"{mi_id}/federatedIdentityCredentials/aks", {"properties": {
        "issuer": issuer, "subject": subject, "audiences": ["api://AzureADTokenExchange"]}}, api="2023-01-31")
    assert r.status_code in (200, 201), r.text

    def service_account_token(sub=subject):
        now = int(time.time())
        return pyjwt.encode({"iss": issuer, "sub": sub, "aud": "api://AzureADTokenExchange", "iat": now, "nbf": now,
                             "exp": now + 3600}, key, algorithm="RS256", headers={"kid": "aks-1"})

    # What azure-identity's WorkloadIdentityCredential does (a ClientAssertionCredential reading
    # the projected token file), then the cross-tenant exchange of the seeds.
    uami = ClientAssertionCredential(prov["tenantId"], mi["clientId"], service_account_token)
    uami_token = uami.get_token(EXCHANGE_SCOPE).token
    claims = pyjwt.decode(uami_token, options={"verify_signature": False})
    # A v2 token (the exchange audience): the client is azp, authenticated by an assertion ("2").
    assert claims["oid"] == mi["principalId"] and claims["azp"] == mi["clientId"] and claims["azpacr"] == "2"
    assert "appid" not in claims
    assert claims["iss"] == f"https://login.microsoftonline.com/{prov['tenantId']}/v2.0"
    app = cloud.graph("GET", "provider", "/v1.0/applications?$filter=displayName eq 'cmk-multitenant-app'").json()["value"][0]
    workload = ClientAssertionCredential(cust["tenantId"], app["appId"], lambda: uami.get_token(EXCHANGE_SCOPE).token)
    vault_uri = cloud.arm("GET", "customer", f"/subscriptions/{cust['subscriptionId']}/resourceGroups/customer-rg/providers/"
                          "Microsoft.KeyVault/vaults/cmkdemo").json()["properties"]["vaultUri"]
    cc = CryptographyClient(f"{vault_uri}keys/cmk", workload)
    dek = os.urandom(32)
    assert cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, cc.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, dek).encrypted_key).key == dek

    def exchange(token, client_id=mi["clientId"], **extra):
        return cloud.http.post(f"{cloud.login}/{prov['tenantId']}/oauth2/v2.0/token", timeout=30, data={
            "grant_type": "client_credentials", "client_id": client_id, "scope": EXCHANGE_SCOPE,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": token, **extra})
    assert exchange(service_account_token("system:serviceaccount:other:pod")).json()["error_codes"] == [700213]
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = pyjwt.encode({"iss": issuer, "sub": subject, "aud": "api://AzureADTokenExchange",
                           "exp": int(time.time()) + 600}, other, algorithm="RS256", headers={"kid": "aks-1"})
    assert exchange(forged).json()["error_codes"] == [700027]
    # A UAMI has no secrets: only its federated credentials sign it in.
    r = cloud.http.post(f"{cloud.login}/{prov['tenantId']}/oauth2/v2.0/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": mi["clientId"], "client_secret": "x", "scope": EXCHANGE_SCOPE})
    assert r.status_code == 401 and r.json()["error_codes"] == [7000215], r.text
    # Deleting the UAMI's FIC stops the exchange.
    assert cloud.arm("DELETE", "provider", f"{mi_id}/federatedIdentityCredentials/aks", api="2023-01-31").status_code == 200
    assert exchange(service_account_token()).json()["error_codes"] == [700211]
