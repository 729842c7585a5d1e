// Robustness end to end: huge and odd input, flat memory, a run killed in the middle, and two
// processes on one index. Inputs are generated into a temporary folder by the tests.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <zlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "tests/e2e/e2e_util.h"

using namespace e2e;  // NOLINT: test helpers

extern char** environ;

namespace {

// One diagnostic provisioning record per line, each with its own id: `bytes` of them.
void WriteNdjson(const std::string& path, size_t bytes, int seed) {
  std::ofstream out(path, std::ios::binary);
  std::string line_tail =
      R"(","operationName":"Provisioning activity","category":"ProvisioningLogs","resultType":"Failure","properties":{"activityDateTime":"2026-11-17T14:25:10Z","jobId":"AD2AADProvisioning.70eb9a0a96264ae685e818fac0433cbd","cycleId":"c","provisioningAction":"update","provisioningStatusInfo":{"status":"failure","errorInformation":{"errorCode":"AzureActiveDirectoryInvalidCredential","reason":"CredentialsInvalid AADSTS50034: The user account {EmailHidden} doesn't exist in the contoso.onmicrosoft.com directory.)";
  std::string padding(600, 'x');
  size_t written = 0;
  for (uint64_t i = 0; written < bytes; ++i) {
    std::string line = R"({"time":"2026-11-17T14:25:10Z","identity":")" + std::to_string(seed) + "-" +
                       std::to_string(i) + line_tail + " " + padding + R"("}},"id":")" +
                       std::to_string(seed) + "-" + std::to_string(i) + "\"}}\n";
    out << line;
    written += line.size();
  }
}

struct Child {
  pid_t pid = -1;
};

Child Spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string bin = kBinary;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  Child c;
  REQUIRE(posix_spawn(&c.pid, bin.c_str(), &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  return c;
}

// Waits for the child; returns its exit code and its peak resident memory in KB.
int Wait(const Child& c, long* max_rss_kb) {
  int status = 0;
  struct rusage ru {};
  REQUIRE(wait4(c.pid, &status, 0, &ru) == c.pid);
  if (max_rss_kb != nullptr) *max_rss_kb = ru.ru_maxrss;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// sqlar_uncompress as the sqlite3 shell defines it (zlib's uncompress, the data as is when its
// length is the size): the `events` view's raw column must read with it, as it does in the shell.
void ShellSqlarUncompress(sqlite3_context* ctx, int, sqlite3_value** argv) {
  sqlite3_int64 sz = sqlite3_value_int64(argv[1]);
  int n = sqlite3_value_bytes(argv[0]);
  if (sz <= 0 || sz == n) {
    sqlite3_result_value(ctx, argv[0]);
    return;
  }
  std::string out(static_cast<size_t>(sz), '\0');
  uLongf got = static_cast<uLongf>(sz);
  if (uncompress(reinterpret_cast<Bytef*>(out.data()), &got,
                 static_cast<const Bytef*>(sqlite3_value_blob(argv[0])), static_cast<uLong>(n)) != Z_OK) {
    sqlite3_result_error(ctx, "error in uncompress()", -1);
    return;
  }
  sqlite3_result_blob64(ctx, out.data(), got, SQLITE_TRANSIENT);
}

// A connection of a plain SQLite client (not syncdoctor's), with the shell's sqlar_uncompress.
int64_t QueryInt(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(h, 5000);
  REQUIRE(sqlite3_create_function(h, "sqlar_uncompress", 2, SQLITE_UTF8, nullptr,
                                  ShellSqlarUncompress, nullptr, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

// Every row's first column as text, through the plain client connection of QueryInt.
std::vector<std::string> QueryColumn(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_create_function(h, "sqlar_uncompress", 2, SQLITE_UTF8, nullptr,
                                  ShellSqlarUncompress, nullptr, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::vector<std::string> out;
  REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    out.emplace_back(p != nullptr ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st, 0)))
                                  : std::string("<NULL>"));
  }
  CHECK(rc == SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

std::string QueryText(const std::string& db, const std::string& sql) {
  RunResult r = Run("query --db '" + db + "' --format csv \"" + sql + "\"");
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("robustness: huge lines, odd encodings and mixed formats are reported and the rest kept",
          "[e2e][robustness]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  {
    // A JSON record of 100 MB, over the 64 MB cap, between two good records.
    std::ofstream f(tmp / "b/huge-record.ndjson", std::ios::binary);
    std::string good = ReadFile(kSource + "/tests/data/formats/provisioning-diagnostic.ndjson");
    while (!good.empty() && good.back() == '\n') good.pop_back();
    f << good << "\n{\"category\":\"ProvisioningLogs\",\"blob\":\"" << std::string(100u << 20, 'a') << "\"}\n";
    std::string second = good;
    for (size_t at; (at = second.find("0f6e1c2a")) != std::string::npos;) second.replace(at, 8, "e7dcc1ce");
    f << second << "\n";
  }
  {
    // A trace entry whose continuation line is 100 MB long.
    std::ofstream f(tmp / "b/huge-line.log", std::ios::binary);
    f << "AADConnectProvisioningAgent.exe Error: 0 : Web socket failed to connect.\n"
      << std::string(100u << 20, 'z') << "\n"
      << "AADConnectProvisioningAgent.exe Information: 0 : back to normal\n";
  }
  {
    // Invalid UTF-8 in a trace header, and a NUL byte.
    std::ofstream f(tmp / "b/invalid-utf8.log", std::ios::binary);
    const char kLine[] = "AADConnectProvisioningAgent.exe Error: 0 : bad \xff\xfe bytes \x00 and <script>alert(1)</script>\n";
    f << "AADConnectProvisioningAgent.exe Information: 0 : started\n"
      << std::string(kLine, sizeof kLine - 1);
  }
  {
    // UTF-16LE with BOM and a lone high surrogate inside a string.
    std::string text = R"([{"jobId":"j","cycleId":"c","changeId":"x","provisioningSteps":[],"id":"p1","provisioningStatusInfo":{"status":"success"},"provisioningAction":"create","note":"A)";
    std::string utf16 = "\xff\xfe";
    for (char ch : text) { utf16.push_back(ch); utf16.push_back('\0'); }
    utf16 += std::string("\x00\xd8", 2);  // U+D800 alone
    for (char ch : std::string("\"}]")) { utf16.push_back(ch); utf16.push_back('\0'); }
    std::ofstream(tmp / "b/lone-surrogate.json", std::ios::binary) << utf16;
  }
  {
    // Diagnostic NDJSON that turns into trace text halfway.
    std::ofstream f(tmp / "b/half-and-half.ndjson", std::ios::binary);
    std::string good = ReadFile(kSource + "/tests/data/formats/audit-diagnostic.ndjson");
    f << good;
    if (good.back() != '\n') f << "\n";
    f << "AADConnectProvisioningAgent.exe Information: 0 : not JSON\n"
      << "AADConnectProvisioningAgent.exe Information: 0 : still not JSON\n";
  }
  std::string db = tmp / "odd.db";
  RunResult r = Run("analyze '" + (tmp / "b") + "' --db '" + db + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);  // the report is valid JSON whatever the input held
  // Every unparsed item is kept with its reason and (a prefix of) its raw text.
  CHECK(QueryInt(db, "SELECT count(*) FROM unparsed") == 3);
  CHECK(QueryInt(db, "SELECT count(*) FROM unparsed WHERE reason = '' OR raw = ''") == 0);
  // The NUL byte and the invalid bytes are kept in the stored message.
  CHECK(QueryInt(db, "SELECT count(*) FROM events WHERE instr(message, 'alert(1)') > 0") == 1);
  auto in = rep.Inputs();

  auto huge = in.at("huge-record.ndjson");
  CHECK(Int(huge["events"]) == 2);
  CHECK(Int(huge["unparsed"]) == 1);
  CHECK(Str(huge["reason"]).find("huge-record.ndjson:2: record larger than the 64 MB cap") != std::string::npos);

  auto line = in.at("huge-line.log");
  CHECK(Int(line["events"]) == 2);
  REQUIRE(line["warnings"].get_array().size() == 1);
  CHECK(Str(line["warnings"].get_array().at(0)) == "line 2: line longer than the 64 MB cap was cut: its end is not kept");
  // Data was dropped: the file is partial, and its reason says where (it was "parsed" before).
  CHECK(Str(line["status"]) == "partial");
  CHECK(Str(line["reason"]) == "part of a record was dropped: huge-line.log:2: line longer than the 64 MB cap was cut: its end is not kept");

  auto utf8 = in.at("invalid-utf8.log");
  CHECK(Int(utf8["events"]) == 2);
  CHECK(Str(utf8["status"]) == "parsed");

  auto surrogate = in.at("lone-surrogate.json");
  CHECK(Str(surrogate["encoding"]) == "utf-16le-bom");
  CHECK(Int(surrogate["events"]) == 1);
  REQUIRE(surrogate["warnings"].get_array().size() == 1);
  CHECK(Str(surrogate["warnings"].get_array().at(0)) == "1 invalid UTF-16 or UTF-32 code unit(s) replaced by U+FFFD");

  auto half = in.at("half-and-half.ndjson");
  CHECK(Str(half["status"]) == "partial");
  CHECK(Int(half["events"]) + Int(half["duplicates"]) == 1);
  CHECK(Int(half["unparsed"]) == 2);
  CHECK(Str(half["reason"]).find("half-and-half.ndjson:2: not JSON") != std::string::npos);
}

TEST_CASE("robustness: peak memory does not grow from 200 MB to 400 MB of JSON lines",
          "[e2e][robustness][memory]") {
#if defined(__SANITIZE_ADDRESS__)
  WARN("skipped under AddressSanitizer: its shadow memory makes RSS meaningless");
  return;
#else
  TempDir tmp;
  WriteNdjson(tmp / "200.ndjson", 200u << 20, 1);
  WriteNdjson(tmp / "400.ndjson", 400u << 20, 2);
  long rss200 = 0, rss400 = 0;
  CHECK(Wait(Spawn({"ingest", tmp / "200.ndjson", "--db", tmp / "a.db", "-q"}), &rss200) == 0);
  fs::remove(tmp / "200.ndjson");
  fs::remove(tmp / "a.db");
  CHECK(Wait(Spawn({"ingest", tmp / "400.ndjson", "--db", tmp / "b.db", "-q"}), &rss400) == 0);
  INFO("peak RSS: 200 MB input " << rss200 << " KB, 400 MB input " << rss400 << " KB");
  CHECK(QueryInt(tmp / "b.db", "SELECT count(*) FROM events") > 300000);
  CHECK(rss200 < 300 * 1024);
  CHECK(rss400 < 300 * 1024);
  CHECK(rss400 < rss200 + rss200 / 5 + 8 * 1024);  // flat: within 20 % (+8 MB of noise)
#endif
}

TEST_CASE("robustness: a run killed in the middle leaves an index the next run completes",
          "[e2e][robustness][crash]") {
  TempDir tmp;
  fs::create_directories(tmp / "bundle");
  for (int i = 0; i < 24; ++i) {
    WriteNdjson(tmp / ("bundle/part-" + std::to_string(100 + i) + ".ndjson"), 3u << 20, i);
  }
  std::string db = tmp / "killed.db";
  Child c = Spawn({"ingest", tmp / "bundle", "--db", db, "-q"});
  // Wait until some files are committed, then kill it without warning.
  bool killed_mid_run = false;
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (fs::exists(db) && QueryInt(db, "SELECT count(*) FROM sources") >= 3) {
      killed_mid_run = kill(c.pid, SIGKILL) == 0;
      break;
    }
  }
  int status = 0;
  waitpid(c.pid, &status, 0);
  if (!killed_mid_run || !WIFSIGNALED(status)) WARN("the ingest finished before it could be killed");
  int64_t files_before = QueryInt(db, "SELECT count(*) FROM sources");
  INFO("files committed when killed: " << files_before);

  // The next run completes it.
  CHECK(Wait(Spawn({"ingest", tmp / "bundle", "--db", db, "-q"}), nullptr) == 0);
  // A clean run for comparison.
  std::string clean = tmp / "clean.db";
  CHECK(Wait(Spawn({"ingest", tmp / "bundle", "--db", clean, "-q"}), nullptr) == 0);

  CHECK(QueryText(db, "PRAGMA integrity_check") == "integrity_check\nok\n");
  CHECK(QueryInt(db, "SELECT count(*) FROM sources") == 24);
  CHECK(QueryInt(db, "SELECT count(DISTINCT path) FROM sources") == 24);
  CHECK(QueryInt(db, "SELECT count(*) FROM events") == QueryInt(clean, "SELECT count(*) FROM events"));
  CHECK(QueryInt(db, "SELECT count(*) FROM events") ==
        QueryInt(db, "SELECT sum(events) FROM sources"));
  CHECK(QueryInt(db, "SELECT count(*) FROM (SELECT record_id FROM events GROUP BY kind, record_id, "
                     "content_key HAVING count(*) > 1)") == 0);
  CHECK(QueryInt(db, "SELECT count(*) FROM matches") == QueryInt(clean, "SELECT count(*) FROM matches"));
  // Every event's raw text is in a stored block, and reads back as in the clean run.
  CHECK(QueryInt(db, "SELECT count(*) FROM event_rows WHERE raw_block IS NULL OR raw_block NOT IN "
                     "(SELECT id FROM raw_blocks)") == 0);
  CHECK(QueryInt(db, "SELECT total(length(raw)) FROM events") ==
        QueryInt(clean, "SELECT total(length(raw)) FROM events"));
  // The full-text index caught up with every event.
  CHECK(QueryInt(db, "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'AADSTS50034'") ==
        QueryInt(db, "SELECT count(*) FROM events"));
}

TEST_CASE("robustness: every event's raw text reads back byte for byte, with --jobs 1 and 2",
          "[e2e][robustness][raw]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  // Lines that deflate well, lines of random bytes (stored as they are), a record over the
  // 32 KiB block size, and duplicates: each line twice in a row, and the whole file again in a
  // second file (whose blocks then hold only duplicates).
  std::vector<std::string> lines;
  uint64_t x = 88172645463325252ull;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 3000; ++i) {
    std::string field;
    if (i % 7 == 3) {
      for (int k = 0; k < 300; ++k) field += "0123456789abcdefghijklmnopqrstuv"[next() % 32];
    } else if (i == 1500) {
      field = std::string(40000, 'q') + "end";
    } else {
      field = "CredentialsInvalid AADSTS50034 round " + std::to_string(i % 11);
    }
    lines.push_back(R"({"time":"2026-11-17T14:25:10Z","category":"ProvisioningLogs","resultType":"Failure","properties":{"id":"r-)" +
                    std::to_string(i) + R"(","activityDateTime":"2026-11-17T14:25:10Z","provisioningStatusInfo":{"status":"failure","errorInformation":{"errorCode":"E","reason":")" +
                    field + R"("}}}})");
  }
  {
    std::ofstream a(tmp / "b/a.ndjson", std::ios::binary), b(tmp / "b/b.ndjson", std::ios::binary);
    for (const auto& l : lines) a << l << "\n" << l << "\n";
    for (const auto& l : lines) b << l << "\n";
  }
  for (const char* jobs : {"1", "2"}) {
    INFO("--jobs " << jobs);
    std::string db = tmp / (std::string("j") + jobs + ".db");
    CHECK(Wait(Spawn({"ingest", tmp / "b", "--db", db, "--jobs", jobs, "-q"}), nullptr) == 0);
    std::vector<std::string> raw = QueryColumn(db, "SELECT raw FROM events ORDER BY id");
    REQUIRE(raw.size() == lines.size());
    size_t same = 0;
    for (size_t i = 0; i < lines.size(); ++i) same += raw[i] == lines[i] ? 1 : 0;
    CHECK(same == lines.size());
    CHECK(QueryInt(db, "SELECT sum(duplicates) FROM sources") == 2 * 3000);
    // Blocks of duplicates only are not stored; the random lines are stored as they are.
    CHECK(QueryInt(db, "SELECT count(*) FROM raw_blocks WHERE id NOT IN "
                       "(SELECT raw_block FROM event_rows)") == 0);
    CHECK(QueryInt(db, "SELECT total(size) FROM raw_blocks") ==
          QueryInt(db, "SELECT total(raw_len) FROM event_rows"));  // no duplicate text
    CHECK(QueryInt(db, "SELECT total(length(data)) * 3 < total(size) FROM raw_blocks") == 1);
    // syncdoctor's own reader (sd_raw, used by the report) agrees with the view.
    CHECK(QueryText(db, "SELECT count(*) FROM events e JOIN event_rows r ON r.id = e.id WHERE "
                        "e.raw IS NOT sd_raw(r.raw_block, r.raw_start, r.raw_len)") == "count(*)\n0\n");
  }
}

TEST_CASE("robustness: two processes writing one index take turns and corrupt nothing",
          "[e2e][robustness][crash]") {
  TempDir tmp;
  fs::create_directories(tmp / "one");
  fs::create_directories(tmp / "two");
  for (int i = 0; i < 6; ++i) {
    WriteNdjson(tmp / ("one/a-" + std::to_string(i) + ".ndjson"), 2u << 20, 100 + i);
    WriteNdjson(tmp / ("two/b-" + std::to_string(i) + ".ndjson"), 2u << 20, 200 + i);
  }
  std::string db = tmp / "shared.db";
  Child a = Spawn({"ingest", tmp / "one", "--db", db, "-q"});
  Child b = Spawn({"ingest", tmp / "two", "--db", db, "-q"});
  int ra = Wait(a, nullptr);
  int rb = Wait(b, nullptr);
  // Each waits for the other's file transactions (up to 10 s each); a file both looked up before
  // either stored it is stored once, and the other run counts it as indexed: both succeed.
  CHECK(ra == 0);
  CHECK(rb == 0);
  CHECK(QueryText(db, "PRAGMA integrity_check") == "integrity_check\nok\n");
  CHECK(QueryInt(db, "SELECT count(*) FROM sources") == 12);
  CHECK(QueryInt(db, "SELECT count(*) FROM events") == QueryInt(db, "SELECT sum(events) FROM sources"));
}
