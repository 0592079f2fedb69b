// Preload for `node --require ./resolve-hosts.cjs script.mjs`: makes the emulator's host
// names resolve to loopback inside this Node process only, so JS tests need neither root nor
// an edited /etc/hosts (every vault has its own name and /etc/hosts has no wildcards).
//
//   CK_HOSTS          comma-separated exact names, e.g. "login.microsoftonline.com"
//   CK_HOST_SUFFIXES  comma-separated domain suffixes, e.g. ".crosskey.test"; a suffix also
//                     matches the bare domain ("crosskey.test")
//
// Everything else goes to the real resolver. net, tls, http(s) and the global fetch (undici)
// all read `dns.lookup` from the module object at connect time, which is why patching the
// property is enough. It is CommonJS because `--require` loads CommonJS only.
'use strict';

const dns = require('node:dns');

function splitList(value) {
  return (value || '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

const exactNames = new Set(splitList(process.env.CK_HOSTS));
const suffixes = splitList(process.env.CK_HOST_SUFFIXES).map((s) =>
  s.startsWith('.') ? s : `.${s}`,
);

function isLoopbackName(hostname) {
  if (typeof hostname !== 'string' || hostname === '') return false;
  // Absolute names ("host.") and upper case must match the same entries.
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (exactNames.has(name)) return true;
  return suffixes.some((s) => name.endsWith(s) || name === s.slice(1));
}

// dns.lookup's family may be 0/4/6 or, since Node 20, 'IPv4'/'IPv6'.
function requestedFamily(options) {
  if (typeof options === 'number') return options;
  if (options && typeof options === 'object') {
    const f = options.family;
    if (f === 'IPv4') return 4;
    if (f === 'IPv6') return 6;
    if (typeof f === 'number') return f;
  }
  return 0;
}

// The emulator listens on 127.0.0.1. Only an explicit IPv6-only lookup gets ::1, because
// handing an IPv4 address to a caller that asked for family 6 breaks its socket setup.
function loopbackAnswer(options) {
  return requestedFamily(options) === 6
    ? { address: '::1', family: 6 }
    : { address: '127.0.0.1', family: 4 };
}

function wantsAll(options) {
  return Boolean(options && typeof options === 'object' && options.all);
}

const originalLookup = dns.lookup;

function lookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  if (!isLoopbackName(hostname)) {
    return originalLookup.call(dns, hostname, options, callback);
  }
  const answer = loopbackAnswer(options);
  // Real lookups never call back synchronously; some callers depend on that ordering.
  process.nextTick(() => {
    if (wantsAll(options)) callback(null, [answer]);
    else callback(null, answer.address, answer.family);
  });
  return {};
}

dns.lookup = lookup;

// `require('dns').promises` and `require('dns/promises')` are the same object.
const promises = dns.promises;
const originalPromisesLookup = promises.lookup;
promises.lookup = async function lookupPromise(hostname, options) {
  if (!isLoopbackName(hostname)) {
    return originalPromisesLookup.call(promises, hostname, options);
  }
  const answer = loopbackAnswer(options);
  return wantsAll(options) ? [answer] : answer;
};

module.exports = { isLoopbackName };
