// Factories for every parser, one per format name of DESIGN.md. registry.cc lists them.
#ifndef SYNCDOCTOR_PARSERS_FORMATS_H_
#define SYNCDOCTOR_PARSERS_FORMATS_H_

#include <memory>

#include "parsers/parser.h"

namespace syncdoctor {

// provisioning.cc
std::unique_ptr<Parser> NewProvisioningGraphParser();        // provisioning-graph-json
std::unique_ptr<Parser> NewProvisioningPortalParser();       // provisioning-portal-json
std::unique_ptr<Parser> NewProvisioningDiagnosticParser();   // provisioning-diagnostic-json
std::unique_ptr<Parser> NewProvisioningPowerShellParser();   // provisioning-powershell-json
std::unique_ptr<Parser> NewProvisionOnDemandParser();        // provisioning-on-demand-json
// audit.cc
std::unique_ptr<Parser> NewAuditGraphParser();               // audit-graph-json
std::unique_ptr<Parser> NewAuditPortalParser();              // audit-portal-json
std::unique_ptr<Parser> NewAuditDiagnosticParser();          // audit-diagnostic-json
// tabular.cc
std::unique_ptr<Parser> NewProvisioningPortalCsvParser();         // provisioning-portal-csv
std::unique_ptr<Parser> NewProvisioningLogAnalyticsCsvParser();   // provisioning-log-analytics-csv
std::unique_ptr<Parser> NewProvisioningLogAnalyticsJsonParser();  // provisioning-log-analytics-json
std::unique_ptr<Parser> NewAuditPortalCsvParser();                // audit-portal-csv
std::unique_ptr<Parser> NewAuditLogAnalyticsCsvParser();          // audit-log-analytics-csv
std::unique_ptr<Parser> NewAuditLogAnalyticsJsonParser();         // audit-log-analytics-json
// console.cc
std::unique_ptr<Parser> NewAuditConsoleParser();              // audit-powershell-console
std::unique_ptr<Parser> NewProvisioningConsoleParser();       // provisioning-powershell-console
// job_status.cc
std::unique_ptr<Parser> NewJobParser();                      // job-graph-json
// agent_trace.cc
std::unique_ptr<Parser> NewAgentTraceParser();               // agent-trace
std::unique_ptr<Parser> NewAgentTraceVerboseParser();        // agent-trace-verbose
// evtx.cc
std::unique_ptr<Parser> NewEvtxParser();                     // evtx

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_FORMATS_H_
