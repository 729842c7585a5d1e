// The command table and what every command shares: exit codes, common options, output.
#ifndef SYNCDOCTOR_ANALYZER_CLI_H_
#define SYNCDOCTOR_ANALYZER_CLI_H_

#include <boost/program_options.hpp>

#include <fstream>
#include <ostream>
#include <string>
#include <vector>

namespace syncdoctor {

// Exit codes of DESIGN.md, defined once.
enum ExitCode {
  kExitOk = 0,          // the run completed, findings or not
  kExitFindings = 1,    // a finding at or above --fail-on; for diff: something got worse
  kExitUsage = 2,       // usage or configuration error, or an unusable index
  kExitNoInput = 3,     // no input could be read; for batch: a bundle failed, timed out or had none
};

struct Command {
  const char* name;
  const char* summary;
  const char* usage;     // "syncdoctor analyze PATH... [options]"
  const char* examples;  // lines shown under --help
  // Adds the command's options; positional arguments go to "args".
  void (*options)(boost::program_options::options_description* desc);
  int (*run)(const boost::program_options::variables_map& vm);
};

const std::vector<Command>& Commands();

// Entry point: dispatches argv[1] to its command. Never throws.
int RunCli(int argc, char** argv);

// "syncdoctor: error: <message>" on stderr.
void PrintError(const std::string& message);
void PrintWarning(const std::string& message);

// Writes `text` to --output FILE, or stdout. False (with an error printed) when it cannot.
bool WriteOutput(const boost::program_options::variables_map& vm, const std::string& text);

// The key of --redact: --redact-key, else $SYNCDOCTOR_REDACT_KEY, else "" (a random key per run).
// False (after printing why) when --output names the index (or its -wal, -shm or -journal file),
// or, for analyze and ingest, one of the inputs or a path inside an input folder. Checked for
// every command before it runs; a refused output is a usage error (exit 2).
bool OutputPathIsSafe(std::string_view command, const boost::program_options::variables_map& vm);

// Where a command writes its result: the --output file (opened once, truncated) or stdout,
// written piece by piece so that a large result is never held whole.
class OutputStream {
 public:
  explicit OutputStream(const boost::program_options::variables_map& vm);
  bool ok() const { return ok_; }
  void Write(const std::string& text);
  // Flushes; false (after printing why) when the output could not be written.
  bool Finish();

 private:
  std::ofstream file_;
  std::string path_;
  bool to_file_ = false, ok_ = true;
};

std::string RedactKey(const boost::program_options::variables_map& vm);

// The closest command name within edit distance 2, or "".
std::string SuggestCommand(const std::string& name);

// Command entry points (analyzer/commands/*.cc).
void AnalyzeOptions(boost::program_options::options_description* d);
int RunAnalyze(const boost::program_options::variables_map& vm);
void IngestOptions_(boost::program_options::options_description* d);
int RunIngest(const boost::program_options::variables_map& vm);
void ReportOptions(boost::program_options::options_description* d);
int RunReport(const boost::program_options::variables_map& vm);
void DiffOptions(boost::program_options::options_description* d);
int RunDiff(const boost::program_options::variables_map& vm);
void QueryOptions(boost::program_options::options_description* d);
int RunQuery(const boost::program_options::variables_map& vm);
void SearchOptions(boost::program_options::options_description* d);
int RunSearch(const boost::program_options::variables_map& vm);
void TimelineOptions(boost::program_options::options_description* d);
int RunTimeline(const boost::program_options::variables_map& vm);
void ShowOptions(boost::program_options::options_description* d);
int RunShow(const boost::program_options::variables_map& vm);
void ExplainOptions(boost::program_options::options_description* d);
int RunExplain(const boost::program_options::variables_map& vm);
void CompletionOptions(boost::program_options::options_description* d);
int RunCompletion(const boost::program_options::variables_map& vm);
// The man page (roff) and the bash completion script, generated from the command table.
void WriteManPage(std::ostream& out);
void WriteBashCompletion(std::ostream& out);
void BatchOptions(boost::program_options::options_description* d);
int RunBatch(const boost::program_options::variables_map& vm);
void SignaturesOptions(boost::program_options::options_description* d);
int RunSignatures(const boost::program_options::variables_map& vm);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_CLI_H_
