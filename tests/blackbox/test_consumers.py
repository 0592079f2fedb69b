"""Phase 3 through emulated platform services: the provider configures CMK on Storage accounts,
Cosmos DB accounts, disk encryption sets (+ disks) and SQL servers (+ databases) over ARM REST
after phases 1-2 (flow.setup_chain, real Python SDK for the key), then each revocation path is
rehearsed on the emulator clock: what the consumer reports, after how long, and how it recovers.

Check intervals are set to 600 s here (defaults: 3600 s) so the token-cache delay of paths 6-8
(the platform keeps its exchanged token until it expires, 3599 s) is visible between checks.
"""
import datetime
import os
import uuid

import pytest

from flow import CRYPTO_OFFICER, ENCRYPTION_USER, setup_chain, setup_keyed_chain, use_workload_environment

INTERVAL = 600


@pytest.fixture(scope="module", autouse=True)
def short_intervals(emulator):
    import requests
    body = {k: {"checkIntervalSeconds": INTERVAL} for k in ("storage", "cosmos", "diskEncryptionSet", "sqlServer")}
    r = requests.post(emulator.url("/_emulator/consumers/settings"), json=body, verify=str(emulator.ca_path), timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["storage"] == {"checkIntervalSeconds": INTERVAL, "versionCheckIntervalSeconds": 86400,
                                   "autoHealWindowSeconds": 0}


@pytest.fixture
def chain(emulator, monkeypatch):
    return setup_keyed_chain(emulator, monkeypatch, "cs")


def now(c):
    return c.control("GET", "/_emulator/clock").json()["now"]


def storage_body(chain, key_name=None, version=None, location="westus"):
    kvp = {"keyvaulturi": chain.vault_uri + "/", "keyname": key_name or chain.key.name}
    if version:
        kvp["keyversion"] = version
    return {"location": location, "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {chain.uami_id: {}}},
            "properties": {"encryption": {"keySource": "Microsoft.Keyvault", "keyvaultproperties": kvp,
                                          "identity": {"userAssignedIdentity": chain.uami_id,
                                                       "federatedIdentityClientId": chain.app["appId"]},
                                          "services": {"blob": {"enabled": True}}}}}


def create_storage(chain, **kw):
    sid = f"{chain.group}/providers/Microsoft.Storage/storageAccounts/st{uuid.uuid4().hex[:10]}"
    r = chain.cloud.arm_done("PUT", "provider", sid, storage_body(chain, **kw), api="2023-01-01")
    assert r.status_code in (200, 201), r.text
    return sid, r.json()


def state(chain, rid, api="2023-01-01"):
    r = chain.cloud.arm("GET", "provider", rid, api=api)
    assert r.status_code == 200, r.text
    return r.json()["properties"]["crosskeyCmkStatus"]["state"]


def data(chain, kind, rid, payload=None):
    c = chain.cloud
    if payload is not None:
        return c.http.put(c.emu.url(f"/_emulator/data/{kind}{rid}?item=doc"), data=payload, timeout=30)
    return c.http.get(c.emu.url(f"/_emulator/data/{kind}{rid}?item=doc"), timeout=30)


def advance(chain, seconds):
    chain.cloud.advance_clock(seconds)


def assert_readable(chain, kind, rid, payload):
    r = data(chain, kind, rid)
    assert r.status_code == 200, r.text
    assert r.content == payload


def test_storage_put_reports_versioned_key_and_data_roundtrips(chain):
    sid, body = create_storage(chain)
    kvp = body["properties"]["encryption"]["keyvaultproperties"]
    assert kvp["currentVersionedKeyIdentifier"] == chain.key.id
    assert "lastKeyRotationTimestamp" in kvp
    assert body["identity"]["userAssignedIdentities"][chain.uami_id]["clientId"] == chain.uami["clientId"]
    assert state(chain, sid) == "Healthy"
    payload = os.urandom(100)
    assert data(chain, "storage", sid, payload).status_code == 201
    assert_readable(chain, "storage", sid, payload)


def test_storage_put_refused_without_role_assignment(chain):
    assert chain.cloud.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01").status_code == 200
    sid = f"{chain.group}/providers/Microsoft.Storage/storageAccounts/st{uuid.uuid4().hex[:10]}"
    r = chain.cloud.arm_done("PUT", "provider", sid, storage_body(chain), api="2023-01-01")
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "KeyVaultAuthenticationFailure"
    assert "ForbiddenByRbac" in r.json()["error"]["message"]
    assert chain.cloud.arm("GET", "provider", sid, api="2023-01-01").status_code == 404


def test_storage_key_disabled_breaks_at_next_check_and_recovers(chain):
    sid, _ = create_storage(chain)
    payload = b"hello"
    data(chain, "storage", sid, payload)
    kc = chain.customer_key_client()
    kc.update_key_properties(chain.key.name, enabled=False)
    assert state(chain, sid) == "Healthy"  # not checked yet
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Inaccessible"
    r = data(chain, "storage", sid)
    assert r.status_code == 403 and r.json()["error"]["code"] == "KeyVaultEncryptionKeyNotFound", r.text
    assert "KeyDisabled" in r.json()["error"]["message"]
    kc = chain.customer_key_client()
    kc.update_key_properties(chain.key.name, enabled=True)
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Healthy"
    assert_readable(chain, "storage", sid, payload)


def test_storage_switch_back_to_microsoft_storage_keys(chain):
    sid, _ = create_storage(chain)
    data(chain, "storage", sid, b"kept")
    body = storage_body(chain)
    body["properties"]["encryption"] = {"keySource": "Microsoft.Storage"}
    r = chain.cloud.arm_done("PUT", "provider", sid, body, api="2023-01-01")
    assert r.status_code == 200, r.text
    assert r.json()["properties"]["encryption"]["keySource"] == "Microsoft.Storage"
    chain.customer_key_client().update_key_properties(chain.key.name, enabled=False)
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Healthy"
    assert_readable(chain, "storage", sid, b"kept")


def test_storage_role_assignment_removed_and_restored(chain):
    sid, _ = create_storage(chain)
    assert chain.cloud.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01").status_code == 200
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Inaccessible"
    assert "ForbiddenByRbac" in data(chain, "storage", sid).json()["error"]["message"]
    assert chain.cloud.assign("customer", chain.vault_id, ENCRYPTION_USER, chain.sp["id"]).status_code == 201
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Healthy"


def _bites_after_token_expiry(chain, rid, kind="storage", api="2023-01-01"):
    """Paths 6-8: the cached exchanged token keeps working until it expires (3599 s)."""
    advance(chain, INTERVAL + 1)
    assert state(chain, rid, api) == "Healthy"  # a check ran, with the cached token
    advance(chain, 3599 + 300)
    st = state(chain, rid, api)
    assert st in ("Inaccessible", "Revoked"), st


def test_storage_sp_disabled_bites_after_token_expiry_and_recovers(chain):
    sid, _ = create_storage(chain)
    r = chain.cloud.graph("PATCH", "customer", f"/v1.0/servicePrincipals/{chain.sp['id']}", {"accountEnabled": False})
    assert r.status_code == 204, r.text
    _bites_after_token_expiry(chain, sid)
    r = data(chain, "storage", sid)
    assert r.status_code == 403 and r.json()["error"]["code"] == "KeyVaultAccessTokenCannotBeAcquired", r.text
    assert "7000112" in r.json()["error"]["message"]
    r = chain.cloud.graph("PATCH", "customer", f"/v1.0/servicePrincipals/{chain.sp['id']}", {"accountEnabled": True})
    assert r.status_code == 204
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Healthy"


def test_storage_sp_deleted_bites_after_token_expiry(chain):
    sid, _ = create_storage(chain)
    assert chain.cloud.graph("DELETE", "customer", f"/v1.0/servicePrincipals/{chain.sp['id']}").status_code == 204
    _bites_after_token_expiry(chain, sid)
    assert "700016" in data(chain, "storage", sid).json()["error"]["message"]


def test_storage_fic_removed_bites_after_token_expiry_and_recovers(chain):
    sid, _ = create_storage(chain)
    c = chain.cloud
    r = c.graph("DELETE", "provider", f"/v1.0/applications/{chain.app['id']}/federatedIdentityCredentials/{chain.fic['id']}")
    assert r.status_code == 204, r.text
    _bites_after_token_expiry(chain, sid)
    r = c.graph("POST", "provider", f"/v1.0/applications/{chain.app['id']}/federatedIdentityCredentials",
                {"name": "again", "issuer": f"https://login.microsoftonline.com/{chain.provider['tenantId']}/v2.0",
                 "subject": chain.uami["principalId"], "audiences": ["api://AzureADTokenExchange"]})
    assert r.status_code == 201, r.text
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Healthy"


def test_storage_uami_deleted_bites_after_token_expiry(chain):
    sid, _ = create_storage(chain)
    assert chain.cloud.arm("DELETE", "provider", chain.uami_id).status_code == 200
    _bites_after_token_expiry(chain, sid)
    r = data(chain, "storage", sid)
    assert r.status_code == 403 and r.json()["error"]["code"] == "KeyVaultAccessTokenCannotBeAcquired", r.text


def test_storage_key_expired_and_extended(chain):
    sid, _ = create_storage(chain)
    kc = chain.customer_key_client()
    t = now(chain.cloud)
    kc.update_key_properties(chain.key.name, expires_on=datetime.datetime.fromtimestamp(t + 60, datetime.timezone.utc))
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Inaccessible"
    assert "KeyExpired" in data(chain, "storage", sid).json()["error"]["message"]
    kc = chain.customer_key_client()
    kc.update_key_properties(chain.key.name,
                             expires_on=datetime.datetime.fromtimestamp(t + 10 * 86400, datetime.timezone.utc))
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Healthy"


def test_storage_key_soft_deleted_and_recovered(chain):
    sid, _ = create_storage(chain)
    kc = chain.customer_key_client()
    kc.begin_delete_key(chain.key.name).wait()
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Inaccessible"
    assert data(chain, "storage", sid).status_code == 403
    kc = chain.customer_key_client()
    kc.begin_recover_deleted_key(chain.key.name).wait()
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Healthy"


def test_storage_key_purged_never_recovers(chain):
    c = chain.cloud
    cu = chain.customer
    vault = "pg" + uuid.uuid4().hex[:10]
    vid = chain.vault_id.rsplit("/", 1)[0] + "/" + vault
    r = c.arm("PUT", "customer", vid, {"location": "westus", "properties": {
        "tenantId": cu["tenantId"], "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": True}})
    assert r.status_code in (200, 201), r.text
    chain.vault_uri = r.json()["properties"]["vaultUri"].rstrip("/")
    assert c.assign("customer", vid, CRYPTO_OFFICER, cu["adminApp"]["servicePrincipalObjectId"]).status_code == 201
    assert c.assign("customer", vid, ENCRYPTION_USER, chain.sp["id"]).status_code == 201
    kc = chain.customer_key_client()
    key = kc.create_rsa_key("gone", size=2048)
    sid, _ = create_storage(chain, key_name="gone")
    kc.begin_delete_key("gone").wait()
    kc.purge_deleted_key("gone")
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Inaccessible"
    kc = chain.customer_key_client()
    kc.create_rsa_key("gone", size=2048)  # same name, new key: the wrapped DEK stays unreadable
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Inaccessible"
    assert key.id != kc.get_key("gone").id


def test_storage_versionless_picks_up_new_version_daily(chain):
    sid, body = create_storage(chain)
    kc = chain.customer_key_client()
    new = kc.create_rsa_key(chain.key.name, size=2048)
    advance(chain, INTERVAL + 1)
    r = chain.cloud.arm("GET", "provider", sid, api="2023-01-01").json()
    assert r["properties"]["encryption"]["keyvaultproperties"]["currentVersionedKeyIdentifier"] == chain.key.id
    advance(chain, 86400)
    r = chain.cloud.arm("GET", "provider", sid, api="2023-01-01").json()
    assert r["properties"]["encryption"]["keyvaultproperties"]["currentVersionedKeyIdentifier"] == new.id


def cosmos_body(chain, uri=None):
    return {"location": "westus", "kind": "GlobalDocumentDB",
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {chain.uami_id: {}}},
            "properties": {"databaseAccountOfferType": "Standard",
                           "keyVaultKeyUri": uri or f"{chain.vault_uri}/keys/{chain.key.name}",
                           "defaultIdentity": f"UserAssignedIdentity={chain.uami_id}&FederatedClientId={chain.app['appId']}"}}


def test_cosmos_versionless_uri_required_and_revoked_state(chain):
    c = chain.cloud
    cid = f"{chain.group}/providers/Microsoft.DocumentDB/databaseAccounts/cos{uuid.uuid4().hex[:8]}"
    for bad in (f"{chain.vault_uri}/keys/{chain.key.name}/", chain.key.id):
        r = c.arm_done("PUT", "provider", cid, cosmos_body(chain, bad), api="2023-04-15")
        assert r.status_code == 400, r.text
    r = c.arm_done("PUT", "provider", cid, cosmos_body(chain), api="2023-04-15")
    assert r.status_code == 200, r.text
    assert r.json()["properties"]["keyVaultKeyUriVersion"] == chain.key.id
    assert data(chain, "cosmos", cid, b"{}").status_code == 201
    kc = chain.customer_key_client()
    new = kc.create_rsa_key(chain.key.name, size=2048)
    advance(chain, INTERVAL + 1)
    assert c.arm("GET", "provider", cid, api="2023-04-15").json()["properties"]["keyVaultKeyUriVersion"] == new.id
    kc.update_key_properties(chain.key.name, enabled=False)
    advance(chain, INTERVAL + 1)
    props = c.arm("GET", "provider", cid, api="2023-04-15").json()["properties"]
    assert props["crosskeyCmkStatus"]["state"] == "Revoked"
    assert "failed" in props["customerManagedKeyStatus"]
    r = data(chain, "cosmos", cid)
    assert r.status_code == 403, r.text
    # Cosmos DB's substatus for a key it may not use (KeyVaultAuthenticationFailure), on the wire
    # and in the consumer's state.
    assert r.headers["x-ms-substatus"] == "4002", r.headers
    assert "KeyVaultAuthenticationFailure" in r.json()["error"]["message"]
    status = props["crosskeyCmkStatus"]
    assert (status["substatus"], status["substatusName"]) == (4002, "KeyVaultAuthenticationFailure"), status
    kc = chain.customer_key_client()
    kc.update_key_properties(chain.key.name, enabled=True)
    advance(chain, INTERVAL + 1)
    assert state(chain, cid, "2023-04-15") == "Healthy"
    assert data(chain, "cosmos", cid).content == b"{}"


def test_disk_encryption_set_region_disk_and_revocation(chain):
    c = chain.cloud
    des = f"{chain.group}/providers/Microsoft.Compute/diskEncryptionSets/des{uuid.uuid4().hex[:8]}"
    body = {"location": "eastus", "identity": {"type": "UserAssigned", "userAssignedIdentities": {chain.uami_id: {}}},
            "properties": {"activeKey": {"keyUrl": chain.key.id}, "encryptionType": "EncryptionAtRestWithCustomerKey",
                           "federatedClientId": chain.app["appId"], "rotationToLatestKeyVersionEnabled": False}}
    r = c.arm_done("PUT", "provider", des, body, api="2022-07-02")
    assert r.status_code == 400 and "same region" in r.json()["error"]["message"], r.text
    body["location"] = "westus"
    r = c.arm_done("PUT", "provider", des, body, api="2022-07-02")
    assert r.status_code == 200, r.text
    disk = f"{chain.group}/providers/Microsoft.Compute/disks/d{uuid.uuid4().hex[:8]}"
    r = c.arm_done("PUT", "provider", disk, {"location": "westus", "properties": {
        "creationData": {"createOption": "Empty"}, "diskSizeGB": 4,
        "encryption": {"type": "EncryptionAtRestWithCustomerKey", "diskEncryptionSetId": des}}}, api="2022-07-02")
    assert r.status_code == 200, r.text
    assert data(chain, "disks", disk, b"sector").status_code == 201
    chain.customer_key_client().update_key_properties(chain.key.name, enabled=False)
    advance(chain, INTERVAL + 1)
    assert state(chain, des, "2022-07-02") == "Inaccessible"
    assert state(chain, disk, "2022-07-02") == "Inaccessible"
    assert data(chain, "disks", disk).status_code == 409


def test_sql_server_database_goes_inaccessible(chain):
    c = chain.cloud
    srv = f"{chain.group}/providers/Microsoft.Sql/servers/sql{uuid.uuid4().hex[:8]}"
    r = c.arm_done("PUT", "provider", srv, {"location": "westus",
              "identity": {"type": "UserAssigned", "userAssignedIdentities": {chain.uami_id: {}}},
              "properties": {"administratorLogin": "ck", "administratorLoginPassword": "Pw-123456789!",
                             "primaryUserAssignedIdentityId": chain.uami_id, "keyId": chain.key.id,
                             "federatedClientId": chain.app["appId"]}}, api="2022-05-01-preview")
    assert r.status_code == 200, r.text
    assert "administratorLoginPassword" not in r.json()["properties"]
    db = srv + "/databases/db1"
    r = c.arm_done("PUT", "provider", db, {"location": "westus"}, api="2022-05-01-preview")
    assert r.status_code == 200, r.text
    assert r.json()["properties"]["status"] == "Online"
    r = c.arm("GET", "provider", srv + "/encryptionProtector/current", api="2022-05-01-preview")
    assert r.status_code == 404 or r.json()["properties"]["serverKeyType"] == "AzureKeyVault"
    assert data(chain, "sql", db, b"row").status_code == 201
    assert c.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01").status_code == 200
    advance(chain, INTERVAL + 1)
    r = c.arm("GET", "provider", db, api="2022-05-01-preview")
    assert r.json()["properties"]["status"] == "Inaccessible"
    assert data(chain, "sql", db).status_code == 409
    assert c.assign("customer", chain.vault_id, ENCRYPTION_USER, chain.sp["id"]).status_code == 201
    advance(chain, INTERVAL + 1)
    assert c.arm("GET", "provider", db, api="2022-05-01-preview").json()["properties"]["status"] == "Online"
    assert data(chain, "sql", db).content == b"row"


def test_consumers_control_lists_states(chain):
    sid, _ = create_storage(chain)
    r = chain.cloud.control("GET", "/_emulator/consumers")
    assert r.status_code == 200
    mine = [v for v in r.json()["value"] if v["id"].lower() == sid.lower()]
    assert mine and mine[0]["state"] == "Healthy" and mine[0]["kind"] == "storage"


def consumer_status(c, rid):
    r = c.control("GET", "/_emulator/consumers")
    assert r.status_code == 200, r.text
    mine = [v for v in r.json()["value"] if v["id"].lower() == rid.lower()]
    assert len(mine) == 1, r.text
    return mine[0]


def test_snapshot_restore_brings_back_consumer_and_data(chain):
    sid, _ = create_storage(chain)
    payload = os.urandom(64)
    assert data(chain, "storage", sid, payload).status_code == 201
    c = chain.cloud
    before = consumer_status(c, sid)
    r = c.control("POST", "/_emulator/snapshots", {"name": "s"})
    assert r.status_code == 201, r.text
    state_doc = c.control("GET", "/_emulator/state").json()
    # The DEK is exported only wrapped: no record carries a plaintext customer-key DEK.
    mine = [x for x in state_doc["consumers"]["records"] if x["id"].lower() == sid.lower()]
    assert mine and "wrappedDek" in mine[0] and "platformDek" not in mine[0] and "dek" not in mine[0]

    assert data(chain, "storage", sid, b"overwritten").status_code == 201
    assert c.arm_done("DELETE", "provider", sid, api="2023-01-01").status_code == 200
    assert c.arm("GET", "provider", sid, api="2023-01-01").status_code == 404

    r = c.control("POST", "/_emulator/snapshots/s/restore")
    assert r.status_code == 200, r.text
    assert state(chain, sid) == "Healthy"
    listed = c.arm("GET", "provider", f"{chain.group}/providers/Microsoft.Storage/storageAccounts", api="2023-01-01")
    assert listed.status_code == 200 and sid.lower() in [v["id"].lower() for v in listed.json()["value"]], listed.text
    after = consumer_status(c, sid)
    for k in ("state", "sinceEpoch", "lastCheckEpoch", "currentVersionedKeyIdentifier"):
        assert after[k] == before[k], (k, before, after)
    assert_readable(chain, "storage", sid, payload)
    # The next due check unwraps through the platform path again (re-exchanging a token).
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Healthy"
    assert_readable(chain, "storage", sid, payload)
    assert consumer_status(c, sid)["tokenExpiresEpoch"] is not None


def test_snapshot_restore_keeps_inaccessible_state(chain):
    sid, _ = create_storage(chain)
    payload = b"kept"
    assert data(chain, "storage", sid, payload).status_code == 201
    c = chain.cloud
    assert c.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01").status_code == 200
    advance(chain, 3600)  # past the check interval and the cached token's lifetime
    assert state(chain, sid) == "Inaccessible"
    before = consumer_status(c, sid)
    assert c.control("POST", "/_emulator/snapshots", {"name": "s-bad"}).status_code == 201
    assert c.control("POST", "/_emulator/snapshots/s-bad/restore").status_code == 200
    after = consumer_status(c, sid)
    assert after["state"] == "Inaccessible" and after["sinceEpoch"] == before["sinceEpoch"], (before, after)
    assert data(chain, "storage", sid).status_code == 403


def test_restart_keeps_consumers_and_data(emulator_factory, tmp_path, monkeypatch):
    from flow import Cloud
    emu = emulator_factory(data_dir=str(tmp_path / "data"))
    use_workload_environment(monkeypatch, emu)
    c = setup_chain(emu, vault_prefix="cr")
    c.key = c.customer_key_client().create_rsa_key(f"cmk-{os.urandom(3).hex()}", size=2048)
    c.group = f"/subscriptions/{c.provider['subscriptionId']}/resourceGroups/{c.uami_id.split('/')[4]}"
    sid, _ = create_storage(c)
    payload = os.urandom(100)
    assert data(c, "storage", sid, payload).status_code == 201
    # Data-plane writes are not state mutations for the store; a clock change persists them.
    c.cloud.advance_clock(1)
    before = consumer_status(c.cloud, sid)
    port = emu.port
    emu.stop()
    emu.start(port=port)
    c.cloud = Cloud(emu)
    assert state(c, sid) == "Healthy"
    after = consumer_status(c.cloud, sid)
    for k in ("state", "sinceEpoch", "lastCheckEpoch"):
        assert after[k] == before[k], (k, before, after)
    assert_readable(c, "storage", sid, payload)
    c.cloud.advance_clock(3601)  # default interval: a real check through the platform path
    assert state(c, sid) == "Healthy"
    assert_readable(c, "storage", sid, payload)


def test_control_lists_the_chain_each_consumer_depends_on(chain):
    sid, _ = create_storage(chain)
    s = consumer_status(chain.cloud, sid)
    assert s["chain"] == {"vault": chain.vault, "vaultId": chain.vault_id, "vaultTenantId": chain.customer["tenantId"],
                          "tenantId": chain.provider["tenantId"], "keyName": chain.key.name, "keyVersion": "",
                          "identityId": chain.uami_id, "identityClientId": chain.uami["clientId"],
                          "identityPrincipalId": chain.uami["principalId"], "federatedClientId": chain.app["appId"]}


def test_platform_sign_ins_and_key_calls_are_audited(chain):
    sid, _ = create_storage(chain)
    c = chain.cloud
    signins = [r for r in c.control("GET", "/_emulator/audit?category=SignIn").json()["value"]
               if r.get("resourceId", "").lower() == sid.lower()]
    assert len(signins) == 1, signins
    s = signins[0]
    assert s["result"] == "success" and s["platform"] == "storage"
    assert s["tenantId"] == chain.customer["tenantId"] and s["appId"] == chain.app["appId"]
    assert s["objectId"] == chain.sp["id"] and s["federatedCredential"] == chain.fic["name"]
    events = [r for r in c.control("GET", "/_emulator/audit?category=AuditEvent").json()["value"]
              if r.get("resourceId", "").lower() == sid.lower()]
    assert [e["operationName"] for e in events] == ["KeyGet", "KeyWrap"], events
    assert all(e["correlationId"] == s["correlationId"] and e["resultType"] == "Success" for e in events)
    assert events[1]["authorizedBy"].lower() == chain.user_assignment.lower()

    # A failing check is audited too, with the Key Vault code as its signature.
    assert c.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01").status_code == 200
    advance(chain, INTERVAL + 1)
    assert state(chain, sid) == "Inaccessible"
    events = [r for r in c.control("GET", "/_emulator/audit?category=AuditEvent").json()["value"]
              if r.get("resourceId", "").lower() == sid.lower()]
    assert events[-1]["resultType"] == "Failure" and events[-1]["resultSignature"] == "ForbiddenByRbac", events[-1]


def test_deleting_the_resource_group_deletes_its_consumers(chain):
    c = chain.cloud
    sub = chain.provider["subscriptionId"]
    rg = f"/subscriptions/{sub}/resourceGroups/doomed-{uuid.uuid4().hex[:6]}"
    assert c.arm("PUT", "provider", rg, {"location": "westus"}, api="2021-04-01").status_code == 201
    sid = f"{rg}/providers/Microsoft.Storage/storageAccounts/st{uuid.uuid4().hex[:10]}"
    r = c.arm_done("PUT", "provider", sid, storage_body(chain), api="2023-01-01")
    assert r.status_code == 200, r.text
    assert c.arm("DELETE", "provider", rg, api="2021-04-01").status_code == 200
    assert c.arm("GET", "provider", sid, api="2023-01-01").status_code == 404
    ids = [v["id"].lower() for v in c.control("GET", "/_emulator/consumers").json()["value"]]
    assert sid.lower() not in ids


def test_put_right_after_restore_keeps_the_data_key(chain):
    """A consumer restored while its key is out of reach holds only its wrapped DEK; a PUT
    after the key is back, before any check, must unwrap that DEK through the old configuration
    first, not wrap a fresh one (which would orphan the data)."""
    sid, _ = create_storage(chain)
    payload = os.urandom(32)
    assert data(chain, "storage", sid, payload).status_code == 201
    c = chain.cloud
    kc = chain.customer_key_client()
    kc.update_key_properties(chain.key.name, enabled=False)
    assert c.control("POST", "/_emulator/snapshots", {"name": "disabled"}).status_code == 201
    assert c.control("POST", "/_emulator/snapshots/disabled/restore").status_code == 200
    kc.update_key_properties(chain.key.name, enabled=True)
    r = c.arm_done("PUT", "provider", sid, storage_body(chain), api="2023-01-01")
    assert r.status_code == 200, r.text
    assert_readable(chain, "storage", sid, payload)
