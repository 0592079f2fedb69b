// Phase 3 with the Node management SDKs (@azure/arm-storage, -cosmosdb, -compute, -sql): every
// create goes through the SDK's own long-running-operation poller (begin*AndWait), the CMK
// properties are read back, and a create with the wrong federated client id fails through the
// poller with the provider's error.
// Config: {endpoints, tenants, group, uamiId, appId, vaultUri, vault, keyName, keyId}
import { randomUUID } from "node:crypto";
import { StorageManagementClient } from "@azure/arm-storage";
import { CosmosDBManagementClient } from "@azure/arm-cosmosdb";
import { ComputeManagementClient } from "@azure/arm-compute";
import { SqlManagementClient } from "@azure/arm-sql";
import { adminCredential, armOptions, attempt, errorInfo, main, tenant } from "./_common.mjs";

// Fast polling: the emulator's operations complete on the emulator clock.
const POLL = { updateIntervalInMs: 10 };

function storageParams(cfg, federatedClientId) {
  return {
    location: "westus", kind: "StorageV2", sku: { name: "Standard_LRS" },
    identity: { type: "UserAssigned", userAssignedIdentities: { [cfg.uamiId]: {} } },
    encryption: {
      keySource: "Microsoft.Keyvault",
      keyVaultProperties: { keyName: cfg.keyName, keyVaultUri: cfg.vaultUri + "/" },
      encryptionIdentity: { encryptionUserAssignedIdentity: cfg.uamiId,
                            encryptionFederatedIdentityClientId: federatedClientId },
      services: { blob: { enabled: true } },
    },
  };
}

main(async (cfg) => {
  const sub = tenant(cfg, "provider").subscriptionId;
  const cred = adminCredential(cfg, "provider");
  const opts = armOptions(cfg);
  const suffix = randomUUID().replaceAll("-", "").slice(0, 10);
  const out = {};

  const storage = new StorageManagementClient(cred, sub, opts);
  const account = await storage.storageAccounts.beginCreateAndWait(cfg.group, `st${suffix}`,
    storageParams(cfg, cfg.appId), POLL);
  out.storage = { provisioningState: account.provisioningState, keySource: account.encryption?.keySource,
    currentVersionedKeyIdentifier: account.encryption?.keyVaultProperties?.currentVersionedKeyIdentifier };
  const refused = await attempt(() => storage.storageAccounts.beginCreateAndWait(cfg.group, `sx${suffix}`,
    storageParams(cfg, randomUUID()), POLL));
  out.storageRefused = refused.ok ? { ok: true } : { ok: false, code: refused.error.code,
    statusCode: refused.error.statusCode };

  const cosmos = new CosmosDBManagementClient(cred, sub, opts);
  const db = await cosmos.databaseAccounts.beginCreateOrUpdateAndWait(cfg.group, `cos${suffix}`, {
    location: "westus", locations: [{ locationName: "westus" }], databaseAccountOfferType: "Standard",
    keyVaultKeyUri: `${cfg.vaultUri}/keys/${cfg.keyName}`,
    identity: { type: "UserAssigned", userAssignedIdentities: { [cfg.uamiId]: {} } },
    defaultIdentity: `UserAssignedIdentity=${cfg.uamiId}&FederatedClientId=${cfg.appId}`,
  }, POLL);
  out.cosmos = { provisioningState: db.provisioningState, keyVaultKeyUri: db.keyVaultKeyUri };

  const compute = new ComputeManagementClient(cred, sub, opts);
  const des = await compute.diskEncryptionSets.beginCreateOrUpdateAndWait(cfg.group, `des${suffix}`, {
    location: "westus", identity: { type: "UserAssigned", userAssignedIdentities: { [cfg.uamiId]: {} } },
    activeKey: { keyUrl: cfg.keyId }, encryptionType: "EncryptionAtRestWithCustomerKey",
    federatedClientId: cfg.appId,
  }, POLL);
  const disk = await compute.disks.beginCreateOrUpdateAndWait(cfg.group, `disk${suffix}`, {
    location: "westus", diskSizeGB: 1, creationData: { createOption: "Empty" },
    encryption: { diskEncryptionSetId: des.id, type: "EncryptionAtRestWithCustomerKey" },
  }, POLL);
  out.compute = { desState: des.provisioningState, keyUrl: des.activeKey?.keyUrl, diskState: disk.provisioningState,
    diskEncryptionSetId: disk.encryption?.diskEncryptionSetId };

  const sql = new SqlManagementClient(cred, sub, opts);
  const server = await sql.servers.beginCreateOrUpdateAndWait(cfg.group, `sql${suffix}`, {
    location: "westus", administratorLogin: "sqladmin", administratorLoginPassword: `P@ss-${randomUUID()}`,
    identity: { type: "UserAssigned", userAssignedIdentities: { [cfg.uamiId]: {} } },
    primaryUserAssignedIdentityId: cfg.uamiId, federatedClientId: cfg.appId, keyId: cfg.keyId,
  }, POLL);
  const protector = await sql.encryptionProtectors.get(cfg.group, server.name, "current");
  out.sql = { keyId: server.keyId, serverKeyType: protector.serverKeyType, serverKeyName: protector.serverKeyName };
  return out;
}).catch((e) => {
  process.stdout.write(JSON.stringify({ fatal: errorInfo(e) }) + "\n");
  process.exit(1);
});
