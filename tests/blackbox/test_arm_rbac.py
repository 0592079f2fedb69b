"""ARM control plane and RBAC over REST with real tokens: resources in canonical case, vault
rules, role definitions and assignments, and each denial path with Azure's code.
"""
import uuid

import pytest

from flow import Cloud, setup_chain


@pytest.fixture(scope="module")
def cloud(emulator):
    return Cloud(emulator)


def rg(cloud, tenant):
    sub = cloud.tenant(tenant)["subscriptionId"]
    name = f"rg-{uuid.uuid4().hex[:6]}"
    r = cloud.arm("PUT", tenant, f"/subscriptions/{sub}/resourcegroups/{name}", {"location": "westus", "tags": {"a": "b"}},
                  api="2021-04-01")
    assert r.status_code == 201, r.text
    return r.json()["id"]


def vault_body(cloud, tenant, **props):
    return {"location": "westus", "properties": {"tenantId": cloud.tenant(tenant)["tenantId"],
                                                 "sku": {"family": "A", "name": "standard"}, **props}}


def test_subscriptions_tenants_and_providers(cloud):
    p = cloud.tenant("provider")
    subs = cloud.arm("GET", "provider", "/subscriptions", api="2019-11-01").json()["value"]
    assert [s["subscriptionId"] for s in subs] == [p["subscriptionId"]] and subs[0]["state"] == "Enabled"
    assert subs[0]["tenantId"] == p["tenantId"]
    tenants = cloud.arm("GET", "provider", "/tenants", api="2019-11-01").json()["value"]
    assert [t["tenantId"] for t in tenants] == [p["tenantId"]]
    r = cloud.arm("GET", "provider", f"/subscriptions/{p['subscriptionId']}/providers/Microsoft.KeyVault")
    assert r.json()["registrationState"] == "Registered"


def test_resource_groups_are_case_insensitive_and_delete_their_content(cloud):
    gid = rg(cloud, "provider")
    lower = gid.lower().replace("resourcegroups", "resourcegroups")
    r = cloud.arm("GET", "provider", lower, api="2021-04-01")
    assert r.status_code == 200 and r.json()["id"] == gid and "/resourceGroups/" in r.json()["id"]
    assert r.json()["properties"]["provisioningState"] == "Succeeded" and r.json()["tags"] == {"a": "b"}
    assert cloud.arm("HEAD", "provider", gid, api="2021-04-01").status_code == 204
    mi = cloud.arm("PUT", "provider", f"{lower}/providers/microsoft.managedidentity/userassignedidentities/mi1",
                   {"location": "westus"})
    assert mi.status_code == 201
    assert mi.json()["id"] == f"{gid}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi1"
    principal = mi.json()["properties"]["principalId"]
    sp = cloud.graph("GET", "provider", f"/v1.0/servicePrincipals/{principal}")
    assert sp.status_code == 200 and sp.json()["servicePrincipalType"] == "ManagedIdentity"
    listed = cloud.arm("GET", "provider", f"{gid}/providers/Microsoft.ManagedIdentity/userAssignedIdentities").json()["value"]
    assert [x["name"] for x in listed] == ["mi1"]
    assert cloud.arm("DELETE", "provider", gid, api="2021-04-01").status_code == 200
    assert cloud.arm("GET", "provider", gid, api="2021-04-01").json()["error"]["code"] == "ResourceGroupNotFound"
    assert cloud.graph("GET", "provider", f"/v1.0/servicePrincipals/{principal}").status_code == 404


def test_identity_federated_credentials_child(cloud):
    gid = rg(cloud, "provider")
    mi = f"{gid}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi2"
    assert cloud.arm("PUT", "provider", mi, {"location": "westus"}).status_code == 201
    fic = f"{mi}/federatedIdentityCredentials/gh"
    body = {"properties": {"issuer": "https://token.actions.githubusercontent.com", "subject": "repo:o/r:ref:refs/heads/main",
                           "audiences": ["api://AzureADTokenExchange"]}}
    r = cloud.arm("PUT", "provider", fic, body)
    assert r.status_code == 201 and r.json()["properties"]["subject"] == "repo:o/r:ref:refs/heads/main"
    assert [f["name"] for f in cloud.arm("GET", "provider", f"{mi}/federatedIdentityCredentials").json()["value"]] == ["gh"]
    bad = {"properties": {**body["properties"], "audiences": []}}
    assert cloud.arm("PUT", "provider", f"{mi}/federatedIdentityCredentials/bad", bad).status_code == 400
    assert cloud.arm("DELETE", "provider", fic).status_code == 200
    assert cloud.arm("GET", "provider", fic).status_code == 404


def test_vault_rules_uniqueness_purge_protection_soft_delete(cloud):
    cgid = rg(cloud, "customer")
    pgid = rg(cloud, "provider")
    name = f"kv{uuid.uuid4().hex[:10]}"
    vid = f"{cgid}/providers/Microsoft.KeyVault/vaults/{name}"
    assert cloud.arm("GET", "customer", vid).json()["error"]["code"] == "ResourceNotFound"
    r = cloud.arm("PUT", "customer", vid, vault_body(cloud, "customer", enableRbacAuthorization=True,
                                                     enablePurgeProtection=True))
    assert r.status_code == 201
    props = r.json()["properties"]
    assert props["vaultUri"].startswith(f"https://{name}.vault.crosskey.test:") and props["enablePurgeProtection"]
    assert props["tenantId"] == cloud.tenant("customer")["tenantId"] and props["provisioningState"] == "Succeeded"
    # globally unique, across tenants
    r = cloud.arm("PUT", "provider", f"{pgid}/providers/Microsoft.KeyVault/vaults/{name}", vault_body(cloud, "provider"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "VaultAlreadyExists"
    r = cloud.arm("PATCH", "customer", vid, {"properties": {"enablePurgeProtection": False}})
    assert r.status_code == 400 and "irreversible" in r.json()["error"]["message"]
    r = cloud.arm("PATCH", "customer", vid, {"properties": {"softDeleteRetentionInDays": 30}})
    assert r.status_code == 200 and r.json()["properties"]["softDeleteRetentionInDays"] == 30
    sub = cloud.tenant("customer")["subscriptionId"]
    found = cloud.arm("GET", "customer", f"/subscriptions/{sub}/resources?$filter=resourceType eq 'Microsoft.KeyVault/vaults'",
                      api="2015-11-01").json()["value"]
    assert vid in [v["id"] for v in found]
    assert cloud.arm("DELETE", "customer", vid).status_code == 200
    deleted = cloud.arm("GET", "customer", f"/subscriptions/{sub}/providers/Microsoft.KeyVault/deletedVaults").json()["value"]
    assert name in [d["name"] for d in deleted]
    r = cloud.arm("PUT", "customer", vid, vault_body(cloud, "customer"))
    assert r.status_code == 409
    r = cloud.arm("POST", "customer", f"/subscriptions/{sub}/providers/Microsoft.KeyVault/locations/westus/deletedVaults/{name}/purge")
    assert r.status_code == 405 and r.json()["error"]["code"] == "MethodNotAllowed", r.text
    assert "DeletedVaultPurge" in r.json()["error"]["message"] and "purge protection" in r.json()["error"]["message"]
    r = cloud.arm("PUT", "customer", vid, vault_body(cloud, "customer", createMode="recover"))
    assert r.status_code == 201 and r.json()["properties"]["enablePurgeProtection"]
    # Recovering a vault that was never deleted is refused; a live vault is simply updated.
    never = f"{cgid}/providers/Microsoft.KeyVault/vaults/kv{uuid.uuid4().hex[:10]}"
    r = cloud.arm("PUT", "customer", never, vault_body(cloud, "customer", createMode="recover"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "SoftDeletedVaultDoesNotExist", r.text
    assert cloud.arm("GET", "customer", never).status_code == 404
    assert cloud.arm("PUT", "customer", vid, vault_body(cloud, "customer", createMode="recover")).status_code == 200


def test_bad_names_and_bodies(cloud):
    sub = cloud.tenant("customer")["subscriptionId"]
    gid = rg(cloud, "customer")
    assert cloud.arm("PUT", "customer", f"{gid}/providers/Microsoft.KeyVault/vaults/a_b", vault_body(cloud, "customer")).json()["error"]["code"] == "InvalidResourceName"
    r = cloud.http.put(f"{cloud.arm_url}{gid}/providers/Microsoft.KeyVault/vaults/okname1?api-version=2023-07-01", data=b"{x",
                       headers={"Authorization": "Bearer " + cloud.token("customer", "https://management.azure.com/.default"),
                                "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidRequestContent"
    r = cloud.arm("PUT", "customer", f"{gid}/providers/Microsoft.KeyVault/vaults/okname2", {"location": "westus", "properties": {}})
    assert r.status_code == 400
    r = cloud.arm("PUT", "customer", f"/subscriptions/{sub}/resourcegroups/nope/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x",
                  {"location": "westus"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "ResourceGroupNotFound"
    r = cloud.arm("PUT", "customer", f"{gid}/providers/Microsoft.Web/sites/app", {"location": "westus"})
    assert r.status_code == 501 and "Microsoft.Web/sites" in r.json()["error"]["message"]
    assert cloud.arm("GET", "customer", f"/subscriptions/{uuid.uuid4()}").json()["error"]["code"] == "SubscriptionNotFound"


def test_role_definitions_by_name_and_id(cloud):
    gid = rg(cloud, "customer")
    for name, guid in [("Key Vault Crypto Service Encryption User", "e147488a-f6f5-4113-8e2d-b22465e65bf6"),
                       ("Key Vault Crypto Officer", "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"),
                       ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635")]:
        r = cloud.arm("GET", "customer", f"{gid}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq '{name}'",
                      api="2022-04-01")
        v = r.json()["value"]
        assert len(v) == 1 and v[0]["name"] == guid and v[0]["properties"]["roleName"] == name
        assert v[0]["id"].startswith("/subscriptions/") and v[0]["id"].endswith(guid)
    r = cloud.arm("GET", "customer", f"{gid}/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6",
                  api="2022-04-01")
    perms = r.json()["properties"]["permissions"][0]
    assert set(perms["dataActions"]) == {"Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/wrap/action",
                                         "Microsoft.KeyVault/vaults/keys/unwrap/action"}
    names = {d["properties"]["roleName"] for d in cloud.arm("GET", "customer", f"{gid}/providers/Microsoft.Authorization/roleDefinitions",
                                                            api="2022-04-01").json()["value"]}
    assert {"Contributor", "Reader", "User Access Administrator", "Key Vault Administrator", "Key Vault Crypto User",
            "Key Vault Reader", "Managed Identity Operator", "Managed Identity Contributor", "Key Vault Contributor"} <= names
    r = cloud.arm("GET", "customer", f"{gid}/providers/Microsoft.Authorization/roleDefinitions/{uuid.uuid4()}", api="2022-04-01")
    assert r.status_code == 404 and r.json()["error"]["code"] == "RoleDefinitionDoesNotExist"


def test_role_assignment_rules_and_denials(emulator, cloud):
    chain = setup_chain(emulator)
    cu = cloud.tenant("customer")
    # duplicate (same scope, role, principal under a new name)
    r = cloud.assign("customer", chain.vault_id, "Key Vault Crypto Service Encryption User", chain.sp["id"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "RoleAssignmentExists"
    # unknown principal, and the provider's own admin (exists only in the provider tenant)
    for principal in (str(uuid.uuid4()), chain.provider["adminApp"]["servicePrincipalObjectId"]):
        r = cloud.assign("customer", chain.vault_id, "Key Vault Reader", principal)
        assert r.status_code == 400 and r.json()["error"]["code"] == "PrincipalNotFound"
        assert cu["tenantId"] in r.json()["error"]["message"]
    # the provider app is assignable in the customer tenant only through its SP there
    listed = cloud.arm("GET", "customer", f"{chain.vault_id}/providers/Microsoft.Authorization/roleAssignments"
                       f"?$filter=principalId eq '{chain.sp['id']}'", api="2022-04-01").json()["value"]
    assert [a["properties"]["principalId"] for a in listed] == [chain.sp["id"]]
    sub_scope = f"/subscriptions/{cu['subscriptionId']}"
    at_scope = cloud.arm("GET", "customer", f"{sub_scope}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()",
                         api="2022-04-01").json()["value"]
    assert all(a["properties"]["scope"] == sub_scope for a in at_scope) and at_scope
    r = cloud.arm("PUT", "customer", f"{chain.vault_id}/providers/Microsoft.Authorization/roleAssignments/not-a-guid",
                  {"properties": {"roleDefinitionId": "x", "principalId": chain.sp["id"]}}, api="2022-04-01")
    assert r.json()["error"]["code"] == "InvalidRoleAssignmentId"
    # wrong tenant: a provider token on the customer subscription
    r = cloud.arm("GET", "customer", f"{sub_scope}/resourcegroups", token=cloud.token("provider", "https://management.azure.com/.default"))
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationTokenTenant"
    # missing role: the provider app's SP in the customer tenant has only a data role
    upn = f"u{uuid.uuid4().hex[:6]}@customer.test"
    cloud.graph("POST", "customer", "/v1.0/users", {"userPrincipalName": upn, "passwordProfile": {"password": "Pw-12345"}})
    tok = cloud.http.post(f"{cloud.login}/{cu['tenantId']}/oauth2/v2.0/token", timeout=30, data={
        "grant_type": "password", "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "username": upn,
        "password": "Pw-12345", "scope": "https://management.core.windows.net//.default"}).json()["access_token"]
    r = cloud.arm("PUT", "customer", f"{sub_scope}/resourcegroups/denied", {"location": "westus"}, token=tok, api="2021-04-01")
    assert r.status_code == 403 and r.json()["error"]["code"] == "AuthorizationFailed"
    assert "Microsoft.Resources/subscriptions/resourceGroups/write" in r.json()["error"]["message"]
    # Reader at the subscription lets the user read but still not write or assign roles
    user = cloud.graph("GET", "customer", f"/v1.0/users/{upn}").json()
    assert cloud.assign("customer", sub_scope, "Reader", user["id"], "User").status_code == 201
    assert cloud.arm("GET", "customer", chain.vault_id, token=tok).status_code == 200
    r = cloud.arm("PUT", "customer", f"{chain.vault_id}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}",
                  {"properties": {"roleDefinitionId": cloud.role_id("customer", chain.vault_id, "Key Vault Reader"),
                                  "principalId": user["id"]}}, token=tok, api="2022-04-01")
    assert r.status_code == 403 and "Microsoft.Authorization/roleAssignments/write" in r.json()["error"]["message"]
    # no token / garbage token
    r = cloud.http.get(f"{cloud.arm_url}/subscriptions?api-version=2020-01-01", timeout=30)
    assert r.status_code == 401 and r.json()["error"]["code"] == "AuthenticationFailed"
    r = cloud.http.get(f"{cloud.arm_url}/subscriptions?api-version=2020-01-01", headers={"Authorization": "Bearer a.b.c"}, timeout=30)
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_tags_follow_arms_rules(cloud):
    """ARM tags: string values, at most 50 per resource, names up to 512 and values up to 256
    characters (tag-resources#limitations); the same check on every type, PUT and PATCH."""
    sub = cloud.tenant("customer")["subscriptionId"]
    group = f"/subscriptions/{sub}/resourcegroups/tags-{uuid.uuid4().hex[:6]}"
    for tags in ({"n": 5}, {"n": None}, {f"t{i}": "v" for i in range(51)}, {"x" * 513: "v"}, {"k": "v" * 257}, ["a"]):
        r = cloud.arm("PUT", "customer", group, {"location": "westus", "tags": tags}, api="2021-04-01")
        assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidTag", (tags, r.text)
    r = cloud.arm("PUT", "customer", group, {"location": "westus", "tags": {f"t{i}": "v" for i in range(50)}},
                  api="2021-04-01")
    assert r.status_code == 201 and len(r.json()["tags"]) == 50, r.text
    r = cloud.arm("PATCH", "customer", group, {"tags": {"n": 1}}, api="2021-04-01")
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidTag", r.text  # PATCH too
