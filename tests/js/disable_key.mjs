// Disabling the customer key revokes the provider: unwrap answers 403 KeyDisabled; enabling it
// again restores the same client. The customer admin flips the key with
// KeyClient.updateKeyProperties; the workload keeps one CryptographyClient throughout.
// Config: {endpoints, tenants, vaultUri, appId, miClientId, keyName}
import { randomBytes } from "node:crypto";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { adminCredential, attempt, main, workloadCredential } from "./_common.mjs";

await main(async (cfg) => {
  const kc = new KeyClient(cfg.vaultUri, adminCredential(cfg, "customer"));
  const key = await kc.createRsaKey(cfg.keyName, { keySize: 2048 });
  const version = key.properties.version;
  const { cred } = workloadCredential(cfg, cfg);
  const cc = new CryptographyClient(key.id, cred);
  const dek = randomBytes(32);
  const wrapped = await cc.wrapKey("RSA-OAEP-256", dek);
  const same = (r) => r.ok && Buffer.compare(Buffer.from(r.value.result), dek) === 0;

  const before = await attempt(() => cc.unwrapKey("RSA-OAEP-256", wrapped.result));
  const disabled = await kc.updateKeyProperties(cfg.keyName, version, { enabled: false });
  const whileDisabled = await attempt(() => cc.unwrapKey("RSA-OAEP-256", wrapped.result));
  const getWhileDisabled = await attempt(() => kc.getKey(cfg.keyName));
  const enabled = await kc.updateKeyProperties(cfg.keyName, version, { enabled: true });
  const after = await attempt(() => cc.unwrapKey("RSA-OAEP-256", wrapped.result));

  return {
    keyId: key.id,
    before: { ok: before.ok, equal: same(before), error: before.error },
    disabled: { id: disabled.id, enabled: disabled.properties.enabled },
    whileDisabled: { ok: whileDisabled.ok, error: whileDisabled.error },
    getWhileDisabled: getWhileDisabled.ok
      ? { ok: true, enabled: getWhileDisabled.value.properties.enabled }
      : { ok: false, error: getWhileDisabled.error },
    enabled: { id: enabled.id, enabled: enabled.properties.enabled },
    after: { ok: after.ok, equal: same(after), error: after.error },
  };
});
