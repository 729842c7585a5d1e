#include "parsers/row_json.h"

#include "parsers/json_log_parser.h"

namespace syncdoctor {

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

void RowJson::Add(std::string_view key, std::string_view value, bool is_json) {
  if (value.empty()) return;
  fields_.emplace_back(std::string(key), Field{std::string(value), is_json || LooksLikeJson(value)});
}

const std::string& RowJson::Build() {
  // Group dotted keys: "provisioningStatusInfo.status" -> {"provisioningStatusInfo":{"status":…}}.
  std::map<std::string, std::vector<std::pair<std::string, const Field*>>> nested;
  std::vector<std::string> order;
  out_.clear();
  out_.push_back('{');
  bool first = true;
  for (const auto& [key, f] : fields_) {
    size_t dot = key.find('.');
    if (dot == std::string::npos) {
      Member(&first, key, f);
      continue;
    }
    std::string outer = key.substr(0, dot);
    if (nested.find(outer) == nested.end()) order.push_back(outer);
    nested[outer].emplace_back(key.substr(dot + 1), &f);
  }
  for (const auto& outer : order) {
    AppendKey(&first, outer);
    out_.push_back('{');
    bool inner_first = true;
    // A second level ("provisioningStatusInfo.errorInformation.errorCode") nests once more.
    std::map<std::string, std::vector<std::pair<std::string, const Field*>>> deeper;
    std::vector<std::string> deeper_order;
    for (const auto& [k, f] : nested[outer]) {
      size_t dot = k.find('.');
      if (dot == std::string::npos) {
        Member(&inner_first, k, *f);
      } else {
        std::string mid = k.substr(0, dot);
        if (deeper.find(mid) == deeper.end()) deeper_order.push_back(mid);
        deeper[mid].emplace_back(k.substr(dot + 1), f);
      }
    }
    for (const auto& mid : deeper_order) {
      AppendKey(&inner_first, mid);
      out_.push_back('{');
      bool f3 = true;
      for (const auto& [k, f] : deeper[mid]) Member(&f3, k, *f);
      out_.push_back('}');
    }
    out_.push_back('}');
  }
  out_.push_back('}');
  out_.reserve(out_.size() + simdjson::SIMDJSON_PADDING);
  return out_;
}

bool RowJson::LooksLikeJson(std::string_view v) {
  char c = FirstNonSpace(v);
  if (c != '{' && c != '[') return false;
  simdjson::dom::element e;
  simdjson::padded_string ps(v);
  return validator_.parse(ps).get(e) == simdjson::SUCCESS;
}

void RowJson::AppendKey(bool* first, std::string_view key) {
  if (!*first) out_.push_back(',');
  *first = false;
  out_ += JsonQuote(key);
  out_.push_back(':');
}

void RowJson::Member(bool* first, std::string_view key, const Field& f) {
  AppendKey(first, key);
  if (f.json) {
    out_ += f.value;
  } else {
    out_ += JsonQuote(f.value);
  }
}

const std::map<std::string, std::string>& ProvisioningColumnAliases() {
  static const std::map<std::string, std::string> aliases = {
      {"id", "id"}, {"activityid", "id"},
      {"activitydatetime", "activityDateTime"}, {"date", "activityDateTime"},
      {"date(utc)", "activityDateTime"}, {"datetime", "activityDateTime"}, {"time", "activityDateTime"},
      {"tenantid", "tenantId"},
      {"jobid", "jobId"}, {"cycleid", "cycleId"}, {"changeid", "changeId"},
      {"provisioningaction", "provisioningAction"}, {"action", "provisioningAction"},
      {"durationinmilliseconds", "durationInMilliseconds"}, {"duration", "durationInMilliseconds"},
      {"duration(ms)", "durationInMilliseconds"},
      {"status", "provisioningStatusInfo.status"},
      {"provisioningstatusinfostatus", "provisioningStatusInfo.status"},
      {"errorcode", "provisioningStatusInfo.errorInformation.errorCode"},
      {"provisioningstatusinfoerrorinformationerrorcode", "provisioningStatusInfo.errorInformation.errorCode"},
      {"reason", "provisioningStatusInfo.errorInformation.reason"},
      {"statusreason", "provisioningStatusInfo.errorInformation.reason"},
      {"errorreason", "provisioningStatusInfo.errorInformation.reason"},
      {"failurereason", "provisioningStatusInfo.errorInformation.reason"},
      {"provisioningstatusinfoerrorinformationreason", "provisioningStatusInfo.errorInformation.reason"},
      {"additionaldetails", "provisioningStatusInfo.errorInformation.additionalDetails"},
      {"provisioningstatusinfoerrorinformationadditionaldetails", "provisioningStatusInfo.errorInformation.additionalDetails"},
      {"errorcategory", "provisioningStatusInfo.errorInformation.errorCategory"},
      {"provisioningstatusinfoerrorinformationerrorcategory", "provisioningStatusInfo.errorInformation.errorCategory"},
      {"recommendedaction", "provisioningStatusInfo.errorInformation.recommendedAction"},
      {"provisioningstatusinfoerrorinformationrecommendedaction", "provisioningStatusInfo.errorInformation.recommendedAction"},
      {"sourceidentity", "sourceIdentity.displayName"},
      {"sourceidentitydisplayname", "sourceIdentity.displayName"}, {"sourcedisplayname", "sourceIdentity.displayName"},
      {"sourceidentityname", "sourceIdentity.displayName"}, {"sourcename", "sourceIdentity.displayName"},
      {"sourceidentityid", "sourceIdentity.id"}, {"sourceid", "sourceIdentity.id"},
      {"sourceidentitytype", "sourceIdentity.identityType"}, {"sourceidentityidentitytype", "sourceIdentity.identityType"},
      {"targetidentity", "targetIdentity.displayName"},
      {"targetidentitydisplayname", "targetIdentity.displayName"}, {"targetdisplayname", "targetIdentity.displayName"},
      {"targetidentityname", "targetIdentity.displayName"}, {"targetname", "targetIdentity.displayName"},
      {"targetidentityid", "targetIdentity.id"}, {"targetid", "targetIdentity.id"},
      {"targetidentitytype", "targetIdentity.identityType"}, {"targetidentityidentitytype", "targetIdentity.identityType"},
      {"initiatedby", "initiatedBy.displayName"}, {"initiatedbydisplayname", "initiatedBy.displayName"},
      {"sourcesystem", "sourceSystem.displayName"}, {"sourcesystemdisplayname", "sourceSystem.displayName"},
      {"targetsystem", "targetSystem.displayName"}, {"targetsystemdisplayname", "targetSystem.displayName"},
      {"serviceprincipal", "servicePrincipal.displayName"}, {"serviceprincipaldisplayname", "servicePrincipal.displayName"},
      {"serviceprincipalid", "servicePrincipal.id"},
  };
  return aliases;
}

}  // namespace syncdoctor
