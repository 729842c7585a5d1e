#include "parsers/json_util.h"

#include <cctype>

#include "parsers/json_records.h"

namespace syncdoctor {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool JsonField(JsonElement obj, std::string_view key, JsonElement* out) {
  simdjson::dom::object o;
  if (obj.get_object().get(o) != simdjson::SUCCESS) return false;
  if (o.at_key(key).get(*out) == simdjson::SUCCESS) return true;
  for (auto field : o) {
    if (EqualsIgnoreCase(field.key, key)) {
      *out = field.value;
      return true;
    }
  }
  return false;
}

bool JsonFirst(JsonElement obj, std::initializer_list<std::string_view> keys, JsonElement* out) {
  for (std::string_view k : keys) {
    if (JsonField(obj, k, out) && !out->is_null()) return true;
  }
  return false;
}

std::string JsonText(JsonElement v) {
  switch (v.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return "";
      return std::string(s);
    }
    case simdjson::dom::element_type::INT64: return std::to_string(int64_t(v.get_int64()));
    case simdjson::dom::element_type::UINT64: return std::to_string(uint64_t(v.get_uint64()));
    case simdjson::dom::element_type::DOUBLE: {
      std::string s = simdjson::minify(v);
      return s;
    }
    case simdjson::dom::element_type::BOOL: return bool(v.get_bool()) ? "true" : "false";
    default: return "";
  }
}

std::string JsonFieldText(JsonElement obj, std::string_view key) {
  JsonElement v;
  if (!JsonField(obj, key, &v)) return "";
  return JsonText(v);
}

std::string JsonFirstText(JsonElement obj, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    std::string s = JsonFieldText(obj, k);
    if (!s.empty()) return s;
  }
  return "";
}

bool JsonPath(JsonElement obj, std::initializer_list<std::string_view> path, JsonElement* out) {
  JsonElement cur = obj;
  for (std::string_view k : path) {
    if (!JsonField(cur, k, &cur)) return false;
  }
  *out = cur;
  return true;
}

simdjson::error_code ParseJsonRecord(simdjson::dom::parser* parser, std::string_view text,
                                     std::string* scratch, JsonElement* out,
                                     size_t* repaired_commas) {
  *repaired_commas = 0;
  simdjson::error_code err = parser->parse(text.data(), text.size(), false).get(*out);
  if (err == simdjson::SUCCESS || err == simdjson::CAPACITY || err == simdjson::MEMALLOC) {
    return err;
  }
  scratch->assign(text);
  size_t removed = StripTrailingCommas(scratch);
  if (removed == 0) return err;
  scratch->reserve(scratch->size() + simdjson::SIMDJSON_PADDING);
  simdjson::error_code err2 = parser->parse(scratch->data(), scratch->size(), false).get(*out);
  if (err2 != simdjson::SUCCESS) return err;
  *repaired_commas = removed;
  return simdjson::SUCCESS;
}

}  // namespace syncdoctor
