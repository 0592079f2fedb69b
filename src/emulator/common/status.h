#pragma once
// Error values shared by every core. A core function returns StatusOr<T>; each plane's wire
// mapper renders an Error into that plane's JSON body. Errors are built only by the named
// factories in each plane's errors.h, never ad hoc.
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace crosskey {

// One failure, carrying everything any plane's wire format needs.
// Thread-safety: a value type.
struct Error {
  int http_status = 500;
  std::string code;        // KV/ARM/Graph "code", OAuth "error"
  std::string message;     // KV/ARM/Graph "message", OAuth "error_description"
  std::string inner_code;  // KV innererror.code (e.g. KeyDisabled, ForbiddenByRbac)
  std::vector<int> aadsts; // OAuth error_codes
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
  std::vector<std::pair<std::string, std::string>> details;  // extra body fields (Storage XML elements)
  std::vector<std::pair<std::string, std::string>> causes;   // ARM details[]: {code, message} underneath
  // An asynchronous ARM provider reports this failure through the long-running operation it
  // accepted (the poller sees it), not as the answer to the write itself.
  bool operation_failure = false;
};

// The one constructor every plane's error factories use.
inline Error MakeError(int http_status, std::string code, std::string message, std::string inner_code = "") {
  Error e;
  e.http_status = http_status;
  e.code = std::move(code);
  e.message = std::move(message);
  e.inner_code = std::move(inner_code);
  return e;
}

// Either a value or an Error. Thread-safety: a value type.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  StatusOr(Error error) : v_(std::move(error)) {}    // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const Error& error() const { return std::get<Error>(v_); }
  const T* operator->() const { return &std::get<T>(v_); }
  T* operator->() { return &std::get<T>(v_); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Error> v_;
};

// Success-or-error for operations without a value.
class Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return !error_.has_value(); }
  const Error& error() const { return *error_; }
  static Status Ok() { return Status(); }

 private:
  std::optional<Error> error_;
};

}  // namespace crosskey

// Propagate an error from a Status or StatusOr expression.
#define CK_RETURN_IF_ERROR(expr)               \
  do {                                         \
    auto ck_status_ = (expr);                  \
    if (!ck_status_.ok()) return ck_status_.error(); \
  } while (0)

#define CK_CONCAT_INNER(a, b) a##b
#define CK_CONCAT(a, b) CK_CONCAT_INNER(a, b)
#define CK_ASSIGN_OR_RETURN(lhs, expr) CK_ASSIGN_OR_RETURN_IMPL(CK_CONCAT(ck_sor_, __LINE__), lhs, expr)
#define CK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.error();             \
  lhs = std::move(tmp).value()
