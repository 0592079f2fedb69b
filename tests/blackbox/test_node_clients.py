"""The cross-tenant CMK flow with the real Node Azure SDKs (@azure/identity 4.13.1,
@azure/keyvault-keys 4.10.2, @azure/arm-* and @microsoft/microsoft-graph-client), each scenario a
small script under tests/js printing one JSON object. Key Vault challenge verification stays ON
in every script; credentials get authorityHost + disableInstanceDiscovery explicitly.
"""
from __future__ import annotations

import json
import re
import subprocess
import uuid

import pytest

from flow import ENCRYPTION_USER, Cloud, setup_chain
from harness import JS_DIR, client_env, run_node

NODE_TIMEOUT_S = 120
EXCHANGE_AUD = "api://AzureADTokenExchange"
ENCRYPTION_USER_GUID = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
CRYPTO_OFFICER_GUID = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"
# Variables that would switch JS ManagedIdentityCredential to workload identity (WIRE.md §3.1).
WORKLOAD_IDENTITY_VARS = ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE")
KEY_ID = re.compile(r"^https://(?P<vault>[a-z0-9-]+)\.vault\.crosskey\.test:(?P<port>\d+)/keys/(?P<name>[^/]+)/"
                    r"(?P<version>[0-9a-f]{32})$")


def node(emu, script: str, cfg: dict, env: dict | None = None) -> dict:
    """Runs tests/js/<script> with the bootstrap plus `cfg` as its JSON argument; returns the
    JSON object it printed. Fails the test (with both streams) unless it exited 0."""
    if not (JS_DIR / "node_modules").is_dir():
        pytest.fail(f"{JS_DIR}/node_modules is missing: run `npm ci` in tests/js", pytrace=False)
    env = client_env(emu) if env is None else env
    leaked = [v for v in WORKLOAD_IDENTITY_VARS if v in env]
    assert not leaked, f"credential-selecting variables leaked into the node environment: {leaked}"
    arg = json.dumps({"endpoints": emu.endpoints, "tenants": emu.bootstrap["tenants"], **cfg})
    try:
        rc, out, err = run_node(script, [arg], env=env, timeout=NODE_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{script} did not finish within {NODE_TIMEOUT_S} s\nstderr: {e.stderr!r}")
    emu.check_alive()
    lines = [line for line in out.splitlines() if line.strip()]
    assert rc == 0 and lines, f"{script} exited {rc}\nstdout:\n{out[-6000:]}\nstderr:\n{err[-6000:]}"
    return json.loads(lines[-1])


def key_name() -> str:
    return f"cmk-js-{uuid.uuid4().hex[:8]}"


def workload_cfg(chain) -> dict:
    return {"vaultUri": chain.vault_uri, "appId": chain.app["appId"], "miClientId": chain.uami["clientId"],
            "keyName": key_name()}


@pytest.fixture
def chain(emulator):
    """Phases 1-2 over REST (flow.py); the scenarios start from a configured chain."""
    return setup_chain(emulator, vault_prefix="kvn")


@pytest.fixture(scope="module")
def js_chain(emulator):
    """Phases 1-2 done by the Node ARM + Graph clients themselves (phase12_arm_graph.mjs)."""
    suffix = uuid.uuid4().hex[:8]
    return suffix, node(emulator, "phase12_arm_graph.mjs", {"suffix": suffix})


# ------------------------------------------------------------------------------ a. phases 1-2
def test_js_arm_and_graph_clients_configure_both_tenants(emulator, js_chain):
    suffix, out = js_chain
    prov, cust = emulator.provider, emulator.customer
    psub, csub = prov["subscriptionId"], cust["subscriptionId"]
    port = emulator.port

    # Graph (provider): the multi-tenant application and its FIC trusting the UAMI.
    app = out["app"]
    assert app["displayName"] == f"cmk-js-{suffix}" and app["signInAudience"] == "AzureADMultipleOrgs"
    uuid.UUID(app["id"]), uuid.UUID(app["appId"])
    assert app["id"] != app["appId"]

    # ResourceManagementClient + ManagedServiceIdentityClient (provider).
    rg = out["providerGroup"]
    assert rg["id"] == f"/subscriptions/{psub}/resourceGroups/prov-js-{suffix}"
    assert rg["name"] == f"prov-js-{suffix}" and rg["location"] == "westus"
    assert rg["provisioningState"] == "Succeeded" and rg["tags"] == {"scenario": "js"}
    mi = out["uami"]
    assert mi["id"] == (f"/subscriptions/{psub}/resourceGroups/prov-js-{suffix}/providers/"
                        f"Microsoft.ManagedIdentity/userAssignedIdentities/mi-js-{suffix}")
    assert mi["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities"
    assert mi["tenantId"] == prov["tenantId"]
    uuid.UUID(mi["principalId"]), uuid.UUID(mi["clientId"])
    assert mi["principalId"] != mi["clientId"]
    assert out["uamiGet"] == {"principalId": mi["principalId"], "clientId": mi["clientId"]}

    fic = out["fic"]
    assert fic["name"] == f"fic-js-{suffix}"
    assert fic["issuer"] == f"https://login.microsoftonline.com/{prov['tenantId']}/v2.0"
    assert fic["subject"] == mi["principalId"] and fic["audiences"] == [EXCHANGE_AUD]
    assert out["ficListNames"] == [fic["name"]]

    # Graph (customer): the service principal of the provider's app.
    sp = out["sp"]
    assert sp["appId"] == app["appId"] and sp["appOwnerOrganizationId"] == prov["tenantId"]
    assert sp["servicePrincipalType"] == "Application" and sp["accountEnabled"] is True
    assert app["appId"] in sp["servicePrincipalNames"]
    assert out["spLookup"] == [{"id": sp["id"], "appId": app["appId"]}]

    # KeyVaultManagementClient (v5, credentials.scopes): RBAC vault with purge protection.
    vault_name = f"kvjs{suffix}"
    vault = out["vault"]
    vault_id = (f"/subscriptions/{csub}/resourceGroups/cust-js-{suffix}/providers/"
                f"Microsoft.KeyVault/vaults/{vault_name}")
    assert out["customerGroup"]["id"] == f"/subscriptions/{csub}/resourceGroups/cust-js-{suffix}"
    assert vault["id"] == vault_id and vault["name"] == vault_name
    assert vault["vaultUri"] == f"https://{vault_name}.vault.crosskey.test:{port}/"
    assert vault["tenantId"] == cust["tenantId"]
    assert vault["enableRbacAuthorization"] is True and vault["enablePurgeProtection"] is True
    assert vault["enableSoftDelete"] is True and vault["provisioningState"] == "Succeeded"
    assert out["vaultGet"] == {"id": vault_id, "vaultUri": vault["vaultUri"]}

    # AuthorizationManagementClient: role lookup by name, then two assignments at the vault.
    assert out["roleDefinitions"] == [{
        "id": f"/subscriptions/{csub}/providers/Microsoft.Authorization/roleDefinitions/{ENCRYPTION_USER_GUID}",
        "name": ENCRYPTION_USER_GUID, "roleName": ENCRYPTION_USER, "type": "Microsoft.Authorization/roleDefinitions",
        "dataActions": ["Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/wrap/action",
                        "Microsoft.KeyVault/vaults/keys/unwrap/action"]}]
    assert out["officerDefinitionNames"] == [CRYPTO_OFFICER_GUID]
    for assignment, principal, role in ((out["userAssignment"], sp["id"], ENCRYPTION_USER_GUID),
                                        (out["officerAssignment"], cust["adminApp"]["servicePrincipalObjectId"],
                                         CRYPTO_OFFICER_GUID)):
        assert assignment["id"] == f"{vault_id}/providers/Microsoft.Authorization/roleAssignments/{assignment['name']}"
        assert assignment["type"] == "Microsoft.Authorization/roleAssignments"
        assert assignment["scope"] == vault_id and assignment["principalId"] == principal
        assert assignment["principalType"] == "ServicePrincipal"
        assert assignment["roleDefinitionId"].endswith(f"/roleDefinitions/{role}")
        assert assignment["id"] in out["assignmentsAtVault"]

    # What the JS clients created is what the emulator serves over plain REST.
    c = Cloud(emulator)
    r = c.arm("GET", "provider", mi["id"])
    assert r.status_code == 200 and r.json()["properties"]["principalId"] == mi["principalId"]
    assert r.json()["properties"]["clientId"] == mi["clientId"]
    r = c.arm("GET", "customer", vault_id)
    assert r.status_code == 200, r.text
    assert r.json()["properties"]["enableRbacAuthorization"] is True
    assert r.json()["properties"]["enablePurgeProtection"] is True
    r = c.arm("GET", "customer", out["userAssignment"]["id"], api="2022-04-01")
    assert r.status_code == 200 and r.json()["properties"]["principalId"] == sp["id"]
    r = c.graph("GET", "provider", f"/v1.0/applications/{app['id']}/federatedIdentityCredentials")
    assert [f["subject"] for f in r.json()["value"]] == [mi["principalId"]]
    r = c.graph("GET", "customer", f"/v1.0/servicePrincipals/{sp['id']}")
    assert r.status_code == 200 and r.json()["appId"] == app["appId"]


def test_js_built_chain_lets_the_workload_wrap_and_unwrap(emulator, js_chain):
    _, out = js_chain
    res = node(emulator, "wrap_unwrap.mjs", {
        "vaultUri": out["vault"]["vaultUri"], "appId": out["app"]["appId"],
        "miClientId": out["uami"]["clientId"], "keyName": key_name()})
    assert res["unwrap"]["equal"] is True and res["unwrap"]["length"] == 32
    assert res["key"]["vaultUrl"] == out["vault"]["vaultUri"].rstrip("/")
    assert res["vaultClaims"]["oid"] == out["sp"]["id"]
    assert res["vaultClaims"]["tid"] == emulator.customer["tenantId"]
    assert res["miClaims"]["sub"] == out["uami"]["principalId"]


# ------------------------------------------------------------------------------ b. phase 3
def test_workload_wraps_and_unwraps_through_app_service_mi(emulator, chain):
    cfg = workload_cfg(chain)
    res = node(emulator, "wrap_unwrap.mjs", cfg)
    cust, prov = emulator.customer, emulator.provider

    key = res["key"]
    m = KEY_ID.match(key["id"])
    assert m, key["id"]
    assert m["vault"] == chain.vault and int(m["port"]) == emulator.port and m["name"] == cfg["keyName"]
    assert m["version"] == key["version"] and key["name"] == cfg["keyName"]
    assert key["vaultUrl"] == chain.vault_uri and key["kty"] == "RSA" and key["enabled"] is True
    assert {"wrapKey", "unwrapKey"} <= set(key["keyOps"]) and key["nLength"] == 256

    assert res["wrap"] == {"keyID": key["id"], "algorithm": "RSA-OAEP-256", "length": 256}
    assert res["unwrap"] == {"keyID": key["id"], "equal": True, "length": 32}

    # The MI token came from the App Service endpoint, selected by the UAMI's client id.
    assert res["miSource"] == "AppService"
    assert len(res["miRequests"]) == 1
    mi_req = res["miRequests"][0]
    assert mi_req["host"] == f"127.0.0.1:{emulator.mi_port}" and mi_req["identityHeader"] == "present"
    assert mi_req["path"].startswith("/msi/token?") and f"client_id={chain.uami['clientId']}" in mi_req["path"]
    mc = res["miClaims"]
    assert mc["aud"] == EXCHANGE_AUD and mc["sub"] == mc["oid"] == chain.uami["principalId"]
    assert mc["iss"] == f"https://login.microsoftonline.com/{prov['tenantId']}/v2.0" and mc["tid"] == prov["tenantId"]

    # The exchanged token is the app's identity in the customer tenant, for the challenge's resource.
    vc = res["vaultClaims"]
    assert vc["aud"] == emulator.endpoints["vaultResource"] == f"https://vault.crosskey.test:{emulator.port}"
    assert vc["tid"] == cust["tenantId"] and vc["oid"] == chain.sp["id"]
    assert vc["appid"] == chain.app["appId"] and "azp" not in vc  # a v1 token
    assert vc["iss"] == f"https://sts.windows.net/{cust['tenantId']}/"


# ------------------------------------------------------------------------------ c. revocations
def test_disabling_key_fails_unwrap_403_key_disabled_and_enabling_restores(emulator, chain):
    res = node(emulator, "disable_key.mjs", workload_cfg(chain))
    assert res["before"] == {"ok": True, "equal": True}
    assert res["disabled"] == {"id": res["keyId"], "enabled": False}

    err = res["whileDisabled"]["error"]
    assert res["whileDisabled"]["ok"] is False
    assert err["name"] == "RestError" and err["statusCode"] == 403
    assert err["code"] == "Forbidden"
    assert err["message"] == "Operation unwrapKey is not allowed on a disabled key."
    assert err["details"]["error"]["innerError"]["code"] == "KeyDisabled"
    assert "KeyDisabled" in json.dumps(err)
    # The disabled key can still be read by its owner, with enabled=false.
    assert res["getWhileDisabled"] == {"ok": True, "enabled": False}

    assert res["enabled"] == {"id": res["keyId"], "enabled": True}
    assert res["after"] == {"ok": True, "equal": True}


def test_removing_role_assignment_fails_unwrap_403_forbidden_by_rbac_and_reassigning_restores(emulator, chain):
    cfg = {**workload_cfg(chain), "vaultId": chain.vault_id, "assignmentId": chain.user_assignment,
           "spId": chain.sp["id"]}
    res = node(emulator, "revoke_role.mjs", cfg)
    assert res["before"] == {"ok": True, "equal": True}
    assert res["existing"]["id"] == chain.user_assignment
    assert res["existing"]["principalId"] == chain.sp["id"] and res["existing"]["scope"] == chain.vault_id
    assert res["existing"]["roleDefinitionId"].endswith(ENCRYPTION_USER_GUID)

    gone = res["getDeleted"]
    assert gone["ok"] is False and gone["error"]["statusCode"] == 404
    assert gone["error"]["code"] == "RoleAssignmentNotFound"

    err = res["whileRevoked"]["error"]
    assert res["whileRevoked"]["ok"] is False
    assert err["name"] == "RestError" and err["statusCode"] == 403 and err["code"] == "Forbidden"
    assert err["details"]["error"]["innerError"]["code"] == "ForbiddenByRbac"
    assert "Microsoft.KeyVault/vaults/keys/unwrap/action" in err["message"]
    assert f"oid={chain.sp['id']}" in err["message"] and f"appid={chain.app['appId']}" in err["message"]
    assert "Assignment: (not found)" in err["message"]

    new = res["reassigned"]
    assert new["id"] != chain.user_assignment and new["scope"] == chain.vault_id
    assert new["principalId"] == chain.sp["id"] and new["roleDefinitionId"].endswith(ENCRYPTION_USER_GUID)
    assert res["after"] == {"ok": True, "equal": True}
    # Cross-check over REST: the old assignment is gone, the new one is there.
    c = chain.cloud
    assert c.arm("GET", "customer", chain.user_assignment, api="2022-04-01").status_code == 404
    r = c.arm("GET", "customer", new["id"], api="2022-04-01")
    assert r.status_code == 200 and r.json()["properties"]["principalId"] == chain.sp["id"]


# ------------------------------------------------------------------------------ d. IMDS mode
def test_imds_style_managed_identity_serves_the_workload(emulator, chain):
    env = client_env(emulator)
    env.pop("IDENTITY_ENDPOINT", None)
    env.pop("IDENTITY_HEADER", None)
    env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = emulator.endpoints["imds"]
    res = node(emulator, "wrap_unwrap.mjs", workload_cfg(chain), env=env)

    assert res["miSource"] in ("Imds", "DefaultToImds")
    assert len(res["miRequests"]) == 1
    mi_req = res["miRequests"][0]
    assert mi_req["host"] == f"127.0.0.1:{emulator.mi_port}"
    assert mi_req["metadata"] == "true" and mi_req["identityHeader"] is None
    # msal-node appends a slash to the IMDS path; the emulator must accept it.
    assert mi_req["path"].startswith("/metadata/identity/oauth2/token/?")
    assert f"client_id={chain.uami['clientId']}" in mi_req["path"]
    assert res["miClaims"]["sub"] == chain.uami["principalId"] and res["miClaims"]["aud"] == EXCHANGE_AUD
    assert res["unwrap"]["equal"] is True and res["wrap"]["keyID"] == res["key"]["id"]
    assert res["vaultClaims"]["oid"] == chain.sp["id"]


# ------------------------------------------------------------------------------ e. token errors
def test_token_service_failures_surface_their_aadsts_codes(emulator, chain):
    c, prov = chain.cloud, emulator.provider

    def app_with_fic(subject: str, with_sp: bool) -> str:
        r = c.graph("POST", "provider", "/v1.0/applications",
                    {"displayName": f"cmk-neg-{uuid.uuid4().hex[:6]}", "signInAudience": "AzureADMultipleOrgs"})
        assert r.status_code == 201, r.text
        app = r.json()
        r = c.graph("POST", "provider", f"/v1.0/applications/{app['id']}/federatedIdentityCredentials",
                    {"name": "fic", "issuer": f"https://login.microsoftonline.com/{prov['tenantId']}/v2.0",
                     "subject": subject, "audiences": [EXCHANGE_AUD]})
        assert r.status_code == 201, r.text
        if with_sp:
            assert c.graph("POST", "customer", "/v1.0/servicePrincipals", {"appId": app["appId"]}).status_code == 201
        return app["appId"]

    no_sp_app = app_with_fic(chain.uami["principalId"], with_sp=False)
    mismatch_app = app_with_fic(str(uuid.uuid4()), with_sp=True)
    res = node(emulator, "token_errors.mjs", {"miClientId": chain.uami["clientId"], "noSpAppId": no_sp_app,
                                              "ficMismatchAppId": mismatch_app})

    assert res["goodSecret"]["ok"] is True and res["goodSecret"]["value"] > 100
    bad = res["badSecret"]
    assert bad["ok"] is False
    assert "AADSTS7000215" in bad["error"]["message"] and "7000215" in bad["error"]["message"].split("Description")[0]
    assert bad["error"]["message"].startswith("invalid_client")
    assert emulator.customer["adminApp"]["appId"] in bad["error"]["message"]

    no_sp = res["noSp"]
    assert no_sp["ok"] is False and "AADSTS700016" in no_sp["error"]["message"]
    assert no_sp_app in no_sp["error"]["message"]

    mismatch = res["ficMismatch"]
    assert mismatch["ok"] is False and "AADSTS700213" in mismatch["error"]["message"]
    assert mismatch["error"]["message"].startswith("invalid_client")

    unknown = res["unknownMi"]
    assert unknown["ok"] is False and unknown["error"]["name"] == "CredentialUnavailableError"
    assert "00000000-0000-0000-0000-0000000000ab" in unknown["error"]["message"]


# ------------------------------------------------------------------------------ phase 3, Node management SDKs
def test_js_management_clients_configure_all_four_consumers_through_their_pollers(emulator, monkeypatch):
    """@azure/arm-storage, -cosmosdb, -compute and -sql create each consumer with the customer's key
    through begin*AndWait, and a wrong federated client id fails the storage create's operation."""
    from flow import setup_keyed_chain
    c = setup_keyed_chain(emulator, monkeypatch, "kvp")
    out = node(emulator, "phase3_mgmt.mjs", {
        "group": c.group.split("/")[-1], "uamiId": c.uami_id, "appId": c.app["appId"], "vaultUri": c.vault_uri,
        "vault": c.vault, "keyName": c.key.name, "keyId": c.key.id})
    assert out["storage"]["provisioningState"] == "Succeeded" and out["storage"]["keySource"] == "Microsoft.Keyvault"
    assert out["storage"]["currentVersionedKeyIdentifier"] == c.key.id
    assert out["storageRefused"] == {"ok": False, "code": "KeyVaultAuthenticationFailure", "statusCode": 400}
    assert out["cosmos"] == {"provisioningState": "Succeeded", "keyVaultKeyUri": f"{c.vault_uri}/keys/{c.key.name}"}
    assert out["compute"]["desState"] == "Succeeded" and out["compute"]["diskState"] == "Succeeded"
    assert out["compute"]["keyUrl"] == c.key.id
    assert out["sql"] == {"keyId": c.key.id, "serverKeyType": "AzureKeyVault",
                          "serverKeyName": f"{c.vault}_{c.key.name}_{c.key.properties.version}"}
