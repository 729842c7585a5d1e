// End-to-end tests of `show`: the record behind an evidence line of the report.
#include <algorithm>
#include <cctype>
#include <vector>

#include "tests/e2e/e2e_util.h"

namespace e2e {
namespace {

// The rows of `query --format json` as maps of column to text (numbers as their digits).
std::vector<std::map<std::string, std::string>> QueryRows(const std::string& db, const std::string& sql) {
  RunResult r = Run("query --db '" + db + "' \"" + sql + "\" --format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Report rows(r.out);
  std::vector<std::map<std::string, std::string>> out;
  for (auto row : rows.root.get_array()) {
    std::map<std::string, std::string> m;
    for (auto field : row.get_object()) {
      if (field.value.is_string()) m[std::string(field.key)] = Str(field.value);
      else if (field.value.is_int64()) m[std::string(field.key)] = std::to_string(Int(field.value));
    }
    out.push_back(std::move(m));
  }
  return out;
}

// The index of the motivating sample and its JSON report, built once for every test case.
struct Case {
  TempDir tmp;
  std::string db = tmp / "case.db";
  std::string report;
  Case() {
    RunResult r = Run("analyze '" + kMotivating + "' --db '" + db + "' --format json");
    report = r.out;
  }
};

Case& Motivating() {
  static Case c;
  return c;
}

// The first evidence line of the first finding: its signature, path and line.
struct Evidence {
  std::string signature, path;
  int64_t line = 0;
};

Evidence FirstEvidence() {
  Report rep(Motivating().report);
  auto findings = rep.root["findings"].get_array();
  REQUIRE(findings.size() > 0);
  auto first = findings.at(0).value();
  auto evidence = first["evidence"].get_array();
  REQUIRE(evidence.size() > 0);
  Evidence e;
  e.signature = Str(first["signature"]);
  e.path = Str(evidence.at(0).value()["path"]);
  e.line = Int(evidence.at(0).value()["line"]);
  return e;
}

std::string Ref(const Evidence& e) { return e.path + ":" + std::to_string(e.line); }

std::string Show(const std::string& args) {
  RunResult r = Run("show --db '" + Motivating().db + "' " + args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

// Text of the minified JSON of `json` (the same document whatever its indentation).
std::string Minified(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(json).get(root) == simdjson::SUCCESS);
  return simdjson::minify(root);
}

// The first UPN-shaped word of `text` (name@domain.tld), or "".
std::string FirstUpn(const std::string& text) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'; };
  for (size_t at = text.find('@'); at != std::string::npos; at = text.find('@', at + 1)) {
    size_t b = at, e = at + 1;
    while (b > 0 && word(text[b - 1])) --b;
    while (e < text.size() && word(text[e])) ++e;
    std::string domain = text.substr(at + 1, e - at - 1);
    if (b < at && domain.find('.') != std::string::npos) return text.substr(b, e - b);
  }
  return "";
}

// A folder with one line holding two provisioning records (minified), and a second file of the
// same name in another folder, so that "records.json" alone is ambiguous.
void WriteMiniBundle(const std::string& dir) {
  std::string rec = ReadFile(kSource + "/tests/data/formats/provisioning-portal.json");
  while (!rec.empty() && (rec.back() == '\n' || rec.back() == ']')) rec.pop_back();
  REQUIRE(rec.size() > 2);
  rec = rec.substr(1);  // the object alone
  std::string second = rec;
  const std::string id = "0f6e1c2a-9b7d-4e3f-8a21-5c4d3b2a1f00";
  REQUIRE(second.find(id) != std::string::npos);
  second.replace(second.find(id), id.size(), "0f6e1c2a-9b7d-4e3f-8a21-5c4d3b2a1f01");
  fs::create_directories(dir + "/one");
  fs::create_directories(dir + "/two");
  std::ofstream(dir + "/one/records.json") << "[" << rec << "," << second << "]";
  std::ofstream(dir + "/two/records.json") << "[" << second << "]\n";
}

TEST_CASE("show: the first evidence line of the motivating sample prints its record", "[e2e][show]") {
  const Evidence ev = FirstEvidence();
  const std::string out = Show("'" + Ref(ev) + "'");
  CHECK(out.rfind(ev.path + ":" + std::to_string(ev.line) + "  record 1 of ", 0) == 0);
  // The parsed error code of that record.
  auto rows = QueryRows(Motivating().db,
                        "SELECT coalesce(e.error_code, '') AS code FROM events e JOIN sources s ON s.id = e.source_id "
                        "WHERE s.path = '" + ev.path + "' AND e.line = " + std::to_string(ev.line));
  REQUIRE(rows.size() == 1);
  const std::string code = rows[0]["code"];
  REQUIRE_FALSE(code.empty());
  CHECK(out.find("\n  error_code") != std::string::npos);
  CHECK(out.find(code) != std::string::npos);
  // The signature of the finding is among the matches.
  size_t matches = out.find("\nMatched signatures\n");
  REQUIRE(matches != std::string::npos);
  CHECK(out.find("\n  " + ev.signature + "  ", matches) != std::string::npos);
  // The raw record, pretty-printed with 2-space indentation.
  size_t raw = out.find("\nRaw record (JSON, pretty-printed)\n{\n  \"");
  REQUIRE(raw != std::string::npos);
  CHECK(raw > matches);
  CHECK(out.find("\n    \"", raw) != std::string::npos);  // a nested member, one level deeper
}

TEST_CASE("show: json format carries the raw text as a string and as parsed JSON", "[e2e][show]") {
  const Evidence ev = FirstEvidence();
  const std::string json = Show("'" + Ref(ev) + "' --format json");
  Report doc(json);
  auto records = doc.root.get_array();
  REQUIRE(records.size() >= 1);
  auto rec = records.at(0).value();
  CHECK(Str(rec["path"]) == ev.path);
  CHECK(Int(rec["line"]) == ev.line);
  CHECK(Int(rec["record"]) == 1);
  CHECK_FALSE(Str(rec["kind"]).empty());
  CHECK_FALSE(Str(rec["fields"]["error_code"]).empty());
  bool listed = false;
  for (auto m : rec["matches"].get_array()) listed = listed || Str(m["signature"]) == ev.signature;
  CHECK(listed);
  // "raw" is the stored text exactly; "raw_json" is that text parsed.
  auto rows = QueryRows(Motivating().db, "SELECT raw FROM events WHERE id = " + std::to_string(Int(rec["id"])));
  REQUIRE(rows.size() == 1);
  const std::string raw = Str(rec["raw"]);
  CHECK(raw == rows[0]["raw"]);
  REQUIRE(rec["raw_json"].is_object());
  CHECK(simdjson::minify(rec["raw_json"]) == Minified(raw));
}

TEST_CASE("show: a trace entry prints its lines as they are, and a path suffix finds it", "[e2e][show]") {
  auto rows = QueryRows(Motivating().db,
                        "SELECT s.path AS path, e.line AS line, e.raw AS raw FROM events e JOIN sources s ON s.id = e.source_id "
                        "WHERE e.kind = 'trace' AND instr(e.raw, char(10)) > 0 ORDER BY e.id LIMIT 1");
  REQUIRE(rows.size() == 1);
  const std::string path = rows[0]["path"], ref = path + ":" + rows[0]["line"];
  std::string raw = rows[0]["raw"];
  raw.erase(std::remove(raw.begin(), raw.end(), '\r'), raw.end());
  const std::string out = Show("'" + ref + "'");
  CHECK(out.find("\nRaw record\n" + raw + "\n") != std::string::npos);
  CHECK(out.find("pretty-printed") == std::string::npos);
  // The file name alone (the part after the archive's "!/") is unambiguous in this bundle.
  const std::string name = path.substr(path.find_last_of('/') + 1);
  REQUIRE(name != path);
  CHECK(Show("'" + name + ":" + rows[0]["line"] + "'") == out);
}

TEST_CASE("show: a line where no record starts exits 1 and names the nearest lines that have one", "[e2e][show]") {
  const Evidence ev = FirstEvidence();
  const int64_t next = ev.line + 1;
  auto rows = QueryRows(Motivating().db,
                        "SELECT count(*) AS n FROM event_rows e JOIN sources s ON s.id = e.source_id WHERE s.path = '" +
                            ev.path + "' AND e.line = " + std::to_string(next));
  REQUIRE(rows.at(0)["n"] == "0");
  RunResult r = Run("show --db '" + Motivating().db + "' '" + ev.path + ":" + std::to_string(next) + "'");
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("no record starts at this line") != std::string::npos);
  CHECK(r.err.find("\n    " + Ref(ev) + "\n") != std::string::npos);
  RunResult missing = Run("show --db '" + Motivating().db + "' no-such-file.json:3");
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no file of the index has this path") != std::string::npos);
}

TEST_CASE("show: an ambiguous path or a malformed reference is a usage error", "[e2e][show]") {
  TempDir tmp;
  WriteMiniBundle(tmp / "bundle");
  const std::string db = tmp / "mini.db";
  REQUIRE(Run("ingest '" + (tmp / "bundle") + "' --db '" + db + "' -q").exit_code == 0);
  RunResult amb = Run("show --db '" + db + "' records.json:1");
  CHECK(amb.exit_code == 2);
  CHECK(amb.err.find("ambiguous") != std::string::npos);
  CHECK(amb.err.find("one/records.json") != std::string::npos);
  CHECK(amb.err.find("two/records.json") != std::string::npos);
  const std::string mdb = "--db '" + Motivating().db + "' ";
  for (const char* bad : {"audit-logs.json", "audit-logs.json:0", "audit-logs.json:12x", ":12", "audit-logs.json:"}) {
    INFO(bad);
    RunResult r = Run("show " + mdb + "'" + bad + "'");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("is not a PATH:LINE reference") != std::string::npos);
  }
  CHECK(Run("show audit-logs.json:750").exit_code == 2);                                  // no --db
  CHECK(Run("show --db '" + kMotivating + "/job-status.json' audit-logs.json:750").exit_code == 2);  // not an index
  CHECK(Run("show " + mdb + "--id 1 audit-logs.json:750").exit_code == 2);                // both
  CHECK(Run("show " + mdb + "audit-logs.json:750 --format csv").exit_code == 2);
  CHECK(Run("show " + mdb + "audit-logs.json:750 --nth 0").exit_code == 2);
}

TEST_CASE("show: several records on one minified line are numbered, and nth picks one", "[e2e][show]") {
  TempDir tmp;
  WriteMiniBundle(tmp / "bundle");
  const std::string db = tmp / "mini.db";
  REQUIRE(Run("ingest '" + (tmp / "bundle") + "' --db '" + db + "' -q").exit_code == 0);
  RunResult all = Run("show --db '" + db + "' one/records.json:1");
  INFO(all.err);
  REQUIRE(all.exit_code == 0);
  size_t first = all.out.find("one/records.json:1  record 1 of 2");
  size_t second = all.out.find("one/records.json:1  record 2 of 2");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
  CHECK(all.out.find("0f6e1c2a-9b7d-4e3f-8a21-5c4d3b2a1f01") != std::string::npos);
  RunResult nth = Run("show --db '" + db + "' one/records.json:1 --nth 2");
  REQUIRE(nth.exit_code == 0);
  CHECK(nth.out.find("record 2 of 2") != std::string::npos);
  CHECK(nth.out.find("record 1 of 2") == std::string::npos);
  RunResult json = Run("show --db '" + db + "' one/records.json:1 --format json");
  REQUIRE(json.exit_code == 0);
  Report doc(json.out);
  auto records = doc.root.get_array();
  REQUIRE(records.size() == 2);
  CHECK(Int(records.at(0).value()["offset"]) < Int(records.at(1).value()["offset"]));
  CHECK(Int(records.at(1).value()["of"]) == 2);
  CHECK(Run("show --db '" + db + "' one/records.json:1 --nth 3").exit_code == 1);
  // The copy in two/ repeats the second record, which is stored once: nothing of its own.
  RunResult dup = Run("show --db '" + db + "' two/records.json:1");
  CHECK(dup.exit_code == 1);
  CHECK(dup.err.find("repeats a record stored from another file") != std::string::npos);
}

TEST_CASE("show: redact hides a UPN of the record", "[e2e][show]") {
  // The first evidence line whose record names a UPN.
  Report rep(Motivating().report);
  std::string ref, upn;
  for (auto f : rep.root["findings"].get_array()) {
    for (auto e : f["evidence"].get_array()) {
      if (!upn.empty()) break;
      ref = Str(e["path"]) + ":" + std::to_string(Int(e["line"]));
      upn = FirstUpn(Show("'" + ref + "'"));
    }
  }
  INFO(ref);
  REQUIRE_FALSE(upn.empty());
  const std::string redacted = Show("'" + ref + "' --redact --redact-key test-key");
  CHECK(redacted.find(upn) == std::string::npos);
  CHECK(redacted.find("@domain-") != std::string::npos);
  CHECK(redacted.find("Raw record (JSON, pretty-printed)") != std::string::npos);
  // The same in JSON, the raw text included.
  const std::string json = Show("'" + ref + "' --redact --redact-key test-key --format json");
  CHECK(json.find(upn) == std::string::npos);
  CHECK(Run("show --db '" + Motivating().db + "' '" + ref + "' --redact-key k").exit_code == 2);
}

TEST_CASE("show: an unparsed piece at the line is shown with its reason, made terminal-safe", "[e2e][show]") {
  TempDir tmp;
  fs::create_directories(tmp / "bundle");
  std::string rec = ReadFile(kSource + "/tests/data/formats/provisioning-portal.json");
  while (!rec.empty() && rec.back() == '\n') rec.pop_back();
  REQUIRE(rec.size() > 2);
  rec.pop_back();  // the closing ']'
  std::ofstream(tmp / "bundle/x.json") << rec << ",\n{\"id\": \"broken\", \"activityDateTime\": \x1b[31m oops}\n]\n";
  const std::string db = tmp / "x.db";
  REQUIRE(Run("ingest '" + (tmp / "bundle") + "' --db '" + db + "' -q").exit_code == 0);
  RunResult r = Run("show --db '" + db + "' x.json:2");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("x.json:2  record 1 of 1  (unparsed)") != std::string::npos);
  CHECK(r.out.find("invalid JSON") != std::string::npos);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find("?[31m oops") != std::string::npos);
}

TEST_CASE("show: --id shows one event, and a read-only index works", "[e2e][show]") {
  const Evidence ev = FirstEvidence();
  Report doc(Show("'" + Ref(ev) + "' --format json"));
  const int64_t id = Int(doc.root.get_array().at(0).value()["id"]);
  const std::string by_ref = Show("'" + Ref(ev) + "' --nth 1");
  CHECK(Show("--id " + std::to_string(id)) == by_ref);
  CHECK(Run("show --db '" + Motivating().db + "' --id 999999999").exit_code == 1);

  TempDir tmp;
  fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  fs::create_directories(tmp / "case");
  const std::string db = tmp / "case/i.db";
  fs::copy_file(Motivating().db, db);
  const std::string before = ReadFile(db);
  fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(tmp / "case", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                    fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  // As root, access(W_OK) still says yes: run as an unprivileged user then (as trust_test does).
  const std::string as = ::geteuid() == 0 ? "runuser -u nobody -- " : "";
  TempDir out;
  fs::permissions(out.path(), fs::perms::all);
  int rc = std::system(("cd / && " + as + "'" + kBinary + "' show --db '" + db + "' '" + Ref(ev) + "' >'" +
                        (out / "o") + "' 2>'" + (out / "e") + "'").c_str());
  INFO(ReadFile(out / "e"));
  CHECK(WIFEXITED(rc));
  CHECK(WEXITSTATUS(rc) == 0);
  CHECK(ReadFile(out / "o") == by_ref);
  CHECK(ReadFile(db) == before);
  CHECK_FALSE(fs::exists(db + "-shm"));
  fs::permissions(tmp / "case", fs::perms::owner_all);
}

TEST_CASE("show: help names what each option takes", "[e2e][show]") {
  RunResult r = Run("show --help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("usage: syncdoctor show --db FILE PATH:LINE") != std::string::npos);
  CHECK(r.out.find("--db FILE") != std::string::npos);
  CHECK(r.out.find("--nth K") != std::string::npos);
  CHECK(r.out.find("--id N") != std::string::npos);
  CHECK(r.out.find("--redact-key KEY") != std::string::npos);
  CHECK(r.out.find(" arg ") == std::string::npos);
  CHECK(r.out.find("examples:\n  syncdoctor show") != std::string::npos);
}

}  // namespace
}  // namespace e2e
