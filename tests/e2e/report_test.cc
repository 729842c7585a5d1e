// End-to-end tests of what a support engineer sees and shares: the HTML report as a browser
// renders it, redaction, the timeline command, the progress line, and the generated man page
// and bash completion.
#include <sqlite3.h>

#include <regex>

#include "tests/e2e/e2e_util.h"

namespace e2e {
namespace {

int Shell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string Chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

struct Rendered {
  std::string dom;
  std::set<std::string> urls;  // every URL the browser's network log names
};

// Opens `html` in headless Chromium, with a network log, and returns the DOM it produced.
// Name resolution is switched off, so that nothing can leave the machine even by mistake.
Rendered Render(const std::string& html_path, const TempDir& tmp, const std::string& tag) {
  std::string chromium = Chromium();
  REQUIRE_FALSE(chromium.empty());  // scripts/test installs Debian's chromium
  std::string profile = tmp / ("profile-" + tag);
  std::string netlog = tmp / ("net-" + tag + ".json");
  std::string dom = tmp / ("dom-" + tag + ".html");
  std::string cmd = "timeout 120 '" + chromium +
                    "' --headless --no-sandbox --disable-gpu --disable-background-networking "
                    "--disable-component-update --disable-sync --no-first-run --disable-default-apps "
                    "--disable-extensions --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir='" +
                    profile + "' --log-net-log='" + netlog + "' --dump-dom 'file://" + html_path + "' >'" +
                    dom + "' 2>/dev/null";
  REQUIRE(Shell(cmd) == 0);
  Rendered r;
  r.dom = ReadFile(dom);
  std::string log = ReadFile(netlog);
  REQUIRE_FALSE(log.empty());
  static const std::regex url_re(R"re("url":"([^"]+)")re");
  for (std::sregex_iterator it(log.begin(), log.end(), url_re), end; it != end; ++it) r.urls.insert((*it)[1]);
  return r;
}

// Chromium's own background services (time, updates, accounts) show up in its network log even
// with their switches off; they are the browser's, not the page's.
bool IsBrowserService(const std::string& url) {
  static const std::regex re(R"(^https?://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gstatic\.com|gvt1\.com|googleusercontent\.com)(/|:|$))");
  return std::regex_search(url, re);
}

}  // namespace

TEST_CASE("html: the motivating sample renders in Chromium with the diagnosis and findings, loading nothing",
          "[e2e][html]") {
  TempDir tmp;
  std::string html = tmp / "report.html";
  RunResult r = Run("analyze '" + kMotivating + "' --format html --output '" + html + "'");
  REQUIRE(r.exit_code == 0);
  std::string page = ReadFile(html);

  // The file itself: one document, a policy that forbids every load, and no way to load anything.
  CHECK(page.find("Content-Security-Policy") != std::string::npos);
  CHECK(page.find("default-src 'none'") != std::string::npos);
  for (const char* banned : {"<script", "src=", "<link", "@import", "url(", "href=\"http", "<iframe", "<object"}) {
    INFO(banned);
    CHECK(page.find(banned) == std::string::npos);
  }

  Rendered dom = Render(html, tmp, "report");
  // What the browser built: the diagnosis, each finding with its evidence, and the chart.
  CHECK(dom.dom.find("<section id=\"diagnosis\">") != std::string::npos);
  CHECK(dom.dom.find("Cloud Sync service account is missing (CredentialsInvalid AADSTS50034)") != std::string::npos);
  CHECK(dom.dom.find("Repair-AADCloudSyncToolsAccount") != std::string::npos);
  for (const char* sig : {"CS-QUARANTINE-CREDENTIALS-INVALID", "CS-SVCACCT-DELETED"}) {
    INFO(sig);
    CHECK(dom.dom.find("data-signature=\"" + std::string(sig) + "\"") != std::string::npos);
  }
  CHECK(dom.dom.find("<details class=\"evidence\" open=\"\">") != std::string::npos);
  CHECK(dom.dom.find("provisioning-logs/page-001.json:") != std::string::npos);
  CHECK(dom.dom.find("<svg id=\"timeline-chart\"") != std::string::npos);
  CHECK(dom.dom.find("class=\"fail\"") != std::string::npos);  // the quarantine hours are red
  CHECK(dom.dom.find("<table id=\"inputs\">") != std::string::npos);
  CHECK(dom.dom.find("<script") == std::string::npos);
  // No request but the page itself and the browser's own services.
  for (const auto& url : dom.urls) {
    INFO(url);
    CHECK((url.rfind("file://", 0) == 0 || IsBrowserService(url)));
  }

  // The method can see a load: a page without the policy that has an image is caught...
  std::string control = tmp / "control.html";
  std::ofstream(control) << "<!DOCTYPE html><html><body><img src=\"http://syncdoctor-canary.invalid/a.png\"></body></html>";
  Rendered ctl = Render(control, tmp, "control");
  CHECK(ctl.urls.count("http://syncdoctor-canary.invalid/a.png") == 1);
  // ...and our policy stops one even if markup ever slipped through the escaping.
  std::string injected = tmp / "injected.html";
  std::string bad = page;
  bad.insert(bad.find("<main>") + 6, "<img src=\"http://syncdoctor-canary.invalid/b.png\">");
  std::ofstream(injected) << bad;
  Rendered inj = Render(injected, tmp, "injected");
  CHECK(inj.urls.count("http://syncdoctor-canary.invalid/b.png") == 0);
}

TEST_CASE("html: the report shows coverage gaps and a timeline with one bucket per hour", "[e2e][html]") {
  RunResult r = Run("analyze '" + kMotivating + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto timeline = rep.root["timeline"];
  CHECK(int64_t(timeline["bucket_seconds"]) == 3600);
  int64_t events = 0, failures = 0, buckets = 0;
  for (auto b : timeline["buckets"].get_array()) {
    events += int64_t(b["events"]);
    failures += int64_t(b["failures"]);
    ++buckets;
  }
  // Every timed event is in a bucket: the sample's events all carry a time.
  CHECK(events == int64_t(rep.root["summary"]["events"]));
  CHECK(failures >= 148);  // the failed provisioning records at least
  CHECK(buckets >= 48);    // two days of logs, empty hours included
  std::set<std::string> kinds;
  for (auto s : rep.root["coverage"]["spans"].get_array()) kinds.insert(std::string(std::string_view(s["kind"])));
  CHECK(kinds == std::set<std::string>{"audit", "provisioning", "trace"});
}

namespace {

// Every UPN, e-mail address, domain, IP address and GUID in `text`.
std::set<std::string> Sensitive(const std::string& text) {
  std::set<std::string> out;
  static const std::regex email(R"(([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+))");
  static const std::regex guid(R"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
  static const std::regex ip(R"(\b(?:10|172|192|20)\.\d{1,3}\.\d{1,3}\.\d{1,3}\b)");
  for (std::sregex_iterator it(text.begin(), text.end(), email), end; it != end; ++it) {
    out.insert((*it)[0]);
    std::string domain = (*it)[2];
    if (domain.find("microsoft") == std::string::npos) out.insert(domain);
  }
  for (const auto* re : {&guid, &ip}) {
    for (std::sregex_iterator it(text.begin(), text.end(), *re), end; it != end; ++it) out.insert((*it)[0]);
  }
  return out;
}

std::vector<std::string> FindingIds(const Report& rep) {
  std::vector<std::string> ids;
  for (auto f : rep.root["findings"].get_array()) {
    std::string id{std::string_view(f["signature"])};
    for (auto x : f["related"].get_array()) id += " " + std::string(std::string_view(x));
    ids.push_back(id);
  }
  return ids;
}

}  // namespace

TEST_CASE("redact: no UPN, domain, IP or object id of the motivating sample survives, and the findings still link",
          "[e2e][redact]") {
  TempDir tmp;
  std::string db = tmp / "case.db";
  RunResult plain = Run("analyze '" + kMotivating + "' --db '" + db + "' --format json");
  REQUIRE(plain.exit_code == 0);
  // What must not leak: whatever the sample's plain files and the unredacted report carry.
  std::string everything = plain.out;
  for (const auto& e : fs::recursive_directory_iterator(kMotivating)) {
    if (e.is_regular_file() && e.path().extension() == ".json") everything += ReadFile(e.path().string());
  }
  std::set<std::string> secrets = Sensitive(everything);
  REQUIRE(secrets.count("contoso.com") == 1);
  REQUIRE(secrets.count("jordan.lee@contoso.com") == 1);  // who deleted the account
  REQUIRE(secrets.size() > 50);
  // Names of identities too: display names the logs give for users and groups.
  secrets.insert("Alicia Brooks");
  secrets.insert("SSPR Enabled Users");

  Report plain_rep(plain.out);
  for (const char* format : {"json", "text", "markdown", "html", "csv"}) {
    RunResult red = Run("report --db '" + db + "' --redact --redact-key case-123 --format " + format);
    REQUIRE(red.exit_code == 0);
    INFO(format);
    for (const auto& s : secrets) {
      INFO(s);
      CHECK(red.out.find(s) == std::string::npos);
    }
    // Readable still: error codes, Microsoft's names and our signature ids.
    CHECK(red.out.find("AADSTS50034") != std::string::npos);
    CHECK(red.out.find("CS-QUARANTINE-CREDENTIALS-INVALID") != std::string::npos);
    CHECK(red.out.find("ADToAADSyncServiceAccount@tenant-") != std::string::npos);
  }
  RunResult red = Run("report --db '" + db + "' --redact --redact-key case-123 --format json");
  Report red_rep(red.out);
  // Same findings, same links, same counts.
  CHECK(FindingIds(red_rep) == FindingIds(plain_rep));
  CHECK(int64_t(red_rep.root["summary"]["events"]) == int64_t(plain_rep.root["summary"]["events"]));
  // The person who deleted the account is one pseudonym, the same in the diagnosis and the evidence.
  std::smatch m;
  std::string headline(std::string_view(red_rep.root["diagnosis"].at(0)["headline"]));
  REQUIRE(std::regex_search(headline, m, std::regex(R"(by (user-[0-9a-f]{10}@domain-[0-9a-f]{10}\.example))")));
  CHECK(red.out.find("by " + m[1].str() + " (success)") != std::string::npos);
  // Stable with the same key, different with another.
  CHECK(Run("report --db '" + db + "' --redact --redact-key case-123 --format json").out == red.out);
  std::string other = Run("report --db '" + db + "' --redact --redact-key case-456 --format json").out;
  CHECK(other.find(m[1].str()) == std::string::npos);
  // The key can come from the environment as well.
  CHECK(Run("report --db '" + db + "' --redact --format json").out != red.out);
  CHECK(Shell("SYNCDOCTOR_REDACT_KEY=case-123 SOURCE_DATE_EPOCH=0 '" + kBinary + "' report --db '" + db +
              "' --redact --format json > '" + (tmp / "env.json") + "'") == 0);
  CHECK(ReadFile(tmp / "env.json") == red.out);
  // --redact-key alone is a usage error: it would silently do nothing.
  CHECK(Run("report --db '" + db + "' --redact-key x").exit_code == 2);
}

TEST_CASE("timeline: one object across sources by UPN, display name and object id, and one cycle", "[e2e][timeline]") {
  TempDir tmp;
  std::string db = tmp / "case.db";
  REQUIRE(Run("ingest '" + kMotivating + "' --db '" + db + "'").exit_code == 0);
  RunResult by_upn = Run("timeline --db '" + db + "' alicia.brooks@contoso.com --format json");
  REQUIRE(by_upn.exit_code == 0);
  Report upn(by_upn.out);
  std::vector<std::string> times;
  int failures = 0;
  for (auto e : upn.root.get_array()) {
    times.emplace_back(std::string_view(e["time"]));
    failures += std::string_view(e["error_code"]) == "AzureActiveDirectoryInvalidCredential";
  }
  REQUIRE(times.size() >= 4);
  CHECK(std::is_sorted(times.begin(), times.end()));
  CHECK(failures >= 1);
  // The display name and the object id find the same records.
  CHECK(Report(Run("timeline --db '" + db + "' 'alicia brooks' --format json").out).root.get_array().size() ==
        times.size());
  RunResult q = Run("query --db '" + db + "' --format csv \"SELECT DISTINCT source_object_id FROM events "
                    "WHERE source_identity = 'Alicia Brooks'\"");
  REQUIRE(q.exit_code == 0);
  std::string id = q.out.substr(q.out.find('\n') + 1, 36);
  CHECK(Report(Run("timeline --db '" + db + "' " + id + " --format json").out).root.get_array().size() == times.size());
  // A cycle gathers the agent's trace lines and the provisioning records of that run.
  RunResult cyc = Run("query --db '" + db + "' --format csv \"SELECT cycle_id FROM events WHERE kind = 'provisioning' "
                      "AND cycle_id IS NOT NULL GROUP BY cycle_id ORDER BY count(*) DESC LIMIT 1\"");
  std::string cycle = cyc.out.substr(cyc.out.find('\n') + 1, 36);
  Report by_cycle(Run("timeline --db '" + db + "' --cycle " + cycle + " --format json").out);
  std::set<std::string> kinds;
  for (auto e : by_cycle.root.get_array()) kinds.insert(std::string(std::string_view(e["kind"])));
  CHECK(kinds.count("provisioning") == 1);
  CHECK(kinds.count("trace") == 1);
  // Redacted, the UPN is gone but the rows are the same.
  RunResult red = Run("timeline --db '" + db + "' alicia.brooks@contoso.com --redact --format csv");
  CHECK(red.out.find("Alicia Brooks") == std::string::npos);
  CHECK(red.out.find("contoso.com") == std::string::npos);
  CHECK(std::count(red.out.begin(), red.out.end(), '\n') == static_cast<long>(times.size()) + 1);
  // The table is aligned: every line of the header block has the same column starts.
  RunResult table = Run("timeline --db '" + db + "' alicia.brooks@contoso.com");
  CHECK(table.out.rfind("time ", 0) == 0);
  CHECK(table.out.find("(" + std::to_string(times.size()) + " rows)") != std::string::npos);
  // Usage errors.
  CHECK(Run("timeline --db '" + db + "'").exit_code == 2);
  CHECK(Run("timeline --db '" + db + "' x --cycle y").exit_code == 2);
  RunResult nobody = Run("timeline --db '" + db + "' nobody@nowhere.example --format json");
  CHECK(nobody.out == "[]\n");
  CHECK(nobody.exit_code == 1);  // nothing found, as grep
}

TEST_CASE("progress: a line on a terminal, nothing in a pipe", "[e2e][cli]") {
  TempDir tmp;
  std::string out = tmp / "tty.txt";
  // script(1) gives the command a terminal; the first-second delay is switched off.
  std::string cmd = "SYNCDOCTOR_PROGRESS_DELAY_MS=0 script -q -e -c \"'" + kBinary + "' analyze '" + kMotivating +
                    "' --format json --output '" + (tmp / "r.json") + "'\" /dev/null > '" + out + "'";
  REQUIRE(Shell(cmd) == 0);
  std::string tty = ReadFile(out);
  CHECK(tty.find("events/s") != std::string::npos);
  CHECK(tty.find("\r\x1b[K") != std::string::npos);  // redrawn in place, then cleared
  RunResult piped = Run("analyze '" + kMotivating + "' --format json");
  CHECK(piped.err.find("events/s") == std::string::npos);
  CHECK(piped.err.find('\r') == std::string::npos);
}

TEST_CASE("help: the generated man page and bash completion cover every command and option", "[e2e][cli]") {
  TempDir tmp;
  RunResult man = Run("--generate-man");
  REQUIRE(man.exit_code == 0);
  std::ofstream(tmp / "syncdoctor.1") << man.out;
  // groff finds no error or warning in it.
  CHECK(Shell("groff -man -Tutf8 -ww -z '" + (tmp / "syncdoctor.1") + "' 2>'" + (tmp / "groff.err") + "'") == 0);
  CHECK(ReadFile(tmp / "groff.err").empty());
  RunResult bash = Run("completion bash");
  REQUIRE(bash.exit_code == 0);
  std::ofstream(tmp / "completion.bash") << bash.out;
  RunResult help = Run("--help");
  for (const char* cmd : {"analyze", "ingest", "report", "query", "search", "timeline", "explain", "signatures", "completion"}) {
    INFO(cmd);
    CHECK(man.out.find(".SS " + std::string(cmd)) != std::string::npos);
    CHECK(help.out.find("  " + std::string(cmd)) != std::string::npos);
    RunResult h = Run(std::string(cmd) + " --help");
    CHECK(h.exit_code == 0);
    CHECK(h.out.find("examples:\n  ") != std::string::npos);  // every command has examples
    // Every option of --help is in the man page and offered by the completion.
    std::regex opt(R"(--([a-z][a-z-]+))");
    for (std::sregex_iterator it(h.out.begin(), h.out.end(), opt), end; it != end; ++it) {
      std::string o = (*it)[1];
      if (h.out.find("--" + o + " ") == std::string::npos && h.out.find("--" + o + "\n") == std::string::npos &&
          h.out.find("--" + o + " ]") == std::string::npos) continue;  // only option names, not prose
      INFO(o);
      CHECK(man.out.find("\\-\\-" + std::regex_replace(o, std::regex("-"), "\\-")) != std::string::npos);
    }
  }
  // The completion works in bash: commands, options, and values of --format.
  auto complete = [&](const std::string& words) {
    std::string script = "source '" + (tmp / "completion.bash") + "'; COMP_WORDS=(" + words +
                         "); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _syncdoctor; printf '%s\\n' \"${COMPREPLY[@]}\"";
    std::ofstream(tmp / "c.sh") << script;
    std::string res = tmp / "c.out";
    Shell("bash '" + (tmp / "c.sh") + "' > '" + res + "' 2>&1");
    return ReadFile(res);
  };
  CHECK(complete("syncdoctor ana") == "analyze\n");
  CHECK(complete("syncdoctor tim") == "timeline\n");
  CHECK(complete("syncdoctor analyze --red").find("--redact\n") != std::string::npos);
  CHECK(complete("syncdoctor analyze --format h") == "html\n");
  CHECK(complete("syncdoctor query --format j") == "json\n");
  CHECK(complete("syncdoctor analyze --fail-on cr") == "critical\n");
  CHECK(complete("syncdoctor signatures s") == "show\n");
  // Did you mean: a mistyped command is answered with the closest one.
  RunResult typo = Run("timelime --db x");
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("did you mean 'timeline'") != std::string::npos);
}

}  // namespace e2e

namespace e2e {

// One number from a plain SQLite connection: what the index holds, not what syncdoctor's query
// (which catches up the full-text index first) would make of it.
int64_t PlainInt(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  int64_t v = -1;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

const char* kFtsBehind =
    "SELECT (SELECT max(id) FROM event_rows) - (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_rowid')";

// FTS5's integrity check, against the external content too (rank 1); "ok" or the error.
std::string FtsIntegrity(const std::string& db) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return "cannot open";
  }
  char* err = nullptr;
  int rc = sqlite3_exec(h, "INSERT INTO events_fts(events_fts, rank) VALUES('integrity-check', 1)",
                        nullptr, nullptr, &err);
  std::string out = rc == SQLITE_OK ? "ok" : (err != nullptr ? err : "error");
  sqlite3_free(err);
  sqlite3_close(h);
  return out;
}

TEST_CASE("jobs: parallel workers give the same index and report as one thread", "[e2e][jobs]") {
  // The writer stores files in walk order, so ids, evidence and every report byte are the same.
  for (const std::string& bundle : {kMotivating, kNoAgent, kHealthy, kSource + "/tests/data/formats",
                                    kSource + "/tests/data/planted", kRealCorpus}) {
    INFO(bundle);
    TempDir tmp;
    std::string one = Run("analyze '" + bundle + "' --jobs 1 --fts --format json --db '" + (tmp / "1.db") + "'").out;
    REQUIRE_FALSE(one.empty());
    CHECK(PlainInt(tmp / "1.db", kFtsBehind) == 0);  // --fts filled it
    for (const char* jobs : {"2", "4"}) {
      INFO(jobs);
      RunResult many = Run("analyze '" + bundle + "' --jobs " + jobs + " --fts --format json --db '" + (tmp / jobs) + ".db'");
      CHECK(many.exit_code == 0);
      CHECK(many.out == one);
      CHECK(PlainInt(tmp / jobs + ".db", kFtsBehind) == 0);
      // The stored events are the same, row for row.
      std::string q = "query --format csv \"SELECT id, source_id, line, kind, record_id, error_code, "
                      "length(raw) FROM events ORDER BY id\" --db ";
      CHECK(Run(q + "'" + (tmp / jobs) + ".db'").out == Run(q + "'" + (tmp / "1.db") + "'").out);
      // The full-text index (filled while the report is built) finds the same events, and
      // FTS5's own check finds it consistent with the messages it indexes.
      std::string f = "query --format csv \"SELECT rowid FROM events_fts WHERE events_fts MATCH "
                       "'the OR error OR failed OR credentials OR AADSTS50034 OR quarantine OR socket OR "
                       "\\\"service account\\\"' ORDER BY rowid\" --db ";
      std::string hits = Run(f + "'" + (tmp / jobs) + ".db'").out;
      CHECK(hits == Run(f + "'" + (tmp / "1.db") + "'").out);
      CHECK(hits.size() > std::string("rowid\n").size());
      CHECK(FtsIntegrity(tmp / jobs + ".db") == "ok");
      CHECK(FtsIntegrity(tmp / "1.db") == "ok");
    }
  }
  CHECK(Run("analyze '" + kHealthy + "' --jobs 0").exit_code == 2);
}

TEST_CASE("search: a full-text index left behind by an interrupted run is caught up first",
          "[e2e][jobs]") {
  TempDir tmp;
  std::string db = tmp / "k.db";
  REQUIRE(Run("analyze '" + kNoAgent + "' --jobs 2 --format json --db '" + db + "'").exit_code == 0);
  // What a run killed before it filled the full-text index leaves: the events, an empty
  // full-text index and fts_rowid at 0.
  {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(h, "INSERT INTO events_fts(events_fts) VALUES('delete-all'); "
                            "UPDATE meta SET value = '0' WHERE key = 'fts_rowid'",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(h);
  }
  REQUIRE(PlainInt(db, "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'socket'") == 0);
  RunResult r = Run("search --db '" + db + "' --format csv socket");
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("could not be brought up to date") == std::string::npos);
  CHECK(r.out.find("Web socket") != std::string::npos);
  CHECK(FtsIntegrity(db) == "ok");
  // Still read-only for the user's statements.
  CHECK(Run("query --db '" + db + "' \"DELETE FROM meta\"").exit_code == 2);
}

TEST_CASE("analyze leaves the full-text index to the first search, timeline or query that reads it",
          "[e2e][jobs]") {
  for (const char* jobs : {"1", "2"}) {
    INFO("--jobs " << jobs);
    TempDir tmp;
    std::string db = tmp / "lazy.db";
    REQUIRE(Run("analyze '" + kNoAgent + "' --jobs " + jobs + " --format json --db '" + db + "'").exit_code == 0);
    int64_t events = PlainInt(db, "SELECT count(*) FROM event_rows");
    REQUIRE(events > 0);
    CHECK(PlainInt(db, kFtsBehind) == events);
    CHECK(PlainInt(db, "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'socket'") == 0);
    // A query that does not read it leaves it as it is; one that does catches it up first.
    CHECK(Run("query --db '" + db + "' --format csv \"SELECT count(*) FROM sources\"").exit_code == 0);
    CHECK(PlainInt(db, kFtsBehind) == events);
    RunResult q = Run("query --db '" + db + "' --format csv \"SELECT count(*) FROM events_fts WHERE "
                      "events_fts MATCH 'socket'\"");
    CHECK(q.exit_code == 0);
    CHECK(q.out != "count(*)\n0\n");
    // The same hits as an index whose full-text index analyze filled (--fts).
    REQUIRE(Run("analyze '" + kNoAgent + "' --jobs " + jobs + " --fts --format json --db '" + (tmp / "now.db") + "'").exit_code == 0);
    CHECK(PlainInt(tmp / "now.db", "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'socket'") ==
          std::stoll(q.out.substr(q.out.find('\n') + 1)));
    CHECK(PlainInt(db, kFtsBehind) == 0);
    CHECK(FtsIntegrity(db) == "ok");
  }
  // Without --db there is nothing to fill: said, not silently ignored.
  RunResult no_db = Run("analyze '" + kNoAgent + "' --fts --format json");
  CHECK(no_db.exit_code == 0);
  CHECK(no_db.err.find("--fts does nothing without --db") != std::string::npos);
  // timeline reads it too (traces and event logs join an object's story through it).
  TempDir tmp;
  std::string db = tmp / "t.db";
  REQUIRE(Run("analyze '" + kMotivating + "' --format json --db '" + db + "'").exit_code == 0);
  CHECK(PlainInt(db, kFtsBehind) > 0);
  CHECK(Run("timeline --db '" + db + "' --format csv nobody@contoso.com").exit_code <= 1);
  CHECK(PlainInt(db, kFtsBehind) == 0);
}

TEST_CASE("jobs: a second bundle added to an index with --jobs 2 is searchable too", "[e2e][jobs]") {
  // `analyze` fills the full-text index beside the report, `ingest` after its walk: both leave
  // it complete (fts_rowid is the newest event) and consistent.
  TempDir tmp;
  std::string db = tmp / "two.db";
  REQUIRE(Run("analyze '" + kMotivating + "' --jobs 2 --format json --db '" + db + "'").exit_code == 0);
  REQUIRE(Run("ingest '" + kNoAgent + "' --jobs 2 -q --db '" + db + "'").exit_code == 0);
  CHECK(Run("search --db '" + db + "' --format csv AADSTS50034").out.find("AADSTS50034") != std::string::npos);
  CHECK(Run("search --db '" + db + "' --format csv socket").out.find("Web socket") != std::string::npos);
  CHECK(FtsIntegrity(db) == "ok");
  CHECK(Run("query --db '" + db + "' --format csv \"SELECT (SELECT value FROM meta WHERE key = 'fts_rowid') = "
            "CAST((SELECT max(id) FROM event_rows) AS TEXT)\"").out.find("\n1\n") != std::string::npos);
}

}  // namespace e2e

namespace e2e {

TEST_CASE("unknown codes: a code no signature names is family-level when its family is known, unknown otherwise",
          "[e2e][unknown][reference][family]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  auto record = [](const std::string& id, const std::string& code, const std::string& reason) {
    return R"({"id":")" + id + R"(","activityDateTime":"2026-11-17T14:25:10Z","jobId":"AD2AADProvisioning.j1",)"
           R"("cycleId":"c1","changeId":")" + id + R"(","provisioningAction":"create",)"
           R"("sourceIdentity":{"id":"s1","displayName":"Ellie","identityType":"User"},)"
           R"("provisioningStatusInfo":{"status":"failure","errorInformation":{"errorCode":")" + code +
           R"(","reason":")" + reason + R"(","errorCategory":"nonServiceFailure"}}})";
  };
  std::ofstream(tmp / "b/provisioning.json")
      << R"({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning","value":[)"
      << record("r1", "WidgetFactoryTokenExpired", "The widget API refused the token.") << ","
      << record("r2", "GadgetFault", "Sign-in failed: AADSTS16002: session selection rejected.") << ","
      << record("r3", "WidgetFactoryExploded", "Something broke.") << "]}";
  RunResult r = Run("analyze '" + (tmp / "b") + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  std::map<std::string, simdjson::dom::element> by_code;
  for (auto u : rep.root["unknown_codes"].get_array()) by_code[Str(u["code"])] = u;
  REQUIRE(by_code.count("WidgetFactoryTokenExpired") == 1);
  REQUIRE(by_code.count("AADSTS16002") == 1);
  REQUIRE(by_code.count("WidgetFactoryExploded") == 1);
  // The suffix says "credential rejected": family-level, and the family finding lists the code.
  CHECK(Str(by_code["WidgetFactoryTokenExpired"]["level"]) == "family-level");
  CHECK(Str(by_code["WidgetFactoryTokenExpired"]["family"]) == "FAM-APP-CREDENTIALS");
  auto fam = rep.Finding("FAM-APP-CREDENTIALS");
  CHECK(Str(fam["tier"]) == "family");
  REQUIRE(fam["codes"].get_array().size() == 1);
  CHECK(Str(fam["codes"].get_array().at(0)["code"]) == "WidgetFactoryTokenExpired");
  CHECK(fam["fix"].get_array().size() >= 2);
  // An AADSTS code: the AADSTS family, with the reference's name and meaning.
  auto aadsts = by_code["AADSTS16002"];
  CHECK(Str(aadsts["kind"]) == "aadsts");
  CHECK(Str(aadsts["level"]) == "family-level");
  CHECK(Str(aadsts["family"]) == "FAM-AADSTS");
  CHECK(Str(aadsts["reference"]["name"]) == "AppSessionSelectionInvalid");
  auto fam_aadsts = rep.Finding("FAM-AADSTS");
  REQUIRE(fam_aadsts["codes"].get_array().size() == 1);
  CHECK(Str(fam_aadsts["codes"].get_array().at(0)["meaning"]).find("AppSessionSelectionInvalid") == 0);
  // Nothing knows WidgetFactoryExploded: unknown, and the reference says so (null).
  CHECK(Str(by_code["WidgetFactoryExploded"]["level"]) == "unknown");
  CHECK(by_code["WidgetFactoryExploded"]["family"].is_null());
  CHECK(by_code["WidgetFactoryExploded"]["reference"].is_null());
  RunResult text = Run("analyze '" + (tmp / "b") + "'");
  CHECK(text.out.find("FAM-APP-CREDENTIALS  The target app rejected the provisioning credentials") != std::string::npos);
  CHECK(text.out.find("(family-level)") != std::string::npos);
  CHECK(text.out.find("Codes: WidgetFactoryTokenExpired x1") != std::string::npos);
  CHECK(text.out.find("WidgetFactoryTokenExpired x1  [family-level, FAM-APP-CREDENTIALS]") != std::string::npos);
  CHECK(text.out.find("WidgetFactoryExploded x1  [unknown]") != std::string::npos);
  CHECK(text.out.find("Reference (AppSessionSelectionInvalid): ") != std::string::npos);
  CHECK(text.out.find("Not in the reference tables either") != std::string::npos);
  for (const char* format : {"markdown", "html"}) {
    INFO(format);
    RunResult other = Run("analyze '" + (tmp / "b") + "' --format " + format);
    CHECK(other.out.find("AppSessionSelectionInvalid") != std::string::npos);
    CHECK(other.out.find("family-level (FAM-APP-CREDENTIALS)") != std::string::npos);
    CHECK(other.out.find("FAM-APP-CREDENTIALS") != std::string::npos);
  }
  RunResult csv = Run("analyze '" + (tmp / "b") + "' --format csv");
  CHECK(csv.out.find(",family,WidgetFactoryTokenExpired x1\n") != std::string::npos);
}

}  // namespace e2e

namespace e2e {
namespace {

// A diagnostic provisioning record with this job (none when empty) and error code.
std::string ProvisioningLine(int n, const std::string& job, const std::string& code) {
  return R"({"time":"2026-11-17T14:25:10Z","category":"ProvisioningLogs","resultType":"Failure","properties":{"id":"rel-)" +
         std::to_string(n) + R"(","activityDateTime":"2026-11-17T14:25:)" + std::to_string(10 + n) + R"(Z",)" +
         (job.empty() ? std::string() : R"("jobId":")" + job + R"(",)") +
         R"("provisioningAction":"update","provisioningStatusInfo":{"status":"failure","errorInformation":{"errorCode":")" +
         code + R"(","reason":"test"}}}})" + "\n";
}

// signature -> related ids of its finding in `scope`.
std::set<std::string> RelatedOf(Report& rep, const std::string& signature, const std::string& scope) {
  for (auto f : rep.root["findings"].get_array()) {
    if (Str(f["signature"]) != signature || Str(f["scope"]) != scope) continue;
    std::set<std::string> out;
    for (auto x : f["related"].get_array()) out.insert(Str(x));
    return out;
  }
  FAIL("no finding " << signature << " in scope '" << scope << "'");
  return {};
}

}  // namespace

TEST_CASE("related: a finding names only what fired in its own job, or outside any job",
          "[e2e][report]") {
  TempDir tmp;
  fs::create_directories(tmp / "sigs");
  auto sig = [&](const std::string& id, const std::string& code, const std::string& links) {
    std::ofstream y(tmp / ("sigs/" + id + ".yaml"));
    y << "id: " << id << "\ntitle: t " << id << "\nseverity: medium\nstatus: verified\ntags: [test]\n"
      << "applies_to: [provisioning]\nmatch:\n  any:\n    - error_code: '^" << code << "$'\n"
      << "links: [" << links << "]\ncause: c\nfix: [f]\nreferences: [https://example.invalid]\n"
      << "examples:\n  match:\n    - {kind: provisioning, error_code: " << code << "}\n"
      << "  no_match:\n    - {kind: provisioning, error_code: Other}\n";
  };
  sig("TEST-REL-A", "ErrA", "TEST-REL-B, TEST-REL-C");
  sig("TEST-REL-B", "ErrB", "");
  sig("TEST-REL-C", "ErrC", "");
  // Job J1 fails with A, job J2 with B; C fails outside any job.
  fs::create_directories(tmp / "one");
  {
    std::ofstream f(tmp / "one/p.ndjson", std::ios::binary);
    f << ProvisioningLine(1, "J1", "ErrA") << ProvisioningLine(2, "J2", "ErrB") << ProvisioningLine(3, "", "ErrC");
  }
  RunResult r = Run("analyze '" + (tmp / "one") + "' --format json --signatures '" + (tmp / "sigs") + "'");
  REQUIRE(r.exit_code == 0);
  {
    Report rep(r.out);
    CHECK(RelatedOf(rep, "TEST-REL-A", "J1") == std::set<std::string>{"TEST-REL-C"});
    CHECK(RelatedOf(rep, "TEST-REL-B", "J2").empty());
    CHECK(RelatedOf(rep, "TEST-REL-C", "") == std::set<std::string>{"TEST-REL-A"});
  }
  // With B in J1 too, A and B of J1 name each other; B of J2 still names neither.
  fs::create_directories(tmp / "two");
  {
    std::ofstream f(tmp / "two/p.ndjson", std::ios::binary);
    f << ProvisioningLine(1, "J1", "ErrA") << ProvisioningLine(2, "J2", "ErrB") << ProvisioningLine(3, "", "ErrC")
      << ProvisioningLine(4, "J1", "ErrB");
  }
  r = Run("analyze '" + (tmp / "two") + "' --format json --signatures '" + (tmp / "sigs") + "'");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  CHECK(RelatedOf(rep, "TEST-REL-A", "J1") == std::set<std::string>({"TEST-REL-B", "TEST-REL-C"}));
  CHECK(RelatedOf(rep, "TEST-REL-B", "J1") == std::set<std::string>{"TEST-REL-A"});
  CHECK(RelatedOf(rep, "TEST-REL-B", "J2").empty());
}

}  // namespace e2e

namespace e2e {

TEST_CASE("search: finds identities, ids and raw text, says how many more there are, and exits 1 "
          "on nothing",
          "[e2e][search]") {
  TempDir tmp;
  const std::string db = tmp / "m.db";
  REQUIRE(Run("analyze '" + kMotivating + "' --db '" + db + "' -q -o /dev/null").exit_code == 0);
  // An actor that is no message word: found in its field.
  RunResult actor = Run("search --db '" + db + "' --format json ADToAADSyncServiceAccount");
  REQUIRE(actor.exit_code == 0);
  Report by_actor(actor.out);
  REQUIRE(by_actor.root.get_array().size() >= 1);
  for (auto row : by_actor.root.get_array()) CHECK(Str(row["found_in"]) != "");
  CHECK(actor.out.find("\"found_in\": \"field\"") != std::string::npos);
  // A piece of a job id: found in the raw text of trace lines and in the job id field.
  RunResult job = Run("search --db '" + db + "' --format csv --limit 1000 AD2AADProvisioning.70eb");
  REQUIRE(job.exit_code == 0);
  CHECK(job.out.find(",raw,") != std::string::npos);
  CHECK(job.out.find(",field,") != std::string::npos);
  // Cut at --limit: the rest is counted on stderr.
  RunResult cut = Run("search --db '" + db + "' --limit 3 AADSTS50034");
  REQUIRE(cut.exit_code == 0);
  CHECK(cut.out.find("(3 rows)") != std::string::npos);
  CHECK(cut.err.find("search: 3 of ") != std::string::npos);
  CHECK(cut.err.find(" more, use --limit ") != std::string::npos);
  RunResult all = Run("search --db '" + db + "' --limit 100000 AADSTS50034");
  CHECK(all.err.find("more, use --limit") == std::string::npos);
  // Nothing: exit 1, as grep.
  RunResult none = Run("search --db '" + db + "' zzzqqqnothing");
  CHECK(none.exit_code == 1);
  CHECK(none.out.find("(0 rows)") != std::string::npos);
  // timeline: the same rules.
  CHECK(Run("timeline --db '" + db + "' nobody@nowhere.example").exit_code == 1);
  RunResult tl = Run("timeline --db '" + db + "' alicia.brooks@contoso.com --limit 2");
  CHECK(tl.exit_code == 0);
  CHECK(tl.err.find("timeline: 2 of ") != std::string::npos);
}

}  // namespace e2e

namespace e2e {

TEST_CASE("diagnosis: each story is a short block that names its job, causes, since when and "
          "what surrounds it",
          "[e2e][report]") {
  RunResult r = Run("analyze '" + kMotivating + "' --format json");
  REQUIRE(r.exit_code == 0);
  Report rep(r.out);
  auto d = rep.root["diagnosis"].get_array().at(0);
  CHECK(Str(d["what"]) == "Cloud Sync service account is missing (CredentialsInvalid AADSTS50034)");
  CHECK(Str(d["job"]) == "AD2AADProvisioning.70eb9a0a96264ae685e818fac0433cbd.ac30bc1d-0f79-4bcb-895e-cd35758642cd");
  REQUIRE(d["causes"].get_array().size() == 1);
  CHECK(Str(d["causes"].get_array().at(0)).find("'Delete user' of ADToAADSyncServiceAccount@") != std::string::npos);
  CHECK(Str(d["since"]).rfind("first seen 2026-11-17T14:25:03.123Z; in quarantine since ", 0) == 0);
  bool records = false;
  for (auto c : d["context"].get_array()) records |= Str(c).find("148 failed records for this job") == 0;
  CHECK(records);
  // The one-sentence form keeps every part.
  CHECK(Str(d["headline"]).find("Linked: Cloud Sync service account") != std::string::npos);

  RunResult text = Run("analyze '" + kMotivating + "'");
  CHECK(text.out.find("\n    Job:       AD2AADProvisioning.70eb9a0a96264ae685e818fac0433cbd.ac30bc1d") != std::string::npos);
  CHECK(text.out.find("\n    Cause:     Cloud Sync service account") != std::string::npos);
  CHECK(text.out.find("\n    Next step: ") != std::string::npos);
  RunResult md = Run("analyze '" + kMotivating + "' --format markdown");
  CHECK(md.out.find("\n  - Job: AD2AADProvisioning") != std::string::npos);
  RunResult html = Run("analyze '" + kMotivating + "' --format html");
  CHECK(html.out.find("<table class=\"story\"><tr><th>Job</th>") != std::string::npos);

  // A cut agent line ends in "…" and the next sentence follows without a stray period.
  RunResult agent = Run("analyze '" + kNoAgent + "' --format json");
  Report agent_rep(agent.out);
  std::string headline = Str(agent_rep.root["diagnosis"].get_array().at(0)["headline"]);
  CHECK(headline.find("\xE2\x80\xA6.") == std::string::npos);
}

}  // namespace e2e

namespace e2e {

TEST_CASE("reports name their bundle, and two bundles' files can be told apart", "[e2e][report]") {
  RunResult json = Run("analyze '" + kMotivating + "' --format json");
  Report rep(json.out);
  auto bundles = rep.root["summary"]["bundles"].get_array();
  REQUIRE(bundles.size() == 1);
  CHECK(Str(bundles.at(0)) == fs::canonical(kMotivating).string());
  RunResult text = Run("analyze '" + kMotivating + "'");
  CHECK(text.out.find("\nBundle: " + fs::canonical(kMotivating).string() + "\n") != std::string::npos);
  RunResult html = Run("analyze '" + kMotivating + "' --format html");
  CHECK(html.out.find("<title>syncdoctor report: cloudsync-quarantine-credentials</title>") != std::string::npos);
  RunResult md = Run("analyze '" + kMotivating + "' --format markdown");
  CHECK(md.out.rfind("# syncdoctor report: cloudsync", 0) == 0);

  RunResult two = Run("analyze '" + kHealthy + "' '" + kNoAgent + "'");
  CHECK(two.out.find("  parsed  healthy: job-status.json  ") != std::string::npos);
  CHECK(two.out.find("  parsed  agent-no-connectivity: job-status.json  ") != std::string::npos);
  RunResult two_html = Run("analyze '" + kHealthy + "' '" + kNoAgent + "' --format html");
  CHECK(two_html.out.find("<title>syncdoctor report: agent-no-connectivity + healthy</title>") != std::string::npos);
}

}  // namespace e2e

namespace e2e {

namespace {

std::string AskKinds(Report& rep) {
  std::string kinds;
  for (auto a : rep.root["ask_for"].get_array()) kinds += Str(a["kind"]) + " ";
  return kinds;
}

}  // namespace

TEST_CASE("ask for: the sources a bundle lacks, or lacks for the time of the failure, with how to "
          "get them and what they would confirm",
          "[e2e][report]") {
  // Everything there and covering the failure: nothing to ask.
  Report full(Run("analyze '" + kMotivating + "' --format json").out);
  CHECK(full.root["ask_for"].get_array().size() == 0);

  // Only the job status of a Cloud Sync job: the logs and the agent's files are asked for.
  TempDir tmp;
  fs::create_directories(tmp / "job");
  fs::copy_file(kMotivating + "/job-status.json", tmp / "job/job-status.json");
  RunResult only = Run("analyze '" + (tmp / "job") + "' --format json");
  REQUIRE(only.exit_code == 0);
  Report rep(only.out);
  CHECK(AskKinds(rep) == "provisioning audit trace ");
  for (auto a : rep.root["ask_for"].get_array()) {
    CHECK(Str(a["why"]) == "the bundle has none");
    if (Str(a["kind"]) == "audit") {
      std::string how;
      for (auto h : a["how"].get_array()) how += Str(h) + "\n";
      CHECK(how.find("Get-MgAuditLogDirectoryAudit -All -Filter \"activityDateTime ge 2026-11-16T14:25:03Z\"") !=
            std::string::npos);
      CHECK(how.find("GET https://graph.microsoft.com/v1.0/auditLogs/directoryAudits") != std::string::npos);
      // The audit log is where the deleted account the quarantine points at would show.
      bool deleted = false;
      for (auto f : a["findings"].get_array()) deleted |= Str(f) == "CS-SVCACCT-DELETED";
      CHECK(deleted);
    }
    if (Str(a["kind"]) == "trace") {
      CHECK(Str(a["how"].get_array().at(0)).find("Export-AADCloudSyncToolsLogs") != std::string::npos);
    }
  }
  RunResult text = Run("analyze '" + (tmp / "job") + "'");
  CHECK(text.out.find("ASK THE CUSTOMER FOR\n  * provisioning logs: the bundle has none\n") != std::string::npos);
  CHECK(Run("analyze '" + (tmp / "job") + "' --format markdown").out.find("## Ask the customer for") != std::string::npos);
  CHECK(Run("analyze '" + (tmp / "job") + "' --format html").out.find("<h2>Ask the customer for</h2>") != std::string::npos);

  // Provisioning logs of other days than the failure: asked for again, for its time.
  fs::create_directories(tmp / "late");
  fs::copy_file(kMotivating + "/job-status.json", tmp / "late/job-status.json");
  fs::copy_file(kHealthy + "/provisioning-logs.json", tmp / "late/provisioning-logs.json");
  Report late(Run("analyze '" + (tmp / "late") + "' --format json").out);
  bool later = false;
  for (auto a : late.root["ask_for"].get_array()) {
    if (Str(a["kind"]) != "provisioning") continue;
    later = Str(a["why"]).find(", after the failure at 2026-11-17T14:25:03.123Z") != std::string::npos;
  }
  CHECK(later);

  // An app provisioning job (no agent): the agent's files are not asked for.
  fs::create_directories(tmp / "app");
  std::ofstream(tmp / "app/job.json") << R"({"id":"scim.70eb9a0a96264ae685e818fac0433cbd.4a1f","templateId":"scim",
"schedule":{"interval":"PT40M","state":"Active"},"status":{"code":"Quarantine","quarantine":{"reason":"EncounteredQuarantineException",
"currentBegan":"2026-11-17T13:00:00Z","error":{"code":"SystemForCrossDomainIdentityManagementBadResponse","message":"bad"}}}})";
  Report app(Run("analyze '" + (tmp / "app") + "' --format json").out);
  CHECK(AskKinds(app).find("trace") == std::string::npos);
  CHECK(AskKinds(app).find("provisioning") != std::string::npos);
}

}  // namespace e2e

namespace e2e {

TEST_CASE("case facts: tenant, domains, each job with its template and state, agent version, "
          "proxy and spans at the top of every report",
          "[e2e][report]") {
  RunResult json = Run("analyze '" + kMotivating + "' --format json");
  REQUIRE(json.exit_code == 0);
  Report rep(json.out);
  auto c = rep.root["case"];
  REQUIRE(c["tenants"].get_array().size() == 1);
  CHECK(Str(c["tenants"].get_array().at(0)) == "70eb9a0a-9626-4ae6-85e8-18fac0433cbd");
  CHECK(Str(c["domains"].get_array().at(0)["domain"]) == "contoso.com");
  REQUIRE(c["jobs"].get_array().size() == 1);
  auto job = c["jobs"].get_array().at(0);
  CHECK(Str(job["template"]) == "AD2AADProvisioning");
  CHECK(Str(job["state"]) == "Quarantine");
  CHECK(Str(job["reason"]) == "EncounteredQuarantineException");
  CHECK(Int(job["failures"]) == 148);
  REQUIRE(c["agents"].get_array().size() == 1);
  CHECK(Str(c["agents"].get_array().at(0)["version"]) == "1.1.2847.0");
  REQUIRE(c["proxy"].get_array().size() >= 1);
  CHECK(Str(c["proxy"].get_array().at(0)).find("Proxy:") == 0);

  RunResult text = Run("analyze '" + kMotivating + "'");
  size_t case_at = text.out.find("\nCASE\n  Tenant:   70eb9a0a-9626-4ae6-85e8-18fac0433cbd\n");
  CHECK(case_at != std::string::npos);
  CHECK(case_at < text.out.find("\nDIAGNOSIS\n"));  // at the top, before the diagnosis
  CHECK(text.out.find("\n  Agent:    version 1.1.2847.0 (") != std::string::npos);
  CHECK(Run("analyze '" + kMotivating + "' --format markdown").out.find("## Case\n\n- Tenant: ") != std::string::npos);
  CHECK(Run("analyze '" + kMotivating + "' --format html").out.find("<section id=\"case\">") != std::string::npos);
  // Redacted, the tenant and the domains are pseudonyms like everything else.
  RunResult red = Run("analyze '" + kMotivating + "' --redact --format json");
  CHECK(red.out.find("70eb9a0a") == std::string::npos);
  CHECK(red.out.find("contoso.com") == std::string::npos);
}

}  // namespace e2e

namespace e2e {

TEST_CASE("html: printed to PDF the page keeps its evidence, and it renders at 400 and 1280 pixels",
          "[e2e][html]") {
  std::string chromium = Chromium();
  REQUIRE_FALSE(chromium.empty());
  TempDir tmp;
  std::string html = tmp / "report.html";
  REQUIRE(Run("analyze '" + kMotivating + "' --format html --output '" + html + "'").exit_code == 0);
  const std::string flags = "timeout 120 '" + chromium +
                            "' --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions "
                            "--host-resolver-rules='MAP * ~NOTFOUND' ";
  std::string pdf = tmp / "report.pdf";
  REQUIRE(Shell(flags + "--user-data-dir='" + (tmp / "p1") + "' --no-pdf-header-footer --print-to-pdf='" + pdf +
                "' 'file://" + html + "' >/dev/null 2>&1") == 0);
  std::string text = tmp / "report.txt";
  REQUIRE(Shell("pdftotext '" + pdf + "' '" + text + "'") == 0);
  std::string printed = ReadFile(text);
  // The evidence is open, so paper shows it: its lines and log text, and the case facts.
  CHECK(printed.find("Evidence (3 lines)") == std::string::npos);  // the summary is not printed
  CHECK(printed.find("14848") != std::string::npos);
  CHECK(printed.find("{EmailHidden}") != std::string::npos);  // only in the evidence text
  CHECK(printed.find("70eb9a0a-9626-4ae6-85e8-18fac0433cbd") != std::string::npos);
  for (const char* width : {"400", "1280"}) {
    INFO(width);
    std::string png = tmp / (std::string("shot-") + width + ".png");
    REQUIRE(Shell(flags + "--user-data-dir='" + (tmp / (std::string("s") + width)) + "' --window-size=" + width +
                  ",2000 --screenshot='" + png + "' 'file://" + html + "' >/dev/null 2>&1") == 0);
    std::string bytes = ReadFile(png);
    REQUIRE(bytes.size() > 1000);
    CHECK(bytes.compare(1, 3, "PNG") == 0);
  }
  // The page says the evidence should show and how a narrow or printed page lays out.
  std::string page = ReadFile(html);
  CHECK(page.find("<details class=\"evidence\" open>") != std::string::npos);
  CHECK(page.find("@media print") != std::string::npos);
  CHECK(page.find("@media (max-width:640px)") != std::string::npos);
  // A healthy bundle's diagnosis is not drawn as a failure.
  RunResult healthy = Run("analyze '" + kHealthy + "' --format html");
  CHECK(healthy.out.find("class=\"diag diag-ok\"") != std::string::npos);
  CHECK(healthy.out.find("class=\"diag diag-failure\"") == std::string::npos);
}

}  // namespace e2e

namespace e2e {

TEST_CASE("terminal: the text report wraps at word boundaries to the width and is paged when long",
          "[e2e][cli]") {
  TempDir tmp;
  std::string out = tmp / "tty.txt";
  // script(1) gives a terminal; the pager marks each line it received.
  std::string cmd = "COLUMNS=70 NO_COLOR=1 PAGER='sed s/^/P:/' script -q -e -c \"'" + kBinary +
                    "' analyze '" + kMotivating + "' -q\" /dev/null > '" + out + "'";
  REQUIRE(Shell(cmd) == 0);
  std::string tty = ReadFile(out);
  std::string line;
  int lines = 0, paged = 0, long_lines = 0;
  for (char c : tty) {
    if (c == '\r') continue;
    if (c != '\n') {
      line += c;
      continue;
    }
    ++lines;
    paged += line.rfind("P:", 0) == 0;
    // Over 70 columns only when one word is longer than the line (a job id, a path).
    size_t cols = 0;
    for (unsigned char u : line) cols += (u & 0xC0) != 0x80;
    if (cols > 72 && line.find(' ', line.find_first_not_of(" ", 2)) != std::string::npos &&
        line.find("AD2AADProvisioning.") == std::string::npos && line.find(".zip!/") == std::string::npos &&
        line.find("https://") == std::string::npos && line.find(".json:") == std::string::npos &&
        line.find(".log:") == std::string::npos) {
      ++long_lines;
      INFO(line);
      CHECK(cols <= 72);
    }
    line.clear();
  }
  CHECK(lines > 30);
  CHECK(paged == lines);  // every line went through the pager
  CHECK(long_lines == 0);
  CHECK(tty.find("P:    Cause:     Cloud Sync service account ADToAADSyncServiceAccount\r\nP:               was deleted") !=
        std::string::npos);

  // --no-pager, and PAGER=cat, print directly; in a pipe nothing is wrapped unless --width says.
  std::string direct = tmp / "direct.txt";
  REQUIRE(Shell("COLUMNS=70 NO_COLOR=1 PAGER='sed s/^/P:/' script -q -e -c \"'" + kBinary + "' analyze '" +
                kMotivating + "' -q --no-pager\" /dev/null > '" + direct + "'") == 0);
  CHECK(ReadFile(direct).find("P:") == std::string::npos);
  RunResult piped = Run("analyze '" + kMotivating + "' -q");
  CHECK(piped.out.find("    Cause:     Cloud Sync service account ADToAADSyncServiceAccount was deleted") !=
        std::string::npos);
  RunResult narrow = Run("analyze '" + kMotivating + "' -q --width 50");
  CHECK(narrow.out.find("    Cause:     Cloud Sync service account\n               ADToAADSyncServiceAccount was") !=
        std::string::npos);
}

}  // namespace e2e
