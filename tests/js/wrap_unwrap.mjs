// Phase 3 with the real JS SDKs: the customer admin creates an RSA key (challenge verification
// ON), then the provider workload (ManagedIdentityCredential -> ClientAssertionCredential)
// wraps and unwraps a 32-byte DEK with RSA-OAEP-256 through a CryptographyClient.
// Config: {endpoints, tenants, vaultUri, appId, miClientId, keyName}
import { randomBytes } from "node:crypto";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { adminCredential, jwtClaims, main, miSource, recordPlainHttp, workloadCredential, EXCHANGE_SCOPE } from "./_common.mjs";

await main(async (cfg) => {
  const miRequests = recordPlainHttp();
  const kc = new KeyClient(cfg.vaultUri, adminCredential(cfg, "customer"));
  const key = await kc.createRsaKey(cfg.keyName, { keySize: 2048 });

  const { mi, cred } = workloadCredential(cfg, cfg);
  const cc = new CryptographyClient(key.id, cred);
  const dek = randomBytes(32);
  const wrapped = await cc.wrapKey("RSA-OAEP-256", dek);
  const unwrapped = await cc.unwrapKey("RSA-OAEP-256", wrapped.result);

  const miToken = await mi.getToken(EXCHANGE_SCOPE);
  const vaultToken = await cred.getToken(`${cfg.endpoints.vaultResource}/.default`);
  return {
    miSource: miSource(mi),
    miRequests,
    key: { id: key.id, name: key.name, version: key.properties.version, kty: key.keyType,
           keyOps: key.keyOperations, enabled: key.properties.enabled, vaultUrl: key.properties.vaultUrl,
           nLength: key.key.n.length },
    wrap: { keyID: wrapped.keyID, algorithm: wrapped.algorithm, length: wrapped.result.length },
    unwrap: { keyID: unwrapped.keyID, equal: Buffer.compare(Buffer.from(unwrapped.result), dek) === 0,
              length: unwrapped.result.length },
    miClaims: jwtClaims(miToken.token),
    vaultClaims: jwtClaims(vaultToken.token),
  };
});
