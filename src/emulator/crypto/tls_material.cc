#include "emulator/crypto/tls_material.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "emulator/crypto/encoding.h"
#include "emulator/crypto/openssl_util.h"

namespace crosskey::crypto {
namespace {

using internal::BioContents;
using internal::BioPtr;
using internal::BnPtr;
using internal::Bytes;
using internal::GeneralNamesPtr;
using internal::PkeyPtr;
using internal::SetError;
using internal::X509ExtPtr;
using internal::X509Ptr;

constexpr long kCaDays = 3650;
// Apple platforms and browsers reject server certificates valid for more than 398 days.
constexpr long kServerDays = 397;
// Reissue a reused server certificate before clients start failing on it.
constexpr long kRenewBeforeSeconds = 30L * 24 * 3600;
constexpr size_t kMaxCommonName = 64;  // ub-common-name (RFC 5280)

struct Issuer {
  X509Ptr cert;
  PkeyPtr key;
};

// ---- files ----

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return buf.str();
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// Private keys live here, so the file is never world-readable, not even briefly; writing a
// temporary and renaming keeps a crash from leaving a truncated file behind.
bool WriteFile0600(const std::string& path, const std::string& content, std::string* error) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    SetError(error, "cannot create " + tmp + ": " + std::strerror(errno));
    return false;
  }
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t off = 0; ok && off < content.size();) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) off += static_cast<size_t>(n);
  }
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    SetError(error, "cannot write " + path + ": " + std::strerror(errno));
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

// ---- PEM ----

int NoPassword(char*, int, int, void*) { return -1; }

BioPtr ReadBio(const std::string& data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

X509Ptr CertFromPem(const std::string& pem) {
  BioPtr bio = ReadBio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr) : nullptr);
  if (!cert) ERR_clear_error();
  return cert;
}

PkeyPtr KeyFromPem(const std::string& pem) {
  BioPtr bio = ReadBio(pem);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr) : nullptr);
  if (!key) ERR_clear_error();
  return key;
}

std::string CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return std::string();
  return BioContents(bio.get());
}

std::string KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return std::string();
  }
  return BioContents(bio.get());
}

// ---- certificate construction ----

PkeyPtr NewP256Key() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

bool AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Accepts "[::1]" as well as "::1" because URLs bracket IPv6 hosts.
std::optional<std::string> ParseIp(const std::string& name) {
  std::string host = name;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 4);
  if (inet_pton(AF_INET6, host.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 16);
  return std::nullopt;
}

bool IsDnsName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_' || c == '*';
    if (!ok) return false;
  }
  return true;
}

// Built programmatically rather than through a "DNS:a,IP:b" config string so that no name
// can inject extra entries.
bool AddSubjectAltNames(X509* cert, const std::vector<std::string>& names, std::string* error) {
  GeneralNamesPtr gens(sk_GENERAL_NAME_new_null());
  if (!gens) return false;
  for (const std::string& name : names) {
    GENERAL_NAME* gen = GENERAL_NAME_new();
    if (gen == nullptr) return false;
    if (std::optional<std::string> ip = ParseIp(name)) {
      ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
      if (value == nullptr || ASN1_OCTET_STRING_set(value, Bytes(*ip), static_cast<int>(ip->size())) != 1) {
        ASN1_OCTET_STRING_free(value);
        GENERAL_NAME_free(gen);
        return false;
      }
      GENERAL_NAME_set0_value(gen, GEN_IPADD, value);
    } else if (IsDnsName(name)) {
      ASN1_IA5STRING* value = ASN1_IA5STRING_new();
      if (value == nullptr || ASN1_STRING_set(value, name.data(), static_cast<int>(name.size())) != 1) {
        ASN1_IA5STRING_free(value);
        GENERAL_NAME_free(gen);
        return false;
      }
      GENERAL_NAME_set0_value(gen, GEN_DNS, value);
    } else {
      GENERAL_NAME_free(gen);
      SetError(error, "invalid TLS server name: " + name);
      return false;
    }
    if (sk_GENERAL_NAME_push(gens.get(), gen) <= 0) {
      GENERAL_NAME_free(gen);
      return false;
    }
  }
  return X509_add1_ext_i2d(cert, NID_subject_alt_name, gens.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

// Positive, non-zero, 16 bytes: strict validators reject negative or zero serials.
bool SetRandomSerial(X509* cert) {
  std::string bytes = RandomBytes(16);
  bytes[0] = static_cast<char>((static_cast<unsigned char>(bytes[0]) & 0x7f) | 0x40);
  BnPtr bn(BN_bin2bn(Bytes(bytes), static_cast<int>(bytes.size()), nullptr));
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

// issuer == nullptr makes a self-signed CA; otherwise a server certificate for names.
X509Ptr BuildCert(EVP_PKEY* subject_key, const Issuer* issuer, const std::vector<std::string>& names,
                  std::string* error) {
  bool is_ca = issuer == nullptr;
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 || !SetRandomSerial(cert.get()) ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), static_cast<int>(is_ca ? kCaDays : kServerDays), 0, nullptr) ==
          nullptr ||
      X509_set_pubkey(cert.get(), subject_key) != 1) {
    return nullptr;
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  std::string cn = is_ca ? "crosskey local CA" : names.front().substr(0, kMaxCommonName);
  if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, Bytes("crosskey"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, Bytes(cn), static_cast<int>(cn.size()), -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), is_ca ? subject : X509_get_subject_name(issuer->cert.get())) != 1) {
    return nullptr;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, is_ca ? cert.get() : issuer->cert.get(), cert.get(), nullptr, nullptr, 0);
  bool ok;
  if (is_ca) {
    ok = AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE") &&
         AddExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") &&
         AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash") &&
         AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  } else {
    ok = AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
         AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature") &&
         AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth") &&
         AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash") &&
         AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always") &&
         AddSubjectAltNames(cert.get(), names, error);
  }
  EVP_PKEY* signing_key = is_ca ? subject_key : issuer->key.get();
  if (!ok || X509_sign(cert.get(), signing_key, EVP_sha256()) <= 0) return nullptr;
  return cert;
}

bool StillValid(X509* cert, long margin_seconds) {
  time_t deadline = std::time(nullptr) + margin_seconds;
  return X509_cmp_time(X509_get0_notAfter(cert), &deadline) > 0;
}

// ---- CA and server certificate lifecycle ----

std::optional<Issuer> LoadOrCreateCa(const std::string& dir, std::string* error) {
  std::string cert_path = dir.empty() ? "" : dir + "/ca.pem";
  std::string key_path = dir.empty() ? "" : dir + "/ca.key";
  if (!dir.empty() && (Exists(cert_path) || Exists(key_path))) {
    // Silently replacing a CA would break every client that already trusts it, so an
    // unreadable one is an error for the operator to resolve.
    std::optional<std::string> cert_pem = ReadFile(cert_path);
    std::optional<std::string> key_pem = ReadFile(key_path);
    Issuer ca{cert_pem ? CertFromPem(*cert_pem) : nullptr, key_pem ? KeyFromPem(*key_pem) : nullptr};
    if (!ca.cert || !ca.key || X509_check_private_key(ca.cert.get(), ca.key.get()) != 1) {
      SetError(error, "unreadable or mismatched CA in " + dir + " (remove ca.pem and ca.key to regenerate)");
      return std::nullopt;
    }
    if (StillValid(ca.cert.get(), 0)) return ca;
  }
  Issuer ca{nullptr, NewP256Key()};
  if (ca.key) ca.cert = BuildCert(ca.key.get(), nullptr, {}, error);
  if (!ca.cert) {
    SetError(error, "cannot create CA certificate");
    return std::nullopt;
  }
  if (!dir.empty() && (!WriteFile0600(key_path, KeyToPem(ca.key.get()), error) ||
                       !WriteFile0600(cert_path, CertToPem(ca.cert.get()), error))) {
    return std::nullopt;
  }
  return ca;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += '\n';
    out += names[i];
  }
  return out;
}

// A previous server certificate is reused only for the same names, the same CA and with
// enough validity left.
std::optional<TlsMaterial> LoadServer(const std::string& dir, const std::string& names, const Issuer& ca) {
  std::optional<std::string> recorded = ReadFile(dir + "/server.names");
  std::optional<std::string> cert_pem = ReadFile(dir + "/server.pem");
  std::optional<std::string> key_pem = ReadFile(dir + "/server.key");
  if (!recorded || *recorded != names || !cert_pem || !key_pem) return std::nullopt;
  X509Ptr cert = CertFromPem(*cert_pem);
  PkeyPtr key = KeyFromPem(*key_pem);
  EVP_PKEY* ca_public = X509_get0_pubkey(ca.cert.get());
  bool ok = cert && key && ca_public != nullptr && X509_check_private_key(cert.get(), key.get()) == 1 &&
            X509_verify(cert.get(), ca_public) == 1 && StillValid(cert.get(), kRenewBeforeSeconds);
  ERR_clear_error();
  if (!ok) return std::nullopt;
  return TlsMaterial{CertToPem(ca.cert.get()), std::move(*cert_pem), std::move(*key_pem)};
}

bool EnsureDirectory(const std::string& dir, std::string* error) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return true;
  if (!std::filesystem::create_directories(dir, ec) && ec) {
    SetError(error, "cannot create " + dir + ": " + ec.message());
    return false;
  }
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
  if (ec) {
    SetError(error, "cannot set permissions on " + dir + ": " + ec.message());
    return false;
  }
  return true;
}

}  // namespace

std::optional<TlsMaterial> LoadOrCreateTlsMaterial(const std::string& dir, const std::vector<std::string>& names,
                                                   std::string* error) {
  if (names.empty()) {
    SetError(error, "at least one TLS server name is required");
    return std::nullopt;
  }
  if (!dir.empty() && !EnsureDirectory(dir, error)) return std::nullopt;
  std::optional<Issuer> ca = LoadOrCreateCa(dir, error);
  if (!ca) return std::nullopt;

  std::string joined = JoinNames(names);
  if (!dir.empty()) {
    if (std::optional<TlsMaterial> existing = LoadServer(dir, joined, *ca)) return existing;
  }
  PkeyPtr key = NewP256Key();
  std::string build_error;
  X509Ptr cert = key ? BuildCert(key.get(), &*ca, names, &build_error) : nullptr;
  if (!cert) {
    SetError(error, build_error.empty() ? "cannot create server certificate" : build_error);
    return std::nullopt;
  }
  TlsMaterial material{CertToPem(ca->cert.get()), CertToPem(cert.get()), KeyToPem(key.get())};
  if (material.ca_cert_pem.empty() || material.server_cert_pem.empty() || material.server_key_pem.empty()) {
    SetError(error, "cannot encode TLS material");
    return std::nullopt;
  }
  if (!dir.empty() && (!WriteFile0600(dir + "/server.key", material.server_key_pem, error) ||
                       !WriteFile0600(dir + "/server.pem", material.server_cert_pem, error) ||
                       !WriteFile0600(dir + "/server.names", joined, error))) {
    return std::nullopt;
  }
  return material;
}

}  // namespace crosskey::crypto
