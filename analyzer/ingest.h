// Ingest: walk a bundle, detect each file's format, parse it, and store events, unparsed items and
// signature matches in the index: one transaction per file, so a killed run loses at most the
// file it was reading, and the next run picks it up again.
#ifndef SYNCDOCTOR_ANALYZER_INGEST_H_
#define SYNCDOCTOR_ANALYZER_INGEST_H_

#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "analyzer/bundle.h"
#include "analyzer/index.h"
#include "analyzer/matcher.h"

namespace syncdoctor {

// Counters of a running ingest, for a progress line; `report` is called after each file and every
// few thousand events within a file (the caller throttles what it prints).
struct IngestProgress {
  int64_t files = 0;       // files finished
  uint64_t bytes = 0;      // their sizes
  int64_t events = 0;      // events stored so far
  std::string current;     // the file being read
  std::function<void(const IngestProgress&)> report;
};

struct IngestOptions {
  std::string input_format;          // overrides detection for every file when not empty
  BundleLimits limits;
  std::set<std::string> exclude;     // absolute paths to leave out (the index itself)
  // --explain-detect: receives a line per file, why it got its format (path and reason are
  // bundle text: the receiver must make them safe for where it prints them).
  std::function<void(const std::string& path, const std::string& why)> explain;
  IngestProgress* progress = nullptr;
  // Files parsed and matched at once by worker threads; one writer thread stores them, in the
  // order of the walk, so the index is the same whatever the number. 1: no thread at all.
  int jobs = 1;
  // Leave the full-text index to the caller (Index::UpdateFts): `analyze` fills it while the
  // report is built, and not at all for a temporary index.
  bool defer_fts = false;
};

struct IngestStats {
  int64_t files = 0;        // files looked at (archives not counted)
  int64_t unchanged = 0;    // already in the index: nothing done
  int64_t read = 0;         // parsed or partial
  int64_t skipped = 0, failed = 0;
  int64_t copies = 0;       // skipped because the same content is indexed (counts as readable)
  std::vector<std::string> skip_reasons;  // "path: reason" of skipped files (the first 50)
  int64_t events = 0, unparsed = 0, duplicates = 0;
  std::vector<std::string> errors;  // "path: message", for stderr
};

// Ingests `path` (a folder, a file or an archive) into `index`, matching every new event with
// `matcher`. Bad files are recorded and the walk goes on; the returned Status is non-ok only for
// index errors or a path that does not exist.
Status IngestPath(const std::string& path, const IngestOptions& options, Index* index,
                  const Matcher& matcher, IngestStats* stats);

// The finding scope of an event: its job id, else the folder of its file for traces and event
// logs (FolderScope: rotated traces of one agent are one finding), else "".
std::string ScopeOf(const Event& e, std::string_view path);
// "Trace/" for "Trace/a.log", "diag.zip!/Trace/" for "diag.zip!/Trace/a.log", "./" for "a.log".
std::string FolderScope(std::string_view path);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_INGEST_H_
