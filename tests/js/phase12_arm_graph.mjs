// Phases 1 and 2 done entirely by the real JS management clients:
//   provider: Graph creates the multi-tenant app; ResourceManagementClient a resource group;
//             ManagedServiceIdentityClient the UAMI; Graph the FIC trusting the UAMI.
//   customer: Graph creates the app's service principal; ResourceManagementClient a group;
//             KeyVaultManagementClient (v5: credentials.scopes) an RBAC vault with purge
//             protection; AuthorizationManagementClient looks up roles by name and assigns them.
// Config: {endpoints, tenants, suffix}
import { randomUUID } from "node:crypto";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { ResourceManagementClient } from "@azure/arm-resources";
import graphClient from "@microsoft/microsoft-graph-client";
import graphAuth from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import {
  adminCredential, ARM_SCOPE, ARM_SCOPE_CORE, armOptions, GRAPH_SCOPE, main, tenant,
} from "./_common.mjs";

const { Client } = graphClient;
const { TokenCredentialAuthenticationProvider } = graphAuth;
const ENCRYPTION_USER = "Key Vault Crypto Service Encryption User";
const CRYPTO_OFFICER = "Key Vault Crypto Officer";

function graphFor(cfg, credential) {
  return Client.initWithMiddleware({
    baseUrl: cfg.endpoints.graph,
    defaultVersion: "v1.0",
    customHosts: new Set([new URL(cfg.endpoints.graph).hostname]),
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] }),
  });
}

async function roleByName(authz, scope, roleName) {
  const found = [];
  for await (const d of authz.roleDefinitions.list(scope, { filter: `roleName eq '${roleName}'` })) found.push(d);
  return found;
}

await main(async (cfg) => {
  const s = cfg.suffix;
  const prov = tenant(cfg, "provider");
  const cust = tenant(cfg, "customer");
  const provCred = adminCredential(cfg, "provider");
  const custCred = adminCredential(cfg, "customer");
  const out = {};

  // ---- phase 1: provider
  const pg = graphFor(cfg, provCred);
  const app = await pg.api("/applications").post({ displayName: `cmk-js-${s}`, signInAudience: "AzureADMultipleOrgs" });
  out.app = { id: app.id, appId: app.appId, displayName: app.displayName, signInAudience: app.signInAudience };

  const provRm = new ResourceManagementClient(provCred, prov.subscriptionId, armOptions(cfg, ARM_SCOPE));
  const provRg = await provRm.resourceGroups.createOrUpdate(`prov-js-${s}`, { location: "westus", tags: { scenario: "js" } });
  out.providerGroup = { id: provRg.id, name: provRg.name, location: provRg.location,
                        provisioningState: provRg.properties?.provisioningState, tags: provRg.tags };

  const msi = new ManagedServiceIdentityClient(provCred, prov.subscriptionId, armOptions(cfg, ARM_SCOPE_CORE));
  const uami = await msi.userAssignedIdentities.createOrUpdate(provRg.name, `mi-js-${s}`, { location: "westus" });
  out.uami = { id: uami.id, name: uami.name, type: uami.type, location: uami.location,
               principalId: uami.principalId, clientId: uami.clientId, tenantId: uami.tenantId };
  const uamiAgain = await msi.userAssignedIdentities.get(provRg.name, `mi-js-${s}`);
  out.uamiGet = { principalId: uamiAgain.principalId, clientId: uamiAgain.clientId };

  const fic = await pg.api(`/applications/${app.id}/federatedIdentityCredentials`).post({
    name: `fic-js-${s}`, issuer: `https://login.microsoftonline.com/${prov.tenantId}/v2.0`,
    subject: uami.principalId, audiences: ["api://AzureADTokenExchange"], description: "js phase 1" });
  out.fic = { id: fic.id, name: fic.name, issuer: fic.issuer, subject: fic.subject, audiences: fic.audiences };
  const ficList = await pg.api(`/applications/${app.id}/federatedIdentityCredentials`).get();
  out.ficListNames = (ficList.value || []).map((f) => f.name);

  // ---- phase 2: customer
  const cg = graphFor(cfg, custCred);
  const sp = await cg.api("/servicePrincipals").post({ appId: app.appId });
  out.sp = { id: sp.id, appId: sp.appId, appOwnerOrganizationId: sp.appOwnerOrganizationId,
             servicePrincipalType: sp.servicePrincipalType, accountEnabled: sp.accountEnabled,
             servicePrincipalNames: sp.servicePrincipalNames };
  const spList = await cg.api("/servicePrincipals").filter(`appId eq '${app.appId}'`).select("id,appId").get();
  out.spLookup = (spList.value || []).map((x) => ({ id: x.id, appId: x.appId }));

  const custRm = new ResourceManagementClient(custCred, cust.subscriptionId, armOptions(cfg, ARM_SCOPE));
  const custRg = await custRm.resourceGroups.createOrUpdate(`cust-js-${s}`, { location: "westus" });
  out.customerGroup = { id: custRg.id, name: custRg.name, provisioningState: custRg.properties?.provisioningState };

  const kvm = new KeyVaultManagementClient(custCred, cust.subscriptionId, {
    endpoint: cfg.endpoints.arm, credentials: { scopes: [ARM_SCOPE] } });
  const vault = await kvm.vaults.createOrUpdate(custRg.name, `kvjs${s}`, {
    location: "westus",
    properties: {
      tenantId: cust.tenantId, sku: { family: "A", name: "standard" }, accessPolicies: [],
      enableRbacAuthorization: true, enablePurgeProtection: true, enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
    },
  });
  out.vault = { id: vault.id, name: vault.name, location: vault.location,
                vaultUri: vault.properties?.vaultUri, tenantId: vault.properties?.tenantId,
                enableRbacAuthorization: vault.properties?.enableRbacAuthorization,
                enablePurgeProtection: vault.properties?.enablePurgeProtection,
                enableSoftDelete: vault.properties?.enableSoftDelete,
                provisioningState: vault.properties?.provisioningState };
  const vaultGet = await kvm.vaults.get(custRg.name, `kvjs${s}`);
  out.vaultGet = { id: vaultGet.id, vaultUri: vaultGet.properties?.vaultUri };

  const authz = new AuthorizationManagementClient(custCred, cust.subscriptionId, armOptions(cfg, ARM_SCOPE_CORE));
  const userDefs = await roleByName(authz, vault.id, ENCRYPTION_USER);
  const officerDefs = await roleByName(authz, vault.id, CRYPTO_OFFICER);
  out.roleDefinitions = userDefs.map((d) => ({ id: d.id, name: d.name, roleName: d.roleName, type: d.type,
    dataActions: (d.permissions || []).flatMap((p) => p.dataActions || []) }));
  out.officerDefinitionNames = officerDefs.map((d) => d.name);

  const officer = await authz.roleAssignments.create(vault.id, randomUUID(), {
    roleDefinitionId: officerDefs[0].id, principalId: cust.adminApp.servicePrincipalObjectId,
    principalType: "ServicePrincipal" });
  const user = await authz.roleAssignments.create(vault.id, randomUUID(), {
    roleDefinitionId: userDefs[0].id, principalId: sp.id, principalType: "ServicePrincipal" });
  const pick = (a) => ({ id: a.id, name: a.name, type: a.type, scope: a.scope, principalId: a.principalId,
                         principalType: a.principalType, roleDefinitionId: a.roleDefinitionId });
  out.officerAssignment = pick(officer);
  out.userAssignment = pick(user);
  const listed = [];
  for await (const a of authz.roleAssignments.listForScope(vault.id)) listed.push(a.id);
  out.assignmentsAtVault = listed;
  return out;
});
