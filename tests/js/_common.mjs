// Shared helpers for the scenario scripts driven by tests/blackbox/test_node_clients.py.
//
// Every scenario script takes one argument, a JSON object (at least {endpoints, tenants} from
// GET /_emulator/bootstrap, plus scenario fields), prints exactly one JSON object on stdout and
// exits 0; on an unexpected failure it prints {"fatal": {...error...}} and exits 1.
// Credentials are built explicitly (authorityHost + disableInstanceDiscovery), never from
// AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_FEDERATED_TOKEN_FILE (the harness strips those).
import { createRequire, syncBuiltinESMExports } from "node:module";
import {
  ClientAssertionCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from "@azure/identity";

const require = createRequire(import.meta.url);

export const EXCHANGE_SCOPE = "api://AzureADTokenExchange/.default";
export const ARM_SCOPE = "https://management.azure.com/.default";
export const ARM_SCOPE_CORE = "https://management.core.windows.net/.default";
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

export function config() {
  if (!process.argv[2]) throw new Error("usage: node script.mjs '<json config>'");
  return JSON.parse(process.argv[2]);
}

export function tenant(cfg, name) {
  const t = (cfg.tenants || []).find((x) => x.name === name);
  if (!t) throw new Error(`no tenant ${name} in config`);
  return t;
}

export function authorityOptions(cfg) {
  return { authorityHost: cfg.endpoints.login, disableInstanceDiscovery: true };
}

/** The seeded admin application of a tenant, as a ClientSecretCredential. */
export function adminCredential(cfg, name, secret) {
  const t = tenant(cfg, name);
  return new ClientSecretCredential(t.tenantId, t.adminApp.appId, secret ?? t.adminApp.clientSecret,
    authorityOptions(cfg));
}

/** The provider workload: user-assigned MI token -> federated exchange at the customer tenant. */
export function workloadCredential(cfg, { appId, miClientId, customerTenantId }) {
  const mi = new ManagedIdentityCredential({ clientId: miClientId });
  const cred = new ClientAssertionCredential(customerTenantId ?? tenant(cfg, "customer").tenantId, appId,
    async () => (await mi.getToken(EXCHANGE_SCOPE)).token, authorityOptions(cfg));
  return { mi, cred };
}

/** Which source msal-node picked for ManagedIdentityCredential ("AppService", "Imds", ...). */
export function miSource(mi) {
  try {
    return mi.managedIdentityApp.getManagedIdentitySource();
  } catch (e) {
    return `unknown: ${e.message}`;
  }
}

export function armOptions(cfg, scope = ARM_SCOPE) {
  return { endpoint: cfg.endpoints.arm, credentialScopes: [scope] };
}

export function jwtClaims(token) {
  const part = token.split(".")[1];
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

export function b64u(bytes) {
  return Buffer.from(bytes).toString("base64url");
}

/** Plain-JSON view of any error the SDKs throw (RestError, AuthenticationError, ...). */
export function errorInfo(e) {
  if (!e || typeof e !== "object") return { message: String(e) };
  const info = {
    name: e.name,
    message: e.message,
    statusCode: e.statusCode ?? e.status ?? e.response?.status,
    code: e.code,
  };
  if (e.details !== undefined) info.details = e.details;
  if (e.errorResponse !== undefined) info.errorResponse = e.errorResponse;
  const body = e.response?.bodyAsText;
  if (typeof body === "string") info.bodyAsText = body.slice(0, 4000);
  if (e.body !== undefined && typeof e.body !== "function") info.body = e.body;
  return JSON.parse(JSON.stringify(info, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
}

/** Runs `fn(cfg)` and prints its result; exits non-zero on an unexpected failure. */
export async function main(fn) {
  let out;
  try {
    out = await fn(config());
  } catch (e) {
    console.error(e?.stack || e);
    process.stdout.write(JSON.stringify({ fatal: errorInfo(e) }) + "\n");
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(out) + "\n");
  // Keep-alive sockets must not keep the process (and the test) waiting.
  process.exit(0);
}

/** Runs `fn` and returns {ok, value} or {ok:false, error} instead of throwing. */
export async function attempt(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: errorInfo(e) };
  }
}

/**
 * Records plain-http requests made through node:http (the managed-identity endpoint is the
 * only plain-http peer): returns the live list of {method, path, host, metadata, identityHeader}.
 */
export function recordPlainHttp() {
  const http = require("node:http");
  const seen = [];
  const original = http.request;
  http.request = function patchedRequest(...args) {
    const req = original.apply(this, args);
    try {
      seen.push({
        method: req.method,
        host: req.getHeader("host") ?? req.host,
        path: req.path,
        metadata: req.getHeader("metadata") ?? null,
        identityHeader: req.getHeader("x-identity-header") ? "present" : null,
      });
    } catch {
      /* recording must never break the request */
    }
    return req;
  };
  syncBuiltinESMExports();
  return seen;
}
