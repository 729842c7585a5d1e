// Small helpers over simdjson's DOM for records whose key case varies between exports
// (Graph camelCase, diagnostic PascalCase `Id`/`Name`, PowerShell PascalCase).
#ifndef SYNCDOCTOR_PARSERS_JSON_UTIL_H_
#define SYNCDOCTOR_PARSERS_JSON_UTIL_H_

#include <simdjson.h>

#include <string>
#include <string_view>

namespace syncdoctor {

using JsonElement = simdjson::dom::element;

// The member `key` of `obj`, exact case first, then ignoring ASCII case. False when `obj` is
// no object or has no such member (a JSON null member counts as present).
bool JsonField(JsonElement obj, std::string_view key, JsonElement* out);

// The first of `keys` that is present and not null.
bool JsonFirst(JsonElement obj, std::initializer_list<std::string_view> keys, JsonElement* out);

// Text of a scalar: the string itself, a number or bool printed, "" for null, objects and arrays.
std::string JsonText(JsonElement value);

// JsonText of member `key` (case-insensitive); "" when absent.
std::string JsonFieldText(JsonElement obj, std::string_view key);

// JsonText of the first present, non-empty member of `keys`.
std::string JsonFirstText(JsonElement obj, std::initializer_list<std::string_view> keys);

// Member lookup along a path: JsonPath(rec, {"provisioningStatusInfo", "errorInformation"}).
bool JsonPath(JsonElement obj, std::initializer_list<std::string_view> path, JsonElement* out);

// Parses one record held in `text` (followed by >= SIMDJSON_PADDING readable bytes). On a syntax
// error, retries once without trailing commas; *repaired_commas then says how many were removed.
// `scratch` holds the repaired copy and must outlive the use of *out.
simdjson::error_code ParseJsonRecord(simdjson::dom::parser* parser, std::string_view text,
                                     std::string* scratch, JsonElement* out,
                                     size_t* repaired_commas);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_JSON_UTIL_H_
