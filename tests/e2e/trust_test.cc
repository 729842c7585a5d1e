// Trust (docs/robustness.md, "Promises"): what a hostile bundle, index or command line must never
// achieve. Each test here failed before the fix it guards.
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <sqlite3.h>

#include <chrono>

#include "tests/e2e/e2e_util.h"

namespace e2e {
namespace {

bool HasByte(const std::string& s, const std::string& bytes) { return s.find(bytes) != std::string::npos; }

}  // namespace

TEST_CASE("trust: crafted file names and bidi text reach no terminal raw", "[e2e][trust]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  // A name that would set the clipboard (OSC 52) and a message with a right-to-left override.
  const std::string name = "x\x1b]52;c;ZWNobyBoaQ==\x07.log";
  std::ofstream(tmp / ("b/" + name)) << "AADConnectProvisioningAgent.exe Error: 0 : Web socket failed to connect. "
                                        "abc\xe2\x80\xae" "cod.exe\xe2\x81\xa6" "x\xe2\x80\x8b" "y\n";
  RunResult r = Run("analyze '" + (tmp / "b") + "' --explain-detect --db '" + (tmp / "i.db") + "'");
  REQUIRE(r.exit_code == 0);
  for (const std::string* out : {&r.out, &r.err}) {
    CHECK_FALSE(HasByte(*out, "\x1b"));
    CHECK_FALSE(HasByte(*out, "\x07"));
    CHECK_FALSE(HasByte(*out, "\xe2\x80\xae"));
  }
  CHECK(HasByte(r.err, "x?]52;c;ZWNobyBoaQ==?.log: encoding"));
  CHECK(HasByte(r.out, "abc<U+202E>cod.exe<U+2066>x<U+200B>y"));
  // The same text in the tables of search, timeline and query.
  for (const std::string& args : {"search --db '" + (tmp / "i.db") + "' socket",
                                 "query --db '" + (tmp / "i.db") + "' \"SELECT message FROM events\""}) {
    INFO(args);
    RunResult t = Run(args);
    CHECK(t.exit_code == 0);
    CHECK_FALSE(HasByte(t.out, "\xe2\x80\xae"));
    CHECK(HasByte(t.out, "<U+202E>"));
  }
}

}  // namespace e2e

namespace e2e {
namespace {

// Whether any 8-character piece of `secret` appears in `text` (half a UPN or GUID left by a cut).
std::string LeakedPiece(const std::string& text, const std::string& secret) {
  for (size_t i = 0; i + 8 <= secret.size(); ++i) {
    std::string piece = secret.substr(i, 8);
    if (piece.find_first_of(".@-") != std::string::npos) continue;  // separators are no data
    if (text.find(piece) != std::string::npos) return piece;
  }
  return "";
}

}  // namespace

TEST_CASE("trust: --redact leaves no piece of an identifier planted at a cut or in any field",
          "[e2e][trust][redact]") {
  TempDir tmp;
  fs::create_directories(tmp / "b/Trace");
  const std::string upn = "zqxwvkpl.mnbtrd@fjordhavenqtz.com";
  const std::string guid = "7f3c9e21-84ab-4d6e-b5f0-2c19d8a7e634";
  const std::string ip = "10.213.145.167";
  const std::string code_mail = "opsadmin@kvarnbyglimt.com";
  const std::string secrets[] = {upn, guid, ip, code_mail, "fjordhavenqtz", "kvarnbyglimt"};
  // The UPN straddles byte 300 (the excerpt cut) and the GUID byte 160 (the agent line cut).
  std::string pad300(290, 'a'), pad160(150, 'b');
  for (size_t i = 40; i < pad300.size(); i += 41) pad300[i] = ' ';
  for (size_t i = 40; i < pad160.size(); i += 41) pad160[i] = ' ';
  std::ofstream(tmp / "b/job-status.json")
      << R"({"id":"scim.0a1b2c3d4e5f40718293a4b5c6d7e8f9.)" << guid << R"(","templateId":"scim",)"
      << R"("status":{"code":"Quarantine","quarantine":{"currentBegan":"2026-11-17T14:25:10Z","reason":")" << ip
      << R"(","error":{"code":")" << code_mail << R"(","message":"CredentialsInvalid AADSTS50034: )" << pad300
      << " " << upn << R"( does not exist"}}}})";
  std::ofstream(tmp / "b/provisioning.json")
      << R"({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning","value":[{"id":"r1","activityDateTime":"2026-11-17T14:25:11Z","jobId":"scim.0a1b2c3d4e5f40718293a4b5c6d7e8f9.)"
      << guid << R"(","provisioningAction":"create","provisioningStatusInfo":{"status":"failure","errorInformation":{)"
      << R"("errorCode":")" << code_mail << R"(","reason":"StatusCode: Conflict )" << pad300 << " " << upn
      << R"( already exists"}}}]})";
  std::ofstream(tmp / "b/Trace/AzureADConnectProvisioningAgent_20261117_140000.log")
      << "AADConnectProvisioningAgent.exe Error: 0 : " << pad160 << " " << guid << " user " << upn
      << " from " << ip << "\n    DateTime=2026-11-17T14:30:00.0000000Z\n";
  std::string db = tmp / "i.db";
  std::vector<std::pair<std::string, RunResult>> outputs;
  for (const char* format : {"text", "json", "markdown", "html", "csv"}) {
    outputs.emplace_back(std::string("analyze ") + format,
                         Run("analyze '" + (tmp / "b") + "' --redact --redact-key k1 --format " + format));
    outputs.emplace_back(std::string("report ") + format,
                         Run("report --db '" + db + "' --redact --redact-key k1 --format " + format));
    if (std::string(format) == "text") {
      REQUIRE(Run("ingest '" + (tmp / "b") + "' --db '" + db + "' -q").exit_code == 0);
      outputs.back().second = Run("report --db '" + db + "' --redact --redact-key k1 --format text");
    }
  }
  outputs.emplace_back("search", Run("search --db '" + db + "' --redact --redact-key k1 exists"));
  outputs.emplace_back("timeline", Run("timeline --db '" + db + "' --redact --redact-key k1 " + upn));
  fs::create_directories(tmp / "bundles");
  fs::copy(tmp / "b", tmp / "bundles/case1", fs::copy_options::recursive);
  // Every input is read (the three files give three events).
  CHECK(Run("analyze '" + (tmp / "b") + "' --format json").out.find("\"events\": 3,") != std::string::npos);
  RunResult batch = Run("batch '" + (tmp / "bundles") + "' --out '" + (tmp / "out") + "' --redact --redact-key k1");
  outputs.emplace_back("batch", batch);
  for (const auto& entry : fs::recursive_directory_iterator(tmp / "out")) {
    std::string fname = entry.path().filename().string();
    if (!entry.is_regular_file() || fname[0] == '.' || entry.path().extension() == ".db" ||
        fname.find(".db-") != std::string::npos) {
      continue;
    }
    RunResult file;
    file.out = ReadFile(entry.path().string());
    outputs.emplace_back("batch file " + entry.path().filename().string(), file);
  }
  for (const auto& [what, r] : outputs) {
    INFO(what << "\n" << r.out.substr(0, 3000) << "\n" << r.err.substr(0, 1000));
    if (what != "batch") CHECK(r.out.size() > 0);
    for (const std::string& secret : secrets) {
      INFO("secret " << secret);
      CHECK(LeakedPiece(r.out, secret) == "");
      CHECK(LeakedPiece(r.err, secret) == "");
    }
  }
}

}  // namespace e2e

namespace e2e {

TEST_CASE("trust: a report never overwrites the index, its journal files or an input", "[e2e][trust]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  fs::copy(kMotivating + "/job-status.json", tmp / "b/job-status.json");
  std::string db = tmp / "i.db";
  REQUIRE(Run("ingest '" + (tmp / "b") + "' --db '" + db + "' -q").exit_code == 0);
  const std::string before = ReadFile(db);
  for (const std::string& target : {db, db + "-wal", db + "-shm"}) {
    for (const std::string& cmd : {"report --db '" + db + "'", "analyze '" + (tmp / "b") + "' --db '" + db + "'",
                                   "search --db '" + db + "' quarantine", "timeline --db '" + db + "' --cycle x",
                                   "query --db '" + db + "' \"SELECT 1\""}) {
      INFO(cmd << " -o " << target);
      RunResult r = Run(cmd + " -o '" + target + "'");
      CHECK(r.exit_code == 2);
      CHECK(r.err.find("is the index") != std::string::npos);
    }
  }
  CHECK(ReadFile(db) == before);
  // The same file under another name (a hard link) is the index too.
  REQUIRE(::link(db.c_str(), (tmp / "alias.html").c_str()) == 0);
  CHECK(Run("report --db '" + db + "' --format html -o '" + (tmp / "alias.html") + "'").exit_code == 2);
  // An input, and a path inside an input folder, are refused for analyze and ingest.
  RunResult in = Run("analyze '" + (tmp / "b/job-status.json") + "' -o '" + (tmp / "b/job-status.json") + "'");
  CHECK(in.exit_code == 2);
  CHECK(in.err.find("is the input") != std::string::npos);
  RunResult inside = Run("analyze '" + (tmp / "b") + "' -o '" + (tmp / "b/report.txt") + "'");
  CHECK(inside.exit_code == 2);
  CHECK(inside.err.find("is inside the input folder") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "b/report.txt"));
  CHECK(ReadFile(tmp / "b/job-status.json") == ReadFile(kMotivating + "/job-status.json"));
}

TEST_CASE("trust: no raw SQLite message reaches the user", "[e2e][trust]") {
  TempDir tmp;
  std::ofstream(tmp / "junk.db") << std::string(4096, 'x');
  RunResult r = Run("report --db '" + (tmp / "junk.db") + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("file is not a database") == std::string::npos);
  CHECK(r.err.find("not an SQLite database") != std::string::npos);
}

}  // namespace e2e

namespace e2e {

TEST_CASE("trust: query creates no file and changes nothing, whatever SQL it is given", "[e2e][trust]") {
  TempDir tmp;
  std::string db = tmp / "i.db";
  REQUIRE(Run("ingest '" + kHealthy + "' --db '" + db + "' -q").exit_code == 0);
  const std::string before = ReadFile(db);
  for (const std::string& sql : {"ATTACH DATABASE '" + (tmp / "evil1.db") + "' AS e",
                                 "ATTACH DATABASE 'file:" + (tmp / "evil2.db") + "?mode=rwc' AS e",
                                 "VACUUM INTO '" + (tmp / "evil3.db") + "'",
                                 std::string("PRAGMA journal_mode=DELETE"), std::string("PRAGMA user_version=1"),
                                 std::string("DELETE FROM sources"), std::string("CREATE TABLE t(x)"),
                                 std::string("SELECT load_extension('/tmp/x.so')")}) {
    INFO(sql);
    RunResult r = Run("query --db '" + db + "' \"" + sql + "\"");
    CHECK(r.exit_code == 2);
  }
  for (const char* f : {"evil1.db", "evil2.db", "evil3.db"}) CHECK_FALSE(fs::exists(tmp / f));
  CHECK(ReadFile(db) == before);
  // Reading still works, pragma functions included.
  CHECK(Run("query --db '" + db + "' \"SELECT count(*) FROM pragma_table_info('sources')\"").exit_code == 0);
}

TEST_CASE("trust: a read-only index is reported, queried and searched", "[e2e][trust]") {
  TempDir tmp;
  fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  fs::create_directories(tmp / "case");
  std::string db = tmp / "case/i.db";
  REQUIRE(Run("analyze '" + kMotivating + "' --db '" + db + "' --format json").exit_code == 0);
  const std::string before = ReadFile(db);
  fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(tmp / "case", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                    fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  // As root, access(W_OK) still says yes; run the commands as an unprivileged user when we are root.
  std::string as = ::geteuid() == 0 ? "runuser -u nobody -- " : "";
  auto run = [&](const std::string& args) {
    TempDir out;
    std::string cmd = "cd / && " + as + "env SOURCE_DATE_EPOCH=0 NO_COLOR=1 '" + kBinary + "' " + args + " >" +
                      (out / "o") + " 2>" + (out / "e");
    fs::permissions(out.path(), fs::perms::all);
    int rc = std::system(cmd.c_str());
    RunResult r;
    r.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = ReadFile(out / "o");
    r.err = ReadFile(out / "e");
    return r;
  };
  RunResult rep = run("report --db '" + db + "' --format json");
  INFO(rep.err);
  CHECK(rep.exit_code == 0);
  CHECK(rep.out.find("CS-QUARANTINE-CREDENTIALS-INVALID") != std::string::npos);
  RunResult q = run("query --db '" + db + "' \"SELECT count(*) FROM events\"");
  CHECK(q.exit_code == 0);
  CHECK(q.out.find("813") != std::string::npos);
  RunResult s = run("search --db '" + db + "' AADSTS50034");
  CHECK(s.exit_code == 0);
  CHECK(ReadFile(db) == before);
  CHECK_FALSE(fs::exists(db + "-shm"));
  fs::permissions(tmp / "case", fs::perms::owner_all);
}

TEST_CASE("trust: a damaged block size in the index allocates nothing of that size", "[e2e][trust]") {
  TempDir tmp;
  std::string db = tmp / "i.db";
  REQUIRE(Run("ingest '" + kMotivating + "' --db '" + db + "' -q").exit_code == 0);
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  REQUIRE(sqlite3_exec(h, "UPDATE raw_blocks SET size = 3000000000", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(h);
#if defined(__SANITIZE_ADDRESS__)
  const std::string limit = "";  // the sanitizers reserve address space of their own
#else
  const std::string limit = "ulimit -v 1000000 && ";  // 1 GB of address space
#endif
  TempDir out;
  int rc = std::system(("bash -c \"" + limit + "'" + kBinary + "' report --db '" + db + "' --format json > '" +
                        (out / "o") + "' 2> '" + (out / "e") + "'\"").c_str());
  INFO(ReadFile(out / "e"));
  CHECK(WEXITSTATUS(rc) == 0);  // the report is made; the damaged texts are left out
  CHECK(ReadFile(out / "o").find("CS-QUARANTINE-CREDENTIALS-INVALID") != std::string::npos);
  rc = std::system(("bash -c \"" + limit + "'" + kBinary + "' query --db '" + db +
                    "' 'SELECT length(sqlar_uncompress(zeroblob(100), 3000000000))' > /dev/null 2> '" +
                    (out / "e2") + "'\"").c_str());
  CHECK(WEXITSTATUS(rc) == 2);
  CHECK(ReadFile(out / "e2").find("not a deflated block of that size") != std::string::npos);
}

}  // namespace e2e

namespace e2e {
namespace {

// A zip archive (deflate) of `files`, written with libarchive.
void WriteZip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& files) {
  struct archive* a = archive_write_new();
  REQUIRE(archive_write_set_format_zip(a) == ARCHIVE_OK);
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (const auto& [name, data] : files) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
    REQUIRE(archive_write_data(a, data.data(), data.size()) == static_cast<la_ssize_t>(data.size()));
    archive_entry_free(e);
  }
  REQUIRE(archive_write_close(a) == ARCHIVE_OK);
  archive_write_free(a);
}

}  // namespace

TEST_CASE("trust: a zip bomb entry is left out and the entries after it are read", "[e2e][trust][bundle]") {
  TempDir tmp;
  std::string bomb;
  const std::string line = "AADConnectProvisioningAgent.exe Information: 0 : heartbeat\n";
  while (bomb.size() < (40u << 20)) bomb += line;
  WriteZip(tmp / "diag.zip",
           {{"Trace/a-bomb.log", bomb},
            {"Trace/b-good.log", "AADConnectProvisioningAgent.exe Error: 0 : Web socket failed to connect.\n"
                                 "    DateTime=2026-11-17T14:25:10.0000000Z\n"},
            {"../../outside.log", "AADConnectProvisioningAgent.exe Information: 0 : escaped\n"}});
  RunResult r = Run("analyze '" + (tmp / "diag.zip") + "' --max-ratio 50 --format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto inputs = rep.Inputs();
  REQUIRE(inputs.count("diag.zip!/Trace/b-good.log") == 1);
  CHECK(Str(inputs.at("diag.zip!/Trace/b-good.log")["status"]) == "parsed");
  REQUIRE(inputs.count("diag.zip!/Trace/a-bomb.log") == 1);
  CHECK(Str(inputs.at("diag.zip!/Trace/a-bomb.log")["status"]) != "parsed");
  CHECK(Str(inputs.at("diag.zip!/Trace/a-bomb.log")["reason"]).find("zip bomb") != std::string::npos);
  CHECK(rep.Signatures().count("AGT-WEBSOCKET-CONNECT-FAILED") == 1);
  // An entry whose name leaves the archive is read in memory, with a warning that says so.
  REQUIRE(inputs.count("diag.zip!/../../outside.log") == 1);
  std::string warnings;
  for (auto w : inputs.at("diag.zip!/../../outside.log")["warnings"].get_array()) warnings += Str(w);
  CHECK(warnings.find("leaves the archive") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "../outside.log"));
}

TEST_CASE("trust: with nothing readable the report is still written, and the exit code is 3",
          "[e2e][trust]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  std::ofstream(tmp / "b/photo.jpg") << std::string("\xff\xd8\xff\xe0", 4) << std::string(2000, '\x01');
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json -o '" + (tmp / "report.json") + "'");
  CHECK(r.exit_code == 3);
  REQUIRE(fs::exists(tmp / "report.json"));
  Report rep(ReadFile(tmp / "report.json"));
  REQUIRE(rep.Inputs().count("photo.jpg") == 1);
  CHECK(Str(rep.Inputs().at("photo.jpg")["status"]) == "skipped");
  CHECK(r.err.find("no input could be read") != std::string::npos);
}

}  // namespace e2e

namespace e2e {

TEST_CASE("trust: a huge sparse file and a large file no parser claims are decided without reading them",
          "[e2e][trust]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  {
    std::ofstream hole(tmp / "b/hole.log");
  }
  fs::resize_file(tmp / "b/hole.log", uint64_t{64} << 30);  // 64 GiB, nothing on disk
  {
    std::ofstream big(tmp / "b/big.bin", std::ios::binary);
    std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 300; ++i) big << chunk;  // 300 MB on disk
  }
  auto start = std::chrono::steady_clock::now();
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.err);
  CHECK(r.exit_code == 3);  // nothing readable, and the report says why for each
  Report rep(r.out);
  auto in = rep.Inputs();
  CHECK(Str(in.at("hole.log")["reason"]).find("sparse file") != std::string::npos);
  CHECK(Str(in.at("big.bin")["status"]) == "skipped");
  CHECK(secs < 20);  // reading 64 GB of zeros took minutes before
}

}  // namespace e2e

namespace e2e {

TEST_CASE("trust: an oversized signature file is refused before it is read", "[e2e][trust]") {
  TempDir tmp;
  fs::create_directories(tmp / "pack/x");
  {
    std::ofstream big(tmp / "pack/x/HUGE.yaml");
    std::string chunk(1 << 20, '#');
    for (int i = 0; i < 8; ++i) big << chunk;
  }
  RunResult r = Run("signatures list --signatures '" + (tmp / "pack") + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("HUGE.yaml:1: 8192 KB is more than a signature file may hold (1024 KB)") != std::string::npos);
}

}  // namespace e2e

namespace e2e {

TEST_CASE("trust: the temporary index is removed on SIGTERM, SIGHUP and a closed pipe", "[e2e][trust]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  fs::create_directories(tmp / "t");
  // Enough records that the run is still going when the signal comes.
  {
    std::ofstream out(tmp / "b/p.ndjson");
    for (int i = 0; i < 150000; ++i) {
      out << R"({"time":"2026-11-17T14:25:10Z","category":"ProvisioningLogs","resultType":"Failure","properties":{"id":"r)"
          << i << R"(","activityDateTime":"2026-11-17T14:25:10Z","jobId":"scim.1.2","provisioningAction":"create",)"
          << R"("provisioningStatusInfo":{"status":"failure","errorInformation":{"errorCode":"ContosoEntryConflict","reason":"user@contoso.com already exists"}}}})"
          << "\n";
    }
  }
  auto leftovers = [&] {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(tmp / "t")) n += e.path().filename().string().rfind("syncdoctor-", 0) == 0;
    return n;
  };
  for (const char* sig : {"TERM", "HUP"}) {
    INFO(sig);
    std::string cmd = "TMPDIR=\"" + (tmp / "t") + "\" \"" + kBinary + "\" analyze \"" + (tmp / "b") +
                      "\" >/dev/null 2>&1 & pid=$!; sleep 0.3; kill -" + sig + " $pid; wait $pid";
    int rc = std::system(("bash -c '" + cmd + "'").c_str());
    CHECK(WEXITSTATUS(rc) != 0);  // it died of the signal
    CHECK(leftovers() == 0);
  }
  int rc = std::system(("bash -c \"TMPDIR='" + (tmp / "t") + "' '" + kBinary + "' analyze '" + (tmp / "b") +
                        "' 2>/dev/null | head -c 10 >/dev/null\"").c_str());
  CHECK(WEXITSTATUS(rc) == 0);
  CHECK(leftovers() == 0);
}

}  // namespace e2e
