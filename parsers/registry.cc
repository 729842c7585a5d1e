#include "parsers/registry.h"

#include <algorithm>

#include "parsers/formats.h"

namespace syncdoctor {

std::vector<std::unique_ptr<Parser>> AllParsers() {
  std::vector<std::unique_ptr<Parser>> all;
  all.push_back(NewProvisioningGraphParser());
  all.push_back(NewProvisioningDiagnosticParser());
  all.push_back(NewProvisioningPortalParser());
  all.push_back(NewProvisioningPowerShellParser());
  all.push_back(NewProvisioningPortalCsvParser());
  all.push_back(NewProvisioningLogAnalyticsCsvParser());
  all.push_back(NewProvisioningLogAnalyticsJsonParser());
  all.push_back(NewAuditGraphParser());
  all.push_back(NewAuditDiagnosticParser());
  all.push_back(NewAuditPortalParser());
  all.push_back(NewAuditPortalCsvParser());
  all.push_back(NewAuditLogAnalyticsCsvParser());
  all.push_back(NewAuditLogAnalyticsJsonParser());
  all.push_back(NewJobParser());
  all.push_back(NewAgentTraceVerboseParser());
  all.push_back(NewAgentTraceParser());
  all.push_back(NewEvtxParser());
  return all;
}

std::unique_ptr<Parser> NewParser(std::string_view format) {
  for (auto& p : AllParsers()) {
    if (p->name() == format) return std::move(p);
  }
  return nullptr;
}

std::vector<std::string> FormatNames() {
  std::vector<std::string> names;
  for (const auto& p : AllParsers()) names.emplace_back(p->name());
  return names;
}

Detection DetectFormat(std::string_view file_name, std::string_view head, bool raw_bytes) {
  static const std::vector<std::unique_ptr<Parser>> parsers = AllParsers();
  Detection d;
  for (const auto& p : parsers) {
    if (p->wants_raw_bytes() != raw_bytes) continue;
    int score = p->Probe(file_name, head);
    if (score > 0) d.scores.emplace_back(std::string(p->name()), score);
  }
  std::stable_sort(d.scores.begin(), d.scores.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (!d.scores.empty()) {
    d.format = d.scores.front().first;
    d.score = d.scores.front().second;
  }
  return d;
}

}  // namespace syncdoctor
