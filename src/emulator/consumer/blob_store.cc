#include "emulator/consumer/blob_store.h"

#include <algorithm>

#include "emulator/common/text.h"
#include "emulator/consumer/blob_errors.h"
#include "emulator/crypto/encoding.h"

namespace crosskey::consumer {

// Which Blob operations need the account's key (ConsumerEngine::BlobKeyUse).
constexpr auto kNeedsKey = ConsumerEngine::BlobKeyUse::kNeedsKey;
constexpr auto kProceeds = ConsumerEngine::BlobKeyUse::kProceedsWithoutKey;
namespace {
namespace blob_errors = errors::blob;

constexpr size_t kMaxBlobName = 1024;

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

// If-Match fails with 412 whatever the operation; If-None-Match with 304 on a read and 412 on a
// write ("Specifying conditional headers for Blob service operations").
Status CheckConditions(const BlobConditions& c, const StoredBlob* blob, bool read) {
  if (!c.if_match.empty() && (!blob || (c.if_match != "*" && Unquote(c.if_match) != Unquote(blob->etag)))) {
    return blob_errors::ConditionNotMet(false);
  }
  if (!c.if_none_match.empty() && blob && (c.if_none_match == "*" || Unquote(c.if_none_match) == Unquote(blob->etag))) {
    return blob_errors::ConditionNotMet(read);
  }
  return Status::Ok();
}

BlobView View(const std::string& name, const StoredBlob& stored) {
  BlobView v{name, stored, ""};
  v.properties.content = SealedBytes{};
  return v;
}

ContainerView View(const std::string& name, const BlobContainer& c) {
  return ContainerView{name, c.etag, c.last_modified, c.metadata};
}
}  // namespace

bool BlobService::ValidContainerName(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) continue;
    if (c != '-' || i == 0 || i + 1 == name.size() || name[i - 1] == '-') return false;
  }
  return true;
}

StatusOr<BlobAccount> BlobService::Account(const std::string& name) const {
  auto ref = engine_->FindStorageAccount(name);
  if (!ref) return blob_errors::ResourceNotFound();
  return BlobAccount{ref->id, ref->name, resources_->TenantOfScope(ref->id)};
}

bool BlobService::Allowed(const BlobAccount& account, const BlobCaller& caller, const std::string& container,
                          const std::string& action, bool data_action) const {
  std::string scope = account.id + "/blobServices/default/containers/" + container;
  auto decision = rbac_->Decide(caller.object_id, "Microsoft.Storage/storageAccounts/blobServices/containers/" + action,
                                scope, data_action);
  if (decision.allowed) caller.authorized_by = decision.assignment_id;
  return decision.allowed;
}

Status BlobService::Authorize(const BlobAccount& account, const BlobCaller& caller, const std::string& container,
                              const std::string& action, bool data_action) const {
  if (Allowed(account, caller, container, action, data_action)) return Status::Ok();
  return blob_errors::AuthorizationPermissionMismatch();
}

StatusOr<ContainerView> BlobService::CreateContainer(const BlobAccount& account, const BlobCaller& caller,
                                                     const std::string& name,
                                                     const std::map<std::string, std::string>& metadata,
                                                     bool public_access) {
  if (!ValidContainerName(name)) return blob_errors::InvalidResourceName();
  CK_RETURN_IF_ERROR(Authorize(account, caller, name, "write", false));
  if (public_access) return blob_errors::PublicAccessNotPermitted();
  ContainerView out;
  CK_RETURN_IF_ERROR(
      engine_->WithBlobContainers(account.id, kProceeds, [&](BlobContainers& containers, const DekCipher&) -> Status {
        if (containers.count(name)) return blob_errors::ContainerAlreadyExists();
        BlobContainer& c = containers[name];
        c.etag = NewBlobEtag();
        c.last_modified = clock_->Now();
        c.metadata = metadata;
        out = View(name, c);
        return Status::Ok();
      }));
  return out;
}

StatusOr<ContainerView> BlobService::GetContainer(const BlobAccount& account, const BlobCaller& caller,
                                                  const std::string& name) {
  if (!ValidContainerName(name)) return blob_errors::InvalidResourceName();
  CK_RETURN_IF_ERROR(Authorize(account, caller, name, "read", false));
  ContainerView out;
  CK_RETURN_IF_ERROR(
      engine_->WithBlobContainers(account.id, kProceeds, [&](BlobContainers& containers, const DekCipher&) -> Status {
        auto it = containers.find(name);
        if (it == containers.end()) return blob_errors::ContainerNotFound();
        out = View(name, it->second);
        return Status::Ok();
      }));
  return out;
}

Status BlobService::DeleteContainer(const BlobAccount& account, const BlobCaller& caller, const std::string& name) {
  if (!ValidContainerName(name)) return blob_errors::InvalidResourceName();
  CK_RETURN_IF_ERROR(Authorize(account, caller, name, "delete", false));
  return engine_->WithBlobContainers(account.id, kProceeds,
                                     [&](BlobContainers& containers, const DekCipher&) -> Status {
                                       if (!containers.erase(name)) return blob_errors::ContainerNotFound();
                                       return Status::Ok();
                                     });
}

StatusOr<BlobListing> BlobService::ListBlobs(const BlobAccount& account, const BlobCaller& caller,
                                             const std::string& container, const ListBlobsQuery& query) {
  if (!ValidContainerName(container)) return blob_errors::InvalidResourceName();
  CK_RETURN_IF_ERROR(Authorize(account, caller, container, "blobs/read", true));
  BlobListing out;
  CK_RETURN_IF_ERROR(engine_->WithBlobContainers(
      account.id, query.include_metadata ? kNeedsKey : kProceeds,
      [&](BlobContainers& containers, const DekCipher&) -> Status {
        auto c = containers.find(container);
        if (c == containers.end()) return blob_errors::ContainerNotFound();
        const auto& blobs = c->second.blobs;
        int count = 0;
        for (auto it = blobs.lower_bound(std::max(query.marker, query.prefix)); it != blobs.end(); ++it) {
          const std::string& name = it->first;
          if (name.compare(0, query.prefix.size(), query.prefix) != 0) break;  // sorted: no later name matches
          std::string group;
          if (!query.delimiter.empty()) {
            auto at = name.find(query.delimiter, query.prefix.size());
            if (at != std::string::npos) group = name.substr(0, at + query.delimiter.size());
          }
          if (!group.empty() && !out.prefixes.empty() && out.prefixes.back() == group) continue;
          if (count == query.max_results) {
            out.next_marker = name;
            break;
          }
          ++count;
          if (group.empty()) {
            out.blobs.push_back(View(name, it->second));
          } else {
            out.prefixes.push_back(group);
          }
        }
        return Status::Ok();
      }));
  return out;
}

StatusOr<BlobView> BlobService::PutBlob(const BlobAccount& account, const BlobCaller& caller,
                                        const std::string& container, const std::string& blob,
                                        const BlobUpload& upload) {
  if (!ValidContainerName(container)) return blob_errors::InvalidResourceName();
  if (blob.empty() || blob.size() > kMaxBlobName) return blob_errors::OutOfRangeInput();
  // Creating a blob needs blobs/add/action or blobs/write; overwriting one needs blobs/write
  // ("Permissions for calling data operations").
  bool can_write = Allowed(account, caller, container, "blobs/write", true);
  bool can_add = can_write || Allowed(account, caller, container, "blobs/add/action", true);
  if (!can_add) return blob_errors::AuthorizationPermissionMismatch();
  std::string md5 = crypto::Md5(upload.content);
  if (upload.content_md5 && *upload.content_md5 != md5) {
    return blob_errors::Md5Mismatch(crypto::Base64Encode(*upload.content_md5), crypto::Base64Encode(md5));
  }
  BlobView out;
  CK_RETURN_IF_ERROR(engine_->WithBlobContainers(
      account.id, kNeedsKey, [&](BlobContainers& containers, const DekCipher& cipher) -> Status {
        auto c = containers.find(container);
        if (c == containers.end()) return blob_errors::ContainerNotFound();
        auto existing = c->second.blobs.find(blob);
        const StoredBlob* previous = existing == c->second.blobs.end() ? nullptr : &existing->second;
        if (previous && !can_write) return blob_errors::AuthorizationPermissionMismatch();
        CK_RETURN_IF_ERROR(CheckConditions(upload.conditions, previous, false));
        CK_ASSIGN_OR_RETURN(auto sealed, cipher.Seal(upload.content));
        int64_t now = clock_->Now();
        StoredBlob stored;
        stored.content = std::move(sealed);
        stored.size = static_cast<int64_t>(upload.content.size());
        stored.etag = NewBlobEtag();
        stored.created = previous ? previous->created : now;
        stored.last_modified = now;
        stored.content_md5 = md5;
        stored.settings = upload.settings;
        stored.metadata = upload.metadata;
        out = View(blob, stored);
        c->second.blobs[blob] = std::move(stored);
        return Status::Ok();
      }));
  return out;
}

StatusOr<BlobView> BlobService::GetBlob(const BlobAccount& account, const BlobCaller& caller,
                                        const std::string& container, const std::string& blob,
                                        const BlobConditions& conditions, bool with_content) {
  if (!ValidContainerName(container)) return blob_errors::InvalidResourceName();
  CK_RETURN_IF_ERROR(Authorize(account, caller, container, "blobs/read", true));
  BlobView out;
  CK_RETURN_IF_ERROR(engine_->WithBlobContainers(account.id, kNeedsKey,
                                                 [&](BlobContainers& containers, const DekCipher& cipher) -> Status {
                                                   auto c = containers.find(container);
                                                   if (c == containers.end()) return blob_errors::ContainerNotFound();
                                                   auto b = c->second.blobs.find(blob);
                                                   if (b == c->second.blobs.end()) return blob_errors::BlobNotFound();
                                                   CK_RETURN_IF_ERROR(CheckConditions(conditions, &b->second, true));
                                                   out = View(blob, b->second);
                                                   if (with_content) {
                                                     CK_ASSIGN_OR_RETURN(auto plain, cipher.Open(b->second.content));
                                                     out.content = std::move(plain);
                                                   }
                                                   return Status::Ok();
                                                 }));
  return out;
}

Status BlobService::DeleteBlob(const BlobAccount& account, const BlobCaller& caller, const std::string& container,
                               const std::string& blob, const BlobConditions& conditions) {
  if (!ValidContainerName(container)) return blob_errors::InvalidResourceName();
  CK_RETURN_IF_ERROR(Authorize(account, caller, container, "blobs/delete", true));
  return engine_->WithBlobContainers(account.id, kProceeds,
                                     [&](BlobContainers& containers, const DekCipher&) -> Status {
                                       auto c = containers.find(container);
                                       if (c == containers.end()) return blob_errors::ContainerNotFound();
                                       auto b = c->second.blobs.find(blob);
                                       if (b == c->second.blobs.end()) return blob_errors::BlobNotFound();
                                       CK_RETURN_IF_ERROR(CheckConditions(conditions, &b->second, false));
                                       c->second.blobs.erase(b);
                                       return Status::Ok();
                                     });
}

}  // namespace crosskey::consumer
