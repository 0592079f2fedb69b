"""Key lifecycle and crypto through the real Python KeyClient / CryptographyClient (customer
admin as Crypto Officer), plus the bad-input answers of the data plane over raw HTTP.
"""
import hashlib
import os
import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.keys import (KeyClient, KeyCurveName, KeyRotationLifetimeAction, KeyRotationPolicy,
                                 KeyRotationPolicyAction)
from azure.keyvault.keys.crypto import (CryptographyClient, EncryptionAlgorithm, KeyWrapAlgorithm,
                                        SignatureAlgorithm)
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from flow import b64, setup_chain, unb64, use_workload_environment


@pytest.fixture(scope="module")
def chain(emulator):
    mp = pytest.MonkeyPatch()
    use_workload_environment(mp, emulator)
    yield setup_chain(emulator)
    mp.undo()


@pytest.fixture
def kc(chain):
    return chain.customer_key_client()


def name():
    return "k" + uuid.uuid4().hex[:10]


def admin_cc(chain, key_id):
    return CryptographyClient(key_id, chain.cloud.admin_credential("customer"))


def raw(chain, method, path, body=None, raw_body=None, headers=None):
    tok = chain.cloud.token("customer", "https://vault.azure.net/.default")
    h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
    h.update(headers or {})
    return chain.cloud.http.request(method, f"{chain.vault_uri}{path}?api-version=7.4", json=body, data=raw_body,
                                    headers=h, timeout=30)


@pytest.mark.parametrize("size", [2048, 3072, 4096])
def test_rsa_sizes_and_oaep_interop_with_openssl(chain, kc, size):
    key = kc.create_rsa_key(name(), size=size)
    assert key.key.n and len(key.key.n) == size // 8 and key.key.e == b"\x01\x00\x01"
    assert not any(getattr(key.key, f, None) for f in ("d", "p", "q", "dp", "dq", "qi"))
    pub = rsa.RSAPublicNumbers(int.from_bytes(key.key.e, "big"), int.from_bytes(key.key.n, "big")).public_key()
    secret = os.urandom(32)
    # Wrapped by plain OpenSSL with the public key, unwrapped by the vault.
    wrapped = pub.encrypt(secret, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    r = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/unwrapkey",
            {"alg": "RSA-OAEP-256", "value": b64(wrapped)})
    assert r.status_code == 200 and unb64(r.json()["value"]) == secret


def test_ec_keys_sign_and_verify_with_every_curve(chain, kc):
    for curve, alg, digest in [(KeyCurveName.p_256, SignatureAlgorithm.es256, hashlib.sha256),
                               (KeyCurveName.p_384, SignatureAlgorithm.es384, hashlib.sha384),
                               (KeyCurveName.p_521, SignatureAlgorithm.es512, hashlib.sha512),
                               (KeyCurveName.p_256_k, SignatureAlgorithm.es256_k, hashlib.sha256)]:
        key = kc.create_ec_key(name(), curve=curve)
        assert key.key.crv == curve and key.key.x and not key.key.d
        cc = admin_cc(chain, key.id)
        d = digest(b"crosskey").digest()
        sig = cc.sign(alg, d).signature
        assert cc.verify(alg, d, sig).is_valid
        assert not cc.verify(alg, digest(b"other").digest(), sig).is_valid


def test_rsa_sign_verify_and_encrypt_decrypt(chain, kc):
    key = kc.create_rsa_key(name())
    cc = admin_cc(chain, key.id)
    d = hashlib.sha256(b"payload").digest()
    for alg in (SignatureAlgorithm.rs256, SignatureAlgorithm.ps256):
        assert cc.verify(alg, d, cc.sign(alg, d).signature).is_valid
    for alg in (EncryptionAlgorithm.rsa_oaep, EncryptionAlgorithm.rsa_oaep_256, EncryptionAlgorithm.rsa1_5):
        ct = cc.encrypt(alg, b"hello").ciphertext
        r = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/decrypt", {"alg": alg.value, "value": b64(ct)})
        assert r.status_code == 200 and unb64(r.json()["value"]) == b"hello"


def test_oct_keys_wrap_with_aes_kw_and_gcm(chain, kc):
    for size, alg in [(128, "A128KW"), (192, "A192KW"), (256, "A256KW")]:
        key = kc.create_oct_key(name(), size=size)
        assert key.key.kty == "oct" and not key.key.k
        dek = os.urandom(32)
        r = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/wrapkey", {"alg": alg, "value": b64(dek)})
        assert r.status_code == 200, r.text
        r2 = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/unwrapkey", {"alg": alg, "value": r.json()["value"]})
        assert unb64(r2.json()["value"]) == dek
    key = kc.create_oct_key(name(), size=256)
    r = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/encrypt", {"alg": "A256GCM", "value": b64(b"data"), "aad": b64(b"ctx")})
    assert r.status_code == 200 and "iv" in r.json() and "tag" in r.json()
    body = {"alg": "A256GCM", "value": r.json()["value"], "iv": r.json()["iv"], "tag": r.json()["tag"], "aad": b64(b"ctx")}
    r2 = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/decrypt", body)
    assert unb64(r2.json()["value"]) == b"data"
    body["aad"] = b64(b"tampered")
    assert raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/decrypt", body).status_code == 400


def test_versions_update_and_list(kc):
    n = name()
    first = kc.create_rsa_key(n)
    second = kc.create_rsa_key(n)
    assert first.properties.version != second.properties.version and len(second.properties.version) == 32
    assert kc.get_key(n).properties.version == second.properties.version
    assert kc.get_key(n, first.properties.version).key.n == first.key.n
    versions = {p.version for p in kc.list_properties_of_key_versions(n)}
    assert versions == {first.properties.version, second.properties.version}
    assert n in {p.name for p in kc.list_properties_of_keys()}
    updated = kc.update_key_properties(n, tags={"env": "test"}, key_operations=["wrapKey", "unwrapKey"])
    assert updated.properties.tags == {"env": "test"} and set(updated.key_operations) == {"wrapKey", "unwrapKey"}


def test_key_ops_and_expiry_gate(chain, kc):
    n = name()
    key = kc.create_rsa_key(n, key_operations=["unwrapKey"])
    r = raw(chain, "POST", f"/keys/{n}/{key.properties.version}/wrapkey", {"alg": "RSA-OAEP", "value": b64(b"x" * 32)})
    assert r.status_code == 403 and r.json()["error"]["innererror"]["code"] == "KeyOperationForbidden"
    key = kc.create_rsa_key(name())
    import datetime
    kc.update_key_properties(key.name, expires_on=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10))
    wrapped = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/wrapkey", {"alg": "RSA-OAEP", "value": b64(b"y" * 32)})
    assert wrapped.status_code == 200
    chain.cloud.advance_clock(1200)  # past exp, still within the token's lifetime
    try:
        r = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/wrapkey", {"alg": "RSA-OAEP", "value": b64(b"y" * 32)})
        assert r.status_code == 403 and r.json()["error"]["innererror"]["code"] == "KeyExpired"
        # Existing data stays readable after exp, as Key Vault documents.
        r = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/unwrapkey", {"alg": "RSA-OAEP", "value": wrapped.json()["value"]})
        assert r.status_code == 200
    finally:
        chain.cloud.advance_clock(-1200)


def test_not_yet_valid_key_still_unwraps_and_decrypts(chain, kc):
    """Key Vault's date-time controlled operations: outside the nbf/exp window, wrapKey, encrypt
    and sign are refused; unwrapKey, decrypt and verify work (about-keys-details)."""
    import datetime
    from azure.keyvault.keys.crypto import KeyWrapAlgorithm
    key = kc.create_rsa_key(name())
    wrapped = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/wrapkey",
                  {"alg": "RSA-OAEP", "value": b64(b"z" * 32)})
    assert wrapped.status_code == 200
    kc.update_key_properties(key.name, not_before=datetime.datetime.now(datetime.timezone.utc) +
                             datetime.timedelta(days=1))
    r = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/wrapkey", {"alg": "RSA-OAEP", "value": b64(b"z" * 32)})
    assert r.status_code == 403 and r.json()["error"]["innererror"]["code"] == "KeyNotYetValid", r.text
    crypto = admin_cc(chain, key.id)
    import base64
    ciphertext = base64.urlsafe_b64decode(wrapped.json()["value"] + "==")
    assert crypto.unwrap_key(KeyWrapAlgorithm.rsa_oaep, ciphertext).key == b"z" * 32


def test_soft_delete_recover_and_purge_protection(chain, kc):
    n = name()
    kc.create_rsa_key(n)
    deleted = kc.begin_delete_key(n).result()
    assert deleted.recovery_id.endswith(f"/deletedkeys/{n}") and deleted.scheduled_purge_date
    with pytest.raises(ResourceNotFoundError):
        kc.get_key(n)
    assert n in {d.name for d in kc.list_deleted_keys()}
    with pytest.raises(ResourceExistsError):
        kc.create_rsa_key(n)
    with pytest.raises(HttpResponseError) as e:
        kc.purge_deleted_key(n)
    assert e.value.status_code == 403 and "purge protection" in str(e.value)
    recovered = kc.begin_recover_deleted_key(n).result()
    assert recovered.name == n and kc.get_key(n).properties.enabled


def test_purge_allowed_without_purge_protection(chain):
    c = chain.cloud
    cu = c.tenant("customer")
    vault = "np" + uuid.uuid4().hex[:10]
    group = chain.vault_id.split("/providers/")[0]
    vid = f"{group}/providers/Microsoft.KeyVault/vaults/{vault}"
    r = c.arm("PUT", "customer", vid, {"location": "westus", "properties": {
        "tenantId": cu["tenantId"], "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": True}})
    assert r.status_code in (200, 201), r.text
    assert c.assign("customer", vid, "Key Vault Crypto Officer", cu["adminApp"]["servicePrincipalObjectId"]).status_code == 201
    kc = KeyClient(r.json()["properties"]["vaultUri"], c.admin_credential("customer"))
    n = name()
    kc.create_rsa_key(n)
    assert kc.begin_delete_key(n).result().properties.recovery_level == "Recoverable+Purgeable"
    kc.purge_deleted_key(n)
    with pytest.raises(ResourceNotFoundError):
        kc.get_deleted_key(n)
    kc.create_rsa_key(n)  # the name is free again


def test_backup_restore_and_blob_is_sealed(chain, kc):
    n = name()
    key = kc.create_rsa_key(n)
    blob = kc.backup_key(n)
    assert key.key.n not in blob and b"BEGIN" not in blob
    kc.begin_delete_key(n).result()
    with pytest.raises(ResourceExistsError):
        kc.restore_key_backup(blob)
    with pytest.raises(HttpResponseError) as e:
        kc.restore_key_backup(blob[:-5] + b"xxxxx")
    assert e.value.status_code == 400
    other = chain.cloud  # restore into the same vault under a free name: purge is refused here, so use a fresh backup
    n2 = name()
    key2 = kc.create_rsa_key(n2)
    blob2 = kc.backup_key(n2)
    raw(chain, "DELETE", f"/keys/{n2}")
    assert other
    assert raw(chain, "POST", "/keys/restore", {"value": b64(blob2)}).status_code == 409


def test_rotate_and_rotation_policy_on_the_emulator_clock(chain, kc):
    n = name()
    first = kc.create_rsa_key(n)
    rotated = kc.rotate_key(n)
    assert rotated.properties.version != first.properties.version and rotated.key.n != first.key.n
    policy = kc.update_key_rotation_policy(n, KeyRotationPolicy(lifetime_actions=[
        KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P30D")], expires_in="P90D"))
    assert policy.lifetime_actions[0].time_after_create == "P30D"
    got = kc.get_key_rotation_policy(n)
    assert got.expires_in == "P90D"
    chain.cloud.advance_clock(31 * 86400)
    try:
        latest = chain.customer_key_client().get_key(n)  # a fresh credential: the old token expired
        assert latest.properties.version not in (first.properties.version, rotated.properties.version)
        assert latest.properties.expires_on is not None
    finally:
        chain.cloud.advance_clock(-31 * 86400)


def test_import_jwk_and_random_bytes(chain, kc):
    from azure.keyvault.keys import JsonWebKey
    priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nums = priv.private_numbers()

    def be(i):
        return i.to_bytes((i.bit_length() + 7) // 8, "big")
    jwk = JsonWebKey(kty="RSA", n=be(nums.public_numbers.n), e=be(nums.public_numbers.e), d=be(nums.d), p=be(nums.p),
                     q=be(nums.q), dp=be(nums.dmp1), dq=be(nums.dmq1), qi=be(nums.iqmp))
    imported = kc.import_key(name(), jwk)
    assert imported.key.n == be(nums.public_numbers.n) and not imported.key.d
    wrapped = priv.public_key().encrypt(b"k" * 32, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None))
    assert admin_cc(chain, imported.id).unwrap_key(KeyWrapAlgorithm.rsa_oaep, wrapped).key == b"k" * 32
    r = raw(chain, "POST", "/rng", {"count": 16})
    assert r.status_code == 200 and len(unb64(r.json()["value"])) == 16


@pytest.mark.parametrize("body,expect", [
    ({"alg": "RSA-OAEP", "value": "***not base64url***"}, "BadParameter"),
    ({"alg": "NOPE", "value": b64(b"x")}, "BadParameter"),
    ({"value": b64(b"x")}, "BadParameter"),
    ({"alg": "RSA-OAEP", "value": b64(b"x" * 10)}, "BadParameter"),  # wrong ciphertext length
    ({"alg": "A256KW", "value": b64(b"x" * 32)}, "BadParameter"),   # alg for another key type
])
def test_bad_crypto_input_gets_400(chain, kc, body, expect):
    key = kc.create_rsa_key(name())
    r = raw(chain, "POST", f"/keys/{key.name}/{key.properties.version}/unwrapkey", body)
    assert r.status_code == 400 and r.json()["error"]["code"] == expect


def test_malformed_json_huge_body_unknown_key_and_unknown_op(chain, kc):
    assert raw(chain, "POST", "/keys/x/create", raw_body=b"{not json").status_code == 400
    r = raw(chain, "POST", "/keys/x/create", raw_body=b"{" + b" " * (2 << 20) + b"}")
    assert r.status_code == 413
    r = raw(chain, "GET", "/keys/does-not-exist/")
    assert r.status_code == 404 and r.json()["error"]["code"] == "KeyNotFound"
    r = raw(chain, "GET", "/secrets/s1")
    assert r.status_code == 501 and "NotImplemented" == r.json()["error"]["code"]
    r = raw(chain, "POST", "/keys/x/create", {"kty": "RSA", "key_size": 1024})
    assert r.status_code == 400


def test_unknown_vault_host_is_404(chain):
    tok = chain.cloud.token("customer", "https://vault.azure.net/.default")
    url = chain.vault_uri.replace(chain.vault, "nosuchvault")
    r = chain.cloud.http.get(f"{url}/keys?api-version=7.4", headers={"Authorization": "Bearer " + tok}, timeout=30)
    assert r.status_code == 404 and r.json()["error"]["code"] == "VaultNotFound"


def test_key_names_and_tags_follow_key_vaults_rules(chain, kc):
    """Key Vault object names are ^[0-9a-zA-Z-]{1,127}$; tags are at most 15 strings."""
    for bad in ("bad_name", "a" * 128, "caf\u00e9"):
        with pytest.raises(HttpResponseError) as e:
            kc.create_rsa_key(bad)
        assert e.value.status_code == 400 and e.value.error.code == "BadParameter", bad
    r = raw(chain, "POST", "/keys/x%00y/create", {"kty": "RSA"})
    assert r.status_code == 400, r.text
    with pytest.raises(HttpResponseError) as many:
        kc.create_rsa_key(name(), tags={f"t{i}": "v" for i in range(16)})
    assert many.value.status_code == 400
    r = raw(chain, "POST", f"/keys/{name()}/create", {"kty": "RSA", "tags": {"n": 5}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "BadParameter", r.text
    key = kc.create_rsa_key(name(), tags={f"t{i}": "v" for i in range(15)})
    assert len(key.properties.tags) == 15
