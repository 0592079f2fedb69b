"""Microsoft Graph directory behaviour over REST with real tokens: applications, federated
credentials and their limits, service principals across tenants, /me, the authorization
policy, admin consent, and Graph-shaped errors.
"""
import uuid
from urllib.parse import parse_qs, urlparse

import pytest

from flow import Cloud


@pytest.fixture(scope="module")
def cloud(emulator):
    return Cloud(emulator)


def new_app(cloud, tenant="provider", audience="AzureADMultipleOrgs"):
    r = cloud.graph("POST", tenant, "/v1.0/applications", {"displayName": f"app-{uuid.uuid4().hex[:6]}",
                                                           "signInAudience": audience})
    assert r.status_code == 201, r.text
    return r.json()


def user_token(cloud, tenant, username, password, scope="https://graph.microsoft.com/.default"):
    r = cloud.http.post(f"{cloud.login}/{cloud.tenant(tenant)['tenantId']}/oauth2/v2.0/token", timeout=30, data={
        "grant_type": "password", "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "username": username,
        "password": password, "scope": scope})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def test_applications_lookup_patch_and_delete(cloud):
    app = new_app(cloud)
    r = cloud.graph("GET", "provider", f"/v1.0/applications?$filter=appId eq '{app['appId']}'")
    assert [a["id"] for a in r.json()["value"]] == [app["id"]]
    r = cloud.graph("GET", "provider", f"/v1.0/applications(appId='{app['appId']}')")
    assert r.status_code == 200 and r.json()["id"] == app["id"]
    prefix = app["displayName"][:7]
    r = cloud.graph("GET", "provider", f"/v1.0/applications?$filter=startswith(displayName,'{prefix}')")
    assert app["id"] in [a["id"] for a in r.json()["value"]]
    assert cloud.graph("PATCH", "provider", f"/v1.0/applications/{app['id']}", {"displayName": "renamed"}).status_code == 204
    assert cloud.graph("GET", "provider", f"/v1.0/applications/{app['id']}").json()["displayName"] == "renamed"
    r = cloud.graph("POST", "provider", f"/v1.0/applications/{app['id']}/addPassword", {"passwordCredential": {"displayName": "ci"}})
    secret = r.json()["secretText"]
    assert r.status_code == 200 and len(secret) > 20
    # the new secret works at the token endpoint once the app has a service principal
    assert cloud.graph("POST", "provider", "/v1.0/servicePrincipals", {"appId": app["appId"]}).status_code == 201
    tr = cloud.http.post(f"{cloud.login}/{cloud.tenant('provider')['tenantId']}/oauth2/v2.0/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": app["appId"], "client_secret": secret,
        "scope": "https://vault.azure.net/.default"})
    assert tr.status_code == 200
    assert cloud.graph("DELETE", "provider", f"/v1.0/applications/{app['id']}").status_code == 204
    r = cloud.graph("GET", "provider", f"/v1.0/applications/{app['id']}")
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "Request_ResourceNotFound" and err["message"] and "request-id" in err["innerError"]


def test_federated_credential_rules_and_limit(cloud):
    app = new_app(cloud)
    path = f"/v1.0/applications/{app['id']}/federatedIdentityCredentials"
    base = {"issuer": "https://token.actions.githubusercontent.com", "audiences": ["api://AzureADTokenExchange"]}
    for missing in ("issuer", "subject"):
        body = {**base, "name": "x", "subject": "repo:o/r:ref:refs/heads/main"}
        body.pop(missing)
        r = cloud.graph("POST", "provider", path, body)
        assert r.status_code == 400 and r.json()["error"]["code"] == "Request_BadRequest"
    r = cloud.graph("POST", "provider", path, {**base, "name": "two", "subject": "s", "audiences": ["a", "b"]})
    assert r.status_code == 400
    for i in range(20):
        r = cloud.graph("POST", "provider", path, {**base, "name": f"fic{i}", "subject": f"repo:o/r:env:e{i}"})
        assert r.status_code == 201, r.text
    r = cloud.graph("POST", "provider", path, {**base, "name": "fic0", "subject": "other"})
    assert r.status_code in (400, 409)
    r = cloud.graph("POST", "provider", path, {**base, "name": "fic20", "subject": "repo:o/r:env:e20"})
    assert r.status_code == 400 and "20" in r.json()["error"]["message"]
    listed = cloud.graph("GET", "provider", path).json()["value"]
    assert len(listed) == 20 and all(f["audiences"] == ["api://AzureADTokenExchange"] for f in listed)
    fic = listed[0]
    assert cloud.graph("GET", "provider", f"{path}/{fic['id']}").json()["subject"] == fic["subject"]


def test_service_principals_across_tenants(cloud):
    multi = new_app(cloud)
    single = new_app(cloud, audience="AzureADMyOrg")
    r = cloud.graph("POST", "customer", "/v1.0/servicePrincipals", {"appId": multi["appId"]})
    assert r.status_code == 201
    sp = r.json()
    assert sp["appId"] == multi["appId"] and sp["id"] != multi["id"]
    assert sp["appOwnerOrganizationId"] == cloud.tenant("provider")["tenantId"]
    assert multi["appId"] in sp["servicePrincipalNames"] and sp["servicePrincipalType"] == "Application"
    r = cloud.graph("POST", "customer", "/v1.0/servicePrincipals", {"appId": multi["appId"]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "Request_MultipleObjectsWithSameKeyValue"
    r = cloud.graph("POST", "customer", "/v1.0/servicePrincipals", {"appId": single["appId"]})
    assert r.status_code == 400 and r.json()["error"]["code"] == "Request_BadRequest"
    r = cloud.graph("GET", "customer", f"/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(c:c eq '{multi['appId']}')")
    assert [s["id"] for s in r.json()["value"]] == [sp["id"]]
    # the app object itself stays in the provider tenant
    assert cloud.graph("GET", "customer", f"/v1.0/applications/{multi['appId']}").status_code == 404
    assert cloud.graph("GET", "customer", f"/v1.0/applications?$filter=appId eq '{multi['appId']}'").json()["value"] == []
    assert cloud.graph("PATCH", "customer", f"/v1.0/servicePrincipals/{sp['id']}", {"accountEnabled": False}).status_code == 204
    assert cloud.graph("GET", "customer", f"/v1.0/servicePrincipals/{sp['id']}").json()["accountEnabled"] is False


def test_me_for_users_and_apps(cloud):
    cu = cloud.tenant("customer")
    tok = user_token(cloud, "customer", cu["adminUser"]["username"], cu["adminUser"]["password"])
    r = cloud.graph("GET", "customer", "/v1.0/me", token=tok)
    assert r.status_code == 200 and r.json()["userPrincipalName"] == cu["adminUser"]["username"]
    r = cloud.graph("GET", "customer", "/v1.0/me")
    assert r.status_code == 400 and "delegated" in r.json()["error"]["message"]


def test_tenant_policy_blocks_non_admin_install_but_not_admins(cloud):
    cu = cloud.tenant("customer")
    upn = f"user{uuid.uuid4().hex[:6]}@customer.test"
    r = cloud.graph("POST", "customer", "/v1.0/users", {"accountEnabled": True, "displayName": "Plain user",
                                                        "userPrincipalName": upn, "passwordProfile": {"password": "P@ss-1234"}})
    assert r.status_code == 201, r.text
    plain = user_token(cloud, "customer", upn, "P@ss-1234")
    admin = user_token(cloud, "customer", cu["adminUser"]["username"], cu["adminUser"]["password"])
    policy = "/v1.0/policies/authorizationPolicy"
    # Default policy: users may consent, so a plain user can install a multi-tenant app.
    assert cloud.graph("GET", "customer", policy).json()["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"]
    assert cloud.graph("POST", "customer", "/v1.0/servicePrincipals", {"appId": new_app(cloud)["appId"]},
                       token=plain).status_code == 201
    # A plain user cannot change the policy; the admin restricts it as the seeds do.
    r = cloud.graph("PATCH", "customer", policy, {"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": []}},
                    token=plain)
    assert r.status_code == 403
    r = cloud.graph("PATCH", "customer", policy, {"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": []}},
                    token=admin)
    assert r.status_code == 204
    try:
        app = new_app(cloud)
        r = cloud.graph("POST", "customer", "/v1.0/servicePrincipals", {"appId": app["appId"]}, token=plain)
        assert r.status_code == 403 and r.json()["error"]["code"] == "Authorization_RequestDenied"
        # consent by the plain user is refused too, back to the app with access_denied
        r = cloud.http.post(f"{cloud.login}/{cu['tenantId']}/adminconsent", allow_redirects=False, timeout=30,
                            params={"client_id": app["appId"], "redirect_uri": "https://p.example/cb"},
                            data={"username": upn, "password": "P@ss-1234"})
        assert r.status_code == 302 and "error=access_denied" in r.headers["Location"]
        assert cloud.graph("POST", "customer", "/v1.0/servicePrincipals", {"appId": app["appId"]}, token=admin).status_code == 201
    finally:
        cloud.graph("PATCH", "customer", policy, {"defaultUserRolePermissions": {
            "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]}}, token=admin)


def test_admin_consent_installs_the_app_and_redirects(cloud):
    cu = cloud.tenant("customer")
    app = new_app(cloud)
    url = f"{cloud.login}/{cu['tenantId']}/adminconsent"
    q = {"client_id": app["appId"], "redirect_uri": "https://provider.example/consented", "state": "s1"}
    page = cloud.http.get(url, params=q, timeout=30)
    assert page.status_code == 200 and "<form" in page.text and app["appId"] in page.text
    r = cloud.http.post(url, params=q, data={"username": cu["adminUser"]["username"], "password": "wrong"},
                        allow_redirects=False, timeout=30)
    assert r.status_code == 400 and "AADSTS50126" in r.text
    r = cloud.http.post(url, params=q, data={"username": cu["adminUser"]["username"],
                                             "password": cu["adminUser"]["password"]}, allow_redirects=False, timeout=30)
    assert r.status_code == 302
    loc = urlparse(r.headers["Location"])
    got = parse_qs(loc.query)
    assert loc.netloc == "provider.example" and got["admin_consent"] == ["True"] and got["tenant"] == [cu["tenantId"]]
    assert got["state"] == ["s1"]
    r = cloud.graph("GET", "customer", f"/v1.0/servicePrincipals?$filter=appId eq '{app['appId']}'")
    assert len(r.json()["value"]) == 1
    # unknown app: back to the application with an error
    r = cloud.http.post(f"{cloud.login}/{cu['tenantId']}/v2.0/adminconsent", allow_redirects=False, timeout=30,
                        params={**q, "client_id": str(uuid.uuid4()), "scope": "https://vault.azure.net/.default"},
                        data={"username": cu["adminUser"]["username"], "password": cu["adminUser"]["password"]})
    assert r.status_code == 302 and "error=" in r.headers["Location"] and "AADSTS700016" in parse_qs(
        urlparse(r.headers["Location"]).query)["error_description"][0]


def test_graph_rejects_missing_wrong_audience_and_other_tenant_tokens(cloud):
    r = cloud.http.get(cloud.graph_url + "/v1.0/applications", timeout=30)
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationToken"
    vault_tok = cloud.token("provider", "https://vault.azure.net/.default")
    r = cloud.graph("GET", "provider", "/v1.0/applications", token=vault_tok)
    assert r.status_code == 401
    r = cloud.graph("GET", "provider", "/v1.0/applications?$filter=weird(x)")
    assert r.status_code == 400 and r.json()["error"]["code"] == "Request_UnsupportedQuery"
    r = cloud.graph("GET", "provider", "/v1.0/groups")
    assert r.status_code == 501 and r.json()["error"]["message"]
    r = cloud.http.post(cloud.graph_url + "/v1.0/applications", data=b"{bad", timeout=30, headers={
        "Authorization": "Bearer " + cloud.token("provider", "https://graph.microsoft.com/.default"),
        "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "Request_BadRequest"


def test_directory_roles_tell_admins_from_plain_users(cloud):
    cu = cloud.tenant("customer")
    upn = f"plain{uuid.uuid4().hex[:6]}@customer.test"
    cloud.graph("POST", "customer", "/v1.0/users", {"userPrincipalName": upn, "passwordProfile": {"password": "Pw-1234567"}})
    roles = cloud.graph("GET", "customer", "/v1.0/directoryRoles").json()["value"]
    assert [r["roleTemplateId"] for r in roles] == ["62e90394-69f5-4237-9190-012177145e10"]
    members = cloud.graph("GET", "customer", f"/v1.0/directoryRoles/{roles[0]['id']}/members").json()["value"]
    ids = {m["id"] for m in members}
    assert cu["adminUser"]["objectId"] in ids and cu["adminApp"]["servicePrincipalObjectId"] in ids
    assert upn not in {m.get("userPrincipalName") for m in members}
    assert cloud.graph("GET", "customer", f"/v1.0/users/{upn}/memberOf").json()["value"] == []
    admin_tok = user_token(cloud, "customer", cu["adminUser"]["username"], cu["adminUser"]["password"])
    mine = cloud.graph("GET", "customer", "/v1.0/me/memberOf", token=admin_tok).json()["value"]
    assert [r["displayName"] for r in mine] == ["Global Administrator"]


def test_deleted_service_principal_is_restored_with_its_object_id_and_role(emulator, monkeypatch):
    """Entra soft-deletes a service principal for 30 days; restoring it from deleted items keeps its
    object id, so its role assignment on the customer's vault applies again (no new grant needed).
    Driven with azure-identity's workload credential and azure-keyvault-keys."""
    import os
    from azure.core.exceptions import ClientAuthenticationError
    from azure.keyvault.keys.crypto import CryptographyClient, KeyWrapAlgorithm
    from flow import VAULT_SCOPE, setup_chain, use_workload_environment
    use_workload_environment(monkeypatch, emulator)
    chain = setup_chain(emulator, vault_prefix="sd")
    key = chain.customer_key_client().create_rsa_key("restorable", size=2048)
    c, sp = chain.cloud, chain.sp["id"]
    assert c.graph("DELETE", "customer", f"/v1.0/servicePrincipals/{sp}").status_code == 204
    with pytest.raises(ClientAuthenticationError) as e:
        chain.workload_credential().get_token(VAULT_SCOPE)
    assert "AADSTS700016" in str(e.value)
    deleted = c.graph("GET", "customer", "/v1.0/directory/deletedItems/microsoft.graph.servicePrincipal").json()
    assert sp in [d["id"] for d in deleted["value"]], deleted
    r = c.graph("POST", "customer", f"/v1.0/directory/deletedItems/{sp}/restore")
    assert r.status_code == 200 and r.json()["id"] == sp, r.text
    cc = CryptographyClient(key.id, chain.workload_credential())
    dek = os.urandom(32)
    wrapped = cc.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, dek).encrypted_key  # remote wrap: the role applies
    assert cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped).key == dek
    # Deleted again, it is gone for good once 30 days have passed on the clock.
    assert c.graph("DELETE", "customer", f"/v1.0/servicePrincipals/{sp}").status_code == 204
    c.advance_clock(30 * 86400 + 1)
    try:
        gone = c.graph("GET", "customer", "/v1.0/directory/deletedItems/microsoft.graph.servicePrincipal").json()
        assert sp not in [d["id"] for d in gone["value"]]
        assert c.graph("POST", "customer", f"/v1.0/directory/deletedItems/{sp}/restore").status_code == 404
    finally:
        c.advance_clock(-(30 * 86400 + 1))
