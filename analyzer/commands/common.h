// What the commands that read a bundle or an index share (defined in analyzer/commands/analyze.cc):
// the ingest options, loading the signatures, opening an index the way `report` does, ingesting
// into it, and the temporary index of `analyze` without --db.
#ifndef SYNCDOCTOR_ANALYZER_COMMANDS_COMMON_H_
#define SYNCDOCTOR_ANALYZER_COMMANDS_COMMON_H_

#include <boost/program_options.hpp>

#include <memory>
#include <string>
#include <vector>

#include "analyzer/index.h"
#include "analyzer/matcher.h"
#include "analyzer/signature.h"

namespace syncdoctor {

// --input-format, --explain-detect, the archive limits, --no-progress, --jobs and "args".
void CommonIngestOptions(boost::program_options::options_description* d);

// Loads the built-in signatures and those of --signatures DIR and builds the matcher; prints the
// error and returns false on failure.
bool LoadMatcher(const boost::program_options::variables_map& vm, std::vector<Signature>* sigs,
                 std::unique_ptr<Matcher>* matcher);

// False (after printing why) when --input-format names no format this version reads.
bool CheckInputFormat(const boost::program_options::variables_map& vm);

// Index::Open, printing the error; false on failure.
bool OpenIndex(const std::string& path, std::unique_ptr<Index>* index, bool create = true);

// Opens the existing index `db` as `report --db` does: read-only when the file or its folder
// cannot be written (a case archive, a mounted share), else for writing; never creates one.
// Prints the error and returns false when it is missing or unusable.
bool OpenIndexForReport(const std::string& db, std::unique_ptr<Index>* index);

// Brings the findings of `index` up to date with `matcher` before a report is made from it; a
// read-only index cannot be, and gets a warning when its findings are stale.
Status RefreshForReport(Index* index, const Matcher& matcher);

// Ingests every path of `paths` into `index` with the ingest options of `vm` (and --quiet),
// printing a summary line per path on stderr; returns kExitOk, kExitNoInput (nothing could be
// read) or kExitUsage (bad options, index error). `fts` and `*fts_pending`: see analyze.cc.
int IngestPaths(const boost::program_options::variables_map& vm, const std::vector<std::string>& paths,
                const std::string& db_path, Index* index, const Matcher& matcher, bool fts,
                bool* fts_pending);

class Redactor;

// --redact and --redact-key, for the commands that print log text from an index.
void RedactOptions(boost::program_options::options_description* d);
// The redactor of --redact, taught the names in `index`; null without --redact. False (after
// printing why) on --redact-key without --redact or an index it cannot read.
bool MakeRedactor(const boost::program_options::variables_map& vm, Index* index,
                  std::unique_ptr<Redactor>* out);

// A temporary index file ($TMPDIR, else /tmp, as syncdoctor-XXXXXX) that is removed when the
// object goes, and on Ctrl-C, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE. path() is "" when none could
// be made. The signal handler knows one path: use one at a time.
class TempIndexPath {
 public:
  TempIndexPath();
  ~TempIndexPath();
  TempIndexPath(const TempIndexPath&) = delete;
  TempIndexPath& operator=(const TempIndexPath&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_COMMANDS_COMMON_H_
