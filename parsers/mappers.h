// The record mappings every export of one kind shares: a Graph-shaped JSON record (in any key
// case, with or without a diagnostic envelope) -> Event. Tabular exports (CSV, Log Analytics)
// are turned into that shape first (tabular.cc), so that one failure gives the same Event
// whichever way it was exported.
#ifndef SYNCDOCTOR_PARSERS_MAPPERS_H_
#define SYNCDOCTOR_PARSERS_MAPPERS_H_

#include <string>

#include "parsers/event.h"
#include "parsers/json_util.h"

namespace syncdoctor {

// provisioningObjectSummary (v1.0, beta/legacy, diagnostic, PowerShell, Log Analytics columns).
// False with *why when the record is not a provisioning record.
bool MapProvisioningRecord(JsonElement record, Event* e, std::string* why);

// directoryAudit (Graph, portal JSON, diagnostic, Log Analytics columns).
bool MapAuditRecord(JsonElement record, Event* e, std::string* why);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_MAPPERS_H_
