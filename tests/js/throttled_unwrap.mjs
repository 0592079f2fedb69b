// Under throttling, the JS CryptographyClient's retry policy honours Retry-After on 429 and
// every unwrap eventually succeeds. Config: {endpoints, tenants, keyId, appId, miClientId, count}
import { randomBytes } from "node:crypto";
import { CryptographyClient } from "@azure/keyvault-keys";
import { main, workloadCredential } from "./_common.mjs";

await main(async (cfg) => {
  const { cred } = workloadCredential(cfg, cfg);
  const cc = new CryptographyClient(cfg.keyId, cred);
  const dek = randomBytes(32);
  const wrapped = await cc.wrapKey("RSA-OAEP", dek);
  const started = Date.now();
  let unwrapped = 0;
  for (let i = 0; i < cfg.count; i++) {
    const r = await cc.unwrapKey("RSA-OAEP", wrapped.result);
    if (Buffer.compare(Buffer.from(r.result), dek) === 0) unwrapped++;
  }
  return { unwrapped, elapsedMs: Date.now() - started };
});
