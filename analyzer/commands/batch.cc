// batch: one index and one report per bundle, each made by a child process of this binary, plus a
// summary of all bundles (summary.jsonl and summary.csv). Resumable: a bundle whose content hash
// matches the done.json of its last successful run is not analysed again.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <simdjson.h>

#include "analyzer/cli.h"
#include "analyzer/report/json_writer.h"
#include "analyzer/report/reports.h"
#include "analyzer/sha256.h"
#include "analyzer/signature.h"

namespace syncdoctor {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kTopFindings = 5;
constexpr size_t kReasonMax = 400;  // bytes of a child's error text kept in the summary
constexpr int kSeverityCount = 5;
constexpr const char* kSeverityNames[kSeverityCount] = {"critical", "high", "medium", "low", "info"};
// Names a bundle's output folder may not take: the files the batch itself writes in OUT.
const std::set<std::string> kReservedNames = {"summary.jsonl", "summary.csv"};
constexpr const char* kLockFile = ".batch.lock";
constexpr const char* kDoneFile = "done.json";

// The report formats and the file each one is written to in OUT/NAME.
const std::map<std::string, std::string> kFormatFiles = {
    {"json", "report.json"}, {"text", "report.txt"}, {"markdown", "report.md"},
    {"html", "report.html"}, {"csv", "report.csv"}};

struct TopFinding {
  std::string signature, severity;
  int64_t count = 0;
};

// One line of the summary.
struct BundleResult {
  std::string status;  // ok, unchanged, failed, timeout, no-input
  std::string reason;  // why, for every status but a clean ok; "" when there is nothing to say
  int exit_code = -1;  // of the analyze child; -1 when none ran or it did not exit
  std::string sha256;
  int64_t files = 0, files_failed = 0, events = 0, unparsed = 0, findings = 0;
  int64_t by_severity[kSeverityCount] = {0, 0, 0, 0, 0};
  std::vector<TopFinding> top;
  double seconds = 0;
  std::string report, log;  // relative to OUT; "" when there is none
};

struct Bundle {
  std::string path;  // as given on the command line or in the list
  std::string name;  // its folder under OUT
  BundleResult result;
};

struct BatchConfig {
  fs::path out;
  std::vector<std::string> formats;  // json first, then the extra ones
  std::string signatures;            // --signatures DIR, or ""
  bool redact = false;               // --redact: every report of every bundle (the key is in the
                                     // environment, SYNCDOCTOR_REDACT_KEY, not on command lines)
  std::string options_key;           // what else, besides the content, the results depend on
  bool force = false;
  bool quiet = false;
  double timeout = 0;  // seconds; 0 = none
  int child_jobs = 1;  // the --jobs (parse workers) of each analyze child: CPUs shared out
};

// ---- names and inputs ------------------------------------------------------------------------

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string ShortHash(const std::string& text) {
  Sha256 h;
  h.Update(text);
  return h.HexDigest().substr(0, 8);
}

// A folder name that is safe on any filesystem and in a shell: ASCII letters, digits and
// . _ - + = @ , ~ are kept, anything else becomes '_'; it never starts with '.' or '-'.
std::string SafeName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::string base = p.substr(p.find_last_of('/') == std::string::npos ? 0 : p.find_last_of('/') + 1);
  if (base.empty() || base == "." || base == "..") {
    std::error_code ec;
    base = fs::weakly_canonical(fs::absolute(path, ec), ec).filename().string();
  }
  std::string name;
  for (unsigned char c : base) {
    bool keep = std::isalnum(c) || std::strchr("._-+=@,~", c) != nullptr;
    name += (keep && c < 0x80 && c != 0) ? static_cast<char>(c) : '_';
  }
  if (name.size() > 80) name.resize(80);
  if (name.empty() || name[0] == '.' || name[0] == '-') name = "_" + name;
  return name;
}

std::string CanonicalKey(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  fs::path c = fs::weakly_canonical(abs, ec);
  return ec ? abs.lexically_normal().string() : c.string();
}

// Gives each bundle its output folder: the safe form of its base name, and when that is taken
// (two bundles with one base name, compared without case), the name plus 8 hex digits of the
// SHA-256 of its absolute path, so that the name stays the same in every run.
void AssignNames(std::vector<Bundle>* bundles) {
  std::set<std::string> used;
  for (const auto& r : kReservedNames) used.insert(Lower(r));
  for (auto& b : *bundles) {
    std::string name = SafeName(b.path);
    if (used.count(Lower(name)) > 0) name = name + "-" + ShortHash(CanonicalKey(b.path));
    for (int i = 2; used.count(Lower(name)) > 0; ++i) name = SafeName(b.path) + "-" + std::to_string(i);
    used.insert(Lower(name));
    b.name = name;
  }
}

bool ReadList(const std::string& list, std::vector<std::string>* paths) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (list != "-") {
    file.open(list);
    if (!file) {
      PrintError("--list " + list + ": cannot read the list of bundles");
      return false;
    }
    in = &file;
  }
  std::string line;
  while (std::getline(*in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    paths->push_back(line);
  }
  return true;
}

// The bundles of the INPUTs (a folder: each entry, sorted by name; anything else: itself) and of
// the --list, in that order, each once. False on a usage error (printed).
bool CollectBundles(const po::variables_map& vm, const fs::path& out, std::vector<Bundle>* bundles) {
  std::vector<std::string> given;
  std::vector<std::string> args;
  if (vm.count("args")) args = vm["args"].as<std::vector<std::string>>();
  const std::string out_key = CanonicalKey(out.string());
  for (const auto& input : args) {
    std::error_code ec;
    if (!fs::is_directory(input, ec)) {
      given.push_back(input);
      continue;
    }
    std::vector<std::string> entries;
    size_t hidden = 0;
    for (fs::directory_iterator it(input, ec), end; !ec && it != end; it.increment(ec)) {
      std::string entry = it->path().filename().string();
      if (!entry.empty() && entry[0] == '.') {
        ++hidden;
        continue;
      }
      // OUT inside the folder of bundles is no bundle.
      if (CanonicalKey(it->path().string()) == out_key) continue;
      entries.push_back(entry);
    }
    if (ec) {
      PrintError(input + ": cannot list the folder: " + ec.message());
      return false;
    }
    std::sort(entries.begin(), entries.end());
    std::string dir = input;
    if (dir.back() != '/') dir += '/';
    for (const auto& e : entries) given.push_back(dir + e);
    if (hidden > 0) {
      PrintWarning(input + ": " + std::to_string(hidden) + " hidden " + (hidden == 1 ? "entry" : "entries") +
                   " (name starting with '.') passed over");
    }
    if (entries.empty()) PrintWarning(input + ": the folder holds no bundle");
  }
  if (vm.count("list") && !ReadList(vm["list"].as<std::string>(), &given)) return false;
  std::map<std::string, std::string> seen;
  for (const auto& g : given) {
    std::string key = CanonicalKey(g);
    auto it = seen.find(key);
    if (it != seen.end()) {
      PrintWarning(g + ": the same bundle as " + it->second + "; analysed once");
      continue;
    }
    seen[key] = g;
    Bundle b;
    b.path = g;
    bundles->push_back(b);
  }
  AssignNames(bundles);
  return true;
}

// ---- content hashes --------------------------------------------------------------------------

bool HashFile(const fs::path& path, std::string* hex, uint64_t* size, std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = path.string() + ": cannot read: " + std::strerror(errno);
    return false;
  }
  Sha256 sha;
  std::vector<char> buf(1 << 20);
  uint64_t total = 0;
  for (;;) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = path.string() + ": cannot read: " + std::strerror(errno);
      close(fd);
      return false;
    }
    if (n == 0) break;
    sha.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
    total += static_cast<uint64_t>(n);
  }
  close(fd);
  *hex = sha.HexDigest();
  *size = total;
  return true;
}

// The content hash of a bundle: for a file, the SHA-256 of its bytes; for a folder, the SHA-256
// of one line per file that `analyze` reads (the regular files below it, symbolic links to files
// followed, links to folders not, as the ingest walks it), sorted by relative path, each line
// holding the path, the size and the SHA-256 of the content. Contents, not times: a copy or a
// `touch` does not make a bundle new, and an edit that keeps the time does.
bool ContentHash(const std::string& path, std::string* hex, std::string* error) {
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    *error = path + ": no such file or directory";
    return false;
  }
  uint64_t size = 0;
  if (fs::is_regular_file(st)) return HashFile(path, hex, &size, error);
  if (!fs::is_directory(st)) {
    // A pipe or a device would never end (and `analyze` refuses them too).
    *error = path + ": not a file or folder";
    return false;
  }
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (it->is_regular_file(e2)) files.push_back(it->path());
  }
  if (ec) {
    *error = path + ": cannot list the folder: " + ec.message();
    return false;
  }
  std::sort(files.begin(), files.end());
  Sha256 outer;
  outer.Update("syncdoctor folder hash 1\n");
  for (const auto& f : files) {
    std::string file_hex;
    if (!HashFile(f, &file_hex, &size, error)) return false;
    outer.Update(f.lexically_relative(path).generic_string());
    outer.Update(std::string_view("\0", 1));
    outer.Update(std::to_string(size) + " " + file_hex + "\n");
  }
  *hex = outer.HexDigest();
  return true;
}

// ---- results: report.json in, done.json and the summary out -----------------------------------

int SeverityIndex(std::string_view name) {
  for (int i = 0; i < kSeverityCount; ++i) {
    if (name == kSeverityNames[i]) return i;
  }
  return kSeverityCount - 1;
}

int64_t GetInt(simdjson::dom::element e, const char* key) {
  int64_t v = 0;
  if (e[key].get_int64().get(v) != simdjson::SUCCESS) return 0;
  return v;
}

std::string GetStr(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}

// Fills the counts and top findings of `r` from the JSON report at `path` (docs/report-schema.md).
bool ReadReport(const fs::path& path, BundleResult* r, std::string* error) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto err = parser.load(path.string()).get(doc);
  simdjson::dom::element summary;
  simdjson::dom::array inputs, findings;
  if (!err) err = doc["summary"].get(summary);
  if (!err) err = doc["inputs"].get_array().get(inputs);
  if (!err) err = doc["findings"].get_array().get(findings);
  if (err) {
    *error = path.filename().string() + ": not a readable syncdoctor JSON report (" +
             simdjson::error_message(err) + ")";
    return false;
  }
  r->files = static_cast<int64_t>(inputs.size());
  r->files_failed = 0;
  std::string first_failure;
  for (auto in : inputs) {
    if (GetStr(in, "status") != "failed") continue;
    if (r->files_failed++ == 0) first_failure = GetStr(in, "path") + ": " + GetStr(in, "reason");
  }
  r->events = GetInt(summary, "events");
  r->unparsed = GetInt(summary, "unparsed");
  r->findings = static_cast<int64_t>(findings.size());
  // The top findings are signatures: the findings of one signature in several scopes (two trace
  // files, two jobs) make one entry, with the sum of their counts and the worst severity.
  std::vector<TopFinding> all;
  std::map<std::string, size_t> by_signature;
  for (int i = 0; i < kSeverityCount; ++i) r->by_severity[i] = 0;
  for (auto f : findings) {
    TopFinding t{GetStr(f, "signature"), GetStr(f, "severity"), GetInt(f, "count")};
    ++r->by_severity[SeverityIndex(t.severity)];
    auto it = by_signature.find(t.signature);
    if (it == by_signature.end()) {
      by_signature[t.signature] = all.size();
      all.push_back(t);
      continue;
    }
    TopFinding& m = all[it->second];
    m.count += t.count;
    if (SeverityIndex(t.severity) < SeverityIndex(m.severity)) m.severity = t.severity;
  }
  std::stable_sort(all.begin(), all.end(), [](const TopFinding& a, const TopFinding& b) {
    int sa = SeverityIndex(a.severity), sb = SeverityIndex(b.severity);
    if (sa != sb) return sa < sb;
    if (a.count != b.count) return a.count > b.count;
    return a.signature < b.signature;
  });
  if (all.size() > kTopFindings) all.resize(kTopFindings);
  r->top = all;
  if (r->files_failed > 0) {
    r->reason = std::to_string(r->files_failed) + (r->files_failed == 1 ? " file" : " files") +
                " failed; first: " + first_failure;
  }
  return true;
}

// Writes the fields of a result shared by done.json and the summary lines.
void WriteResultFields(const Bundle& b, const BundleResult& r, JsonWriter* w) {
  w->Member("bundle", b.path);
  w->Member("name", b.name);
  w->Member("status", r.status);
  w->Member("reason", r.reason);
  w->Key("exit_code");
  if (r.exit_code >= 0) w->Int(r.exit_code); else w->Null();
  w->Member("sha256", r.sha256);
  w->Member("files", r.files);
  w->Member("files_failed", r.files_failed);
  w->Member("events", r.events);
  w->Member("unparsed", r.unparsed);
  w->Member("findings", r.findings);
  w->Key("by_severity");
  w->BeginObject();
  for (int i = 0; i < kSeverityCount; ++i) w->Member(kSeverityNames[i], r.by_severity[i]);
  w->EndObject();
  w->Key("top_findings");
  w->BeginArray();
  for (const auto& t : r.top) {
    w->BeginObject();
    w->Member("signature", t.signature);
    w->Member("severity", t.severity);
    w->Member("count", t.count);
    w->EndObject();
  }
  w->EndArray();
  char secs[32];
  std::snprintf(secs, sizeof(secs), "%.3f", r.seconds);
  w->Key("seconds");
  w->Raw(secs);
  w->Member("report", r.report);
  w->Member("log", r.log);
}

bool WriteFileAtomically(const fs::path& path, const std::string& text, std::string* error) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  size_t done = 0;
  while (ok && done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false; else done += static_cast<size_t>(n);
  }
  if (ok && fsync(fd) != 0) ok = false;
  if (fd >= 0 && close(fd) != 0) ok = false;
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) ok = false;
  if (!ok) {
    *error = path.string() + ": cannot write: " + std::strerror(errno);
    std::remove(tmp.c_str());
  }
  return ok;
}

// done.json: the proof that a bundle was analysed, and what came out. Written last.
bool WriteDone(const BatchConfig& cfg, const Bundle& b, std::string* error) {
  std::string text;
  JsonWriter w(&text, true);
  w.BeginObject();
  w.Member("tool_version", SYNCDOCTOR_VERSION);
  w.Member("options", cfg.options_key);
  WriteResultFields(b, b.result, &w);
  w.EndObject();
  text += "\n";
  return WriteFileAtomically(cfg.out / b.name / kDoneFile, text, error);
}

// True when OUT/<name>/done.json says this very content was analysed by this version with the
// same options, and its report is still there; fills `r` from it then.
bool ReadDone(const BatchConfig& cfg, const Bundle& b, const std::string& sha, BundleResult* r) {
  fs::path dir = cfg.out / b.name;
  std::error_code ec;
  if (!fs::exists(dir / kDoneFile, ec)) return false;
  for (const auto& f : cfg.formats) {
    if (!fs::exists(dir / kFormatFiles.at(f), ec)) return false;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.load((dir / kDoneFile).string()).get(doc) != simdjson::SUCCESS) return false;
  if (GetStr(doc, "tool_version") != SYNCDOCTOR_VERSION || GetStr(doc, "options") != cfg.options_key ||
      GetStr(doc, "sha256") != sha || GetStr(doc, "status") != "ok") {
    return false;
  }
  r->exit_code = static_cast<int>(GetInt(doc, "exit_code"));
  r->reason = GetStr(doc, "reason");
  r->files = GetInt(doc, "files");
  r->files_failed = GetInt(doc, "files_failed");
  r->events = GetInt(doc, "events");
  r->unparsed = GetInt(doc, "unparsed");
  r->findings = GetInt(doc, "findings");
  simdjson::dom::element sev;
  if (doc["by_severity"].get(sev) == simdjson::SUCCESS) {
    for (int i = 0; i < kSeverityCount; ++i) r->by_severity[i] = GetInt(sev, kSeverityNames[i]);
  }
  simdjson::dom::array top;
  if (doc["top_findings"].get_array().get(top) == simdjson::SUCCESS) {
    for (auto t : top) r->top.push_back({GetStr(t, "signature"), GetStr(t, "severity"), GetInt(t, "count")});
  }
  r->report = GetStr(doc, "report");
  r->log = GetStr(doc, "log");
  return true;
}

std::string SummaryCsv(const std::vector<Bundle>& bundles) {
  std::string out =
      "bundle,name,status,reason,exit_code,sha256,files,files_failed,events,unparsed,findings,"
      "critical,high,medium,low,info,top_findings,seconds,report,log\n";
  for (const auto& b : bundles) {
    const BundleResult& r = b.result;
    std::string top;
    for (const auto& t : r.top) {
      top += (top.empty() ? "" : "; ") + t.signature + " (" + t.severity + ", " + std::to_string(t.count) + ")";
    }
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%.3f", r.seconds);
    std::vector<std::string> cells = {b.path, b.name, r.status, r.reason,
                                      r.exit_code >= 0 ? std::to_string(r.exit_code) : "", r.sha256,
                                      std::to_string(r.files), std::to_string(r.files_failed),
                                      std::to_string(r.events), std::to_string(r.unparsed),
                                      std::to_string(r.findings)};
    for (int i = 0; i < kSeverityCount; ++i) cells.push_back(std::to_string(r.by_severity[i]));
    cells.insert(cells.end(), {top, secs, r.report, r.log});
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + CsvField(cells[i]);
    out += "\n";
  }
  return out;
}

std::string SummaryJsonl(const std::vector<Bundle>& bundles) {
  std::string out;
  for (const auto& b : bundles) {
    JsonWriter w(&out, false);
    w.BeginObject();
    WriteResultFields(b, b.result, &w);
    w.EndObject();
    out += "\n";
  }
  return out;
}

// ---- progress --------------------------------------------------------------------------------

std::string Thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

// "[3/40] contoso.zip: ok, 12 files, 81,233 events, 2 critical, 1 high (4.2 s)"
std::string ProgressLine(size_t done, size_t total, const Bundle& b) {
  const BundleResult& r = b.result;
  std::string line = "[" + std::to_string(done) + "/" + std::to_string(total) + "] " + b.name + ": " + r.status;
  if (r.status == "ok" || r.status == "unchanged") {
    line += ", " + Thousands(r.files) + (r.files == 1 ? " file" : " files");
    if (r.files_failed > 0) line += " (" + Thousands(r.files_failed) + " failed)";
    line += ", " + Thousands(r.events) + (r.events == 1 ? " event" : " events");
    std::string sev;
    for (int i = 0; i < kSeverityCount; ++i) {
      if (r.by_severity[i] > 0) sev += ", " + std::to_string(r.by_severity[i]) + " " + kSeverityNames[i];
    }
    line += sev.empty() ? ", no findings" : sev;
  } else {
    line += ": " + r.reason;
  }
  char secs[32];
  std::snprintf(secs, sizeof(secs), " (%.1f s)", r.seconds);
  return TerminalSafe(line) + secs;
}

// ---- child processes -------------------------------------------------------------------------

// The reason of a failed child, from what it wrote on stderr: its error lines (and, when no input
// could be read, why the first file was passed over), else its last line.
std::string ReasonFromLog(const fs::path& log) {
  std::ifstream in(log, std::ios::binary);
  std::string line, last, first_skip;
  std::vector<std::string> errors;
  const std::string kError = "syncdoctor: error: ", kWarning = "syncdoctor: warning: ";
  while (std::getline(in, line)) {
    if (line.rfind("$ ", 0) == 0) continue;  // the command lines the batch writes
    if (line.rfind(kError, 0) == 0) {
      errors.push_back(line.substr(kError.size()));
    } else if (line.rfind(kWarning, 0) == 0 && first_skip.empty()) {
      first_skip = line.substr(kWarning.size());
    }
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  std::string reason;
  for (const auto& e : errors) reason += (reason.empty() ? "" : "; ") + e;
  if (!first_skip.empty() && !reason.empty()) reason += " (" + first_skip + ")";
  if (reason.empty()) reason = last;
  if (reason.size() > kReasonMax) {
    size_t cut = kReasonMax;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    reason = reason.substr(0, cut) + " ...";
  }
  return reason;
}

std::string ShellQuote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                         "._-/=:,@+") == std::string::npos) {
    return s;
  }
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Starts `syncdoctor ARGS` (this binary, /proc/self/exe) with stdin and stdout on /dev/null and
// stderr appended to `log`, in a process group of its own (so that a timeout can kill all of
// it), killed when the batch dies (PR_SET_PDEATHSIG), so that a killed batch leaves no child
// writing into OUT behind it. fork + exec rather than posix_spawn for that death signal.
bool Spawn(const std::vector<std::string>& args, const fs::path& log, pid_t* pid, std::string* error) {
  {
    std::ofstream header(log, std::ios::app);
    header << "$ syncdoctor";
    for (const auto& a : args) header << " " << ShellQuote(a);
    header << "\n";
  }
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    *error = log.string() + ": cannot write: " + std::strerror(errno);
    if (log_fd >= 0) close(log_fd);
    if (null_fd >= 0) close(null_fd);
    return false;
  }
  std::vector<std::string> argv_s = {"syncdoctor"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  pid_t p = fork();
  if (p == 0) {
    // The child: only async-signal-safe calls until exec.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the batch died before the line above
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    dup2(log_fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv("/proc/self/exe", argv.data());
    static const char kMsg[] = "syncdoctor: error: cannot run /proc/self/exe\n";
    ssize_t ignored = write(2, kMsg, sizeof(kMsg) - 1);
    (void)ignored;
    _exit(127);
  }
  int fork_errno = errno;
  close(log_fd);
  close(null_fd);
  if (p < 0) {
    *error = std::string("cannot start a child process: ") + std::strerror(fork_errno);
    return false;
  }
  setpgid(p, p);  // also here, so that a kill right after fork finds the group
  *pid = p;
  return true;
}

struct Task {
  size_t bundle = 0;
  pid_t pid = -1;
  Clock::time_point start;    // when the bundle was taken up (its hash included)
  Clock::time_point spawned;  // when its first step started: --timeout counts from here
  std::vector<std::vector<std::string>> steps;  // analyze, then one `report` per extra format
  size_t step = 0;
  bool timed_out = false;
};

class BatchRunner {
 public:
  BatchRunner(const BatchConfig& cfg, std::vector<Bundle>* bundles, size_t jobs)
      : cfg_(cfg), bundles_(*bundles), jobs_(jobs) {}

  void Run() {
    // SIGCHLD stays blocked, so that sigtimedwait can sleep until a child ends or a timeout is due.
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    size_t next = 0;
    while (next < bundles_.size() || !running_.empty()) {
      while (running_.size() < jobs_ && next < bundles_.size()) Start(next++);
      bool reaped = false;
      for (size_t i = 0; i < running_.size();) {
        int status = 0;
        pid_t w = waitpid(running_[i].pid, &status, WNOHANG);
        if (w == running_[i].pid || (w < 0 && errno == ECHILD)) {
          reaped = true;
          if (StepEnded(&running_[i], w < 0 ? -1 : status)) {
            running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
          }
        }
        ++i;
      }
      if (cfg_.timeout > 0) {
        for (auto& t : running_) {
          double secs = std::chrono::duration<double>(Clock::now() - t.spawned).count();
          if (!t.timed_out && secs > cfg_.timeout) {
            t.timed_out = true;
            if (kill(-t.pid, SIGKILL) != 0) kill(t.pid, SIGKILL);
          }
        }
      }
      if (!reaped && !running_.empty()) {
        timespec ts{0, 100 * 1000 * 1000};
        sigtimedwait(&chld, nullptr, &ts);
      }
    }
    sigprocmask(SIG_SETMASK, &old, nullptr);
  }

 private:
  fs::path Dir(const Bundle& b) const { return cfg_.out / b.name; }

  // Hashes the bundle; finishes it at once when it is unchanged or cannot be read, else clears
  // its folder and starts its first step.
  void Start(size_t i) {
    Bundle& b = bundles_[i];
    Task t;
    t.bundle = i;
    t.start = Clock::now();
    // OUT inside a folder bundle would be read as part of it, and change it at every run.
    const std::string bundle_key = CanonicalKey(b.path) + "/";
    if (fs::is_directory(b.path) && CanonicalKey(cfg_.out.string()).rfind(bundle_key, 0) == 0) {
      b.result.status = "failed";
      b.result.reason = "the output folder " + cfg_.out.string() + " is inside this bundle; give --out a folder outside it";
      return Finish(t);
    }
    std::string sha, error;
    if (!ContentHash(b.path, &sha, &error)) {
      b.result.status = "failed";
      b.result.reason = error;
      return Finish(t);
    }
    b.result.sha256 = sha;
    if (!cfg_.force && ReadDone(cfg_, b, sha, &b.result)) {
      b.result.status = "unchanged";
      return Finish(t);
    }
    // Whatever an earlier run left is removed first: an index is never extended with a changed
    // bundle, and done.json goes first, so a run killed from here on leaves no bundle that looks done.
    fs::path dir = Dir(b);
    std::error_code ec;
    fs::remove(dir / kDoneFile, ec);
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    if (ec) {
      b.result.status = "failed";
      b.result.reason = dir.string() + ": cannot create the folder: " + ec.message();
      return Finish(t);
    }
    const std::string db = (dir / "index.db").string();
    // A path that starts with '-' would be read as an option.
    const std::string path = (!b.path.empty() && b.path[0] == '-') ? "./" + b.path : b.path;
    std::vector<std::string> analyze = {"analyze", path, "--db", db, "--format", "json",
                                        "--output", (dir / "report.json").string(), "--quiet",
                                        "--jobs", std::to_string(cfg_.child_jobs)};
    if (!cfg_.signatures.empty()) analyze.insert(analyze.end(), {"--signatures", cfg_.signatures});
    if (cfg_.redact) analyze.push_back("--redact");
    t.steps.push_back(analyze);
    for (size_t f = 1; f < cfg_.formats.size(); ++f) {
      std::vector<std::string> report = {"report", "--db", db, "--format", cfg_.formats[f], "--output",
                                         (dir / kFormatFiles.at(cfg_.formats[f])).string(), "--no-color",
                                         "--quiet"};
      if (!cfg_.signatures.empty()) report.insert(report.end(), {"--signatures", cfg_.signatures});
      if (cfg_.redact) report.push_back("--redact");
      t.steps.push_back(report);
    }
    b.result.log = b.name + "/stderr.log";
    if (!Spawn(t.steps[0], dir / "stderr.log", &t.pid, &error)) {
      b.result.status = "failed";
      b.result.reason = error;
      return Finish(t);
    }
    t.spawned = Clock::now();
    running_.push_back(t);
  }

  // A step's process ended with wait status `status` (-1: lost). True when the bundle is done.
  bool StepEnded(Task* t, int status) {
    Bundle& b = bundles_[t->bundle];
    BundleResult& r = b.result;
    const fs::path log = Dir(b) / "stderr.log";
    const bool exited = status >= 0 && WIFEXITED(status);
    const int code = exited ? WEXITSTATUS(status) : -1;
    if (t->step == 0) r.exit_code = code;
    if (t->timed_out) {
      char buf[96];
      std::snprintf(buf, sizeof(buf), "stopped after %g s (--timeout)", cfg_.timeout);
      r.status = "timeout";
      r.reason = buf;
    } else if (status >= 0 && WIFSIGNALED(status)) {
      int sig = WTERMSIG(status);
      std::string last = ReasonFromLog(log);
      r.status = "failed";
      r.reason = (t->step == 0 ? "analyze" : "report --format " + cfg_.formats[t->step]) + " killed by signal " +
                 std::to_string(sig) + " (" + strsignal(sig) + ")" + (last.empty() ? "" : ": " + last);
    } else if (code == kExitNoInput && t->step == 0) {
      r.status = "no-input";
      r.reason = ReasonFromLog(log);
    } else if (code != kExitOk) {
      std::string why = ReasonFromLog(log);
      r.status = "failed";
      r.reason = (t->step == 0 ? "analyze" : "report --format " + cfg_.formats[t->step]) + " exited with " +
                 (status < 0 ? std::string("an unknown status") : "code " + std::to_string(code)) +
                 (why.empty() ? "" : ": " + why);
    } else if (++t->step < t->steps.size()) {
      std::string error;
      if (Spawn(t->steps[t->step], log, &t->pid, &error)) return false;
      r.status = "failed";
      r.reason = error;
    } else {
      std::string error;
      r.report = b.name + "/report.json";
      if (!ReadReport(Dir(b) / "report.json", &r, &error)) {
        r.status = "failed";
        r.reason = error;
        r.report.clear();
      } else {
        r.status = "ok";
        r.seconds = std::chrono::duration<double>(Clock::now() - t->start).count();  // for done.json
        // Last of all: a bundle is done only once done.json is in place.
        if (!WriteDone(cfg_, b, &error)) {
          r.status = "failed";
          r.reason = error;
        }
      }
    }
    Finish(*t);
    return true;
  }

  void Finish(const Task& t) {
    Bundle& b = bundles_[t.bundle];
    b.result.seconds = std::chrono::duration<double>(Clock::now() - t.start).count();
    ++done_;
    if (!cfg_.quiet) {
      std::cerr << ProgressLine(done_, bundles_.size(), b) << "\n" << std::flush;
    } else if (b.result.status != "ok" && b.result.status != "unchanged") {
      std::string log = b.result.log.empty() ? "" : " (see " + (cfg_.out / b.result.log).string() + ")";
      PrintError(TerminalSafe(b.path + ": " + b.result.status + ": " + b.result.reason + log));
    }
  }

  const BatchConfig& cfg_;
  std::vector<Bundle>& bundles_;
  size_t jobs_;
  std::vector<Task> running_;
  size_t done_ = 0;
};

size_t CpuCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<size_t>(n) : 1;
}

bool ParseFormats(const std::string& spec, std::vector<std::string>* formats) {
  formats->assign({"json"});
  std::stringstream ss(spec);
  std::string f;
  while (std::getline(ss, f, ',')) {
    if (f.empty() || f == "json") continue;
    if (kFormatFiles.count(f) == 0) {
      PrintError("--format '" + f + "' is not a report format (json, text, markdown, html, csv)");
      return false;
    }
    if (std::find(formats->begin(), formats->end(), f) == formats->end()) formats->push_back(f);
  }
  return true;
}

}  // namespace

void BatchOptions(po::options_description* d) {
  d->add_options()
      ("out", po::value<std::string>(), "write one folder per bundle and the summary here (required)")
      ("list", po::value<std::string>(), "also analyse the bundles named in FILE, one path a line "
                                         "('-' reads stdin; blank lines and # comments are passed over)")
      ("jobs,j", po::value<int>(), "analyse N bundles at once (default: the number of CPUs)")
      ("parallel", po::value<int>(), "the same as --jobs")
      ("timeout", po::value<double>()->default_value(0), "stop a bundle that takes longer than SECONDS "
                                                         "(status timeout; 0: no limit)")
      ("format", po::value<std::string>()->default_value("json"),
       "report formats per bundle, comma-separated: json (always written), text, markdown, html, csv")
      ("fail-on", po::value<std::string>(), "exit 1 when a bundle has a finding of this severity or worse")
      ("signatures", po::value<std::string>(), "also load the signature files of DIR in every bundle's run")
      ("force", "analyse every bundle again, even those unchanged since their last run")
      ("redact", "redact every bundle's reports (the indexes keep the data), with one key for the whole batch")
      ("redact-key", po::value<std::string>(), "key for --redact (default: SYNCDOCTOR_REDACT_KEY, else a "
                                               "random key for this batch)")
      ("quiet,q", "no progress lines on stderr (failed bundles are still named)")
      ("args", po::value<std::vector<std::string>>(), "INPUT...: folders of bundles, or bundles");
}

int RunBatch(const po::variables_map& vm) {
  if (!vm.count("out") || vm["out"].as<std::string>().empty()) {
    PrintError("batch needs --out DIR (one folder per bundle and the summary go there)");
    return kExitUsage;
  }
  if (!vm.count("args") && !vm.count("list")) {
    PrintError("batch needs an INPUT (a folder of bundles, or bundles) or --list FILE");
    return kExitUsage;
  }
  if (vm.count("jobs") && vm.count("parallel")) {
    PrintError("give --jobs or --parallel, not both (they mean the same)");
    return kExitUsage;
  }
  size_t jobs = CpuCount();
  for (const char* opt : {"jobs", "parallel"}) {
    if (!vm.count(opt)) continue;
    int n = vm[opt].as<int>();
    if (n < 1) {
      PrintError(std::string("--") + opt + " must be at least 1");
      return kExitUsage;
    }
    jobs = static_cast<size_t>(n);
  }
  BatchConfig cfg;
  cfg.out = vm["out"].as<std::string>();
  cfg.force = vm.count("force") > 0;
  cfg.quiet = vm.count("quiet") > 0;
  cfg.timeout = vm["timeout"].as<double>();
  if (!(cfg.timeout >= 0) || !std::isfinite(cfg.timeout)) {
    PrintError("--timeout must be a number of seconds, 0 or more");
    return kExitUsage;
  }
  if (!ParseFormats(vm["format"].as<std::string>(), &cfg.formats)) return kExitUsage;
  Severity fail_on = Severity::kInfo;
  const bool has_fail_on = vm.count("fail-on") > 0;
  if (has_fail_on && !ParseSeverity(vm["fail-on"].as<std::string>(), &fail_on)) {
    PrintError("--fail-on '" + vm["fail-on"].as<std::string>() +
               "' is not a severity (critical, high, medium, low, info)");
    return kExitUsage;
  }
  // What the results depend on besides the bundle: the version (in done.json), the formats and
  // the content of --signatures DIR. A change to any of them makes every bundle new.
  cfg.options_key = "formats=";
  for (const auto& f : cfg.formats) cfg.options_key += f + (&f == &cfg.formats.back() ? "" : ",");
  if (vm.count("signatures")) {
    cfg.signatures = vm["signatures"].as<std::string>();
    std::string sha, error;
    if (!fs::is_directory(cfg.signatures) || !ContentHash(cfg.signatures, &sha, &error)) {
      PrintError("--signatures " + cfg.signatures + ": not a readable folder" + (error.empty() ? "" : ": " + error));
      return kExitUsage;
    }
    cfg.options_key += ";signatures=" + sha;
  }
  if (vm.count("redact-key") && !vm.count("redact")) {
    PrintError("--redact-key needs --redact");
    return kExitUsage;
  }
  if (vm.count("redact")) {
    // One key for every child, so that all reports of the batch (and every format of one
    // bundle) use the same pseudonyms. It travels in the environment, not on command lines that
    // `ps` shows. A run with another key is a run with other options: its bundles are redone.
    cfg.redact = true;
    std::string key = RedactKey(vm);
    std::string key_id = "random";
    if (key.empty()) {
      Sha256 sha;
      sha.Update(std::to_string(Clock::now().time_since_epoch().count()) + std::to_string(getpid()));
      std::ifstream urandom("/dev/urandom", std::ios::binary);
      char buf[32] = {};
      urandom.read(buf, sizeof(buf));
      sha.Update(std::string_view(buf, sizeof(buf)));
      key = sha.HexDigest();
    } else {
      Sha256 sha;
      sha.Update(key);
      key_id = sha.HexDigest().substr(0, 16);
    }
    setenv("SYNCDOCTOR_REDACT_KEY", key.c_str(), 1);
    cfg.options_key += ";redact=" + key_id;
  }
  if (access("/proc/self/exe", X_OK) != 0) {
    PrintError("cannot find this program's own binary (/proc/self/exe) to run each bundle in");
    return kExitUsage;
  }
  std::error_code ec;
  fs::create_directories(cfg.out, ec);
  if (ec || !fs::is_directory(cfg.out)) {
    PrintError(cfg.out.string() + ": cannot create the output folder" + (ec ? ": " + ec.message() : ""));
    return kExitUsage;
  }
  // One batch at a time per OUT: two would analyse the same bundles into the same folders.
  const fs::path lock = cfg.out / kLockFile;
  int lock_fd = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    PrintError(cfg.out.string() + ": " +
               (lock_fd < 0 ? "cannot write in the output folder: " + std::string(std::strerror(errno))
                            : "another 'syncdoctor batch' is writing to this folder (" + lock.string() +
                                  " is locked)"));
    if (lock_fd >= 0) close(lock_fd);
    return kExitUsage;
  }
  std::vector<Bundle> bundles;
  if (!CollectBundles(vm, cfg.out, &bundles)) {
    close(lock_fd);
    return kExitUsage;
  }
  if (bundles.empty()) {
    PrintError("no bundle to analyse");
    close(lock_fd);
    return kExitNoInput;
  }
  // Bundles at once times parse workers per bundle stays within the CPUs (the index and report
  // are the same whatever the number of workers, so this is no part of the options key).
  cfg.child_jobs = static_cast<int>(std::max<size_t>(1, CpuCount() / std::min(jobs, bundles.size())));
  // The summary of an earlier run would describe bundles that may be redone now.
  std::remove((cfg.out / "summary.jsonl").c_str());
  std::remove((cfg.out / "summary.csv").c_str());
  const auto start = Clock::now();
  BatchRunner runner(cfg, &bundles, jobs);
  runner.Run();
  std::string error;
  bool written = WriteFileAtomically(cfg.out / "summary.jsonl", SummaryJsonl(bundles), &error) &&
                 WriteFileAtomically(cfg.out / "summary.csv", SummaryCsv(bundles), &error);
  close(lock_fd);
  if (!written) {
    PrintError(error);
    return kExitUsage;
  }
  std::map<std::string, size_t> by_status;
  bool incomplete = false, failing = false;
  for (const auto& b : bundles) {
    ++by_status[b.result.status];
    if (b.result.status != "ok" && b.result.status != "unchanged") {
      incomplete = true;
      continue;
    }
    for (int i = 0; has_fail_on && i <= static_cast<int>(fail_on); ++i) {
      if (b.result.by_severity[i] > 0) failing = true;
    }
  }
  if (!cfg.quiet) {
    std::string counts;
    for (const char* s : {"ok", "unchanged", "failed", "timeout", "no-input"}) {
      if (by_status[s] > 0) counts += (counts.empty() ? "" : ", ") + std::to_string(by_status[s]) + " " + s;
    }
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%.1f s",
                  std::chrono::duration<double>(Clock::now() - start).count());
    std::cerr << "syncdoctor: batch: " << bundles.size() << (bundles.size() == 1 ? " bundle: " : " bundles: ")
              << counts << " in " << secs << "; summary: " << (cfg.out / "summary.jsonl").string() << ", "
              << (cfg.out / "summary.csv").string() << "\n";
  }
  if (incomplete) return kExitNoInput;
  return failing ? kExitFindings : kExitOk;
}

}  // namespace syncdoctor
