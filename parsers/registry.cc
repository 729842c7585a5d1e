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
  all.push_back(NewProvisionOnDemandParser());
  all.push_back(NewProvisioningPortalCsvParser());
  all.push_back(NewProvisioningLogAnalyticsCsvParser());
  all.push_back(NewProvisioningLogAnalyticsJsonParser());
  all.push_back(NewAuditGraphParser());
  all.push_back(NewAuditDiagnosticParser());
  all.push_back(NewAuditPortalParser());
  all.push_back(NewAuditPortalCsvParser());
  all.push_back(NewAuditLogAnalyticsCsvParser());
  all.push_back(NewAuditLogAnalyticsJsonParser());
  all.push_back(NewAuditConsoleParser());
  all.push_back(NewProvisioningConsoleParser());
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
    std::string why;
    int score = p->Probe(file_name, head, &why);
    if (score <= 0) continue;
    d.scores.emplace_back(std::string(p->name()), score);
    // Ties go to the earlier parser, as in the stable sort below.
    if (score > d.score) {
      d.format = std::string(p->name());
      d.score = score;
      d.why = std::move(why);
    }
  }
  std::stable_sort(d.scores.begin(), d.scores.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return d;
}

}  // namespace syncdoctor
