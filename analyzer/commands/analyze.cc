// analyze, ingest and report: the commands that build an index and print what it shows.
#include <unistd.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "analyzer/cli.h"
#include "analyzer/commands/common.h"
#include "analyzer/findings.h"
#include "analyzer/ingest.h"
#include "analyzer/report/redact.h"
#include "analyzer/report/reports.h"
#include "parsers/registry.h"

namespace syncdoctor {

namespace po = boost::program_options;

namespace {

// The terminal's width for the text report: COLUMNS when set, else the window's; 0 (no
// wrapping) when stdout is no terminal.
int TerminalColumns() {
  if (!isatty(STDOUT_FILENO)) return 0;
  if (const char* c = std::getenv("COLUMNS"); c != nullptr && std::atoi(c) > 0) return std::atoi(c);
  struct winsize ws {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 0;
}

// Pages `text` the way git does when stdout is a terminal and the text is taller than it:
// through $PAGER (empty or "cat": no pager), else less with LESS=FRX unless LESS is set (quit if
// one screen, keep colours, leave the text on the screen). True when the pager took the text.
bool PageText(const std::string& text) {
  if (!isatty(STDOUT_FILENO)) return false;
  struct winsize ws {};
  int rows = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 ? ws.ws_row : 24;
  if (std::count(text.begin(), text.end(), '\n') < rows - 1) return false;
  const char* env = std::getenv("PAGER");
  std::string pager = env != nullptr ? env : "less";
  if (pager.empty() || pager == "cat") return false;
  if (std::getenv("LESS") == nullptr) ::setenv("LESS", "FRX", 1);
  std::cout.flush();
  FILE* p = ::popen(pager.c_str(), "w");
  if (p == nullptr) return false;
  std::signal(SIGPIPE, SIG_IGN);  // quitting the pager early is no error
  (void)std::fwrite(text.data(), 1, text.size(), p);
  ::pclose(p);
  return true;
}

void CommonReportOptions(po::options_description* d) {
  d->add_options()
      ("format", po::value<std::string>()->default_value("text"), "report format: text, json, markdown, html or csv")
      ("output,o", po::value<std::string>(), "write the report to FILE instead of stdout")
      ("fail-on", po::value<std::string>(), "exit 1 when a finding has this severity or worse "
                                            "(critical, high, medium, low, info)")
      ("signatures", po::value<std::string>(), "also load the signature files of DIR (same id replaces)")
      ("no-color", "no colours in the text report (NO_COLOR is honoured too)")
      ("width", po::value<int>()->value_name("N"), "wrap the text report at N columns (default: the "
                                                    "terminal's width; no wrapping in a file or pipe)")
      ("no-pager", "do not page a long text report on a terminal (PAGER, else less -FRX)")
      ("redact", "replace UPNs, e-mail addresses, names, domains, IPs and ids with stable pseudonyms")
      ("redact-key", po::value<std::string>(), "key for --redact: the same key gives the same pseudonyms in "
                                               "every run (default: SYNCDOCTOR_REDACT_KEY, else a random key)")
      ("quiet,q", "no progress or summary on stderr");
}

// Parse workers by default: one per core, at most 4 (the single index writer is the limit
// beyond that; docs/performance.md).
int DefaultJobs() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(std::min(n, 4u));
}

}  // namespace

void CommonIngestOptions(po::options_description* d) {
  d->add_options()
      ("input-format", po::value<std::string>()->value_name("NAME"), "parse every file as this format instead of detecting it")
      ("explain-detect", "print why each file got its format (on stderr)")
      ("max-depth", po::value<int>()->default_value(8)->value_name("N"), "archives nested deeper than N are skipped")
      ("max-entries", po::value<uint64_t>()->default_value(100000)->value_name("N"), "entries read per archive")
      ("max-unpacked-mb", po::value<uint64_t>()->default_value(65536)->value_name("N"),
       "stop unpacking a bundle's archives past N MB in all")
      ("max-ratio", po::value<uint64_t>()->default_value(1000)->value_name("N"),
       "stop an archive that unpacks to more than N times its size (zip bombs)")
      ("no-progress", "no progress line on stderr (it is shown only on a terminal anyway)")
      ("jobs,j", po::value<int>()->default_value(DefaultJobs())->value_name("N"),
       "parse and match N files at once beside one index writer (default: the number of cores, "
       "at most 4; 1: no threads)")
      ("args", po::value<std::vector<std::string>>(), "PATH...: folders, files or archives");
}

// Loads signatures and builds the matcher; prints the error and returns false on failure.
bool LoadMatcher(const po::variables_map& vm, std::vector<Signature>* sigs,
                 std::unique_ptr<Matcher>* matcher) {
  std::string dir = vm.count("signatures") ? vm["signatures"].as<std::string>() : "";
  Status s = LoadSignatures(dir, sigs, LoadExamples::kNo);
  if (s.ok()) s = Matcher::Build(sigs, matcher);
  if (!s.ok()) {
    PrintError(s.message());
    return false;
  }
  return true;
}

namespace {

bool CheckReportOptions(const po::variables_map& vm, Severity* fail_on, bool* has_fail_on) {
  std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json" && format != "markdown" && format != "csv" && format != "html") {
    PrintError("--format '" + format + "' is not one this version writes (text, json, markdown, html, csv)");
    return false;
  }
  if (vm.count("redact-key") && !vm.count("redact")) {
    PrintError("--redact-key needs --redact");
    return false;
  }
  *has_fail_on = vm.count("fail-on") > 0;
  if (*has_fail_on && !ParseSeverity(vm["fail-on"].as<std::string>(), fail_on)) {
    PrintError("--fail-on '" + vm["fail-on"].as<std::string>() +
               "' is not a severity (critical, high, medium, low, info)");
    return false;
  }
  return true;
}

}  // namespace

bool CheckInputFormat(const po::variables_map& vm) {
  if (!vm.count("input-format")) return true;
  std::string f = vm["input-format"].as<std::string>();
  for (const auto& n : FormatNames()) {
    if (n == f) return true;
  }
  std::string all;
  for (const auto& n : FormatNames()) all += (all.empty() ? "" : ", ") + n;
  PrintError("--input-format '" + f + "' is not a format this version reads (" + all + ")");
  return false;
}

bool OpenIndex(const std::string& path, std::unique_ptr<Index>* index, bool create) {
  Status s = Index::Open(path, index, create);
  if (!s.ok()) {
    PrintError(s.message());
    return false;
  }
  return true;
}

namespace {

// The progress line of a long ingest: files, MB and events/s on one line of stderr, redrawn at
// most four times a second, and only when stderr is a terminal (never in logs or pipes).
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {
    // SYNCDOCTOR_PROGRESS_DELAY_MS changes the quiet first second (tests set it to 0).
    const char* d = std::getenv("SYNCDOCTOR_PROGRESS_DELAY_MS");
    if (d != nullptr && *d != '\0') delay_ = std::chrono::milliseconds(std::atoi(d));
  }
  ~ProgressLine() { Clear(); }

  void Attach(IngestOptions* opt) {
    if (!enabled_) return;
    progress_.report = [this](const IngestProgress& p) { Draw(p); };
    opt->progress = &progress_;
  }

  void Clear() {
    if (drawn_) std::cerr << "\r\x1b[K" << std::flush;
    drawn_ = false;
  }

 private:
  void Draw(const IngestProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(250)) return;
    // Nothing for the first second: a quick run stays quiet.
    if (now - start_ < delay_) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    char buf[160];
    std::snprintf(buf, sizeof(buf), "syncdoctor: %lld files, %.1f MB, %lld events (%.0f events/s)  ",
                  static_cast<long long>(p.files), static_cast<double>(p.bytes) / 1e6,
                  static_cast<long long>(p.events), static_cast<double>(p.events) / secs);
    // The file name is customer text: neutralised, and cut to keep the line on one row.
    std::string name = TerminalSafe(p.current);
    if (name.size() > 60) name = "..." + name.substr(name.size() - 57);
    std::cerr << "\r\x1b[K" << buf << name << std::flush;
    drawn_ = true;
  }

  bool enabled_;
  bool drawn_ = false;
  std::chrono::milliseconds delay_{1000};
  std::chrono::steady_clock::time_point start_, last_;
  IngestProgress progress_;
};

// Ingests every PATH; returns kExitOk, kExitNoInput or kExitUsage (index error).
// The full-text index, when `fts` (else it is left to the first search, query or timeline that
// reads it): with --jobs 1 each PATH's ingest fills it (one thread does everything); with more
// it is left to the caller (*fts_pending), which fills it after the ingest (analyze: while the
// report is built).
int Ingest(const po::variables_map& vm, const std::string& db_path, Index* index,
           const Matcher& matcher, bool fts, bool* fts_pending) {
  *fts_pending = false;
  if (!vm.count("args")) {
    PrintError("no PATH given (a folder, a file or an archive)");
    return kExitUsage;
  }
  return IngestPaths(vm, vm["args"].as<std::vector<std::string>>(), db_path, index, matcher, fts,
                     fts_pending);
}

}  // namespace

int IngestPaths(const po::variables_map& vm, const std::vector<std::string>& paths,
                const std::string& db_path, Index* index, const Matcher& matcher, bool fts,
                bool* fts_pending) {
  *fts_pending = false;
  IngestOptions opt;
  if (vm.count("input-format")) opt.input_format = vm["input-format"].as<std::string>();
  opt.limits.max_depth = vm["max-depth"].as<int>();
  opt.limits.max_entries = vm["max-entries"].as<uint64_t>();
  opt.limits.max_unpacked_bytes = vm["max-unpacked-mb"].as<uint64_t>() << 20;
  opt.limits.max_ratio = vm["max-ratio"].as<uint64_t>();
  opt.jobs = vm["jobs"].as<int>();
  opt.defer_fts = !fts || opt.jobs > 1;
  if (opt.jobs < 1 || opt.jobs > 256) {
    PrintError("--jobs must be between 1 and 256");
    return kExitUsage;
  }
  if (opt.limits.max_depth < 0 || opt.limits.max_ratio == 0) {
    PrintError("--max-depth must be 0 or more and --max-ratio at least 1");
    return kExitUsage;
  }
  if (vm.count("explain-detect")) {
    // File names come from the bundle: a crafted one must not reach the terminal as escapes.
    opt.explain = [](const std::string& path, const std::string& why) {
      std::cerr << TerminalSafe(path) << ": " << TerminalSafe(why) << "\n";
    };
  }
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    auto p = std::filesystem::weakly_canonical(db_path + suffix, ec);
    if (!ec) opt.exclude.insert(p.string());
  }
  Status s = SyncMatches(index, matcher);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  bool quiet = vm.count("quiet") > 0;
  ProgressLine progress(!quiet && isatty(STDERR_FILENO) && vm.count("no-progress") == 0);
  progress.Attach(&opt);
  *fts_pending = fts && opt.jobs > 1;
  int64_t before = 0;
  s = index->MaxEventId(&before);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  bool any_readable = false;
  for (const auto& path : paths) {
    IngestStats stats;
    s = IngestPath(path, opt, index, matcher, &stats);
    progress.Clear();
    if (s.code() == Status::Code::kNotFound) {
      PrintError(s.message());
      continue;
    }
    if (!s.ok()) {
      PrintError(path + ": " + s.message());
      return kExitUsage;
    }
    if (stats.read > 0 || stats.unchanged > 0 || stats.copies > 0) any_readable = true;
    if (!quiet || (stats.read == 0 && stats.unchanged == 0 && stats.copies == 0)) {
      for (const auto& e : stats.errors) PrintWarning(e);
      // When nothing could be read, say why each file was passed over.
      if (stats.read == 0 && stats.unchanged == 0 && stats.copies == 0) {
        for (const auto& r : stats.skip_reasons) PrintWarning("skipped " + r);
      }
      std::cerr << "syncdoctor: " << TerminalSafe(path) << ": " << stats.files
                << (stats.files == 1 ? " file: " : " files: ") << stats.read
                << " read, " << stats.unchanged << " already indexed, " << stats.skipped
                << " skipped, " << stats.failed << " failed; " << stats.events << " events, "
                << stats.unparsed << " unparsed, " << stats.duplicates << " duplicates\n";
    }
  }
  if (!any_readable) {
    PrintError("no input could be read");
    return kExitNoInput;
  }
  // Records that share an id but say different things are both kept: the sources say so.
  int64_t shared = 0;
  s = index->NoteSharedRecordIds(before, &shared);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  if (shared > 0 && !quiet) {
    PrintWarning(std::to_string(shared) + " record(s) share their id with a different record: both are "
                 "kept (see the warnings of their files)");
  }
  return kExitOk;
}

Status RefreshForReport(Index* index, const Matcher& matcher) {
  if (!index->read_only()) return RefreshFindings(index, matcher);
  bool current = false;
  Status s = FindingsAreCurrent(index, matcher, &current);
  if (s.ok() && !current) {
    PrintWarning("the index is read-only and was matched by another signature set or version: "
                 "the report shows the findings it holds");
  }
  return s;
}

namespace {

// `refresh`: bring the findings up to date first (analyze has done it already, on the writing
// connection, and reports from a second one).
int PrintReport(const po::variables_map& vm, Index* index, const Matcher& matcher,
                bool refresh = true) {
  Severity fail_on = Severity::kInfo;
  bool has_fail_on = false;
  if (!CheckReportOptions(vm, &fail_on, &has_fail_on)) return kExitUsage;
  Status s = refresh ? RefreshForReport(index, matcher) : Status::Ok();
  Report report;
  std::unique_ptr<Redactor> redactor;
  if (s.ok() && vm.count("redact")) {
    redactor = std::make_unique<Redactor>(RedactKey(vm));
    s = redactor->LearnNames(index);
  }
  if (s.ok()) s = BuildReport(index, matcher, redactor.get(), &report);
  if (s.ok() && redactor) RedactReport(&report, redactor.get());
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  std::string format = vm["format"].as<std::string>();
  std::string text;
  if (format == "html") {
    text = RenderHtmlReport(report);
  } else if (format == "json") {
    text = RenderJsonReport(report);
  } else if (format == "markdown") {
    text = RenderMarkdownReport(report);
  } else if (format == "csv") {
    text = RenderCsvReport(report);
  } else {
    TextOptions topt;
    bool to_file = vm.count("output") > 0;
    const char* no_color = std::getenv("NO_COLOR");  // no-color.org: set and not empty
    topt.color = !to_file && isatty(STDOUT_FILENO) && (no_color == nullptr || *no_color == '\0') &&
                 vm.count("no-color") == 0;
    topt.width = vm.count("width") ? std::max(vm["width"].as<int>(), 0) : (to_file ? 0 : TerminalColumns());
    text = RenderTextReport(report, topt);
    if (!to_file && vm.count("no-pager") == 0 && PageText(text)) text.clear();
  }
  if (!text.empty() && !WriteOutput(vm, text)) return kExitUsage;
  if (has_fail_on) {
    for (const auto& f : report.findings) {
      if (f.severity <= fail_on) return kExitFindings;
    }
  }
  return kExitOk;
}

// A temporary index for `analyze` without --db, removed at exit.
// The temporary index of `analyze` without --db holds the customer's data: it is removed on
// every exit, including Ctrl-C, SIGTERM, SIGHUP and a closed pipe (`analyze ... | head`). The
// signal handler only unlinks prepared paths (async-signal-safe) and then dies of the signal as
// it would have; SIGKILL alone cannot be caught.
char g_temp_files[4][4096];
volatile sig_atomic_t g_temp_armed = 0;

void RemoveTempIndexOnSignal(int sig) {
  if (g_temp_armed) {
    for (auto& path : g_temp_files) {
      if (path[0] != '\0') ::unlink(path);
    }
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

TempIndexPath::TempIndexPath() {
  const char* dir = std::getenv("TMPDIR");
  std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/syncdoctor-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int fd = mkstemp(buf.data());
  if (fd < 0) return;
  close(fd);
  path_ = buf.data();
  const char* suffixes[] = {"", "-wal", "-shm", "-journal"};
  for (int i = 0; i < 4; ++i) {
    std::string p = path_ + suffixes[i];
    if (p.size() >= sizeof g_temp_files[i]) return;  // too long to remove from a handler
    std::memcpy(g_temp_files[i], p.c_str(), p.size() + 1);
  }
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = RemoveTempIndexOnSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) {
    struct sigaction old;
    // A signal the caller ignores (nohup's SIGHUP, a shell's SIGPIPE) stays ignored.
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(sig, &sa, nullptr);
  }
  g_temp_armed = 1;
}

TempIndexPath::~TempIndexPath() {
  g_temp_armed = 0;
  // Forgotten, so that a later temporary index (diff makes one per side) never unlinks these
  // names, which another process may have taken by then.
  for (auto& p : g_temp_files) p[0] = '\0';
  if (path_.empty()) return;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path_ + suffix).c_str());
}

bool OpenIndexForReport(const std::string& db, std::unique_ptr<Index>* index) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    PrintError(db + ": no such index (build one with 'syncdoctor ingest PATH --db " + db + "')");
    return false;
  }
  // A case archive or a mounted share may be read-only: the report then reads the index as it
  // is (its findings cannot be brought up to date there).
  if (::access(db.c_str(), W_OK) != 0 || ::access(std::filesystem::absolute(db).parent_path().c_str(), W_OK) != 0) {
    Status s = Index::OpenReadOnly(db, index);
    if (!s.ok()) {
      PrintError(s.message());
      return false;
    }
    return true;
  }
  return OpenIndex(db, index, /*create=*/false);
}

void AnalyzeOptions(po::options_description* d) {
  d->add_options()("db", po::value<std::string>(), "keep the index in FILE (default: a temporary file)")
      ("fts", "fill the full-text index of --db now (by default the first search, timeline or "
              "query that reads it does: about 15 % of the time of a run nobody searches)");
  CommonIngestOptions(d);
  CommonReportOptions(d);
}

void IngestOptions_(po::options_description* d) {
  d->add_options()("db", po::value<std::string>(), "the index file to build or extend (required)")
      ("signatures", po::value<std::string>(), "also load the signature files of DIR")
      ("quiet,q", "no summary on stderr");
  CommonIngestOptions(d);
}

void ReportOptions(po::options_description* d) {
  d->add_options()("db", po::value<std::string>(), "the index file (required)");
  CommonReportOptions(d);
}

int RunAnalyze(const po::variables_map& vm) {
  Severity fail_on;
  bool has_fail_on;
  if (!CheckReportOptions(vm, &fail_on, &has_fail_on) || !CheckInputFormat(vm)) return kExitUsage;
  std::vector<Signature> sigs;
  std::unique_ptr<Matcher> matcher;
  if (!LoadMatcher(vm, &sigs, &matcher)) return kExitUsage;
  TempIndexPath temp;
  std::string db = vm.count("db") ? vm["db"].as<std::string>() : temp.path();
  if (db.empty()) {
    PrintError("cannot create a temporary index; give --db FILE");
    return kExitUsage;
  }
  std::unique_ptr<Index> index;
  if (!OpenIndex(db, &index)) return kExitUsage;
  bool fts_pending = false;
  // A temporary index gets no full-text index: nobody can search it.
  bool fts_now = vm.count("fts") > 0 && vm.count("db") > 0;
  if (vm.count("fts") > 0 && vm.count("db") == 0) {
    PrintWarning("--fts does nothing without --db: the temporary index is deleted after the report");
  }
  int rc = Ingest(vm, db, index.get(), *matcher, fts_now, &fts_pending);
  // With no input readable the report is still written (every input with its reason), and the
  // exit code says that nothing could be read.
  const bool nothing_read = rc == kExitNoInput;
  if (rc != kExitOk && !nothing_read) return rc;
  Status s = RefreshFindings(index.get(), *matcher);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  if (nothing_read) {
    int report_rc = PrintReport(vm, index.get(), *matcher, /*refresh=*/false);
    return report_rc == kExitUsage ? report_rc : kExitNoInput;
  }
  if (!fts_pending) return PrintReport(vm, index.get(), *matcher, /*refresh=*/false);
  // With --jobs above 1, the full-text index is filled on the writing connection while the
  // report is built from a second one. The report does not read it, and WAL lets one
  // connection read while the other writes. A run killed meanwhile leaves it behind; the next
  // ingest or search catches up.
  std::unique_ptr<Index> reader;
  if (!OpenIndex(db, &reader, /*create=*/false)) return kExitUsage;
  Status fts;
  std::thread filler([&] {
    fts = index->BeginBulk();
    if (fts.ok()) fts = index->UpdateFts();
  });
  rc = PrintReport(vm, reader.get(), *matcher, /*refresh=*/false);
  filler.join();
  reader.reset();  // no reader left: the checkpoint below can empty the log
  Status end = index->EndBulk();
  if (fts.ok()) fts = end;
  if (!fts.ok()) {
    PrintError("the full-text index: " + fts.message());
    return rc == kExitOk ? kExitUsage : rc;
  }
  return rc;
}

int RunIngest(const po::variables_map& vm) {
  if (!vm.count("db")) {
    PrintError("ingest needs --db FILE");
    return kExitUsage;
  }
  if (!CheckInputFormat(vm)) return kExitUsage;
  std::vector<Signature> sigs;
  std::unique_ptr<Matcher> matcher;
  if (!LoadMatcher(vm, &sigs, &matcher)) return kExitUsage;
  std::unique_ptr<Index> index;
  std::string db = vm["db"].as<std::string>();
  if (!OpenIndex(db, &index)) return kExitUsage;
  bool fts_pending = false;
  int rc = Ingest(vm, db, index.get(), *matcher, /*fts=*/true, &fts_pending);
  if (rc != kExitOk) return rc;
  Status s = Status::Ok();
  if (fts_pending) {
    s = index->BeginBulk();
    if (s.ok()) s = index->UpdateFts();
    Status e = index->EndBulk();
    if (s.ok()) s = e;
  }
  if (s.ok()) s = RefreshFindings(index.get(), *matcher);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  return kExitOk;
}

int RunReport(const po::variables_map& vm) {
  if (!vm.count("db")) {
    PrintError("report needs --db FILE");
    return kExitUsage;
  }
  std::string db = vm["db"].as<std::string>();
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    PrintError(db + ": no such index (build one with 'syncdoctor ingest PATH --db " + db + "')");
    return kExitUsage;
  }
  std::vector<Signature> sigs;
  std::unique_ptr<Matcher> matcher;
  if (!LoadMatcher(vm, &sigs, &matcher)) return kExitUsage;
  std::unique_ptr<Index> index;
  if (!OpenIndexForReport(db, &index)) return kExitUsage;
  return PrintReport(vm, index.get(), *matcher);
}

}  // namespace syncdoctor
