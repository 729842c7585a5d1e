// The facts an engineer copies into the ticket by hand: tenant and domains, each job with its
// template and state, the agents' versions and hosts, proxy settings seen in the traces.
#ifndef SYNCDOCTOR_ANALYZER_REPORT_CASE_FACTS_H_
#define SYNCDOCTOR_ANALYZER_REPORT_CASE_FACTS_H_

#include "analyzer/index.h"
#include "analyzer/report/report_model.h"

namespace syncdoctor {

class Redactor;

// Fills r->facts from the index. With a redactor, log text (proxy lines) is redacted before it
// is cut; RedactReport covers the rest.
Status LoadCaseFacts(Index* index, Redactor* redactor, Report* r);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_REPORT_CASE_FACTS_H_
