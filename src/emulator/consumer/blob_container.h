#pragma once
// The Blob containers of one emulated storage account as the ConsumerEngine keeps them in the
// account's record: blob contents sealed with AES-256-GCM under the account DEK, properties and
// metadata in clear (as Azure keeps its index), plus their part of the state document.
// Thread-safety: value types; the engine guards them with its mutex.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "emulator/common/status.h"

namespace crosskey::consumer {

struct SealedBytes {
  std::string iv, tag, value;
};

// System properties a Put Blob sets (x-ms-blob-content-* / Content-* headers).
struct BlobContentSettings {
  std::string content_type = "application/octet-stream";
  std::string content_encoding, content_language, content_disposition, cache_control;
};

struct StoredBlob {
  SealedBytes content;
  int64_t size = 0;
  std::string etag;  // quoted, as sent in ETag
  int64_t created = 0;
  int64_t last_modified = 0;
  std::string content_md5;  // raw 16 bytes, computed on upload
  BlobContentSettings settings;
  std::map<std::string, std::string> metadata;
};

struct BlobContainer {
  std::string etag;
  int64_t last_modified = 0;
  std::map<std::string, std::string> metadata;
  std::map<std::string, StoredBlob> blobs;  // sorted by name, as List Blobs returns them
};

using BlobContainers = std::map<std::string, BlobContainer>;  // key: container name (lower-case)

// Encrypts and decrypts under one account DEK (32 bytes).
class DekCipher {
 public:
  explicit DekCipher(std::string_view dek) : dek_(dek) {}
  // Errors: InternalError-shaped BadParameter when OpenSSL fails.
  StatusOr<SealedBytes> Seal(std::string_view plaintext) const;
  // Errors: as Seal; a tag mismatch (tampered state) too.
  StatusOr<std::string> Open(const SealedBytes& sealed) const;

 private:
  std::string_view dek_;
};

// A fresh Storage-style ETag ("0x8D..." in quotes).
std::string NewBlobEtag();

// State document part of one account: {"name": {"etag", "lastModified", "metadata", "blobs": {...}}}.
nlohmann::json ExportContainers(const BlobContainers& containers);
// Throws std::exception on a malformed document (the caller turns it into InvalidState).
BlobContainers ImportContainers(const nlohmann::json& doc);

}  // namespace crosskey::consumer
