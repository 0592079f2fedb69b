"""Phase 3 through the real Python management SDKs (Debian's python3-azure: azure-mgmt-storage,
-cosmosdb, -compute, -sql): every create and update goes through the SDK's own
`begin_*(...).result()` poller against the emulator's long-running operations, the CMK
properties are read back, and the negative paths (wrong federated client id, disabled key,
role removed) fail through the poller with the provider's error.
"""
import uuid

import pytest
from azure.core.exceptions import HttpResponseError

from flow import ENCRYPTION_USER, setup_keyed_chain

ARM_SCOPE = "https://management.azure.com/.default"


@pytest.fixture
def chain(emulator, monkeypatch):
    return setup_keyed_chain(emulator, monkeypatch, "mg")


def client(chain, cls, **kw):
    c = chain.cloud
    return cls(c.admin_credential("provider"), c.tenant("provider")["subscriptionId"], base_url=c.arm_url,
               credential_scopes=[ARM_SCOPE], connection_verify=str(c.emu.ca_path), **kw)


def group_name(chain):
    return chain.group.split("/")[-1]


def unique(prefix):
    return prefix + uuid.uuid4().hex[:10]


# ------------------------------------------------------------------------- Storage

def storage_params(chain, federated_client_id=None):
    from azure.mgmt.storage import models as m
    return m.StorageAccountCreateParameters(
        location="westus", kind="StorageV2", sku=m.Sku(name="Standard_LRS"),
        identity=m.Identity(type="UserAssigned", user_assigned_identities={chain.uami_id: m.UserAssignedIdentity()}),
        encryption=m.Encryption(
            key_source="Microsoft.Keyvault",
            key_vault_properties=m.KeyVaultProperties(key_name=chain.key.name, key_vault_uri=chain.vault_uri + "/"),
            encryption_identity=m.EncryptionIdentity(
                encryption_user_assigned_identity=chain.uami_id,
                encryption_federated_identity_client_id=federated_client_id or chain.app["appId"]),
            services=m.EncryptionServices(blob=m.EncryptionService(enabled=True))))


def test_storage_account_create_and_update_through_the_poller(chain):
    from azure.mgmt.storage import StorageManagementClient
    from azure.mgmt.storage import models as m
    storage = client(chain, StorageManagementClient)
    name = unique("st")
    poller = storage.storage_accounts.begin_create(group_name(chain), name, storage_params(chain))
    account = poller.result()
    assert poller.status() == "Succeeded"
    assert account.provisioning_state == "Succeeded"
    kvp = account.encryption.key_vault_properties
    assert account.encryption.key_source == "Microsoft.Keyvault"
    assert kvp.current_versioned_key_identifier.endswith("/keys/" + chain.key.name + "/" + chain.key.properties.version)
    assert account.encryption.encryption_identity.encryption_federated_identity_client_id == chain.app["appId"]
    # PATCH (az storage account update, Set-AzStorageAccount): back to Microsoft-managed keys.
    updated = storage.storage_accounts.update(group_name(chain), name, m.StorageAccountUpdateParameters(
        encryption=m.Encryption(key_source="Microsoft.Storage")))
    assert updated.encryption.key_source == "Microsoft.Storage"
    # ...and CMK on again on the existing account.
    again = storage.storage_accounts.update(group_name(chain), name, m.StorageAccountUpdateParameters(
        encryption=storage_params(chain).encryption))
    assert again.encryption.key_source == "Microsoft.Keyvault"
    assert storage.storage_accounts.get_properties(group_name(chain), name).encryption.key_source == "Microsoft.Keyvault"


def test_storage_create_with_wrong_federated_client_id_fails_through_the_poller(chain):
    from azure.mgmt.storage import StorageManagementClient
    storage = client(chain, StorageManagementClient)
    name = unique("st")
    poller = storage.storage_accounts.begin_create(group_name(chain), name,
                                                   storage_params(chain, federated_client_id=str(uuid.uuid4())))
    with pytest.raises(HttpResponseError) as e:
        poller.result()
    assert e.value.error.code == "KeyVaultAuthenticationFailure", e.value
    assert e.value.status_code == 400
    with pytest.raises(HttpResponseError) as missing:
        storage.storage_accounts.get_properties(group_name(chain), name)
    assert missing.value.status_code == 404


# ------------------------------------------------------------------------- Cosmos DB

def cosmos_params(chain):
    from azure.mgmt.cosmosdb import models as m
    return m.DatabaseAccountCreateUpdateParameters(
        location="westus", locations=[m.Location(location_name="westus")], database_account_offer_type="Standard",
        key_vault_key_uri=f"{chain.vault_uri}/keys/{chain.key.name}",
        identity=m.ManagedServiceIdentity(type="UserAssigned", user_assigned_identities={
            chain.uami_id: m.ManagedServiceIdentityUserAssignedIdentity()}),
        default_identity=f"UserAssignedIdentity={chain.uami_id}&FederatedClientId={chain.app['appId']}")


def test_cosmos_account_create_through_the_poller_and_refused_when_the_key_is_disabled(chain):
    from azure.mgmt.cosmosdb import CosmosDBManagementClient
    cosmos = client(chain, CosmosDBManagementClient)
    name = unique("cos")
    account = cosmos.database_accounts.begin_create_or_update(group_name(chain), name, cosmos_params(chain)).result()
    assert account.provisioning_state == "Succeeded"
    assert account.key_vault_key_uri == f"{chain.vault_uri}/keys/{chain.key.name}"
    assert account.default_identity.startswith("UserAssignedIdentity=")

    chain.customer_key_client().update_key_properties(chain.key.name, enabled=False)
    with pytest.raises(HttpResponseError) as e:
        cosmos.database_accounts.begin_create_or_update(group_name(chain), unique("cos"), cosmos_params(chain)).result()
    assert "KeyDisabled" in str(e.value), e.value
    cosmos.database_accounts.begin_delete(group_name(chain), name).result()
    with pytest.raises(HttpResponseError) as gone:
        cosmos.database_accounts.get(group_name(chain), name)
    assert gone.value.status_code == 404


# ------------------------------------------------------------------------- Compute

def des_params(chain):
    from azure.mgmt.compute import models as m
    return m.DiskEncryptionSet(
        location="westus",
        identity=m.EncryptionSetIdentity(type="UserAssigned",
                                         user_assigned_identities={chain.uami_id: m.UserAssignedIdentitiesValue()}),
        active_key=m.KeyForDiskEncryptionSet(key_url=chain.key.id),
        encryption_type="EncryptionAtRestWithCustomerKey", federated_client_id=chain.app["appId"])


def test_disk_encryption_set_and_disk_through_the_poller(chain):
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.compute import models as m
    compute = client(chain, ComputeManagementClient)
    des = compute.disk_encryption_sets.begin_create_or_update(group_name(chain), unique("des"), des_params(chain)).result()
    assert des.provisioning_state == "Succeeded"
    assert des.active_key.key_url == chain.key.id
    assert des.federated_client_id == chain.app["appId"]
    disk = compute.disks.begin_create_or_update(group_name(chain), unique("disk"), m.Disk(
        location="westus", disk_size_gb=1, creation_data=m.CreationData(create_option="Empty"),
        encryption=m.Encryption(disk_encryption_set_id=des.id, type="EncryptionAtRestWithCustomerKey"))).result()
    assert disk.provisioning_state == "Succeeded"
    assert disk.encryption.disk_encryption_set_id.lower() == des.id.lower()
    compute.disks.begin_delete(group_name(chain), disk.name).result()


def test_disk_encryption_set_refused_when_the_role_is_removed(chain):
    from azure.mgmt.compute import ComputeManagementClient
    assert chain.cloud.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01").status_code == 200
    compute = client(chain, ComputeManagementClient)
    with pytest.raises(HttpResponseError) as e:
        compute.disk_encryption_sets.begin_create_or_update(group_name(chain), unique("des"), des_params(chain)).result()
    assert e.value.error.code == "KeyVaultAccessForbidden", e.value
    assert "ForbiddenByRbac" in e.value.error.message



def test_phase_three_right_after_the_grant_fails_until_the_role_propagates(chain):
    """Azure documents up to 10 minutes before a role assignment applies (Key Vault RBAC guide):
    with the grant delay set, a disk encryption set created right after the customer's grant is
    refused, and the same create succeeds once the delay has passed on the emulator clock."""
    from azure.mgmt.compute import ComputeManagementClient
    c = chain.cloud
    assert c.control("POST", "/_emulator/rbac", {"grantDelaySeconds": 600}).json()["grantDelaySeconds"] == 600
    try:
        assert c.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01").status_code == 200
        r = c.assign("customer", chain.vault_id, ENCRYPTION_USER, chain.sp["id"])
        assert r.status_code == 201, r.text
        compute = client(chain, ComputeManagementClient)
        with pytest.raises(HttpResponseError) as e:
            compute.disk_encryption_sets.begin_create_or_update(group_name(chain), unique("des"),
                                                                 des_params(chain)).result()
        assert e.value.error.code == "KeyVaultAccessForbidden" and "ForbiddenByRbac" in e.value.error.message
        c.advance_clock(600)
        des = compute.disk_encryption_sets.begin_create_or_update(group_name(chain), unique("des"),
                                                                  des_params(chain)).result()
        assert des.provisioning_state == "Succeeded"
    finally:
        c.advance_clock(-600)
        c.control("POST", "/_emulator/rbac", {"grantDelaySeconds": 0})


# ------------------------------------------------------------------------- SQL

def test_sql_server_with_a_customer_key_through_the_poller(chain):
    from azure.mgmt.sql import SqlManagementClient
    from azure.mgmt.sql import models as m
    sql = client(chain, SqlManagementClient)
    server = sql.servers.begin_create_or_update(group_name(chain), unique("sql"), m.Server(
        location="westus", administrator_login="sqladmin", administrator_login_password="P@ssw0rd-" + uuid.uuid4().hex,
        identity=m.ResourceIdentity(type="UserAssigned", user_assigned_identities={chain.uami_id: m.UserIdentity()}),
        primary_user_assigned_identity_id=chain.uami_id, federated_client_id=chain.app["appId"],
        key_id=chain.key.id)).result()
    assert server.key_id == chain.key.id
    assert server.federated_client_id == chain.app["appId"]
    assert server.administrator_login_password is None


def test_sql_tde_server_keys_and_the_protector_through_the_sdk(chain):
    """Every server has the ServiceManaged key and the `current` protector; a server created with
    keyId has that key as an AzureKeyVault protector; a new server key is checked through the
    server's identity, the protector switches to it by serverKeyName (not by uri), refuses a key
    the server does not have, and goes back to ServiceManaged."""
    from azure.mgmt.sql import SqlManagementClient
    from azure.mgmt.sql import models as m
    sql = client(chain, SqlManagementClient)
    rg, name = group_name(chain), unique("sql")
    sql.servers.begin_create_or_update(rg, name, m.Server(
        location="westus", administrator_login="sqladmin", administrator_login_password="P@ssw0rd-" + uuid.uuid4().hex,
        identity=m.ResourceIdentity(type="UserAssigned", user_assigned_identities={chain.uami_id: m.UserIdentity()}),
        primary_user_assigned_identity_id=chain.uami_id, federated_client_id=chain.app["appId"],
        key_id=chain.key.id)).result()
    first = f"{chain.vault}_{chain.key.name}_{chain.key.properties.version}"
    protector = sql.encryption_protectors.get(rg, name, "current")
    assert protector.server_key_type == "AzureKeyVault" and protector.server_key_name == first
    assert protector.uri == chain.key.id
    assert {k.name for k in sql.server_keys.list_by_server(rg, name)} == {"ServiceManaged", first}

    rotated = chain.customer_key_client().create_rsa_key(chain.key.name, size=2048)
    second = f"{chain.vault}_{chain.key.name}_{rotated.properties.version}"
    key = sql.server_keys.begin_create_or_update(rg, name, second, m.ServerKey(
        server_key_type="AzureKeyVault", uri=rotated.id)).result()
    assert key.server_key_type == "AzureKeyVault" and key.uri == rotated.id
    switched = sql.encryption_protectors.begin_create_or_update(rg, name, "current", m.EncryptionProtector(
        server_key_type="AzureKeyVault", server_key_name=second)).result()
    assert switched.server_key_name == second and switched.uri == rotated.id
    assert sql.servers.get(rg, name).key_id == rotated.id

    with pytest.raises(HttpResponseError) as missing:
        sql.encryption_protectors.begin_create_or_update(rg, name, "current", m.EncryptionProtector(
            server_key_type="AzureKeyVault", server_key_name=f"{chain.vault}_{chain.key.name}_{'0' * 32}")).result()
    assert missing.value.error.code == "ServerKeyNotFound"
    with pytest.raises(HttpResponseError) as in_use:
        sql.server_keys.begin_delete(rg, name, second).result()
    assert in_use.value.error.code == "ServerKeyInUse"
    with pytest.raises(HttpResponseError) as misnamed:
        sql.server_keys.begin_create_or_update(rg, name, "wrong-name", m.ServerKey(
            server_key_type="AzureKeyVault", uri=rotated.id)).result()
    assert misnamed.value.status_code == 400

    sql.encryption_protectors.begin_revalidate(rg, name, "current").result()
    back = sql.encryption_protectors.begin_create_or_update(rg, name, "current", m.EncryptionProtector(
        server_key_type="ServiceManaged", server_key_name="ServiceManaged")).result()
    assert back.server_key_type == "ServiceManaged"
    sql.server_keys.begin_delete(rg, name, first).result()
    assert {k.name for k in sql.server_keys.list_by_server(rg, name)} == {"ServiceManaged", second}


def test_sql_server_key_refused_when_the_role_is_removed(chain):
    from azure.mgmt.sql import SqlManagementClient
    from azure.mgmt.sql import models as m
    sql = client(chain, SqlManagementClient)
    rg, name = group_name(chain), unique("sql")
    sql.servers.begin_create_or_update(rg, name, m.Server(
        location="westus", administrator_login="sqladmin", administrator_login_password="P@ssw0rd-" + uuid.uuid4().hex,
        identity=m.ResourceIdentity(type="UserAssigned", user_assigned_identities={chain.uami_id: m.UserIdentity()}),
        primary_user_assigned_identity_id=chain.uami_id, federated_client_id=chain.app["appId"])).result()
    assert sql.encryption_protectors.get(rg, name, "current").server_key_type == "ServiceManaged"
    assert chain.cloud.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01").status_code == 200
    key_name = f"{chain.vault}_{chain.key.name}_{chain.key.properties.version}"
    with pytest.raises(HttpResponseError) as e:
        sql.server_keys.begin_create_or_update(rg, name, key_name, m.ServerKey(
            server_key_type="AzureKeyVault", uri=chain.key.id)).result()
    assert "ForbiddenByRbac" in str(e.value), e.value
    assert e.value.error.code == "AzureKeyVaultMissingPermissions", e.value  # troubleshoot-tde's code


def sql_server_with_key(chain, sql, rg, name):
    from azure.mgmt.sql import models as m
    return sql.servers.begin_create_or_update(rg, name, m.Server(
        location="westus", administrator_login="sqladmin", administrator_login_password="P@ssw0rd-" + uuid.uuid4().hex,
        identity=m.ResourceIdentity(type="UserAssigned", user_assigned_identities={chain.uami_id: m.UserIdentity()}),
        primary_user_assigned_identity_id=chain.uami_id, federated_client_id=chain.app["appId"],
        key_id=chain.key.id)).result()


def test_sql_heals_within_thirty_minutes_and_needs_revalidate_after(chain):
    """Azure SQL: a database goes Inaccessible within 10 minutes of losing its TDE protector; if the
    key comes back within 30 minutes it heals by itself, later only through revalidate, and the
    database's tags are lost (transparent-data-encryption-byok-overview, troubleshoot-tde)."""
    from azure.mgmt.sql import SqlManagementClient
    from azure.mgmt.sql import models as m
    sql, c, kc = client(chain, SqlManagementClient), chain.cloud, chain.customer_key_client()
    rg, name = group_name(chain), unique("sql")
    sql_server_with_key(chain, sql, rg, name)
    sql.databases.begin_create_or_update(rg, name, "appdb", m.Database(location="westus", tags={"team": "a"})).result()
    status = lambda: sql.databases.get(rg, name, "appdb").status  # noqa: E731
    assert status() == "Online"
    settings = c.control("GET", "/_emulator/consumers/settings").json()["sqlServer"]
    assert settings["checkIntervalSeconds"] == 600 and settings["autoHealWindowSeconds"] == 1800
    # Checks every minute (instead of 10) keep the clock within the SDK credential's token lifetime.
    c.control("POST", "/_emulator/consumers/settings", {"sqlServer": {"checkIntervalSeconds": 60}})
    advanced = 0

    def advance(seconds):
        nonlocal advanced
        c.advance_clock(seconds)
        advanced += seconds

    try:
        kc.update_key_properties(chain.key.name, enabled=False)
        advance(61)
        assert status() == "Inaccessible"
        kc.update_key_properties(chain.key.name, enabled=True)  # back within the window
        advance(61)
        assert status() == "Online"

        kc.update_key_properties(chain.key.name, enabled=False)
        advance(61)
        assert status() == "Inaccessible"
        with pytest.raises(HttpResponseError) as still:
            sql.encryption_protectors.begin_revalidate(rg, name, "current").result()
        assert still.value.error.code == "AzureKeyVaultKeyDisabled", still.value
        advance(1800)  # past the 30-minute window
        kc.update_key_properties(chain.key.name, enabled=True)
        advance(61)
        assert status() == "Inaccessible"  # no auto-heal any more
        consumer = [x for x in c.control("GET", "/_emulator/consumers").json()["value"]
                    if x["id"].lower().endswith(f"/servers/{name.lower()}")][0]
        assert consumer["revalidationRequired"] is True, consumer
        sql.encryption_protectors.begin_revalidate(rg, name, "current").result()
        assert status() == "Online"
        assert not sql.databases.get(rg, name, "appdb").tags  # server-level settings are lost
    finally:
        c.advance_clock(-advanced)
        c.control("POST", "/_emulator/consumers/settings", {"sqlServer": {"checkIntervalSeconds": 600}})


def test_child_reads_of_missing_or_unmodelled_parents_are_never_an_empty_200(chain):
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.sql import SqlManagementClient
    compute = client(chain, ComputeManagementClient)
    with pytest.raises(HttpResponseError) as e:
        compute.virtual_machines.instance_view(group_name(chain), "no-such-vm")
    assert e.value.status_code == 501, "virtual machines are not emulated"
    sql = client(chain, SqlManagementClient)
    with pytest.raises(HttpResponseError) as missing:
        list(sql.server_keys.list_by_server(group_name(chain), "no-such-server"))
    assert missing.value.status_code == 404
