// Token-service failures as the JS credentials surface them (AADSTS codes must survive):
//   badSecret      ClientSecretCredential with a wrong secret            -> AADSTS7000215
//   noSp           exchange for an app with no service principal in the
//                  customer tenant (its FIC matches the UAMI)              -> AADSTS700016
//   ficMismatch    exchange for an app whose only FIC names another subject -> AADSTS700213
//   unknownMi      ManagedIdentityCredential with a client id nobody has   -> MI endpoint error
// Config: {endpoints, tenants, miClientId, noSpAppId, ficMismatchAppId}
import { ManagedIdentityCredential } from "@azure/identity";
import {
  adminCredential, ARM_SCOPE, attempt, EXCHANGE_SCOPE, main, workloadCredential,
} from "./_common.mjs";

await main(async (cfg) => {
  const vaultScope = `${cfg.endpoints.vaultResource}/.default`;
  const out = {};
  out.goodSecret = await attempt(async () => (await adminCredential(cfg, "customer").getToken(ARM_SCOPE)).token.length);
  out.badSecret = await attempt(() => adminCredential(cfg, "customer", "definitely-not-the-secret").getToken(ARM_SCOPE));
  out.noSp = await attempt(() =>
    workloadCredential(cfg, { appId: cfg.noSpAppId, miClientId: cfg.miClientId }).cred.getToken(vaultScope));
  out.ficMismatch = await attempt(() =>
    workloadCredential(cfg, { appId: cfg.ficMismatchAppId, miClientId: cfg.miClientId }).cred.getToken(vaultScope));
  out.unknownMi = await attempt(() =>
    new ManagedIdentityCredential({ clientId: "00000000-0000-0000-0000-0000000000ab" }).getToken(EXCHANGE_SCOPE));
  return out;
});
