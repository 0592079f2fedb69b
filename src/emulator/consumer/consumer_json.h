#pragma once
// Helpers the consumer engine's files share: the resource types it serves and tolerant reads of
// request bodies. Thread-safety: constants and pure functions.
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/common/status.h"

namespace crosskey::consumer::json_util {

inline constexpr const char* kStorageType = "Microsoft.Storage/storageAccounts";
inline constexpr const char* kCosmosType = "Microsoft.DocumentDB/databaseAccounts";
inline constexpr const char* kDesType = "Microsoft.Compute/diskEncryptionSets";
inline constexpr const char* kDiskType = "Microsoft.Compute/disks";
inline constexpr const char* kSqlType = "Microsoft.Sql/servers";
inline constexpr const char* kSqlDbType = "Microsoft.Sql/servers/databases";
inline constexpr const char* kSqlProtectorType = "Microsoft.Sql/servers/encryptionProtector";
inline constexpr const char* kSqlKeyType = "Microsoft.Sql/servers/keys";

// j[key] when it is a string, else "".
inline std::string Str(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}
// j[key] when it is an object, else an empty object.
inline const nlohmann::json& Obj(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  return j.is_object() && j.contains(key) && j[key].is_object() ? j[key] : kEmpty;
}
// "code/inner: message", the cause a consumer's error quotes.
inline std::string CauseText(const Error& e) {
  return e.code + (e.inner_code.empty() ? "" : "/" + e.inner_code) + ": " + e.message;
}

}  // namespace crosskey::consumer::json_util
