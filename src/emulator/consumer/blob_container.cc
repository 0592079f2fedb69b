#include "emulator/consumer/blob_container.h"

#include <stdexcept>

#include "emulator/common/text.h"
#include "emulator/consumer/errors.h"
#include "emulator/crypto/encoding.h"
#include "emulator/crypto/key_material.h"

namespace crosskey::consumer {
namespace {
std::string B64(const std::string& bytes) { return crypto::Base64Encode(bytes); }
std::string UnB64(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return "";
  auto out = crypto::Base64Decode(j.at(key).get<std::string>());
  if (!out) throw std::runtime_error(std::string("blob field '") + key + "' is not base64");
  return *out;
}
}  // namespace

StatusOr<SealedBytes> DekCipher::Seal(std::string_view plaintext) const {
  std::string error;
  auto sealed = crypto::KeyMaterial::FromOctBytes(dek_)->Encrypt("A256GCM", plaintext, {}, &error);
  if (!sealed) return errors::SealingFailed(error);
  return SealedBytes{sealed->iv, sealed->tag, sealed->value};
}

StatusOr<std::string> DekCipher::Open(const SealedBytes& sealed) const {
  std::string error;
  crypto::SymmetricParams params;
  params.iv = sealed.iv;
  params.tag = sealed.tag;
  auto plain = crypto::KeyMaterial::FromOctBytes(dek_)->Decrypt("A256GCM", sealed.value, params, &error);
  if (!plain) return errors::SealingFailed(error);
  return *plain;
}

std::string NewBlobEtag() {
  std::string hex = RandomHex(7);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "\"0x8D" + hex.substr(0, 13) + "\"";
}

nlohmann::json ExportContainers(const BlobContainers& containers) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, c] : containers) {
    nlohmann::json blobs = nlohmann::json::object();
    for (const auto& [blob, b] : c.blobs) {
      blobs[blob] = {{"iv", B64(b.content.iv)},
                     {"tag", B64(b.content.tag)},
                     {"value", B64(b.content.value)},
                     {"size", b.size},
                     {"etag", b.etag},
                     {"created", b.created},
                     {"lastModified", b.last_modified},
                     {"contentMd5", B64(b.content_md5)},
                     {"contentType", b.settings.content_type},
                     {"contentEncoding", b.settings.content_encoding},
                     {"contentLanguage", b.settings.content_language},
                     {"contentDisposition", b.settings.content_disposition},
                     {"cacheControl", b.settings.cache_control},
                     {"metadata", b.metadata}};
    }
    out[name] = {{"etag", c.etag}, {"lastModified", c.last_modified}, {"metadata", c.metadata}, {"blobs", blobs}};
  }
  return out;
}

BlobContainers ImportContainers(const nlohmann::json& doc) {
  BlobContainers out;
  if (doc.is_null()) return out;
  for (const auto& [name, c] : doc.items()) {
    BlobContainer container;
    container.etag = c.at("etag").get<std::string>();
    container.last_modified = c.value("lastModified", int64_t{0});
    container.metadata = c.value("metadata", std::map<std::string, std::string>{});
    const nlohmann::json blobs = c.value("blobs", nlohmann::json::object());  // items() must not see a temporary
    for (const auto& [blob, b] : blobs.items()) {
      StoredBlob s;
      s.content = {UnB64(b, "iv"), UnB64(b, "tag"), UnB64(b, "value")};
      s.size = b.at("size").get<int64_t>();
      s.etag = b.at("etag").get<std::string>();
      s.created = b.value("created", int64_t{0});
      s.last_modified = b.value("lastModified", int64_t{0});
      s.content_md5 = UnB64(b, "contentMd5");
      s.settings.content_type = b.value("contentType", "application/octet-stream");
      s.settings.content_encoding = b.value("contentEncoding", "");
      s.settings.content_language = b.value("contentLanguage", "");
      s.settings.content_disposition = b.value("contentDisposition", "");
      s.settings.cache_control = b.value("cacheControl", "");
      s.metadata = b.value("metadata", std::map<std::string, std::string>{});
      container.blobs[blob] = std::move(s);
    }
    out[name] = std::move(container);
  }
  return out;
}

}  // namespace crosskey::consumer
