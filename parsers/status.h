// A Status is the result of an operation that can fail on I/O or on user data.
// The value of a successful operation comes back through an out-parameter.
#ifndef SYNCDOCTOR_PARSERS_STATUS_H_
#define SYNCDOCTOR_PARSERS_STATUS_H_

#include <string>
#include <string_view>

namespace syncdoctor {

class [[nodiscard]] Status {
 public:
  enum class Code { kOk, kNotFound, kInvalidInput, kIoError, kDbError, kUnsupported, kConflict };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status InvalidInput(std::string_view msg) { return Status(Code::kInvalidInput, msg); }
  static Status IoError(std::string_view msg) { return Status(Code::kIoError, msg); }
  static Status DbError(std::string_view msg) { return Status(Code::kDbError, msg); }
  static Status Unsupported(std::string_view msg) { return Status(Code::kUnsupported, msg); }
  // Another writer stored the same row first (a unique key of the index).
  static Status Conflict(std::string_view msg) { return Status(Code::kConflict, msg); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid input: app.csv:12: ..."; "ok" for success.
  std::string ToString() const;

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_STATUS_H_
