// KeyVaultService: the gate before every key operation (each refusal), access-policy vaults,
// soft delete / recover / purge, every algorithm through the service, interoperability with
// raw OpenSSL, and disabling a key while other threads unwrap.
#include "emulator/keyvault/key_vault_service.h"

#include <gtest/gtest.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "emulator/cloud/cloud.h"
#include "emulator/common/text.h"
#include "emulator/crypto/encoding.h"
#include "emulator/keyvault/errors.h"
#include "emulator/token/audience.h"

namespace crosskey::keyvault {
namespace {

using json = nlohmann::json;

constexpr const char* kCryptoOfficer = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
constexpr const char* kEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

// Asserts a Key Vault refusal by HTTP status, code and innererror code.
void ExpectKvError(const Error& e, int status, const std::string& code, const std::string& inner = "") {
  EXPECT_EQ(e.http_status, status) << e.message;
  EXPECT_EQ(e.code, code) << e.message;
  EXPECT_EQ(e.inner_code, inner) << e.message;
}

// ---- raw OpenSSL, independent of crypto::KeyMaterial's own code paths

std::string EvpRsa(EVP_PKEY* pkey, bool encrypt, const std::string& in, int padding, const EVP_MD* md) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey, nullptr);
  EXPECT_NE(ctx, nullptr);
  EXPECT_EQ(encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, padding), 1);
  if (padding == RSA_PKCS1_OAEP_PADDING) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md), 1);
  }
  auto* src = reinterpret_cast<const unsigned char*>(in.data());
  size_t len = 0;
  int rc = encrypt ? EVP_PKEY_encrypt(ctx, nullptr, &len, src, in.size())
                   : EVP_PKEY_decrypt(ctx, nullptr, &len, src, in.size());
  EXPECT_EQ(rc, 1);
  std::string out(len, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  rc = encrypt ? EVP_PKEY_encrypt(ctx, dst, &len, src, in.size()) : EVP_PKEY_decrypt(ctx, dst, &len, src, in.size());
  EXPECT_EQ(rc, 1);
  out.resize(rc == 1 ? len : 0);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

bool EvpVerifyDigest(EVP_PKEY* pkey, const std::string& digest, const std::string& signature, int rsa_padding) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey, nullptr);
  EVP_PKEY_verify_init(ctx);
  if (rsa_padding) EVP_PKEY_CTX_set_rsa_padding(ctx, rsa_padding);
  EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
  int rc = EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                           reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
  EVP_PKEY_CTX_free(ctx);
  return rc == 1;
}

// JWS r||s -> DER ECDSA-Sig-Value, as OpenSSL verifies it.
std::string RawEcdsaToDer(const std::string& raw) {
  size_t half = raw.size() / 2;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), half, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + half, half, nullptr));
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

// A Key Vault caller as the data plane builds it from a validated token's claims.
KvCaller Caller(const std::string& tenant_id, const std::string& object_id, const std::string& app_id = "",
                const std::string& issuer = "") {
  KvCaller caller;
  caller.tenant_id = tenant_id;
  caller.object_id = object_id;
  caller.app_id = app_id;
  caller.issuer = issuer;
  return caller;
}

CreateKeyParams Params(const std::string& kty, int key_size = 0, const std::string& crv = "") {
  CreateKeyParams p;
  p.kty = kty;
  p.key_size = key_size;
  p.crv = crv;
  return p;
}

class KeyVaultServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cloud_.LoadDefaultFixture().ok());
    customer_ = cloud_.bootstrap()[1];
    admin_ = {customer_.tenant_id, customer_.admin_user_object_id, customer_.admin_username};
    group_ = "/subscriptions/" + customer_.subscription_id + "/resourceGroups/kv-rg";
    ASSERT_TRUE(cloud_.resources.Put(admin_, group_, {{"location", "westus"}}).ok());
    officer_ = AddUser("officer");
    wrapper_ = AddUser("wrapper");
    stranger_ = AddUser("stranger");
    CreateVault("kvrbac", true, true);
    CreateVault("kvnopp", true, false);
    for (const char* vault : {"kvrbac", "kvnopp"}) {
      Assign(vault, kCryptoOfficer, officer_.object_id);
      Assign(vault, kEncryptionUser, wrapper_.object_id);
    }
  }

  KvCaller AddUser(const std::string& name) {
    graph::User u;
    u.user_principal_name = name + "@customer.test";
    u.password = "x";
    auto user = cloud_.directory.AddUser(customer_.tenant_id, u);
    EXPECT_TRUE(user.ok());
    return Caller(customer_.tenant_id, user->object_id, "", token::V1Issuer(customer_.tenant_id));
  }
  void CreateVault(const std::string& name, bool rbac, bool purge_protection, json policies = json::array()) {
    json props = {{"tenantId", customer_.tenant_id},
                  {"sku", {{"family", "A"}, {"name", "standard"}}},
                  {"enableRbacAuthorization", rbac},
                  {"accessPolicies", policies}};
    if (purge_protection) props["enablePurgeProtection"] = true;
    auto r = cloud_.resources.Put(admin_, VaultId(name), {{"location", "westus"}, {"properties", props}});
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  std::string VaultId(const std::string& name) const { return group_ + "/providers/Microsoft.KeyVault/vaults/" + name; }
  // Assigns a role at a vault, or at a key with key = "k".
  void Assign(const std::string& vault, const std::string& role, const std::string& principal,
              const std::string& key = "") {
    json body = {{"properties",
                  {{"roleDefinitionId", "/providers/Microsoft.Authorization/roleDefinitions/" + role},
                   {"principalId", principal}}}};
    std::string scope = VaultId(vault) + (key.empty() ? "" : "/keys/" + key);
    auto r = cloud_.resources.PutRoleAssignment(admin_, scope, NewGuid(), body);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  KeyVersionSnapshot Create(const std::string& name, CreateKeyParams params = {}, const std::string& vault = "kvrbac") {
    if (params.kty.empty()) params.kty = "RSA";
    auto k = cloud_.keyvault.CreateKey(vault, officer_, name, params);
    EXPECT_TRUE(k.ok()) << k.error().message;
    return k.ok() ? *k : nullptr;
  }
  StatusOr<CryptoResult> Crypt(const KvCaller& caller, const std::string& name, const std::string& op,
                               const std::string& alg, const std::string& value,
                               const crypto::SymmetricParams& params = {}, const std::string& vault = "kvrbac",
                               const std::string& version = "") {
    return cloud_.keyvault.Crypt(vault, caller, name, version, op, alg, value, params);
  }
  KeyVersionSnapshot Update(const std::string& name, const KeyUpdate& update, const std::string& vault = "kvrbac") {
    auto k = cloud_.keyvault.UpdateKey(vault, officer_, name, "", update);
    EXPECT_TRUE(k.ok()) << k.error().message;
    return k.ok() ? *k : nullptr;
  }

  Cloud cloud_{CloudConfig{}};
  BootstrapTenant customer_;
  arm::ArmCaller admin_;
  std::string group_;
  KvCaller officer_, wrapper_, stranger_;
  const std::string cek_ = crypto::RandomBytes(32);
};

// ------------------------------------------------------------------------- the gate

TEST_F(KeyVaultServiceTest, CallerWithoutRoleIsForbiddenByRbac) {
  Create("k");
  auto r = Crypt(stranger_, "k", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 403, "Forbidden", "ForbiddenByRbac");
  EXPECT_NE(r.error().message.find("Microsoft.KeyVault/vaults/keys/wrap/action"), std::string::npos);
  // Authorization comes before existence: no hint about which keys exist.
  r = Crypt(stranger_, "no-such-key", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 403, "Forbidden", "ForbiddenByRbac");
  // The encryption-user role wraps but neither encrypts nor creates keys.
  EXPECT_TRUE(Crypt(wrapper_, "k", "wrapKey", "RSA-OAEP", cek_).ok());
  r = Crypt(wrapper_, "k", "encrypt", "RSA-OAEP", cek_);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 403, "Forbidden", "ForbiddenByRbac");
  auto c = cloud_.keyvault.CreateKey("kvrbac", wrapper_, "mine", Params("RSA"));
  ASSERT_FALSE(c.ok());
  ExpectKvError(c.error(), 403, "Forbidden", "ForbiddenByRbac");
  // A token-tenant admin with Owner has no data actions either.
  KvCaller admin = Caller(customer_.tenant_id, customer_.admin_user_object_id);
  r = Crypt(admin, "k", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 403, "Forbidden", "ForbiddenByRbac");
}

TEST_F(KeyVaultServiceTest, RoleAtKeyScopeCoversOnlyThatKey) {
  Create("k1");
  Create("k2");
  Assign("kvrbac", kEncryptionUser, stranger_.object_id, "k1");
  EXPECT_TRUE(Crypt(stranger_, "k1", "wrapKey", "RSA-OAEP", cek_).ok());
  auto r = Crypt(stranger_, "k2", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().inner_code, "ForbiddenByRbac");
}

TEST_F(KeyVaultServiceTest, UnknownVaultKeyOrVersionIsNotFound) {
  Create("k");
  auto r = Crypt(officer_, "missing", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 404, "KeyNotFound");
  r = Crypt(officer_, "k", "wrapKey", "RSA-OAEP", cek_, {}, "kvrbac", std::string(32, '0'));
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 404, "KeyNotFound");
  r = Crypt(officer_, "k", "wrapKey", "RSA-OAEP", cek_, {}, "nosuchvault");
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 404, "VaultNotFound");
}

TEST_F(KeyVaultServiceTest, DisabledKeyRefusesCryptoButStaysReadable) {
  Create("k");
  auto wrapped = Crypt(wrapper_, "k", "wrapKey", "RSA-OAEP-256", cek_);
  ASSERT_TRUE(wrapped.ok());
  KeyUpdate disable;
  disable.enabled = false;
  ASSERT_FALSE(Update("k", disable)->attributes.enabled);
  for (const char* op : {"wrapKey", "unwrapKey"}) {
    auto r = Crypt(wrapper_, "k", op, "RSA-OAEP-256", op == std::string("wrapKey") ? cek_ : wrapped->output.value);
    ASSERT_FALSE(r.ok()) << op;
    ExpectKvError(r.error(), 403, "Forbidden", "KeyDisabled");
  }
  EXPECT_TRUE(cloud_.keyvault.GetKey("kvrbac", wrapper_, "k", "").ok());
  KeyUpdate enable;
  enable.enabled = true;
  Update("k", enable);
  auto r = Crypt(wrapper_, "k", "unwrapKey", "RSA-OAEP-256", wrapped->output.value);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output.value, cek_);
}

TEST_F(KeyVaultServiceTest, ExpiredKeyProtectsNoNewDataButStillUnprotects) {
  CreateKeyParams params = Params("RSA");
  params.attributes.expires = cloud_.clock.Now() + 60;
  Create("k", params);
  auto wrapped = Crypt(officer_, "k", "wrapKey", "RSA-OAEP", cek_);
  auto encrypted = Crypt(officer_, "k", "encrypt", "RSA-OAEP", cek_);
  std::string digest = crypto::Sha256("message");
  auto signature = cloud_.keyvault.Sign("kvrbac", officer_, "k", "", "RS256", digest);
  ASSERT_TRUE(wrapped.ok() && encrypted.ok() && signature.ok());

  cloud_.clock.Advance(60);
  for (const char* op : {"wrapKey", "encrypt"}) {
    auto r = Crypt(officer_, "k", op, "RSA-OAEP", cek_);
    ASSERT_FALSE(r.ok()) << op;
    ExpectKvError(r.error(), 403, "Forbidden", "KeyExpired");
  }
  auto s = cloud_.keyvault.Sign("kvrbac", officer_, "k", "", "RS256", digest);
  ASSERT_FALSE(s.ok());
  ExpectKvError(s.error(), 403, "Forbidden", "KeyExpired");

  auto unwrapped = Crypt(officer_, "k", "unwrapKey", "RSA-OAEP", wrapped->output.value);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.error().message;
  EXPECT_EQ(unwrapped->output.value, cek_);
  auto decrypted = Crypt(officer_, "k", "decrypt", "RSA-OAEP", encrypted->output.value);
  ASSERT_TRUE(decrypted.ok());
  EXPECT_EQ(decrypted->output.value, cek_);
  auto verified = cloud_.keyvault.Verify("kvrbac", officer_, "k", "", "RS256", digest, signature->output.value);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->second);
}

TEST_F(KeyVaultServiceTest, NotYetValidKeyRefusesOnlyNewProtection) {
  Create("k", Params("RSA"));
  auto wrapped = Crypt(officer_, "k", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_TRUE(wrapped.ok());
  KeyUpdate later;
  later.not_before = cloud_.clock.Now() + 3600;
  Update("k", later);
  for (const char* op : {"wrapKey", "encrypt"}) {
    auto r = Crypt(officer_, "k", op, "RSA-OAEP", cek_);
    ASSERT_FALSE(r.ok()) << op;
    ExpectKvError(r.error(), 403, "Forbidden", "KeyNotYetValid");
  }
  // Key Vault's date-time controlled operations: decrypt, unwrap and verify work outside nbf/exp.
  auto unwrapped = Crypt(officer_, "k", "unwrapKey", "RSA-OAEP", wrapped->output.value);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.error().message;
  EXPECT_EQ(unwrapped->output.value, cek_);
  cloud_.clock.Advance(3600);
  EXPECT_TRUE(Crypt(officer_, "k", "wrapKey", "RSA-OAEP", cek_).ok());
}

TEST_F(KeyVaultServiceTest, OperationOutsideKeyOpsIsForbidden) {
  CreateKeyParams params = Params("RSA");
  params.key_ops = {"wrapKey", "unwrapKey"};
  Create("k", params);
  EXPECT_TRUE(Crypt(officer_, "k", "wrapKey", "RSA-OAEP", cek_).ok());
  auto r = Crypt(officer_, "k", "encrypt", "RSA-OAEP", cek_);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 403, "Forbidden", "KeyOperationForbidden");
  auto s = cloud_.keyvault.Sign("kvrbac", officer_, "k", "", "RS256", crypto::Sha256("m"));
  ASSERT_FALSE(s.ok());
  ExpectKvError(s.error(), 403, "Forbidden", "KeyOperationForbidden");

  KeyUpdate update;
  update.key_ops = std::vector<std::string>{"encrypt", "decrypt"};
  Update("k", update);
  EXPECT_TRUE(Crypt(officer_, "k", "encrypt", "RSA-OAEP", cek_).ok());
  r = Crypt(officer_, "k", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 403, "Forbidden", "KeyOperationForbidden");
}

TEST_F(KeyVaultServiceTest, WrongAlgorithmOrKeyTypeIsBadParameter) {
  Create("rsa");
  CreateKeyParams oct = Params("oct");
  oct.key_size = 256;
  Create("oct", oct);
  CreateKeyParams ec = Params("EC");
  ec.crv = "P-256";
  Create("ec", ec);

  auto r = Crypt(officer_, "rsa", "wrapKey", "A256KW", cek_);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 400, "BadParameter");
  r = Crypt(officer_, "oct", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 400, "BadParameter");
  r = Crypt(officer_, "oct", "wrapKey", "A128KW", cek_);  // size in the name must match the key
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 400, "BadParameter");
  r = Crypt(officer_, "rsa", "unwrapKey", "RSA-OAEP", "not a ciphertext");
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 400, "BadParameter");
  auto s = cloud_.keyvault.Sign("kvrbac", officer_, "ec", "", "RS256", crypto::Sha256("m"));
  ASSERT_FALSE(s.ok());
  ExpectKvError(s.error(), 400, "BadParameter");
  s = cloud_.keyvault.Sign("kvrbac", officer_, "rsa", "", "RS256", "short digest");
  ASSERT_FALSE(s.ok());
  ExpectKvError(s.error(), 400, "BadParameter");

  CreateKeyParams bad_ops = Params("RSA");
  bad_ops.key_ops = {"frobnicate"};
  for (const CreateKeyParams& bad :
       {Params("DSA"), Params("RSA", 1024), Params("EC", 0, "P-999"), Params("oct", 512), bad_ops}) {
    auto c = cloud_.keyvault.CreateKey("kvrbac", officer_, "bad", bad);
    ASSERT_FALSE(c.ok()) << bad.kty << " " << bad.key_size;
    ExpectKvError(c.error(), 400, "BadParameter");
  }
}

// ------------------------------------------------------------------------- access policies

TEST_F(KeyVaultServiceTest, AccessPolicyVaultUsesPolicyPermissionsNotRbac) {
  json policies = json::array({{{"tenantId", customer_.tenant_id},
                                {"objectId", wrapper_.object_id},
                                {"permissions", {{"keys", {"Get", "Create", "WrapKey", "UnwrapKey"}}}}},
                               // A policy naming another tenant does not apply to this vault's principals.
                               {{"tenantId", cloud_.bootstrap()[0].tenant_id},
                                {"objectId", stranger_.object_id},
                                {"permissions", {{"keys", {"get", "create", "wrapKey", "unwrapKey", "encrypt"}}}}}});
  CreateVault("kvpolicy", false, false, policies);
  Assign("kvpolicy", kCryptoOfficer, officer_.object_id);  // ignored: not an RBAC vault

  auto created = cloud_.keyvault.CreateKey("kvpolicy", wrapper_, "k", Params("RSA"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto wrapped = Crypt(wrapper_, "k", "wrapKey", "RSA-OAEP", cek_, {}, "kvpolicy");
  ASSERT_TRUE(wrapped.ok());
  auto unwrapped = Crypt(wrapper_, "k", "unwrapKey", "RSA-OAEP", wrapped->output.value, {}, "kvpolicy");
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_EQ(unwrapped->output.value, cek_);

  auto r = Crypt(wrapper_, "k", "encrypt", "RSA-OAEP", cek_, {}, "kvpolicy");
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 403, "Forbidden", "AccessDenied");
  EXPECT_NE(r.error().message.find("\"encrypt\""), std::string::npos);
  auto d = cloud_.keyvault.DeleteKey("kvpolicy", wrapper_, "k");
  ASSERT_FALSE(d.ok());
  ExpectKvError(d.error(), 403, "Forbidden", "AccessDenied");
  for (const KvCaller& refused : {officer_, stranger_}) {
    r = Crypt(refused, "k", "wrapKey", "RSA-OAEP", cek_, {}, "kvpolicy");
    ASSERT_FALSE(r.ok());
    ExpectKvError(r.error(), 403, "Forbidden", "AccessDenied");
  }
}

// ------------------------------------------------------------------------- soft delete

TEST_F(KeyVaultServiceTest, SoftDeleteRecoverAndProtectedPurge) {
  Create("k");
  auto wrapped = Crypt(wrapper_, "k", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_TRUE(wrapped.ok());
  auto deleted = cloud_.keyvault.DeleteKey("kvrbac", officer_, "k");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->scheduled_purge_date - deleted->deleted_date, 90 * 86400);

  auto r = Crypt(wrapper_, "k", "unwrapKey", "RSA-OAEP", wrapped->output.value);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 404, "KeyNotFound");
  EXPECT_FALSE(cloud_.keyvault.GetKey("kvrbac", officer_, "k", "").ok());
  EXPECT_TRUE(cloud_.keyvault.GetDeletedKey("kvrbac", officer_, "k").ok());
  EXPECT_EQ(cloud_.keyvault.ListDeletedKeys("kvrbac", officer_)->size(), 1u);
  EXPECT_TRUE(cloud_.keyvault.ListKeys("kvrbac", officer_)->empty());

  auto again = cloud_.keyvault.CreateKey("kvrbac", officer_, "K", Params("RSA"));  // names are case-insensitive
  ASSERT_FALSE(again.ok());
  ExpectKvError(again.error(), 409, "Conflict");

  auto purge = cloud_.keyvault.PurgeDeletedKey("kvrbac", officer_, "k");
  ASSERT_FALSE(purge.ok());
  ExpectKvError(purge.error(), 403, "Forbidden");
  EXPECT_NE(purge.error().message.find("purge protection"), std::string::npos);

  ASSERT_TRUE(cloud_.keyvault.RecoverDeletedKey("kvrbac", officer_, "k").ok());
  r = Crypt(wrapper_, "k", "unwrapKey", "RSA-OAEP", wrapped->output.value);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->output.value, cek_);
  auto gone = cloud_.keyvault.GetDeletedKey("kvrbac", officer_, "k");
  ASSERT_FALSE(gone.ok());
  ExpectKvError(gone.error(), 404, "KeyNotFound");
}

TEST_F(KeyVaultServiceTest, PurgeAllowedWithoutPurgeProtection) {
  auto first = Create("k", {}, "kvnopp");
  ASSERT_TRUE(cloud_.keyvault.DeleteKey("kvnopp", officer_, "k").ok());
  ASSERT_TRUE(cloud_.keyvault.PurgeDeletedKey("kvnopp", officer_, "k").ok());
  auto gone = cloud_.keyvault.GetDeletedKey("kvnopp", officer_, "k");
  ASSERT_FALSE(gone.ok());
  ExpectKvError(gone.error(), 404, "KeyNotFound");
  auto reborn = Create("k", {}, "kvnopp");
  ASSERT_NE(reborn, nullptr);
  EXPECT_NE(reborn->version, first->version);
  EXPECT_EQ(cloud_.keyvault.ListVersions("kvnopp", officer_, "k")->size(), 1u);
}

TEST_F(KeyVaultServiceTest, PurgeProtectedKeyPurgeableAfterRetention) {
  Create("k");
  ASSERT_TRUE(cloud_.keyvault.DeleteKey("kvrbac", officer_, "k").ok());
  ASSERT_FALSE(cloud_.keyvault.PurgeDeletedKey("kvrbac", officer_, "k").ok());
  cloud_.clock.Advance(90 * 86400);
  EXPECT_TRUE(cloud_.keyvault.PurgeDeletedKey("kvrbac", officer_, "k").ok());
}

TEST_F(KeyVaultServiceTest, VaultStateIsPartOfTheGate) {
  Create("k");
  Create("k", {}, "kvnopp");
  auto wrapped = Crypt(wrapper_, "k", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_TRUE(wrapped.ok());
  // A soft-deleted vault answers nothing; recovering it brings its keys back.
  ASSERT_TRUE(cloud_.resources.Delete(admin_, VaultId("kvnopp")).ok());
  ASSERT_TRUE(cloud_.resources.Delete(admin_, VaultId("kvrbac")).ok());
  auto r = Crypt(wrapper_, "k", "unwrapKey", "RSA-OAEP", wrapped->output.value);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 404, "VaultNotFound");
  json recover = {{"location", "westus"}, {"properties", {{"createMode", "recover"}}}};
  ASSERT_TRUE(cloud_.resources.Put(admin_, VaultId("kvrbac"), recover).ok());
  // Deleting the vault took its role assignments; the customer grants the role again.
  Assign("kvrbac", kEncryptionUser, wrapper_.object_id);
  r = Crypt(wrapper_, "k", "unwrapKey", "RSA-OAEP", wrapped->output.value);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->output.value, cek_);

  // A purged vault's name may be reused, but the new vault has none of the old keys.
  ASSERT_TRUE(cloud_.resources.PurgeDeletedVault(admin_, customer_.subscription_id, "kvnopp").ok());
  CreateVault("kvnopp", true, false);
  Assign("kvnopp", kCryptoOfficer, officer_.object_id);
  auto k = cloud_.keyvault.GetKey("kvnopp", officer_, "k", "");
  ASSERT_FALSE(k.ok());
  ExpectKvError(k.error(), 404, "KeyNotFound");
}

TEST_F(KeyVaultServiceTest, OlderVersionsStayUsable) {
  auto v1 = Create("k");
  auto wrapped = Crypt(wrapper_, "k", "wrapKey", "RSA-OAEP", cek_);
  auto v2 = Create("k");
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(wrapped->key->version, v1->version);
  EXPECT_EQ(cloud_.keyvault.GetKey("kvrbac", officer_, "k", "")->get()->version, v2->version);
  auto r = Crypt(wrapper_, "k", "unwrapKey", "RSA-OAEP", wrapped->output.value, {}, "kvrbac", v1->version);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output.value, cek_);
  // The latest version is another RSA key: it cannot unwrap v1's output.
  EXPECT_FALSE(Crypt(wrapper_, "k", "unwrapKey", "RSA-OAEP", wrapped->output.value).ok());
}

// ------------------------------------------------------------------------- algorithms

TEST_F(KeyVaultServiceTest, RsaRoundTripsEveryAlgorithm) {
  Create("rsa");
  for (const char* alg : {"RSA-OAEP", "RSA-OAEP-256", "RSA1_5"}) {
    for (const auto& [forward, back] : {std::pair{"wrapKey", "unwrapKey"}, std::pair{"encrypt", "decrypt"}}) {
      auto out = Crypt(officer_, "rsa", forward, alg, cek_);
      ASSERT_TRUE(out.ok()) << alg << " " << forward << ": " << out.error().message;
      EXPECT_EQ(out->output.value.size(), 256u);
      EXPECT_NE(out->output.value, cek_);
      auto in = Crypt(officer_, "rsa", back, alg, out->output.value);
      ASSERT_TRUE(in.ok()) << alg << " " << back << ": " << in.error().message;
      EXPECT_EQ(in->output.value, cek_) << alg << " " << forward;
    }
  }
}

TEST_F(KeyVaultServiceTest, AesKeyWrapRoundTripsEverySize) {
  for (const auto& [bits, alg] : {std::pair{128, "A128KW"}, std::pair{192, "A192KW"}, std::pair{256, "A256KW"}}) {
    CreateKeyParams params = Params("oct-HSM");
    params.key_size = bits;
    std::string name = std::string("oct") + std::to_string(bits);
    auto key = Create(name, params);
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->material->bits(), bits);
    auto wrapped = Crypt(officer_, name, "wrapKey", alg, cek_);
    ASSERT_TRUE(wrapped.ok()) << alg << ": " << wrapped.error().message;
    EXPECT_EQ(wrapped->output.value.size(), cek_.size() + 8);  // RFC 3394 adds one block
    auto unwrapped = Crypt(officer_, name, "unwrapKey", alg, wrapped->output.value);
    ASSERT_TRUE(unwrapped.ok()) << alg;
    EXPECT_EQ(unwrapped->output.value, cek_);
    std::string tampered = wrapped->output.value;
    tampered[3] ^= 1;
    auto r = Crypt(officer_, name, "unwrapKey", alg, tampered);
    ASSERT_FALSE(r.ok()) << alg;
    ExpectKvError(r.error(), 400, "BadParameter");
  }
}

TEST_F(KeyVaultServiceTest, AesGcmRoundTrip) {
  CreateKeyParams params = Params("oct");
  params.key_size = 256;
  Create("gcm", params);
  crypto::SymmetricParams enc;
  enc.aad = "header";
  auto out = Crypt(officer_, "gcm", "encrypt", "A256GCM", "attack at dawn", enc);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->output.iv.size(), 12u);
  EXPECT_EQ(out->output.tag.size(), 16u);
  crypto::SymmetricParams dec{out->output.iv, "header", out->output.tag};
  auto in = Crypt(officer_, "gcm", "decrypt", "A256GCM", out->output.value, dec);
  ASSERT_TRUE(in.ok()) << in.error().message;
  EXPECT_EQ(in->output.value, "attack at dawn");
  dec.aad = "other header";
  auto r = Crypt(officer_, "gcm", "decrypt", "A256GCM", out->output.value, dec);
  ASSERT_FALSE(r.ok());
  ExpectKvError(r.error(), 400, "BadParameter");
}

TEST_F(KeyVaultServiceTest, SignVerifyEveryAlgorithm) {
  Create("rsa");
  CreateKeyParams p256 = Params("EC");
  p256.crv = "P-256";
  Create("p256", p256);
  CreateKeyParams p256k = Params("EC-HSM");
  p256k.crv = "P-256K";
  Create("p256k", p256k);
  const std::string digest = crypto::Sha256("the message");
  const std::string other = crypto::Sha256("another message");
  for (const auto& [key, alg] : {std::pair{"rsa", "RS256"}, std::pair{"rsa", "PS256"}, std::pair{"p256", "ES256"},
                                 std::pair{"p256k", "ES256K"}}) {
    auto s = cloud_.keyvault.Sign("kvrbac", officer_, key, "", alg, digest);
    ASSERT_TRUE(s.ok()) << alg << ": " << s.error().message;
    if (std::string(alg).rfind("ES", 0) == 0) {
      EXPECT_EQ(s->output.value.size(), 64u) << alg;  // raw r||s, not DER
    }
    auto v = cloud_.keyvault.Verify("kvrbac", officer_, key, "", alg, digest, s->output.value);
    ASSERT_TRUE(v.ok()) << alg;
    EXPECT_TRUE(v->second) << alg;
    v = cloud_.keyvault.Verify("kvrbac", officer_, key, "", alg, other, s->output.value);
    ASSERT_TRUE(v.ok()) << alg;
    EXPECT_FALSE(v->second) << alg;
  }
}

// ------------------------------------------------------------------------- interop

TEST_F(KeyVaultServiceTest, RsaOaepInteropsWithRawOpenSsl) {
  auto key = Create("k");
  ASSERT_NE(key->material->pkey(), nullptr);
  // Service wraps, OpenSSL unwraps with the private key.
  auto wrapped = Crypt(wrapper_, "k", "wrapKey", "RSA-OAEP-256", cek_);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(EvpRsa(key->material->pkey(), false, wrapped->output.value, RSA_PKCS1_OAEP_PADDING, EVP_sha256()), cek_);
  wrapped = Crypt(wrapper_, "k", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(EvpRsa(key->material->pkey(), false, wrapped->output.value, RSA_PKCS1_OAEP_PADDING, EVP_sha1()), cek_);

  // OpenSSL wraps with the public JWK only, the service unwraps.
  std::string error;
  auto public_only = crypto::KeyMaterial::FromJwk(key->material->PublicJwk(), &error);
  ASSERT_NE(public_only, nullptr) << error;
  EXPECT_FALSE(public_only->has_private());
  for (const auto& [alg, md] : {std::pair{"RSA-OAEP", EVP_sha1()}, std::pair{"RSA-OAEP-256", EVP_sha256()}}) {
    std::string ciphertext = EvpRsa(public_only->pkey(), true, cek_, RSA_PKCS1_OAEP_PADDING, md);
    auto r = Crypt(wrapper_, "k", "unwrapKey", alg, ciphertext);
    ASSERT_TRUE(r.ok()) << alg << ": " << r.error().message;
    EXPECT_EQ(r->output.value, cek_) << alg;
  }
  std::string pkcs1 = EvpRsa(public_only->pkey(), true, cek_, RSA_PKCS1_PADDING, nullptr);
  auto r = Crypt(officer_, "k", "decrypt", "RSA1_5", pkcs1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output.value, cek_);
}

TEST_F(KeyVaultServiceTest, SignaturesInteropWithRawOpenSsl) {
  auto rsa = Create("rsa");
  CreateKeyParams ec = Params("EC");
  ec.crv = "P-256";
  auto p256 = Create("ec", ec);
  const std::string digest = crypto::Sha256("payload");
  std::string error;

  auto s = cloud_.keyvault.Sign("kvrbac", officer_, "rsa", "", "RS256", digest);
  ASSERT_TRUE(s.ok());
  auto rsa_public = crypto::KeyMaterial::FromJwk(rsa->material->PublicJwk(), &error);
  EXPECT_TRUE(EvpVerifyDigest(rsa_public->pkey(), digest, s->output.value, RSA_PKCS1_PADDING));
  s = cloud_.keyvault.Sign("kvrbac", officer_, "rsa", "", "PS256", digest);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(EvpVerifyDigest(rsa_public->pkey(), digest, s->output.value, RSA_PKCS1_PSS_PADDING));

  s = cloud_.keyvault.Sign("kvrbac", officer_, "ec", "", "ES256", digest);
  ASSERT_TRUE(s.ok());
  auto ec_public = crypto::KeyMaterial::FromJwk(p256->material->PublicJwk(), &error);
  EXPECT_TRUE(EvpVerifyDigest(ec_public->pkey(), digest, RawEcdsaToDer(s->output.value), 0));
}

TEST_F(KeyVaultServiceTest, AesKeyWrapInteropsWithRawOpenSsl) {
  CreateKeyParams params = Params("oct");
  params.key_size = 256;
  auto key = Create("oct", params);
  auto k = crypto::Base64UrlDecode(key->material->PrivateJwk()["k"].get<std::string>());
  ASSERT_TRUE(k.has_value());
  auto wrapped = Crypt(officer_, "oct", "wrapKey", "A256KW", cek_);
  ASSERT_TRUE(wrapped.ok());

  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ASSERT_EQ(
      EVP_DecryptInit_ex(ctx, EVP_aes_256_wrap(), nullptr, reinterpret_cast<const unsigned char*>(k->data()), nullptr),
      1);
  std::string out(wrapped->output.value.size(), '\0');
  int len = 0;
  ASSERT_EQ(EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                              reinterpret_cast<const unsigned char*>(wrapped->output.value.data()),
                              static_cast<int>(wrapped->output.value.size())),
            1);
  EVP_CIPHER_CTX_free(ctx);
  out.resize(len);
  EXPECT_EQ(out, cek_);
}

TEST_F(KeyVaultServiceTest, PublicJwkNeverCarriesPrivateMembers) {
  CreateKeyParams ec = Params("EC");
  ec.crv = "P-384";
  CreateKeyParams oct = Params("oct");
  oct.key_size = 128;
  for (const auto& key : {Create("rsa"), Create("ec", ec), Create("oct", oct)}) {
    ASSERT_NE(key, nullptr);
    ASSERT_TRUE(key->material->has_private());
    json jwk = key->material->PublicJwk();
    for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
      EXPECT_FALSE(jwk.contains(member)) << key->name << " leaks " << member << ": " << jwk.dump();
    }
  }
}

// ------------------------------------------------------------------------- concurrency

TEST_F(KeyVaultServiceTest, NoUnwrapStartedAfterDisableReturnsSucceeds) {
  Create("k");
  auto wrapped = Crypt(wrapper_, "k", "wrapKey", "RSA-OAEP", cek_);
  ASSERT_TRUE(wrapped.ok());
  const std::string ciphertext = wrapped->output.value;

  std::atomic<bool> disable_returned{false}, stop{false};
  std::atomic<int> ok_before{0}, refused_after{0}, succeeded_after{0}, wrong_value{0}, other_errors{0};
  auto worker = [&] {
    KvCaller caller = wrapper_;  // one per thread, as each request builds its own
    while (!stop.load()) {
      bool started_after_disable = disable_returned.load();  // read BEFORE the call starts
      auto r = Crypt(caller, "k", "unwrapKey", "RSA-OAEP", ciphertext);
      if (r.ok()) {
        if (r->output.value != cek_) ++wrong_value;
        if (started_after_disable)
          ++succeeded_after;
        else
          ++ok_before;
      } else if (r.error().inner_code == "KeyDisabled") {
        if (started_after_disable) ++refused_after;
      } else {
        ++other_errors;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(worker);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ok_before.load() < 40 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  KeyUpdate disable;
  disable.enabled = false;
  auto updated = cloud_.keyvault.UpdateKey("kvrbac", officer_, "k", "", disable);
  disable_returned.store(true);
  while (refused_after.load() < 200 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  stop.store(true);
  for (auto& t : threads) t.join();

  ASSERT_TRUE(updated.ok());
  EXPECT_GE(ok_before.load(), 40);
  EXPECT_GE(refused_after.load(), 200);
  EXPECT_EQ(succeeded_after.load(), 0);
  EXPECT_EQ(wrong_value.load(), 0);
  EXPECT_EQ(other_errors.load(), 0);
}

// ------------------------------------------------------------------------- the audit log

// In-process callers leave the same AuditEvent as HTTP ones: one record per operation, under
// both names, with the caller, the outcome and the assignment that allowed it.
TEST_F(KeyVaultServiceTest, EveryOperationWritesOneAuditEvent) {
  Create("k");
  ASSERT_TRUE(Crypt(wrapper_, "k", "wrapKey", "RSA-OAEP", cek_).ok());
  ASSERT_FALSE(Crypt(stranger_, "k", "unwrapKey", "RSA-OAEP", cek_).ok());
  AuditQuery query;
  query.category = "AuditEvent";
  auto records = cloud_.audit.Query(query);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["operationName"], "KeyCreate");
  EXPECT_EQ(records[1]["operationName"], "KeyWrap");
  EXPECT_EQ(records[1]["operationId"], "wrapKey");
  EXPECT_EQ(records[1]["objectId"], wrapper_.object_id);
  EXPECT_EQ(records[1]["resultType"], "Success");
  EXPECT_EQ(records[1]["httpStatusCode"], 200);
  EXPECT_FALSE(records[1].value("authorizedBy", "").empty());
  EXPECT_EQ(records[2]["operationId"], "unwrapKey");
  EXPECT_EQ(records[2]["resultType"], "Failure");
  EXPECT_EQ(records[2]["httpStatusCode"], 403);
  EXPECT_EQ(records[2]["resultSignature"], "ForbiddenByRbac");
  // A vault that does not exist has no log to write to.
  EXPECT_FALSE(cloud_.keyvault.GetKey("no-such-vault", wrapper_, "k", "").ok());
  EXPECT_EQ(cloud_.audit.Query(query).size(), 3u);
}

}  // namespace
}  // namespace crosskey::keyvault
