// Flat (key, value) cells -> one Graph-shaped JSON record, for the exports that are not JSON
// (CSV files, console output): the shared mappers (mappers.h) then read them as they read Graph.
#ifndef SYNCDOCTOR_PARSERS_ROW_JSON_H_
#define SYNCDOCTOR_PARSERS_ROW_JSON_H_

#include <simdjson.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncdoctor {

// `s` as a JSON string literal.
std::string JsonQuote(std::string_view s);

// Builds one JSON object from (key, value) cells; a cell whose text is a JSON object or array is
// embedded as JSON, everything else as a string. Keys given as "a.b" or "a.b.c" build nested
// objects. Empty values are left out.
class RowJson {
 public:
  void Add(std::string_view key, std::string_view value, bool is_json = false);
  // The JSON text (with padding room for simdjson).
  const std::string& Build();
  void Clear() { fields_.clear(); }

 private:
  struct Field {
    std::string value;
    bool json;
  };
  bool LooksLikeJson(std::string_view v);
  void AppendKey(bool* first, std::string_view key);
  void Member(bool* first, std::string_view key, const Field& f);

  std::vector<std::pair<std::string, Field>> fields_;
  std::string out_;
  simdjson::dom::parser validator_;
};

// Column name (normalised: NormalizeHeader) -> Graph property path of a provisioningObjectSummary,
// for the portal CSV and console output. Several spellings per property: the real headers are
// not published (FORMATS.md §7).
const std::map<std::string, std::string>& ProvisioningColumnAliases();

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_ROW_JSON_H_
