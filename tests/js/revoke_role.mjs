// Removing the customer's role assignment revokes the provider: the customer admin deletes the
// "Key Vault Crypto Service Encryption User" assignment with AuthorizationManagementClient,
// the workload's next unwrap answers 403 ForbiddenByRbac; a new assignment restores it.
// Config: {endpoints, tenants, vaultUri, vaultId, assignmentId, spId, appId, miClientId, keyName}
import { randomBytes, randomUUID } from "node:crypto";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { adminCredential, armOptions, attempt, main, tenant, workloadCredential } from "./_common.mjs";

const ROLE = "Key Vault Crypto Service Encryption User";

await main(async (cfg) => {
  const admin = adminCredential(cfg, "customer");
  const authz = new AuthorizationManagementClient(admin, tenant(cfg, "customer").subscriptionId, armOptions(cfg));
  const kc = new KeyClient(cfg.vaultUri, admin);
  const key = await kc.createRsaKey(cfg.keyName, { keySize: 2048 });
  const { cred } = workloadCredential(cfg, cfg);
  const cc = new CryptographyClient(key.id, cred);
  const dek = randomBytes(32);
  const wrapped = await cc.wrapKey("RSA-OAEP-256", dek);
  const same = (r) => r.ok && Buffer.compare(Buffer.from(r.value.result), dek) === 0;

  const before = await attempt(() => cc.unwrapKey("RSA-OAEP-256", wrapped.result));
  const existing = await authz.roleAssignments.getById(cfg.assignmentId);
  await authz.roleAssignments.deleteById(cfg.assignmentId);
  const getDeleted = await attempt(() => authz.roleAssignments.getById(cfg.assignmentId));
  const whileRevoked = await attempt(() => cc.unwrapKey("RSA-OAEP-256", wrapped.result));

  const defs = [];
  for await (const d of authz.roleDefinitions.list(cfg.vaultId, { filter: `roleName eq '${ROLE}'` })) defs.push(d);
  const created = await authz.roleAssignments.create(cfg.vaultId, randomUUID(), {
    roleDefinitionId: defs[0].id, principalId: cfg.spId, principalType: "ServicePrincipal" });
  const after = await attempt(() => cc.unwrapKey("RSA-OAEP-256", wrapped.result));

  return {
    keyId: key.id,
    before: { ok: before.ok, equal: same(before), error: before.error },
    existing: { id: existing.id, principalId: existing.principalId, roleDefinitionId: existing.roleDefinitionId,
                scope: existing.scope },
    getDeleted: { ok: getDeleted.ok, error: getDeleted.error },
    whileRevoked: { ok: whileRevoked.ok, error: whileRevoked.error },
    reassigned: { id: created.id, principalId: created.principalId, roleDefinitionId: created.roleDefinitionId,
                  scope: created.scope },
    after: { ok: after.ok, equal: same(after), error: after.error },
  };
});
