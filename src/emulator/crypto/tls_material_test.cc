// The data dir's CA and server certificate: created, reused, reissued (tls_material.h).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "emulator/crypto/encoding.h"
#include "emulator/crypto/jwt.h"
#include "emulator/crypto/key_material.h"
#include "emulator/crypto/tls_material.h"

namespace crosskey::crypto {
namespace {

using json = nlohmann::json;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crosskey_tls_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
};

int Mode(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

X509* ParseCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

// Chain validation with the strict flags Python 3.13 enables by default.
bool VerifiesStrictly(const std::string& ca_pem, const std::string& server_pem) {
  X509* ca = ParseCert(ca_pem);
  X509* server = ParseCert(server_pem);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, server, nullptr);
  X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
  bool ok = X509_verify_cert(ctx) == 1;
  if (!ok) ADD_FAILURE() << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(server);
  X509_free(ca);
  return ok;
}

TEST_F(TlsTest, CreatesFilesThenReusesAndReissues) {
  std::string dir = root_ + "/nested/tls";
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1", "*.vault.localhost"};
  std::string error;
  auto first = LoadOrCreateTlsMaterial(dir, names, &error);
  ASSERT_TRUE(first) << error;
  EXPECT_EQ(Mode(dir), 0700);
  for (const char* file : {"ca.pem", "ca.key", "server.pem", "server.key", "server.names"}) {
    EXPECT_EQ(Mode(dir + "/" + file), 0600) << file;
  }
  std::ifstream names_file(dir + "/server.names");
  std::stringstream recorded;
  recorded << names_file.rdbuf();
  EXPECT_EQ(recorded.str(), "localhost\n127.0.0.1\n::1\n*.vault.localhost");
  EXPECT_TRUE(VerifiesStrictly(first->ca_cert_pem, first->server_cert_pem));

  X509* server = ParseCert(first->server_cert_pem);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(X509_check_host(server, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(server, "kv1.vault.localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(server, "::1", 0), 1);
  EXPECT_NE(X509_check_host(server, "example.com", 0, 0, nullptr), 1);
  X509_free(server);

  std::string server_key_error;
  auto server_key = KeyMaterial::FromPem(first->server_key_pem, &server_key_error);
  ASSERT_NE(server_key, nullptr) << server_key_error;
  std::string thumbprint;
  auto cert_key = KeyMaterial::FromCertificate(first->server_cert_pem, &thumbprint, &error);
  ASSERT_NE(cert_key, nullptr) << error;
  EXPECT_EQ(cert_key->PublicJwk(), server_key->PublicJwk());
  EXPECT_EQ(thumbprint.size(), 20u);

  auto second = LoadOrCreateTlsMaterial(dir, names, &error);
  ASSERT_TRUE(second) << error;
  EXPECT_EQ(second->ca_cert_pem, first->ca_cert_pem);
  EXPECT_EQ(second->server_cert_pem, first->server_cert_pem);
  EXPECT_EQ(second->server_key_pem, first->server_key_pem);

  auto third = LoadOrCreateTlsMaterial(dir, {"localhost", "crosskey.test"}, &error);
  ASSERT_TRUE(third) << error;
  EXPECT_EQ(third->ca_cert_pem, first->ca_cert_pem);
  EXPECT_NE(third->server_cert_pem, first->server_cert_pem);
  EXPECT_TRUE(VerifiesStrictly(third->ca_cert_pem, third->server_cert_pem));
  X509* reissued = ParseCert(third->server_cert_pem);
  EXPECT_EQ(X509_check_host(reissued, "crosskey.test", 0, 0, nullptr), 1);
  X509_free(reissued);
  for (const char* file : {"server.pem", "server.key", "server.names"}) {
    EXPECT_EQ(Mode(dir + "/" + file), 0600) << file;
  }
}

TEST_F(TlsTest, InMemoryAndErrors) {
  std::string error;
  auto mem = LoadOrCreateTlsMaterial("", {"localhost"}, &error);
  ASSERT_TRUE(mem) << error;
  EXPECT_TRUE(VerifiesStrictly(mem->ca_cert_pem, mem->server_cert_pem));
  EXPECT_TRUE(std::filesystem::is_empty(root_));

  EXPECT_FALSE(LoadOrCreateTlsMaterial("", {}, &error));
  EXPECT_FALSE(LoadOrCreateTlsMaterial("", {"bad,name"}, &error));
  EXPECT_FALSE(error.empty());

  std::ofstream(root_ + "/ca.pem") << "garbage";
  error.clear();
  EXPECT_FALSE(LoadOrCreateTlsMaterial(root_, {"localhost"}, &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace crosskey::crypto
