#pragma once
// The Azure Blob data plane of the emulated storage accounts, without HTTP: containers and
// block blobs (single-shot uploads) stored sealed under the account DEK inside the
// ConsumerEngine, so a revoked customer key makes them unreadable exactly like the account's
// other data. Every operation authorizes the caller with Azure RBAC on the container scope
// ({account id}/blobServices/default/containers/{name}): container operations need the
// containers/{read,write,delete} actions, blob operations the containers/blobs/{read,write,
// delete,add/action} data actions (as "Storage Blob Data Owner/Contributor/Reader" grant them),
// then reaches the data through the account's key gate.
// Thread-safety: all methods safe to call concurrently (the engine's lock guards the data).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "emulator/arm/rbac_engine.h"
#include "emulator/arm/resource_manager.h"
#include "emulator/common/clock.h"
#include "emulator/common/status.h"
#include "emulator/consumer/consumer_engine.h"

namespace crosskey::consumer {

// The storage account a request addresses.
struct BlobAccount {
  std::string id;  // canonical ARM id
  std::string name;
  std::string tenant_id;  // the tenant of its subscription: bearer tokens must come from it
};

// The authenticated caller (from a validated bearer token).
struct BlobCaller {
  std::string tenant_id;
  std::string object_id;
  std::string app_id;
  mutable std::string authorized_by;  // the role assignment that allowed the last operation
};

// If-Match / If-None-Match as sent ("*" or a quoted ETag); empty when absent.
struct BlobConditions {
  std::string if_match;
  std::string if_none_match;
};

struct BlobUpload {
  std::string content;
  BlobContentSettings settings;
  std::map<std::string, std::string> metadata;
  std::optional<std::string> content_md5;  // raw bytes of Content-MD5 when the client sent it
  BlobConditions conditions;
};

// A blob's properties (StoredBlob without the sealed bytes) and, for Get Blob, its content.
struct BlobView {
  std::string name;
  StoredBlob properties;  // properties.content is left empty
  std::string content;
};

struct ContainerView {
  std::string name;
  std::string etag;
  int64_t last_modified = 0;
  std::map<std::string, std::string> metadata;
};

struct ListBlobsQuery {
  std::string prefix;
  std::string delimiter;
  std::string marker;  // the NextMarker of a previous page: the first name to return
  int max_results = 5000;
  bool include_metadata = false;  // include=metadata: blob metadata needs the account's key
};

struct BlobListing {
  std::vector<BlobView> blobs;
  std::vector<std::string> prefixes;  // BlobPrefix entries when a delimiter was given
  std::string next_marker;
};

class BlobService {
 public:
  BlobService(ConsumerEngine* engine, const arm::RbacEngine* rbac, const arm::ResourceManager* resources,
              const Clock* clock)
      : engine_(engine), rbac_(rbac), resources_(resources), clock_(clock) {}

  // Errors: ResourceNotFound (no storage account of that name).
  StatusOr<BlobAccount> Account(const std::string& name) const;

  // Each operation may also return AuthorizationPermissionMismatch, ResourceNotFound (the
  // account went away) and the account's inaccessible-key error.
  // Errors: InvalidResourceName, PublicAccessNotPermitted, ContainerAlreadyExists.
  StatusOr<ContainerView> CreateContainer(const BlobAccount& account, const BlobCaller& caller, const std::string& name,
                                          const std::map<std::string, std::string>& metadata, bool public_access);
  // Errors: InvalidResourceName, ContainerNotFound.
  StatusOr<ContainerView> GetContainer(const BlobAccount& account, const BlobCaller& caller, const std::string& name);
  Status DeleteContainer(const BlobAccount& account, const BlobCaller& caller, const std::string& name);
  // Errors: InvalidResourceName, ContainerNotFound.
  StatusOr<BlobListing> ListBlobs(const BlobAccount& account, const BlobCaller& caller, const std::string& container,
                                  const ListBlobsQuery& query);

  // Errors: InvalidResourceName, OutOfRangeInput, ContainerNotFound, Md5Mismatch,
  // ConditionNotMet (412).
  StatusOr<BlobView> PutBlob(const BlobAccount& account, const BlobCaller& caller, const std::string& container,
                             const std::string& blob, const BlobUpload& upload);
  // with_content false: Get Blob Properties. Errors: ContainerNotFound, BlobNotFound,
  // ConditionNotMet (304/412).
  StatusOr<BlobView> GetBlob(const BlobAccount& account, const BlobCaller& caller, const std::string& container,
                             const std::string& blob, const BlobConditions& conditions, bool with_content);
  // Errors: ContainerNotFound, BlobNotFound, ConditionNotMet (412).
  Status DeleteBlob(const BlobAccount& account, const BlobCaller& caller, const std::string& container,
                    const std::string& blob, const BlobConditions& conditions);

  // Naming rules ("Naming and referencing containers, blobs, and metadata"): containers 3-63
  // characters of lower-case letters, digits and single hyphens, starting and ending with a
  // letter or digit; blob names 1-1,024 characters.
  static bool ValidContainerName(const std::string& name);

 private:
  // Allowed when the caller's roles grant `action` (containers/...) at the container scope.
  bool Allowed(const BlobAccount& account, const BlobCaller& caller, const std::string& container,
               const std::string& action, bool data_action) const;
  Status Authorize(const BlobAccount& account, const BlobCaller& caller, const std::string& container,
                   const std::string& action, bool data_action) const;

  ConsumerEngine* engine_;
  const arm::RbacEngine* rbac_;
  const arm::ResourceManager* resources_;
  const Clock* clock_;
};

}  // namespace crosskey::consumer
