"""The seeds' phases 1 and 2 done over plain REST (Graph + ARM) with admin tokens from the real
azure-identity ClientSecretCredential, so black-box tests can start from a configured
cross-tenant CMK chain and then exercise clients, failures and revocations.
"""
from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass, field

import requests

from harness import Emulator

CRYPTO_OFFICER = "Key Vault Crypto Officer"
ENCRYPTION_USER = "Key Vault Crypto Service Encryption User"
EXCHANGE_SCOPE = "api://AzureADTokenExchange/.default"
VAULT_SCOPE = "https://vault.azure.net/.default"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Cloud:
    """REST helpers bound to one emulator: tokens for each tenant's admin app, Graph and ARM calls."""

    def __init__(self, emu: Emulator):
        self.emu = emu
        ep = emu.endpoints
        self.login = ep["login"].rstrip("/")
        self.graph_url = ep["graph"].rstrip("/")
        self.arm_url = ep["arm"].rstrip("/")
        self.http = requests.Session()
        self.http.verify = str(emu.ca_path)
        self._creds = {}

    def tenant(self, name: str) -> dict:
        return self.emu.tenant(name)

    def admin_credential(self, name: str):
        from azure.identity import ClientSecretCredential
        if name not in self._creds:
            t = self.tenant(name)
            self._creds[name] = ClientSecretCredential(
                t["tenantId"], t["adminApp"]["appId"], t["adminApp"]["clientSecret"],
                authority=self.login, instance_discovery=False, connection_verify=str(self.emu.ca_path))
        return self._creds[name]

    def forget_tokens(self) -> None:
        """Drop cached credentials: after a clock jump their tokens are expired for the emulator
        while the SDK's own cache (wall clock) still thinks they are fresh."""
        self._creds.clear()

    def token(self, name: str, scope: str) -> str:
        return self.admin_credential(name).get_token(scope).token

    def graph(self, method: str, tenant: str, path: str, body=None, token: str | None = None):
        tok = token or self.token(tenant, "https://graph.microsoft.com/.default")
        return self.http.request(method, self.graph_url + path, json=body, timeout=30,
                                 headers={"Authorization": "Bearer " + tok})

    def arm(self, method: str, tenant: str, path: str, body=None, api: str = "2023-07-01",
            token: str | None = None):
        tok = token or self.token(tenant, "https://management.azure.com/.default")
        sep = "&" if "?" in path else "?"
        return self.http.request(method, f"{self.arm_url}{path}{sep}api-version={api}", json=body, timeout=30,
                                 headers={"Authorization": "Bearer " + tok})

    def arm_done(self, method: str, tenant: str, path: str, body=None, api: str = "2023-07-01",
                 token: str | None = None, max_polls: int = 50):
        """A write followed through its long-running operation as ARM's pollers follow it: the
        Azure-AsyncOperation status until it ends, then the Location result (the resource, 204,
        or the provider's error with its status) or, without Location, the resource itself.
        Synchronous answers come back as they are."""
        tok = token or self.token(tenant, "https://management.azure.com/.default")
        headers = {"Authorization": "Bearer " + tok}
        r = self.arm(method, tenant, path, body, api=api, token=tok)
        status_url, result_url = r.headers.get("Azure-AsyncOperation"), r.headers.get("Location")
        if r.status_code >= 400 or not (status_url or result_url):
            return r
        for _ in range(max_polls if status_url else 0):
            doc = self.http.get(status_url, headers=headers, timeout=30).json()
            if doc["status"] in ("Succeeded", "Failed", "Canceled"):
                break
        else:
            assert not status_url, f"operation still running after {max_polls} polls: {status_url}"
        if not result_url:
            return self.arm("GET", tenant, path, api=api, token=tok)
        for _ in range(max_polls):
            final = self.http.get(result_url, headers=headers, timeout=30)
            if final.status_code != 202:
                return final
        raise AssertionError(f"operation result still 202 after {max_polls} polls: {result_url}")

    def control(self, method: str, path: str, body=None):
        return self.http.request(method, self.emu.url(path), json=body, timeout=30)

    def advance_clock(self, seconds: int) -> dict:
        r = self.control("POST", "/_emulator/clock", {"advanceSeconds": seconds})
        r.raise_for_status()
        self.forget_tokens()
        return r.json()

    def role_id(self, tenant: str, scope: str, role_name: str) -> str:
        r = self.arm("GET", tenant, f"{scope}/providers/Microsoft.Authorization/roleDefinitions"
                     f"?$filter=roleName eq '{role_name}'", api="2022-04-01")
        r.raise_for_status()
        return r.json()["value"][0]["id"]

    def assign(self, tenant: str, scope: str, role_name: str, principal_id: str,
               principal_type: str = "ServicePrincipal"):
        name = str(uuid.uuid4())
        return self.arm("PUT", tenant, f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
                        {"properties": {"roleDefinitionId": self.role_id(tenant, scope, role_name),
                                        "principalId": principal_id, "principalType": principal_type}},
                        api="2022-04-01")


@dataclass
class CmkChain:
    """Everything phases 1 and 2 created."""
    cloud: Cloud
    app: dict
    fic: dict
    uami_id: str
    uami: dict
    sp: dict
    vault: str
    vault_id: str
    vault_uri: str
    officer_assignment: str
    user_assignment: str
    extra: dict = field(default_factory=dict)

    @property
    def provider(self) -> dict:
        return self.cloud.tenant("provider")

    @property
    def customer(self) -> dict:
        return self.cloud.tenant("customer")

    def workload_credential(self):
        """The provider workload: UAMI token exchanged at the customer tenant for the app."""
        from azure.identity import ClientAssertionCredential, ManagedIdentityCredential
        mi = ManagedIdentityCredential(client_id=self.uami["clientId"])
        return ClientAssertionCredential(self.customer["tenantId"], self.app["appId"],
                                         lambda: mi.get_token(EXCHANGE_SCOPE).token)

    def customer_key_client(self):
        from azure.keyvault.keys import KeyClient
        return KeyClient(self.vault_uri, self.cloud.admin_credential("customer"))


def use_workload_environment(monkeypatch, emu: Emulator) -> None:
    """The environment a provider workload has: the MI endpoint (App Service style) and the
    authority host that ClientAssertionCredential 1.13.0b2 reads (it takes no keyword)."""
    from harness import CREDENTIAL_SELECTING_VARS
    for var in CREDENTIAL_SELECTING_VARS:
        monkeypatch.delenv(var, raising=False)
    ep = emu.endpoints
    monkeypatch.setenv("IDENTITY_ENDPOINT", ep["mi"])
    monkeypatch.setenv("IDENTITY_HEADER", ep["miHeader"])
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", ep["login"])
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(emu.ca_path))


def setup_chain(emu: Emulator, vault_prefix: str = "kv") -> CmkChain:
    """Phase 1 (provider) and phase 2 (customer), as the seeds do them."""
    c = Cloud(emu)
    p, cu = c.tenant("provider"), c.tenant("customer")
    suffix = uuid.uuid4().hex[:8]
    r = c.graph("POST", "provider", "/v1.0/applications",
                {"displayName": f"cmk-app-{suffix}", "signInAudience": "AzureADMultipleOrgs"})
    assert r.status_code == 201, r.text
    app = r.json()
    sub = p["subscriptionId"]
    r = c.arm("PUT", "provider", f"/subscriptions/{sub}/resourcegroups/prov-{suffix}", {"location": "westus"},
              api="2021-04-01")
    assert r.status_code in (200, 201), r.text
    uami_id = (f"/subscriptions/{sub}/resourceGroups/prov-{suffix}/providers/"
               f"Microsoft.ManagedIdentity/userAssignedIdentities/mi-{suffix}")
    r = c.arm("PUT", "provider", uami_id, {"location": "westus"})
    assert r.status_code in (200, 201), r.text
    uami = r.json()["properties"]
    r = c.graph("POST", "provider", f"/v1.0/applications/{app['id']}/federatedIdentityCredentials",
                {"name": f"fic-{suffix}", "issuer": f"https://login.microsoftonline.com/{p['tenantId']}/v2.0",
                 "subject": uami["principalId"], "audiences": ["api://AzureADTokenExchange"]})
    assert r.status_code == 201, r.text
    fic = r.json()

    r = c.graph("POST", "customer", "/v1.0/servicePrincipals", {"appId": app["appId"]})
    assert r.status_code == 201, r.text
    sp = r.json()
    csub = cu["subscriptionId"]
    r = c.arm("PUT", "customer", f"/subscriptions/{csub}/resourcegroups/cust-{suffix}", {"location": "westus"},
              api="2021-04-01")
    assert r.status_code in (200, 201), r.text
    vault = f"{vault_prefix}{suffix}"
    vault_id = f"/subscriptions/{csub}/resourceGroups/cust-{suffix}/providers/Microsoft.KeyVault/vaults/{vault}"
    r = c.arm("PUT", "customer", vault_id, {"location": "westus", "properties": {
        "tenantId": cu["tenantId"], "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": True,
        "enablePurgeProtection": True, "enableSoftDelete": True, "softDeleteRetentionInDays": 90}})
    assert r.status_code in (200, 201), r.text
    vault_uri = r.json()["properties"]["vaultUri"].rstrip("/")
    r = c.assign("customer", vault_id, CRYPTO_OFFICER, cu["adminApp"]["servicePrincipalObjectId"])
    assert r.status_code == 201, r.text
    officer = r.json()["id"]
    r = c.assign("customer", vault_id, ENCRYPTION_USER, sp["id"])
    assert r.status_code == 201, r.text
    user = r.json()["id"]
    return CmkChain(c, app, fic, uami_id, uami, sp, vault, vault_id, vault_uri, officer, user)


def setup_keyed_chain(emu: Emulator, monkeypatch, vault_prefix: str) -> CmkChain:
    """setup_chain with the workload environment set, plus an RSA-2048 key in the customer's
    vault (chain.key) and the provider group holding the UAMI (chain.group): what a phase-3
    consumer is configured with."""
    use_workload_environment(monkeypatch, emu)
    c = setup_chain(emu, vault_prefix=vault_prefix)
    c.key = c.customer_key_client().create_rsa_key(f"cmk-{os.urandom(3).hex()}", size=2048)
    c.group = f"/subscriptions/{c.provider['subscriptionId']}/resourceGroups/{c.uami_id.split('/')[4]}"
    return c
