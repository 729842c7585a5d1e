// End-to-end tests of `syncdoctor batch` (one index and report per bundle, a summary, resumable)
// and of `syncdoctor query` over several indexes. Bundles are copied or generated into a
// temporary folder by each test.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>
#include <tuple>
#include <vector>

#include <regex>

#include "tests/e2e/e2e_util.h"

using namespace e2e;  // NOLINT: test helpers

extern char** environ;

namespace {

// A string in single quotes for the shell of Run().
std::string Q(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void CopyTree(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

// Zips the content of folder `from` into `zip` with the zip tool.
void ZipFolder(const std::string& from, const std::string& zip) {
  std::string cmd = "cd " + Q(from) + " && zip -qrX " + Q(zip) + " . >/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
}

// `bytes` of fixed pseudo-random bytes: the same "corrupt bundle" in every run.
void WriteGarbage(const std::string& path, size_t bytes) {
  std::ofstream out(path, std::ios::binary);
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < bytes; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out.put(static_cast<char>(x & 0xff));
  }
}

// A provisioning log of diagnostic records (one per line, each with its own id) of at least
// `bytes`; returns the number of records. Big enough, it keeps `analyze` busy for a while.
int64_t WriteNdjson(const std::string& path, size_t bytes, const std::string& seed) {
  std::ofstream out(path, std::ios::binary);
  const std::string tail =
      R"(","operationName":"Provisioning activity","category":"ProvisioningLogs","resultType":"Failure","properties":{"activityDateTime":"2026-11-17T14:25:10Z","jobId":"AD2AADProvisioning.70eb9a0a96264ae685e818fac0433cbd","cycleId":"c","provisioningAction":"update","provisioningStatusInfo":{"status":"failure","errorInformation":{"errorCode":"AzureActiveDirectoryInvalidCredential","reason":"CredentialsInvalid AADSTS50034: The user account {EmailHidden} doesn't exist in the contoso.onmicrosoft.com directory. )";
  const std::string padding(600, 'x');
  size_t written = 0;
  int64_t n = 0;
  for (; written < bytes; ++n) {
    std::string id = seed + "-" + std::to_string(n);
    std::string line = R"({"time":"2026-11-17T14:25:10Z","identity":")" + id + tail + padding +
                       R"("}},"id":")" + id + "\"}}\n";
    out << line;
    written += line.size();
  }
  return n;
}

struct TopFinding {
  std::string signature, severity;
  int64_t count;
};

// One line of summary.jsonl.
struct Line {
  std::string bundle, name, status, reason, sha256, report, log;
  int64_t exit_code = -1;  // -1 for null
  int64_t files = 0, files_failed = 0, events = 0, unparsed = 0, findings = 0;
  std::map<std::string, int64_t> by_severity;
  std::vector<TopFinding> top;
  double seconds = 0;
};

std::vector<Line> ReadSummary(const std::string& out) {
  std::vector<Line> lines;
  std::istringstream in(ReadFile(out + "/summary.jsonl"));
  std::string text;
  while (std::getline(in, text)) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(text);
    simdjson::dom::element e;
    INFO(text);
    REQUIRE(parser.parse(padded).get(e) == simdjson::SUCCESS);
    Line l;
    l.bundle = Str(e["bundle"]);
    l.name = Str(e["name"]);
    l.status = Str(e["status"]);
    l.reason = Str(e["reason"]);
    l.sha256 = Str(e["sha256"]);
    l.report = Str(e["report"]);
    l.log = Str(e["log"]);
    l.exit_code = e["exit_code"].is_null() ? -1 : Int(e["exit_code"]);
    l.files = Int(e["files"]);
    l.files_failed = Int(e["files_failed"]);
    l.events = Int(e["events"]);
    l.unparsed = Int(e["unparsed"]);
    l.findings = Int(e["findings"]);
    for (auto kv : e["by_severity"].get_object()) l.by_severity[std::string(kv.key)] = int64_t(kv.value);
    for (auto t : e["top_findings"].get_array()) {
      l.top.push_back({Str(t["signature"]), Str(t["severity"]), Int(t["count"])});
    }
    l.seconds = double(e["seconds"]);
    lines.push_back(l);
  }
  return lines;
}

// The summary without the seconds, which differ from run to run.
std::string WithoutSeconds(std::string text) {
  static const std::string kKey = "\"seconds\":";
  for (size_t p = text.find(kKey); p != std::string::npos; p = text.find(kKey, p + 1)) {
    size_t end = text.find_first_of(",}", p + kKey.size());
    text.erase(p + kKey.size(), end - p - kKey.size());
  }
  return text;
}

// What `analyze BUNDLE` alone says: the numbers the summary line must repeat.
void CheckAgainstAnalyze(const Line& line, const std::string& bundle) {
  INFO("bundle " << bundle);
  RunResult r = Run("analyze " + Q(bundle) + " --format json");
  REQUIRE(r.exit_code == 0);
  Report report(r.out);
  CHECK(line.events == Int(report.root["summary"]["events"]));
  CHECK(line.unparsed == Int(report.root["summary"]["unparsed"]));
  CHECK(line.files == Int(report.root["summary"]["inputs"]));
  CHECK(line.findings == Int(report.root["summary"]["findings"]));
  for (const char* sev : {"critical", "high", "medium", "low", "info"}) {
    CHECK(line.by_severity.at(sev) == Int(report.root["summary"]["by_severity"][sev]));
  }
  // Top findings: by severity, then count, each signature once, at most 5.
  std::set<std::string> sigs = report.Signatures();
  CHECK(line.top.size() == std::min<size_t>(5, sigs.size()));
  const std::vector<std::string> order = {"critical", "high", "medium", "low", "info"};
  auto rank = [&](const std::string& s) { return std::find(order.begin(), order.end(), s) - order.begin(); };
  for (size_t i = 0; i < line.top.size(); ++i) {
    CHECK(sigs.count(line.top[i].signature) == 1);
    int64_t sum = 0;
    for (auto f : report.root["findings"].get_array()) {
      if (Str(f["signature"]) == line.top[i].signature) sum += Int(f["count"]);
    }
    CHECK(line.top[i].count == sum);
    if (i > 0) {
      CHECK(rank(line.top[i - 1].severity) <= rank(line.top[i].severity));
      if (line.top[i - 1].severity == line.top[i].severity) CHECK(line.top[i - 1].count >= line.top[i].count);
    }
  }
}

fs::file_time_type MTime(const std::string& path) { return fs::last_write_time(path); }

// Processes whose command line mentions `text` (the children of a batch name their OUT folder).
std::vector<pid_t> ProcessesMentioning(const std::string& text) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadFile(entry.path().string() + "/cmdline");
    for (char& c : cmdline) if (c == '\0') c = ' ';
    if (cmdline.find(text) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

pid_t SpawnBatch(const std::vector<std::string>& args, const std::string& err) {
  std::vector<std::string> all = {kBinary, "batch"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, kBinary.c_str(), &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

// The three samples as bundles: two folders and one zip.
void ThreeBundles(const std::string& in) {
  fs::create_directories(in);
  CopyTree(kMotivating, in + "/a-quarantine");
  CopyTree(kHealthy, in + "/c-healthy");
  ZipFolder(kNoAgent, in + "/d-agent.zip");
}

}  // namespace

TEST_CASE("batch: a corrupt bundle in the middle is reported and the others get their reports",
          "[e2e][batch]") {
  TempDir tmp;
  const std::string in = tmp / "in", out = tmp / "out";
  ThreeBundles(in);
  WriteGarbage(in + "/b-corrupt.zip", 5000);
  // A zip cut short: the part before the cut is read, the archive itself is damaged.
  {
    std::string zip = kMotivating + "/AADCloudProvisioningDiagnostics-20261118-091502.zip";
    std::string cut = ReadFile(zip).substr(0, 3000);
    std::ofstream(in + "/e-truncated.zip", std::ios::binary) << cut;
  }
  RunResult r = Run("batch " + Q(in) + " --out " + Q(out) + " --jobs 2");
  INFO(r.err);
  CHECK(r.exit_code == 3);  // a bundle could not be read

  std::vector<Line> lines = ReadSummary(out);
  REQUIRE(lines.size() == 5);
  // Input order: the folder's entries sorted by name, whatever order they finished in.
  CHECK(lines[0].name == "a-quarantine");
  CHECK(lines[1].name == "b-corrupt.zip");
  CHECK(lines[2].name == "c-healthy");
  CHECK(lines[3].name == "d-agent.zip");
  CHECK(lines[4].name == "e-truncated.zip");
  CHECK(lines[1].bundle == in + "/b-corrupt.zip");

  SECTION("the good bundles: status ok and the numbers of analyze") {
    for (size_t i : {0, 2, 3}) {
      CHECK(lines[i].status == "ok");
      CHECK(lines[i].exit_code == 0);
      CHECK(lines[i].reason == "");
      CHECK(lines[i].report == lines[i].name + "/report.json");
      CHECK(fs::exists(out + "/" + lines[i].name + "/report.json"));
      CHECK(fs::exists(out + "/" + lines[i].name + "/index.db"));
      CHECK(fs::exists(out + "/" + lines[i].name + "/done.json"));
      CHECK(lines[i].sha256.size() == 64);
    }
    CheckAgainstAnalyze(lines[0], in + "/a-quarantine");
    CheckAgainstAnalyze(lines[2], in + "/c-healthy");
    CheckAgainstAnalyze(lines[3], in + "/d-agent.zip");
    CHECK(lines[0].top.front().signature == "CS-QUARANTINE-CREDENTIALS-INVALID");
    CHECK(lines[0].by_severity.at("critical") >= 1);
    CHECK(lines[2].by_severity.at("critical") == 0);
    CHECK(lines[2].by_severity.at("high") == 0);
    // The report in the folder is the bundle's own.
    Report rep(ReadFile(out + "/a-quarantine/report.json"));
    CHECK(Int(rep.root["summary"]["events"]) == lines[0].events);
  }

  SECTION("the corrupt bundle: no-input, with the reason, its log and no report") {
    const Line& b = lines[1];
    CHECK(b.status == "no-input");
    CHECK(b.exit_code == 3);
    CHECK(b.reason == "no input could be read (skipped b-corrupt.zip: binary content that no parser recognises)");
    CHECK(b.report == "");
    CHECK(b.log == "b-corrupt.zip/stderr.log");
    CHECK(ReadFile(out + "/b-corrupt.zip/stderr.log").find("no input could be read") != std::string::npos);
    CHECK_FALSE(fs::exists(out + "/b-corrupt.zip/done.json"));
    CHECK(b.events == 0);
  }

  SECTION("a damaged archive whose start could be read: ok, with the failed file named") {
    const Line& e = lines[4];
    CHECK(e.status == "ok");
    CHECK(e.files_failed == 1);
    CHECK(e.reason.rfind("1 file failed; first: e-truncated.zip: damaged archive: ", 0) == 0);
    CHECK(e.events > 0);
  }

  SECTION("progress: one line per bundle and a last line with the counts") {
    CHECK(r.err.find("] a-quarantine: ok, " + std::to_string(lines[0].files) + " files, ") != std::string::npos);
    CHECK(r.err.find("] b-corrupt.zip: no-input: no input could be read (skipped b-corrupt.zip: ") !=
          std::string::npos);
    for (int i = 1; i <= 5; ++i) CHECK(r.err.find("[" + std::to_string(i) + "/5] ") != std::string::npos);
    CHECK(r.err.find("syncdoctor: batch: 5 bundles: 4 ok, 1 no-input in ") != std::string::npos);
  }

  SECTION("summary.csv: a header and one row per bundle, in the same order") {
    std::istringstream csv(ReadFile(out + "/summary.csv"));
    std::vector<std::string> rows;
    for (std::string row; std::getline(csv, row);) rows.push_back(row);
    REQUIRE(rows.size() == 6);
    CHECK(rows[0] ==
          "bundle,name,status,reason,exit_code,sha256,files,files_failed,events,unparsed,findings,"
          "critical,high,medium,low,info,top_findings,seconds,report,log");
    CHECK(rows[2].rfind(in + "/b-corrupt.zip,b-corrupt.zip,no-input,", 0) == 0);
    CHECK(rows[1].find(",ok,,0,") != std::string::npos);
    CHECK(rows[1].find("CS-QUARANTINE-CREDENTIALS-INVALID (critical, ") != std::string::npos);
  }

  SECTION("--quiet: no progress, but the failed bundle is named") {
    RunResult q = Run("batch " + Q(in) + " --out " + Q(out) + " --quiet");
    CHECK(q.exit_code == 3);
    CHECK(q.err == "syncdoctor: error: " + in +
                       "/b-corrupt.zip: no-input: no input could be read (skipped b-corrupt.zip: binary content "
                       "that no parser recognises) (see " + out + "/b-corrupt.zip/stderr.log)\n");
  }
}

TEST_CASE("batch: a second run skips unchanged bundles, a changed one is redone alone, --force redoes all",
          "[e2e][batch]") {
  TempDir tmp;
  const std::string in = tmp / "in", out = tmp / "out";
  ThreeBundles(in);
  auto t0 = std::chrono::steady_clock::now();
  RunResult first = Run("batch " + Q(in) + " --out " + Q(out) + " --jobs 2");
  double first_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  std::vector<Line> before = ReadSummary(out);
  REQUIRE(before.size() == 3);
  for (const auto& l : before) CHECK(l.status == "ok");
  auto report_time = [&](const std::string& name) { return MTime(out + "/" + name + "/report.json"); };
  const auto a_time = report_time("a-quarantine"), c_time = report_time("c-healthy"),
             d_time = report_time("d-agent.zip");

  t0 = std::chrono::steady_clock::now();
  RunResult second = Run("batch " + Q(in) + " --out " + Q(out) + " --jobs 2");
  double second_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(second.err);
  CHECK(second.exit_code == 0);
  std::vector<Line> again = ReadSummary(out);
  REQUIRE(again.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(again[i].status == "unchanged");
    // The numbers come from done.json: the same as in the run that made them.
    CHECK(again[i].events == before[i].events);
    CHECK(again[i].findings == before[i].findings);
    CHECK(again[i].sha256 == before[i].sha256);
    CHECK(again[i].report == before[i].report);
    CHECK(again[i].top.size() == before[i].top.size());
  }
  CHECK(report_time("a-quarantine") == a_time);
  CHECK(report_time("c-healthy") == c_time);
  CHECK(report_time("d-agent.zip") == d_time);
  CHECK(second.err.find("syncdoctor: batch: 3 bundles: 3 unchanged in ") != std::string::npos);
  // Only hashing: quicker than analysing (loose, so that a busy machine does not fail it).
  CHECK(second_secs < first_secs);

  SECTION("a touched file (same content) leaves its bundle unchanged; a changed zip is redone alone") {
    fs::last_write_time(in + "/c-healthy/audit-logs.json", fs::file_time_type::clock::now());
    fs::remove(in + "/d-agent.zip");
    ZipFolder(kHealthy, in + "/d-agent.zip");
    RunResult third = Run("batch " + Q(in) + " --out " + Q(out));
    INFO(third.err);
    CHECK(third.exit_code == 0);
    std::vector<Line> now = ReadSummary(out);
    REQUIRE(now.size() == 3);
    CHECK(now[0].status == "unchanged");
    CHECK(now[1].status == "unchanged");
    CHECK(now[2].status == "ok");
    CHECK(now[2].sha256 != before[2].sha256);
    // The index was made anew, not extended: it holds the new content only.
    CHECK(now[2].events == now[1].events);
    CHECK(report_time("a-quarantine") == a_time);
    CHECK(report_time("c-healthy") == c_time);
    CHECK(report_time("d-agent.zip") != d_time);
  }

  SECTION("--force analyses every bundle again") {
    RunResult forced = Run("batch " + Q(in) + " --out " + Q(out) + " --force");
    CHECK(forced.exit_code == 0);
    std::vector<Line> now = ReadSummary(out);
    for (const auto& l : now) CHECK(l.status == "ok");
    CHECK(report_time("a-quarantine") != a_time);
    CHECK(report_time("c-healthy") != c_time);
  }

  SECTION("another --format is another result: every bundle is redone, then unchanged") {
    RunResult html = Run("batch " + Q(in) + " --out " + Q(out) + " --format json,html");
    CHECK(html.exit_code == 0);
    for (const auto& l : ReadSummary(out)) CHECK(l.status == "ok");
    CHECK(ReadFile(out + "/c-healthy/report.html").find("<html") != std::string::npos);
    RunResult html2 = Run("batch " + Q(in) + " --out " + Q(out) + " --format html");
    CHECK(html2.exit_code == 0);
    for (const auto& l : ReadSummary(out)) CHECK(l.status == "unchanged");
  }

  SECTION("a bundle that failed is tried again; a deleted report makes its bundle new") {
    fs::remove(out + "/a-quarantine/report.json");
    WriteGarbage(in + "/b-corrupt.zip", 100);
    RunResult r1 = Run("batch " + Q(in) + " --out " + Q(out));
    CHECK(r1.exit_code == 3);
    std::vector<Line> l1 = ReadSummary(out);
    REQUIRE(l1.size() == 4);
    CHECK(l1[0].status == "ok");
    CHECK(l1[1].status == "no-input");
    fs::remove(in + "/b-corrupt.zip");
    CopyTree(kHealthy, in + "/b-corrupt.zip");  // now a good folder under the same name
    RunResult r2 = Run("batch " + Q(in) + " --out " + Q(out));
    CHECK(r2.exit_code == 0);
    std::vector<Line> l2 = ReadSummary(out);
    CHECK(l2[0].status == "unchanged");
    CHECK(l2[1].status == "ok");
  }
}

TEST_CASE("batch: --jobs 1, --jobs 2 and --parallel 2 give the same summary", "[e2e][batch]") {
  TempDir tmp;
  const std::string in = tmp / "in";
  ThreeBundles(in);
  WriteGarbage(in + "/b-corrupt.zip", 4000);
  std::map<std::string, std::string> jsonl;
  for (const std::string jobs : {"--jobs 1", "--jobs 2", "--parallel 2"}) {
    std::string out = tmp / ("out " + jobs);
    RunResult r = Run("batch " + Q(in) + " --out " + Q(out) + " " + jobs);
    INFO(jobs << "\n" << r.err);
    CHECK(r.exit_code == 3);
    jsonl[jobs] = WithoutSeconds(ReadFile(out + "/summary.jsonl"));
    CHECK(ReadSummary(out).size() == 4);
  }
  CHECK(jsonl["--jobs 1"] == jsonl["--jobs 2"]);
  CHECK(jsonl["--jobs 1"] == jsonl["--parallel 2"]);
}

TEST_CASE("batch: a killed batch leaves no child behind and no bundle that looks done, and the next run completes",
          "[e2e][batch]") {
  TempDir tmp;
  const std::string in = tmp / "in", out = tmp / "out";
  fs::create_directories(in + "/b-big");
  CopyTree(kHealthy, in + "/a-healthy");
  // Big enough to take a few seconds, in files of 20 MB like a Graph export's pages.
  int64_t records = 0;
  for (int i = 0; i < 4; ++i) {
    records += WriteNdjson(in + "/b-big/provisioning-" + std::to_string(i) + ".json", 20u << 20,
                           "big" + std::to_string(i));
  }
  CopyTree(kMotivating, in + "/c-quarantine");

  pid_t batch = SpawnBatch({in, "--out", out, "--jobs", "1"}, tmp / "err");
  // Kill it as soon as the analyze child of the big bundle runs: a-healthy is done by then.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (ProcessesMentioning(out + "/b-big/").empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  REQUIRE_FALSE(ProcessesMentioning(out + "/b-big/").empty());
  REQUIRE(kill(batch, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(batch, &status, 0) == batch);
  CHECK(WIFSIGNALED(status));
  // The analyze child dies with its batch (it would otherwise write into OUT behind a new run):
  // at once, long before it could have finished (checked below with the time it really takes).
  const auto killed = std::chrono::steady_clock::now();
  std::vector<pid_t> left = ProcessesMentioning(out + "/b-big/");
  while (!left.empty() && std::chrono::steady_clock::now() - killed < std::chrono::milliseconds(500)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    left = ProcessesMentioning(out + "/b-big/");
  }
  CHECK(left.empty());
  CHECK(fs::exists(out + "/a-healthy/done.json"));
  CHECK_FALSE(fs::exists(out + "/b-big/done.json"));
  CHECK_FALSE(fs::exists(out + "/c-quarantine"));
  CHECK_FALSE(fs::exists(out + "/summary.jsonl"));

  // (A generous --timeout: a hang in analyze fails the test instead of stopping it.)
  RunResult again = Run("batch " + Q(in) + " --out " + Q(out) + " --jobs 2 --timeout 600");
  INFO(again.err);
  CHECK(again.exit_code == 0);
  std::vector<Line> lines = ReadSummary(out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].status == "unchanged");
  CHECK(lines[1].status == "ok");
  CHECK(lines[1].events == records);
  // The wait above was meaningful: analysing the big bundle takes longer than it.
  CHECK(lines[1].seconds > 1.0);
  CHECK(lines[1].top.front().signature == "CS-QUARANTINE-CREDENTIALS-INVALID");
  CHECK(lines[2].status == "ok");
  CheckAgainstAnalyze(lines[2], in + "/c-quarantine");
}

TEST_CASE("batch: a bundle over --timeout is stopped and reported, and the batch goes on", "[e2e][batch]") {
  TempDir tmp;
  const std::string in = tmp / "in", out = tmp / "out";
  fs::create_directories(in);
  CopyTree(kHealthy, in + "/b-healthy");
  // How long a small bundle takes on this machine and build: the limit is well above it.
  RunResult probe = Run("batch " + Q(in) + " --out " + Q(tmp / "probe"));
  REQUIRE(probe.exit_code == 0);
  const double small = ReadSummary(tmp / "probe")[0].seconds;
  const double limit = 3 * small + 0.5;
  // About 40 times the small bundle's size; it cannot be analysed within the limit.
  fs::create_directories(in + "/a-big");
  WriteNdjson(in + "/a-big/provisioning.json", 60u << 20, "slow");
  char arg[32];
  std::snprintf(arg, sizeof(arg), "%.3f", limit);
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = Run("batch " + Q(in) + " --out " + Q(out) + " --jobs 1 --timeout " + arg);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.err << "limit " << limit);
  CHECK(r.exit_code == 3);
  std::vector<Line> lines = ReadSummary(out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].status == "timeout");
  CHECK(lines[0].reason.rfind("stopped after ", 0) == 0);
  CHECK(lines[0].reason.find(" s (--timeout)") == lines[0].reason.size() - 14);
  CHECK(lines[0].exit_code == -1);
  CHECK_FALSE(fs::exists(out + "/a-big/done.json"));
  CHECK(lines[1].status == "ok");
  CHECK(secs < limit + small * 3 + 10);
  CHECK(ProcessesMentioning(out + "/a-big/").empty());
  // The next run tries the stopped bundle again.
  RunResult again = Run("batch " + Q(in) + " --out " + Q(out) + " --jobs 1 --timeout " + arg);
  std::vector<Line> next = ReadSummary(out);
  CHECK(next[0].status == "timeout");
  CHECK(next[1].status == "unchanged");
}

TEST_CASE("batch: names are safe and unique, and a formula in a name is neutralised in summary.csv",
          "[e2e][batch]") {
  TempDir tmp;
  const std::string in = tmp / "in", out = tmp / "out";
  fs::create_directories(in);
  fs::create_directories(tmp / "x");
  fs::create_directories(tmp / "y");
  // The name of a spreadsheet formula (with a backslash: a file name cannot hold the usual '/').
  ZipFolder(kHealthy, in + "/=cmd|' \\C calc'!A0.zip");
  ZipFolder(kHealthy, tmp / "x/bundle.zip");
  ZipFolder(kNoAgent, tmp / "y/bundle.zip");
  std::ofstream(tmp / "list") << "# two bundles with one base name\n\n" << tmp / "x/bundle.zip" << "\r\n"
                              << tmp / "y/bundle.zip" << "\n";
  RunResult r = Run("batch " + Q(in) + " --list " + Q(tmp / "list") + " --out " + Q(out));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  std::vector<Line> lines = ReadSummary(out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].name == "=cmd____C_calc__A0.zip");
  CHECK(lines[0].bundle == in + "/=cmd|' \\C calc'!A0.zip");
  CHECK(lines[0].status == "ok");
  CHECK(fs::exists(out + "/=cmd____C_calc__A0.zip/report.json"));
  CHECK(lines[1].name == "bundle.zip");
  CHECK(lines[1].bundle == tmp / "x/bundle.zip");

  SECTION("the CSV cell starts with a quote; no cell runs as a formula") {
    std::string csv = ReadFile(out + "/summary.csv");
    CHECK(csv.find(",'=cmd____C_calc__A0.zip,ok,") != std::string::npos);
    CHECK(csv.find(",=") == std::string::npos);
    CHECK(csv.find("\n=") == std::string::npos);
  }

  SECTION("two bundles with one base name get two folders, the same in every run") {
    CHECK(lines[2].name.rfind("bundle.zip-", 0) == 0);
    CHECK(lines[2].name.size() == std::string("bundle.zip-").size() + 8);
    CHECK(lines[2].bundle == tmp / "y/bundle.zip");
    CHECK(lines[1].events != lines[2].events);  // two different bundles, two results
    RunResult r2 = Run("batch " + Q(in) + " --list " + Q(tmp / "list") + " --out " + Q(out));
    CHECK(r2.exit_code == 0);
    std::vector<Line> l2 = ReadSummary(out);
    REQUIRE(l2.size() == 3);
    CHECK(l2[2].name == lines[2].name);
    CHECK(l2[2].status == "unchanged");
  }
}

TEST_CASE("batch: usage errors, missing bundles, an empty folder, --fail-on and a busy OUT", "[e2e][batch]") {
  TempDir tmp;
  const std::string in = tmp / "in", out = tmp / "out";
  fs::create_directories(in);
  CopyTree(kHealthy, in + "/healthy");

  SECTION("usage errors exit 2 with a message") {
    CHECK(Run("batch " + Q(in)).err == "syncdoctor: error: batch needs --out DIR (one folder per bundle and the "
                                       "summary go there)\n");
    CHECK(Run("batch --out " + Q(out)).exit_code == 2);
    RunResult j = Run("batch " + Q(in) + " --out " + Q(out) + " --jobs 0");
    CHECK(j.exit_code == 2);
    CHECK(j.err == "syncdoctor: error: --jobs must be at least 1\n");
    RunResult f = Run("batch " + Q(in) + " --out " + Q(out) + " --format json,pdf");
    CHECK(f.exit_code == 2);
    CHECK(f.err == "syncdoctor: error: --format 'pdf' is not a report format (json, text, markdown, html, csv)\n");
    CHECK(Run("batch " + Q(in) + " --out " + Q(out) + " --fail-on severe").exit_code == 2);
    CHECK(Run("batch " + Q(in) + " --out " + Q(out) + " --jobs 1 --parallel 2").exit_code == 2);
    CHECK(Run("batch " + Q(in) + " --out " + Q(out) + " --timeout -1").exit_code == 2);
    CHECK(Run("batch " + Q(in) + " --out " + Q(out) + " --list " + Q(tmp / "nope")).exit_code == 2);
    CHECK_FALSE(fs::exists(out + "/summary.jsonl"));
  }

  SECTION("a listed bundle that does not exist is a failed line, the others still run") {
    std::ofstream(tmp / "list") << tmp / "gone.zip" << "\n";
    RunResult r = Run("batch " + Q(in) + " --list " + Q(tmp / "list") + " --out " + Q(out));
    CHECK(r.exit_code == 3);
    std::vector<Line> lines = ReadSummary(out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].status == "ok");
    CHECK(lines[1].status == "failed");
    CHECK(lines[1].reason == tmp / "gone.zip" + ": no such file or directory");
    CHECK(lines[1].exit_code == -1);
  }

  SECTION("a bundle whose name starts with '-' is no option; OUT inside a bundle is refused for it") {
    ZipFolder(kHealthy, in + "/-dash.zip");
    RunResult r = Run("batch " + Q(in) + " --out " + Q(out));
    CHECK(r.exit_code == 0);
    std::vector<Line> lines = ReadSummary(out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].name == "_-dash.zip");
    CHECK(lines[0].status == "ok");
    CHECK(lines[0].events == lines[1].events);
    std::ofstream(tmp / "list") << in + "/healthy\n";
    RunResult inside = Run("batch --list " + Q(tmp / "list") + " --out " + Q(in + "/healthy/results"));
    CHECK(inside.exit_code == 3);
    std::vector<Line> l2 = ReadSummary(in + "/healthy/results");
    REQUIRE(l2.size() == 1);
    CHECK(l2[0].status == "failed");
    CHECK(l2[0].reason == "the output folder " + in + "/healthy/results is inside this bundle; give --out a folder "
                          "outside it");
  }

  SECTION("an empty folder: nothing to do, exit 3") {
    fs::create_directories(tmp / "empty");
    RunResult r = Run("batch " + Q(tmp / "empty") + " --out " + Q(out));
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("the folder holds no bundle") != std::string::npos);
    CHECK(r.err.find("syncdoctor: error: no bundle to analyse") != std::string::npos);
  }

  SECTION("OUT inside the folder of bundles is not a bundle; hidden entries are passed over, and said so") {
    std::ofstream(in + "/.DS_Store") << "x";
    RunResult r = Run("batch " + Q(in) + " --out " + Q(in + "/results"));
    CHECK(r.exit_code == 0);
    CHECK(ReadSummary(in + "/results").size() == 1);
    RunResult r2 = Run("batch " + Q(in) + " --out " + Q(in + "/results"));
    CHECK(r2.exit_code == 0);
    CHECK(ReadSummary(in + "/results").size() == 1);
    CHECK(r2.err.find(": 1 hidden entry (name starting with '.') passed over") != std::string::npos);
  }

  SECTION("--fail-on: 1 when a bundle has a finding that bad, also when unchanged") {
    CHECK(Run("batch " + Q(in) + " --out " + Q(out) + " --fail-on high").exit_code == 0);
    CHECK(Run("batch " + Q(in) + " --out " + Q(out) + " --fail-on low").exit_code == 1);
    CopyTree(kMotivating, in + "/quarantine");
    CHECK(Run("batch " + Q(in) + " --out " + Q(out) + " --fail-on critical").exit_code == 1);
    // A failed bundle outranks findings: exit 3.
    WriteGarbage(in + "/broken.zip", 300);
    CHECK(Run("batch " + Q(in) + " --out " + Q(out) + " --fail-on critical").exit_code == 3);
  }

  SECTION("two batches on one OUT: the second is refused") {
    fs::create_directories(out);
    int fd = open((out + "/.batch.lock").c_str(), O_RDWR | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(flock(fd, LOCK_EX | LOCK_NB) == 0);
    RunResult r = Run("batch " + Q(in) + " --out " + Q(out));
    close(fd);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "syncdoctor: error: " + out + ": another 'syncdoctor batch' is writing to this folder (" + out +
                       "/.batch.lock is locked)\n");
  }
}

TEST_CASE("query: several --db files are queried together through all_* views", "[e2e][batch][query]") {
  TempDir tmp;
  const std::string in = tmp / "in", out = tmp / "out";
  ThreeBundles(in);
  REQUIRE(Run("batch " + Q(in) + " --out " + Q(out) + " --quiet").exit_code == 0);
  std::vector<Line> lines = ReadSummary(out);
  REQUIRE(lines.size() == 3);
  std::string dbs;
  for (const auto& l : lines) dbs += " --db " + Q(out + "/" + l.name + "/index.db");

  SECTION("all_events: one db column, the events of each index") {
    RunResult r = Run("query" + dbs + " --format json \"SELECT db, count(*) AS n FROM all_events GROUP BY db ORDER BY db\"");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    Report rows(r.out);
    std::map<std::string, int64_t> n;
    for (auto row : rows.root.get_array()) n[Str(row["db"])] = Int(row["n"]);
    REQUIRE(n.size() == 3);
    for (const auto& l : lines) CHECK(n[out + "/" + l.name + "/index.db"] == l.events);
  }

  SECTION("aliases b1, b2, b3; all_dbs names them; the first is also main") {
    RunResult r = Run("query" + dbs + " --format csv \"SELECT alias, db FROM all_dbs\"");
    CHECK(r.out == "alias,db\nb1," + out + "/a-quarantine/index.db\nb2," + out + "/c-healthy/index.db\nb3," + out +
                       "/d-agent.zip/index.db\n");
    RunResult b2 = Run("query" + dbs + " --format csv \"SELECT (SELECT count(*) FROM b2.events), "
                                       "(SELECT count(*) FROM events)\"");
    CHECK(b2.out.substr(b2.out.find('\n') + 1) ==
          std::to_string(lines[1].events) + "," + std::to_string(lines[0].events) + "\n");
    RunResult f = Run("query" + dbs + " --format csv \"SELECT DISTINCT db FROM all_findings WHERE signature = "
                                      "'CS-QUARANTINE-CREDENTIALS-INVALID'\"");
    CHECK(f.out == "db\n" + out + "/a-quarantine/index.db\n");
  }

  SECTION("still read-only, and every file must be an index") {
    RunResult w = Run("query" + dbs + " \"DELETE FROM b2.event_rows\"");
    CHECK(w.exit_code == 2);
    CHECK(w.err.find("query only reads") != std::string::npos);
    CHECK(Run("query --db " + Q(out + "/c-healthy/index.db") + " \"SELECT count(*) FROM events\"").out.find(
              std::to_string(lines[1].events)) != std::string::npos);
    std::ofstream(tmp / "junk.db") << "not a database at all, not at all";
    RunResult j = Run("query" + dbs + " --db " + Q(tmp / "junk.db") + " \"SELECT 1\"");
    CHECK(j.exit_code == 2);
    CHECK(j.err.find(tmp / "junk.db") != std::string::npos);
    RunResult m = Run("query" + dbs + " --db " + Q(tmp / "missing.db") + " \"SELECT 1\"");
    CHECK(m.exit_code == 2);
    CHECK(m.err == "syncdoctor: error: " + tmp / "missing.db" + ": no such index\n");
    std::string eleven;
    for (int i = 0; i < 11; ++i) eleven += " --db " + Q(out + "/c-healthy/index.db");
    RunResult e = Run("query" + eleven + " \"SELECT 1\"");
    CHECK(e.exit_code == 2);
    CHECK(e.err.find("query reads at most 10 --db files at once") != std::string::npos);
    // search and timeline take one index.
    CHECK(Run("search" + dbs + " x").exit_code == 2);
  }
}

TEST_CASE("batch: --redact redacts every report of every bundle with one key, and a new key redoes them",
          "[e2e][batch][redact]") {
  TempDir tmp;
  const std::string in = tmp / "in", out = tmp / "out";
  fs::create_directories(in);
  CopyTree(kMotivating, in + "/a-quarantine");
  RunResult r = Run("batch " + Q(in) + " --out " + Q(out) + " --format json,html,markdown --redact --redact-key k1");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string json = ReadFile(out + "/a-quarantine/report.json");
  std::string html = ReadFile(out + "/a-quarantine/report.html");
  std::string md = ReadFile(out + "/a-quarantine/report.md");
  REQUIRE_FALSE(json.empty());
  REQUIRE_FALSE(html.empty());
  REQUIRE_FALSE(md.empty());
  for (const std::string* text : {&json, &html, &md}) {
    CHECK(text->find("contoso.com") == std::string::npos);
    CHECK(text->find("jordan.lee") == std::string::npos);
  }
  // The key is not on any command line: it reached the children through the environment, so
  // the deleter has the same token in every format (separate processes wrote them).
  std::smatch m;
  REQUIRE(std::regex_search(json, m, std::regex(R"(by (user-[0-9a-f]{10}@domain-[0-9a-f]{10}\.example))")));
  CHECK(html.find(m[1].str()) != std::string::npos);
  CHECK(md.find(m[1].str()) != std::string::npos);
  // The same key again: nothing to redo. Another key: the bundle is redone with other tokens.
  RunResult again = Run("batch " + Q(in) + " --out " + Q(out) + " --format json,html,markdown --redact --redact-key k1");
  CHECK(ReadSummary(out).at(0).status == "unchanged");
  RunResult other = Run("batch " + Q(in) + " --out " + Q(out) + " --format json,html,markdown --redact --redact-key k2");
  CHECK(ReadSummary(out).at(0).status == "ok");
  CHECK(ReadFile(out + "/a-quarantine/report.json").find(m[1].str()) == std::string::npos);
  CHECK(Run("batch " + Q(in) + " --out " + Q(out) + " --redact-key k2").exit_code == 2);
}
