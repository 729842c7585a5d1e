#include "parsers/status.h"

namespace syncdoctor {

std::string Status::ToString() const {
  const char* prefix = "ok";
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kNotFound: prefix = "not found"; break;
    case Code::kInvalidInput: prefix = "invalid input"; break;
    case Code::kIoError: prefix = "I/O error"; break;
    case Code::kDbError: prefix = "index error"; break;
    case Code::kUnsupported: prefix = "unsupported"; break;
    case Code::kConflict: prefix = "conflict"; break;
  }
  return std::string(prefix) + ": " + message_;
}

}  // namespace syncdoctor
