// What to ask the customer for: the sources a bundle lacks, or lacks for the time of its failure,
// each with the exact way to get it and the findings it would confirm or rule out.
#ifndef SYNCDOCTOR_ANALYZER_REPORT_ASK_FOR_H_
#define SYNCDOCTOR_ANALYZER_REPORT_ASK_FOR_H_

#include <vector>

#include "analyzer/index.h"
#include "analyzer/report/report_model.h"
#include "analyzer/signature.h"

namespace syncdoctor {

// Fills r->ask_for from r->inputs, r->spans and r->findings (BuildSpans must have run) and the
// job templates in `index`. Agent sources are asked for only where an agent is in play: a Cloud
// Sync or on-premises (ECMA) job, an agent finding, or no job known at all.
Status BuildAskFor(Index* index, const std::vector<Signature>& signatures, Report* r);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_REPORT_ASK_FOR_H_
