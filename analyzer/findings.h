// Findings: the matches of the index grouped per signature and scope, with `supersedes` applied.
#ifndef SYNCDOCTOR_ANALYZER_FINDINGS_H_
#define SYNCDOCTOR_ANALYZER_FINDINGS_H_

#include <vector>

#include "analyzer/index.h"
#include "analyzer/matcher.h"

namespace syncdoctor {

// Re-runs `matcher` over every event of the index, replacing all matches (used when the
// signature set differs from the one the index was matched with).
Status Rematch(Index* index, const Matcher& matcher);

// Every signature whose own conditions hold on the stored event `event_id` (Matcher::MatchAll:
// tiers and supersedes not applied), as indexes into the matcher's signatures.
Status MatchStoredEvent(Index* index, const Matcher& matcher, int64_t event_id, std::vector<int>* hits);

// Rebuilds the `findings` table from `matches`. Matches without a scope (audit events) join the
// signature's one scoped finding when there is exactly one. A generic finding (tier: generic)
// whose signature is named in the `supersedes` of another finding in the same scope gets
// `hidden_by` set (supersedes on single events is the matcher's work).
Status RebuildFindings(Index* index, const std::vector<Signature>& signatures);

// Makes sure the matches stored in the index come from `matcher`'s signatures: when the
// fingerprint kept in meta differs, every event is matched again. Call before ingesting.
Status SyncMatches(Index* index, const Matcher& matcher);

// Whether the stored findings are those RefreshFindings would make now (same signatures, version,
// events and matches); a read-only index can only be reported as it is.
Status FindingsAreCurrent(Index* index, const Matcher& matcher, bool* current);

// SyncMatches, then RebuildFindings.
// Makes sure the index's matches come from `signatures` (rematching when the fingerprint stored
// in meta differs) and rebuilds the findings.
Status RefreshFindings(Index* index, const Matcher& matcher);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_FINDINGS_H_
