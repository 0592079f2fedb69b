#pragma once
// The Azure Blob REST subset on the wire, served on {account}.blob.{domain}[:port] for the
// emulated storage accounts: bearer authentication (Microsoft Entra tokens for
// https://storage.azure.com issued by the account's tenant, x-ms-version 2017-11-09 or later),
// the Bearer challenge the Storage SDKs follow, container create/properties/delete/list and
// block blob put/get (ranges)/properties/delete, Storage XML errors; anything else answers 501
// in the same XML shape. The logic lives in consumer/blob_store.h. docs/blob.md describes it.
// Thread-safety: stateless over the Cloud; safe for concurrent requests.
#include <string>

#include "emulator/cloud/cloud.h"
#include "emulator/common/http/request_context.h"
#include "emulator/common/http_types.h"

namespace crosskey::consumer::http {

// Storage XML error body with x-ms-error-code (and the request's x-ms-version echoed).
HttpResponse RenderStorageError(const Error& error, const HttpRequest& request, int64_t now);

class BlobRoutes {
 public:
  explicit BlobRoutes(Cloud* cloud) : cloud_(cloud) {}
  // The account name when request.host is "{account}.blob.{domain}", else empty.
  std::string AccountOf(const HttpRequest& request) const;
  // Finds the request's route for account `resource` (what AccountOf returned): fills context's
  // operation, path parameters and writes.
  void Match(const HttpRequest& request, std::string resource, wire::RequestContext* context) const;
  // Serves a request addressed to storage account context.resource.
  HttpResponse Serve(const HttpRequest& request, const wire::RequestContext& context) const;
  HttpResponse RenderError(const Error& error, const HttpRequest& request) const;

 private:
  // The caller of a request with a valid bearer token of the account's tenant, else the refusal.
  StatusOr<BlobCaller> Authenticate(const HttpRequest& request, const BlobAccount& account,
                                    std::string* correlation) const;
  StatusOr<HttpResponse> Run(const HttpRequest& request, const wire::RequestContext& context,
                             const BlobAccount& account, const BlobCaller& caller) const;
  std::string Challenge(const std::string& tenant) const;
  Cloud* cloud_;
};

}  // namespace crosskey::consumer::http
