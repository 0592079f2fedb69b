"""The cross-tenant CMK onboarding driven by the REAL Debian azure-cli 2.45 (`az`).

az cannot be patched in-process, so every call runs through harness.run_with_hosts (private
mount namespace with our /etc/hosts) against an emulator started with --listen-443: MSAL inside
az always asks https://login.microsoftonline.com/common/discovery/instance on port 443 for
service-principal logins, and ROPC asks https://login.microsoftonline.us/common/userrealm/... on
443 (wire/WIRE.md §2.1, §2.3). The registered cloud uses login.microsoftonline.us:PORT as its
authority, a name MSAL does not validate (WIRE.md §2.5, §7.3).

Commands broken by Debian packaging (`az role assignment|definition`, `az keyvault key`) are
replaced by `az rest`, as WIRE.md §7.3 shows.
"""
from __future__ import annotations

import errno
import json
import os
import re
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from harness import EmulatorError, b64url, client_env, run_with_hosts, unb64url

AZ = "/usr/bin/az"
AZ_TIMEOUT_S = 90           # one az call; they take ~0.5-5 s
CLOUD = "CrossKey"
VAULT_RESOURCE = "https://vault.azure.net"
EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
CRYPTO_OFFICER = "Key Vault Crypto Officer"
ENCRYPTION_USER = "Key Vault Crypto Service Encryption User"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

pytestmark = pytest.mark.skipif(not os.access(AZ, os.X_OK), reason=f"{AZ} (Debian azure-cli) is not installed")


# ---------------------------------------------------------------------------- emulator on :443
def _port_443_holder() -> str:
    try:
        out = subprocess.run(["ss", "-Hltnp", "sport = :443"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "(ss unavailable)"
    return out.strip() or "(no listener visible to ss)"


def start_emulator_on_443(emulator_factory):
    """crosskey --listen-443, or a clear failure (never a skip) when 127.0.0.1:443 is taken."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    bind_error = None
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", 443))
    except OSError as e:
        bind_error = e
    finally:
        probe.close()
    if bind_error is not None:   # fail outside the except block: no chained traceback noise
        if bind_error.errno == errno.EADDRINUSE:
            pytest.fail("127.0.0.1:443 is busy; az needs the emulator there (login.microsoftonline.com "
                        f"instance discovery, userrealm). Holder: {_port_443_holder()}", pytrace=False)
        pytest.fail(f"cannot bind 127.0.0.1:443 ({bind_error}); these tests need root to serve it", pytrace=False)
    start_error = None
    try:
        emu = emulator_factory(extra_args=["--listen-443"])
    except EmulatorError as e:
        start_error = e
    if start_error is not None:
        pytest.fail(f"crosskey --listen-443 did not start (is 127.0.0.1:443 busy? holder: "
                    f"{_port_443_holder()})\n{start_error}", pytrace=False)
    # Port 443 must be answered by THIS emulator (its CA, its tenants), not a leftover one.
    r = requests.get("https://login.microsoftonline.com/common/discovery/instance?api-version=1.1"
                     "&authorization_endpoint=https://login.microsoftonline.com/common/oauth2/authorize",
                     verify=str(emu.ca_path), timeout=10)
    assert r.status_code == 200, r.text
    assert "tenant_discovery_endpoint" in r.json(), r.text
    return emu


# ---------------------------------------------------------------------------- az driver
class AzError(AssertionError):
    pass


class Az:
    """One az profile (AZURE_CONFIG_DIR) aimed at one emulator."""

    def __init__(self, emu, config_dir: Path, vaults=()):
        self.emu = emu
        self.port = emu.port
        self.config_dir = Path(config_dir)
        self.config_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in client_env(emu).items() if not k.startswith(("AZURE_", "IDENTITY_", "MSI_"))}
        env.update({"AZURE_CONFIG_DIR": str(self.config_dir), "AZURE_CORE_COLLECT_TELEMETRY": "no",
                    "AZURE_CORE_NO_COLOR": "true",
                    "REQUESTS_CA_BUNDLE": str(emu.ca_path)})
        self.env = env
        self.hosts = emu.hosts_lines(vaults)
        self.calls: list[tuple[str, float]] = []

    def run(self, *args: str) -> tuple[int, str, str]:
        cmd = [AZ, *args, "-o", "json"]
        t0 = time.monotonic()
        try:
            rc, out, err = run_with_hosts(cmd, self.env, self.hosts, timeout=AZ_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise AzError(f"az {' '.join(args[:3])} took more than {AZ_TIMEOUT_S} s\n{self.emu.describe()}")
        finally:
            self.calls.append((" ".join(args[:3]), time.monotonic() - t0))
        self.emu.check_alive()
        return rc, out, err

    def ok(self, *args: str):
        """Runs az, requires exit code 0 and returns the parsed JSON stdout (None if empty)."""
        rc, out, err = self.run(*args)
        if rc != 0:
            raise AzError(f"az {' '.join(args)} failed (rc={rc})\nstderr:\n{err}\nstdout:\n{out}")
        return json.loads(out) if out.strip() else None

    def fails(self, *args: str) -> str:
        """Runs az, requires a non-zero exit code and returns stderr."""
        rc, out, err = self.run(*args)
        if rc == 0:
            raise AzError(f"az {' '.join(args)} unexpectedly succeeded:\n{out}")
        return err

    # -------------------------------------------------------------- set-up and login
    def use_emulator_cloud(self) -> None:
        port = self.port
        cloud = {"endpoints": {"activeDirectory": f"https://login.microsoftonline.us:{port}",
                               "activeDirectoryResourceId": "https://management.core.windows.net/",
                               "activeDirectoryGraphResourceId": "https://graph.windows.net/",
                               "resourceManager": f"https://management.crosskey.test:{port}/",
                               "management": "https://management.core.windows.net/",
                               "microsoftGraphResourceId": f"https://graph.crosskey.test:{port}/"},
                 "suffixes": {"keyvaultDns": f".vault.crosskey.test:{port}"}}
        path = self.config_dir.parent / f"{self.config_dir.name}-cloud.json"
        path.write_text(json.dumps(cloud))
        self.ok("cloud", "register", "-n", CLOUD, "--cloud-config", f"@{path}")
        self.ok("cloud", "set", "-n", CLOUD)
        shown = self.ok("cloud", "show")
        assert shown["name"] == CLOUD and shown["isActive"] is True, shown
        assert shown["endpoints"]["resourceManager"] == f"https://management.crosskey.test:{port}/", shown

    def login_sp(self, tenant: dict):
        app = tenant["adminApp"]
        return self.ok("login", "--service-principal", "-u", app["appId"], "-p", app["clientSecret"],
                       "--tenant", tenant["tenantId"])

    def login_user(self, tenant: dict):
        user = tenant["adminUser"]
        return self.ok("login", "-u", user["username"], "-p", user["password"], "--tenant", tenant["tenantId"])

    # -------------------------------------------------------------- az rest
    def arm_url(self, path: str) -> str:
        return f"https://management.crosskey.test:{self.port}{path}"

    def vault_url(self, vault: str, path: str) -> str:
        return f"https://{vault}.vault.crosskey.test:{self.port}{path}"

    def rest(self, method: str, url: str, body=None, resource: str | None = None, expect_ok: bool = True):
        args = ["rest", "--method", method, "--url", url]
        if body is not None:
            args += ["--body", json.dumps(body)]
        if resource:
            args += ["--resource", resource]
        return self.ok(*args) if expect_ok else self.fails(*args)

    def role_definition_id(self, scope: str, role_name: str) -> str:
        found = self.rest("get", self.arm_url(f"{scope}/providers/Microsoft.Authorization/roleDefinitions"
                                              f"?api-version=2022-04-01&$filter=roleName eq '{role_name}'"))
        assert len(found["value"]) == 1, found
        role = found["value"][0]
        assert role["properties"]["roleName"] == role_name, role
        return role["id"]

    def assign_role(self, scope: str, role_id: str, principal_id: str, principal_type: str,
                    expect_ok: bool = True):
        name = str(uuid.uuid4())
        url = self.arm_url(f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version=2022-04-01")
        body = {"properties": {"roleDefinitionId": role_id, "principalId": principal_id,
                               "principalType": principal_type}}
        return self.rest("put", url, body, expect_ok=expect_ok)


def jwt_claims(token: str) -> dict:
    parts = token.split(".")
    assert len(parts) == 3, f"not a JWT: {token[:40]}..."
    return json.loads(unb64url(parts[1]))


def az_error_body(stderr: str) -> dict:
    """az rest prints `ERROR: <Reason>(<response body>)`: returns the parsed body."""
    m = re.search(r"ERROR: [A-Za-z ]+\((\{.*\})\)\s*$", stderr, re.S)
    assert m, f"no response body in az stderr:\n{stderr}"
    return json.loads(m.group(1))


# ---------------------------------------------------------------------------- the phases
def provider_phase(az: Az, provider: dict, suffix: str) -> dict:
    """Phase 1 as the provider's admin app: multi-tenant app, UAMI, FIC trusting the UAMI."""
    accounts = az.login_sp(provider)
    assert [a["id"] for a in accounts] == [provider["subscriptionId"]], accounts
    assert accounts[0]["tenantId"] == provider["tenantId"], accounts
    assert accounts[0]["user"] == {"name": provider["adminApp"]["appId"], "type": "servicePrincipal"}, accounts

    name = f"cmk-app-{suffix}"
    app = az.ok("ad", "app", "create", "--display-name", name, "--sign-in-audience", "AzureADMultipleOrgs")
    assert GUID.match(app["appId"]) and GUID.match(app["id"]), app
    assert app["appId"] != app["id"], app
    assert app["displayName"] == name and app["signInAudience"] == "AzureADMultipleOrgs", app

    rg = f"prov-rg-{suffix}"
    group = az.ok("group", "create", "-n", rg, "-l", "eastus")
    assert group["id"] == f"/subscriptions/{provider['subscriptionId']}/resourceGroups/{rg}", group
    assert group["properties"]["provisioningState"] == "Succeeded", group

    mi_name = f"workload-mi-{suffix}"
    uami = az.ok("identity", "create", "-g", rg, "-n", mi_name)
    assert uami["id"] == (f"/subscriptions/{provider['subscriptionId']}/resourceGroups/{rg}/providers/"
                          f"Microsoft.ManagedIdentity/userAssignedIdentities/{mi_name}"), uami
    assert GUID.match(uami["principalId"]) and GUID.match(uami["clientId"]), uami
    assert uami["principalId"] != uami["clientId"], uami
    assert uami["tenantId"] == provider["tenantId"], uami

    fic_body = {"name": f"uami-{suffix}", "issuer": f"https://login.microsoftonline.com/{provider['tenantId']}/v2.0",
                "subject": uami["principalId"], "audiences": [EXCHANGE_AUDIENCE],
                "description": "provider workload UAMI"}
    fic_file = az.config_dir.parent / f"fic-{suffix}.json"
    fic_file.write_text(json.dumps(fic_body))
    fic = az.ok("ad", "app", "federated-credential", "create", "--id", app["appId"], "--parameters", f"@{fic_file}")
    for key in ("name", "issuer", "subject", "audiences"):
        assert fic[key] == fic_body[key], (key, fic)
    assert GUID.match(fic["id"]), fic

    listed = az.ok("ad", "app", "federated-credential", "list", "--id", app["appId"])
    assert [(f["id"], f["name"], f["issuer"], f["subject"], f["audiences"]) for f in listed] == \
        [(fic["id"], fic_body["name"], fic_body["issuer"], uami["principalId"], [EXCHANGE_AUDIENCE])], listed
    return {"app": app, "uami": uami, "fic": fic, "rg": rg}


def customer_phase(az: Az, customer: dict, app_id: str, vault: str, suffix: str) -> dict:
    """Phase 2 as the customer's admin user (ROPC): SP for the provider app, RBAC vault, CMK."""
    user = customer["adminUser"]
    sub = customer["subscriptionId"]
    accounts = az.login_user(customer)
    assert [a["id"] for a in accounts] == [sub], accounts
    assert accounts[0]["tenantId"] == customer["tenantId"], accounts
    assert accounts[0]["user"] == {"name": user["username"], "type": "user"}, accounts

    me = az.ok("ad", "signed-in-user", "show")
    assert me["id"] == user["objectId"], me
    assert me["userPrincipalName"] == user["username"], me

    sp = az.ok("ad", "sp", "create", "--id", app_id)
    assert sp["appId"] == app_id, sp
    assert GUID.match(sp["id"]) and sp["id"] != app_id, sp
    shown = az.ok("ad", "sp", "show", "--id", app_id)
    assert shown["appId"] == app_id and shown["id"] == sp["id"], shown
    assert app_id in shown["servicePrincipalNames"], shown
    assert shown["servicePrincipalType"] == "Application", shown
    assert shown["accountEnabled"] is True, shown

    rg = f"cust-rg-{suffix}"
    group = az.ok("group", "create", "-n", rg, "-l", "westus")
    assert group["id"] == f"/subscriptions/{sub}/resourceGroups/{rg}" and group["location"] == "westus", group

    vault_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{vault}"
    kv = az.ok("keyvault", "create", "--name", vault, "--resource-group", rg, "--location", "westus",
               "--enable-rbac-authorization", "true", "--enable-purge-protection", "true")
    assert kv["id"] == vault_id and kv["name"] == vault and kv["location"] == "westus", kv
    props = kv["properties"]
    assert props["vaultUri"] == f"https://{vault}.vault.crosskey.test:{az.port}/", props
    assert props["tenantId"] == customer["tenantId"], props
    assert props["enableRbacAuthorization"] is True and props["enablePurgeProtection"] is True, props
    assert props["provisioningState"] == "Succeeded", props

    shown_kv = az.ok("keyvault", "show", "-n", vault)       # no -g: az finds it through /resources?$filter
    assert shown_kv["id"] == vault_id and shown_kv["resourceGroup"] == rg, shown_kv
    assert shown_kv["properties"]["vaultUri"] == props["vaultUri"], shown_kv

    key_body = {"kty": "RSA", "key_size": 2048, "key_ops": ["wrapKey", "unwrapKey"]}
    create_url = az.vault_url(vault, "/keys/cmk/create?api-version=7.4")
    # Subscription Owner has no data actions: an RBAC vault refuses the key until a data role exists.
    err = az.rest("post", create_url, key_body, resource=VAULT_RESOURCE, expect_ok=False)
    body = az_error_body(err)
    assert body["error"]["innererror"]["code"] == "ForbiddenByRbac", err
    assert "Microsoft.KeyVault/vaults/keys/create/action" in body["error"]["message"], err

    officer = az.role_definition_id(vault_id, CRYPTO_OFFICER)
    assert officer == f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/" \
                      "14b46e9e-c2b7-41b4-b07b-48a6ebf60603", officer
    ra = az.assign_role(vault_id, officer, user["objectId"], "User")
    assert ra["properties"]["principalId"] == user["objectId"], ra
    assert ra["properties"]["roleDefinitionId"].lower() == officer.lower(), ra
    assert ra["properties"]["scope"].lower() == vault_id.lower(), ra
    assert ra["id"].lower().startswith(f"{vault_id}/providers/Microsoft.Authorization/roleAssignments/".lower()), ra

    key = az.rest("post", create_url, key_body, resource=VAULT_RESOURCE)
    kid = key["key"]["kid"]
    assert re.fullmatch(rf"https://{vault}\.vault\.crosskey\.test:{az.port}/keys/cmk/[0-9a-f]{{32}}", kid), kid
    assert key["key"]["kty"] == "RSA" and key["key"]["e"] == "AQAB", key
    assert len(unb64url(key["key"]["n"])) == 256, "expected a 2048-bit modulus"
    assert sorted(key["key"]["key_ops"]) == ["unwrapKey", "wrapKey"], key
    assert key["attributes"]["enabled"] is True, key
    assert key["attributes"]["recoveryLevel"] == "Recoverable", key   # purge protection on

    tok = az.ok("account", "get-access-token", "--resource", VAULT_RESOURCE)
    assert tok["tenant"] == customer["tenantId"] and tok["subscription"] == sub, tok
    claims = jwt_claims(tok["accessToken"])
    assert claims["tid"] == customer["tenantId"], claims
    assert claims["oid"] == user["objectId"], claims
    assert claims["aud"].rstrip("/") == VAULT_RESOURCE, claims
    assert claims["iss"] == f"https://sts.windows.net/{customer['tenantId']}/", claims

    # What the provider's workload will need: the encryption role for the provider app's SP.
    user_role = az.role_definition_id(vault_id, ENCRYPTION_USER)
    assert user_role.endswith("/e147488a-f6f5-4113-8e2d-b22465e65bf6"), user_role
    return {"sp": sp, "rg": rg, "vault_id": vault_id, "key": key, "encryption_user": user_role}


def mi_token(emu, client_id: str) -> str:
    """The provider workload's own token (App Service style MI endpoint, plain http)."""
    r = requests.get(emu.endpoints["mi"], headers={"X-IDENTITY-HEADER": emu.endpoints["miHeader"]}, timeout=10,
                     params={"api-version": "2019-08-01", "resource": EXCHANGE_AUDIENCE, "client_id": client_id})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


# ---------------------------------------------------------------------------- tests
def test_provider_onboarding_with_az(emulator_factory, tmp_path):
    """az login as the provider's admin app; app, FIC, group and UAMI through az commands."""
    emu = start_emulator_on_443(emulator_factory)
    provider = emu.provider
    az = Az(emu, tmp_path / "az-provider")
    az.use_emulator_cloud()
    out = provider_phase(az, provider, uuid.uuid4().hex[:6])

    # The objects are visible to a second, independent az invocation and carry their relations.
    shown = az.ok("ad", "app", "show", "--id", out["app"]["appId"])
    assert shown["id"] == out["app"]["id"] and shown["signInAudience"] == "AzureADMultipleOrgs", shown
    ident = az.ok("identity", "show", "-g", out["rg"], "-n", out["uami"]["name"])
    assert (ident["principalId"], ident["clientId"]) == (out["uami"]["principalId"], out["uami"]["clientId"]), ident

    # The UAMI's token (what the FIC trusts) carries exactly the FIC's issuer and subject.
    claims = jwt_claims(mi_token(emu, out["uami"]["clientId"]))
    assert claims["iss"] == out["fic"]["issuer"], claims
    assert claims["sub"] == out["uami"]["principalId"] == out["fic"]["subject"], claims
    assert claims["aud"] == EXCHANGE_AUDIENCE and claims["tid"] == provider["tenantId"], claims


def test_customer_onboarding_with_az_user_then_workload_wraps_through_az(emulator_factory, tmp_path):
    """Provider phase (SP login), customer phase (ROPC user login), then the provider app logs into
    the customer tenant with az --federated-token (its UAMI token) and wraps/unwraps a DEK."""
    emu = start_emulator_on_443(emulator_factory)
    provider, customer = emu.provider, emu.customer
    suffix = uuid.uuid4().hex[:6]
    vault = f"ckaz{suffix}"

    prov = Az(emu, tmp_path / "az-provider")
    prov.use_emulator_cloud()
    p = provider_phase(prov, provider, suffix)
    app_id = p["app"]["appId"]

    cust = Az(emu, tmp_path / "az-customer", vaults=[vault])
    cust.use_emulator_cloud()
    c = customer_phase(cust, customer, app_id, vault, suffix)
    key = c["key"]

    # The provider app's SP in the customer tenant gets the encryption role on the vault.
    ra = cust.assign_role(c["vault_id"], c["encryption_user"], c["sp"]["id"], "ServicePrincipal")
    assert ra["properties"]["principalId"] == c["sp"]["id"], ra
    assert ra["properties"]["principalType"] == "ServicePrincipal", ra

    # Provider workload: UAMI token -> az login as the multi-tenant app in the CUSTOMER tenant.
    wl = Az(emu, tmp_path / "az-workload", vaults=[vault])
    wl.use_emulator_cloud()
    accounts = wl.ok("login", "--service-principal", "-u", app_id, "--tenant", customer["tenantId"],
                     "--federated-token", mi_token(emu, p["uami"]["clientId"]), "--allow-no-subscriptions")
    assert accounts[0]["tenantId"] == customer["tenantId"], accounts
    assert accounts[0]["user"] == {"name": app_id, "type": "servicePrincipal"}, accounts

    tok = wl.ok("account", "get-access-token", "--resource", VAULT_RESOURCE, "--tenant", customer["tenantId"])
    claims = jwt_claims(tok["accessToken"])
    assert claims["tid"] == customer["tenantId"], claims
    assert claims["appid"] == app_id and claims["oid"] == c["sp"]["id"], claims
    assert claims["oid"] != p["uami"]["principalId"], claims

    # GET the key (read), then wrap with it locally and unwrap in the vault, and the reverse.
    got = wl.rest("get", wl.vault_url(vault, "/keys/cmk?api-version=7.4"), resource=VAULT_RESOURCE)
    assert got["key"]["kid"] == key["key"]["kid"] and got["key"]["n"] == key["key"]["n"], got
    pub = rsa.RSAPublicNumbers(int.from_bytes(unb64url(got["key"]["e"]), "big"),
                               int.from_bytes(unb64url(got["key"]["n"]), "big")).public_key()
    dek = os.urandom(32)
    oaep256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    local_wrapped = pub.encrypt(dek, oaep256)
    kid_path = key["key"]["kid"].split(f":{wl.port}", 1)[1]
    unwrapped = wl.rest("post", wl.vault_url(vault, f"{kid_path}/unwrapkey?api-version=7.4"),
                        {"alg": "RSA-OAEP-256", "value": b64url(local_wrapped)}, resource=VAULT_RESOURCE)
    assert unb64url(unwrapped["value"]) == dek
    assert unwrapped["kid"] == key["key"]["kid"], unwrapped

    dek2 = os.urandom(32)
    wrapped = wl.rest("post", wl.vault_url(vault, f"{kid_path}/wrapkey?api-version=7.4"),
                      {"alg": "RSA-OAEP", "value": b64url(dek2)}, resource=VAULT_RESOURCE)
    assert len(unb64url(wrapped["value"])) == 256 and unb64url(wrapped["value"]) != dek2
    back = wl.rest("post", wl.vault_url(vault, f"{kid_path}/unwrapkey?api-version=7.4"),
                   {"alg": "RSA-OAEP", "value": wrapped["value"]}, resource=VAULT_RESOURCE)
    assert unb64url(back["value"]) == dek2

    # The encryption role does not allow creating keys (Crypto Officer only).
    err = wl.rest("post", wl.vault_url(vault, "/keys/other/create?api-version=7.4"), {"kty": "RSA"},
                  resource=VAULT_RESOURCE, expect_ok=False)
    assert az_error_body(err)["error"]["innererror"]["code"] == "ForbiddenByRbac", err

    # Phase 3 with the seed's command: the provider's storage account encrypted with the customer's
    # key through the UAMI and the app's federated client id (az waits on the create's operation).
    account = f"st{suffix}"
    created = prov.ok("storage", "account", "create", "-g", p["rg"], "-n", account, "-l", "eastus",
                      "--kind", "StorageV2", "--sku", "Standard_LRS",
                      "--identity-type", "UserAssigned", "--user-identity-id", p["uami"]["id"],
                      "--encryption-key-source", "Microsoft.Keyvault",
                      "--encryption-key-vault", f"https://{vault}.vault.crosskey.test:{prov.port}",
                      "--encryption-key-name", "cmk",
                      "--key-vault-user-identity-id", p["uami"]["id"],
                      "--key-vault-federated-client-id", app_id)
    assert created["provisioningState"] == "Succeeded", created
    enc = created["encryption"]
    assert enc["keySource"] == "Microsoft.Keyvault", enc
    assert enc["keyVaultProperties"]["currentVersionedKeyIdentifier"] == key["key"]["kid"], enc
    assert enc["encryptionIdentity"]["encryptionFederatedIdentityClientId"] == app_id, enc
    # az storage account update (PATCH): back to Microsoft-managed keys.
    updated = prov.ok("storage", "account", "update", "-g", p["rg"], "-n", account,
                      "--encryption-key-source", "Microsoft.Storage")
    assert updated["encryption"]["keySource"] == "Microsoft.Storage", updated["encryption"]

    # The other seeds' phase-3 commands: Cosmos DB, disk encryption set + disk, SQL server.
    versionless = key["key"]["kid"].rsplit("/", 1)[0]
    identity = p["uami"]["id"]
    cosmos = prov.ok("cosmosdb", "create", "-g", p["rg"], "-n", f"cos{suffix}", "--locations",
                     "regionName=eastus", "--key-uri", versionless, "--assign-identity", identity,
                     "--default-identity", f"UserAssignedIdentity={identity}&FederatedClientId={app_id}")
    assert cosmos["keyVaultKeyUri"] == versionless and cosmos["provisioningState"] == "Succeeded", cosmos
    des = prov.ok("disk-encryption-set", "create", "-g", p["rg"], "-n", f"des{suffix}", "-l", "westus",
                  "--key-url", key["key"]["kid"], "--mi-user-assigned", identity, "--mi-system-assigned", "false",
                  "--federated-client-id", app_id)
    assert des["activeKey"]["keyUrl"] == key["key"]["kid"] and des["federatedClientId"] == app_id, des
    disk = prov.ok("disk", "create", "-g", p["rg"], "-n", f"disk{suffix}", "-l", "westus", "--size-gb", "1",
                   "--disk-encryption-set", des["id"], "--encryption-type", "EncryptionAtRestWithCustomerKey")
    assert disk["encryption"]["diskEncryptionSetId"].lower() == des["id"].lower(), disk
    server = prov.ok("sql", "server", "create", "-g", p["rg"], "-n", f"sql{suffix}", "-l", "eastus",
                     "--admin-user", "sqladmin", "--admin-password", "P@ssw0rd-" + suffix + "x9!",
                     "--assign-identity", "--identity-type", "UserAssigned", "--user-assigned-identity-id", identity,
                     "--primary-user-assigned-identity-id", identity, "--federated-client-id", app_id,
                     "--key-id", key["key"]["kid"])
    assert server["keyId"] == key["key"]["kid"], server
    tde = prov.ok("sql", "server", "tde-key", "show", "-g", p["rg"], "-s", f"sql{suffix}")
    assert tde["serverKeyType"] == "AzureKeyVault" and tde["uri"] == key["key"]["kid"], tde
    back = prov.ok("sql", "server", "tde-key", "set", "-g", p["rg"], "-s", f"sql{suffix}",
                   "--server-key-type", "ServiceManaged")
    assert back["serverKeyType"] == "ServiceManaged", back
    # The az rest form of `sql server key create` + `tde-key set --server-key-type AzureKeyVault`.
    server_key = f"{vault}_cmk_{key['key']['kid'].rsplit('/', 1)[1]}"
    prov.rest("put", prov.arm_url(f"{server['id']}/keys/{server_key}?api-version=2021-11-01"),
              {"properties": {"serverKeyType": "AzureKeyVault", "uri": key["key"]["kid"]}})
    prov.rest("put", prov.arm_url(f"{server['id']}/encryptionProtector/current?api-version=2021-11-01"),
              {"properties": {"serverKeyType": "AzureKeyVault", "serverKeyName": server_key}})
    tde = prov.ok("sql", "server", "tde-key", "show", "-g", p["rg"], "-s", f"sql{suffix}")
    assert tde["serverKeyType"] == "AzureKeyVault" and tde["serverKeyName"] == server_key, tde

    # az deployment group create with the seeds' templates, parameters filled in: az validates, then
    # sends the template file's text as written after an unquoted `template:` key.
    templates = Path(__file__).resolve().parents[2] / "examples" / "templates"
    deployed = prov.ok("deployment", "group", "create", "-g", p["rg"], "-n", f"des-{suffix}",
                       "--template-file", str(templates / "cmk-disk-encryption-set.json"), "--parameters",
                       f"desname=tdes{suffix}", "region=westus", f"userassignedmicmk={identity}",
                       f"cmkfederatedclientId={app_id}", f"keyVaultURL={key['key']['kid']}")
    assert deployed["properties"]["provisioningState"] == "Succeeded", deployed
    tdes = prov.ok("disk-encryption-set", "show", "-g", p["rg"], "-n", f"tdes{suffix}")
    assert tdes["federatedClientId"] == app_id and tdes["activeKey"]["keyUrl"] == key["key"]["kid"], tdes
    # The Cosmos DB seed's template, from a file with comments (JSON with comments, as az allows).
    commented = tmp_path / "cosmos.jsonc"
    commented.write_text("// the Cosmos DB seed's account\n" +
                         (templates / "cmk-cosmos-account.json").read_text().replace(
                             '"resources": [', '/* one account */ "resources": [', 1))
    deployed = prov.ok("deployment", "group", "create", "-g", p["rg"], "-n", f"cos-{suffix}",
                       "--template-file", str(commented), "--parameters", f"accountName=tcos{suffix}",
                       f"userAssignedIdentity={identity}", f"multiTenantAppClientId={app_id}",
                       f"keyVaultKeyUri={versionless}")
    assert deployed["properties"]["outputs"]["keyVaultKeyUri"]["value"] == versionless, deployed
    # A broken template fails validation with InvalidTemplate naming the expression.
    broken = tmp_path / "broken.json"
    broken.write_text((templates / "cmk-disk-encryption-set.json").read_text().replace(
        "[parameters('cmkfederatedclientId')]", "[parameters('noSuchParameter')]"))
    err = prov.fails("deployment", "group", "create", "-g", p["rg"], "-n", f"bad-{suffix}",
                     "--template-file", str(broken), "--parameters", f"desname=bad{suffix}",
                     f"userassignedmicmk={identity}", f"cmkfederatedclientId={app_id}",
                     f"keyVaultURL={key['key']['kid']}")
    assert "InvalidTemplate" in err and "parameters('noSuchParameter')" in err, err


def test_customer_service_principal_login_and_unknown_principal_assignment(emulator_factory, tmp_path):
    """Customer admin app login (SP secret): /me is refused for an app token; the token is a
    customer-tenant token; the provider's single-tenant admin app cannot get an SP in the
    customer tenant; a role assignment for a principal that is not in the customer tenant
    (a random id, or the provider admin app's SP, which lives in the provider tenant) is
    refused with PrincipalNotFound."""
    emu = start_emulator_on_443(emulator_factory)
    provider, customer = emu.provider, emu.customer
    sub = customer["subscriptionId"]
    az = Az(emu, tmp_path / "az-customer-sp")
    az.use_emulator_cloud()
    accounts = az.login_sp(customer)
    assert [a["id"] for a in accounts] == [sub], accounts
    assert accounts[0]["user"] == {"name": customer["adminApp"]["appId"], "type": "servicePrincipal"}, accounts

    err = az.fails("ad", "signed-in-user", "show")
    assert "/me request is only valid with delegated authentication flow" in err, err

    tok = az.ok("account", "get-access-token", "--resource", VAULT_RESOURCE)
    claims = jwt_claims(tok["accessToken"])
    assert claims["tid"] == customer["tenantId"] == tok["tenant"], claims
    assert claims["appid"] == customer["adminApp"]["appId"], claims
    assert claims["oid"] == customer["adminApp"]["servicePrincipalObjectId"], claims

    # The provider's admin app is single-tenant: the customer cannot instantiate it.
    err = az.fails("ad", "sp", "create", "--id", provider["adminApp"]["appId"])
    assert "does not reference a valid application object" in err, err

    scope = f"/subscriptions/{sub}"
    officer = az.role_definition_id(scope, CRYPTO_OFFICER)
    for principal in (str(uuid.uuid4()), provider["adminApp"]["servicePrincipalObjectId"]):
        err = az.assign_role(scope, officer, principal, "ServicePrincipal", expect_ok=False)
        body = az_error_body(err)
        assert body["error"]["code"] == "PrincipalNotFound", err
        assert customer["tenantId"] in body["error"]["message"], err
    # ... whereas a principal of the customer tenant is accepted at the same scope.
    ok = az.assign_role(scope, officer, customer["adminUser"]["objectId"], "User")
    assert ok["properties"]["principalId"] == customer["adminUser"]["objectId"], ok
    assert ok["properties"]["scope"] == scope, ok


def test_provider_login_cannot_use_customer_subscription(emulator_factory, tmp_path):
    """A provider-tenant token sent to the customer's subscription is refused with
    InvalidAuthenticationTokenTenant, and the provider admin app cannot get a customer token."""
    emu = start_emulator_on_443(emulator_factory)
    provider, customer = emu.provider, emu.customer
    az = Az(emu, tmp_path / "az-provider")
    az.use_emulator_cloud()
    az.login_sp(provider)

    # az rest refuses ARM URLs of subscriptions outside its profile before sending anything
    # ("Subscription ... not found"), so send the profile's own ARM token explicitly.
    arm = az.ok("account", "get-access-token")
    assert jwt_claims(arm["accessToken"])["tid"] == provider["tenantId"]
    auth = ["--skip-authorization-header", "--headers", f"Authorization=Bearer {arm['accessToken']}"]

    own = az.ok("rest", "--method", "get", "--url",
                az.arm_url(f"/subscriptions/{provider['subscriptionId']}/resourcegroups?api-version=2021-04-01"),
                *auth)
    assert isinstance(own["value"], list), own   # the same token and call work on its own subscription

    err = az.fails("rest", "--method", "get", "--url",
                   az.arm_url(f"/subscriptions/{customer['subscriptionId']}/resourcegroups?api-version=2021-04-01"),
                   *auth)
    body = az_error_body(err)
    assert "Unauthorized" in err and body["error"]["code"] == "InvalidAuthenticationTokenTenant", err
    assert provider["tenantId"] in body["error"]["message"] and customer["tenantId"] in body["error"]["message"], err

    # The provider's admin app is single-tenant: no token for the customer tenant.
    err = az.fails("account", "get-access-token", "--tenant", customer["tenantId"])
    assert "AADSTS700016" in err and provider["adminApp"]["appId"] in err, err


def test_wrong_credentials_fail_login(emulator_factory, tmp_path):
    """A wrong client secret fails az login with AADSTS7000215 (a wrong user password with
    AADSTS50126) and leaves no account behind; the right secret still works afterwards."""
    emu = start_emulator_on_443(emulator_factory)
    provider, customer = emu.provider, emu.customer
    az = Az(emu, tmp_path / "az-bad")
    az.use_emulator_cloud()

    err = az.fails("login", "--service-principal", "-u", provider["adminApp"]["appId"],
                   "-p", provider["adminApp"]["clientSecret"] + "x", "--tenant", provider["tenantId"])
    assert "AADSTS7000215" in err, err
    assert "az login" in az.fails("account", "show")

    err = az.fails("login", "-u", customer["adminUser"]["username"], "-p", "not-" + customer["adminUser"]["password"],
                   "--tenant", customer["tenantId"])
    assert "AADSTS50126" in err, err
    assert "az login" in az.fails("account", "show")

    accounts = az.login_sp(provider)
    assert accounts[0]["id"] == provider["subscriptionId"], accounts
