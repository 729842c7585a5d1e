#include "analyzer/report/redact.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <set>

#include "analyzer/index.h"
#include "analyzer/report/report_model.h"
#include "analyzer/sqlite_util.h"

namespace syncdoctor {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Top-level domains we treat as a hostname's end. Short file extensions (.cs, .py, .md, .sh,
// .pl, .ps) are left out on purpose: stack traces and paths are full of them.
constexpr const char* kTlds =
    "com|net|org|edu|gov|mil|int|io|co|biz|info|local|lan|corp|internal|intra|ad|home|"
    "us|uk|de|fr|nl|eu|ca|au|jp|ch|se|dk|fi|es|it|be|at|nz|br|mx|ie|no|cn|kr|sg|za";

// Microsoft's own (and a few standards bodies') hostnames stay readable: they say which endpoint
// an agent could not reach, which is the point of many findings.
bool IsMicrosoftHost(const std::string& host) {
  static const char* kSuffixes[] = {
      "microsoft.com", "microsoftonline.com", "microsoftonline-p.com", "windows.net",
      "azure.com", "azure.net", "windowsazure.com", "msappproxy.net", "msidentity.com",
      "live.com", "office.com", "office365.com", "outlook.com", "msauth.net", "msftauth.net",
      "msft.net", "azureedge.net", "msocsp.com", "digicert.com", "windowsupdate.com",
      "azure-automation.net", "w3.org", "xmlsoap.org", "example.com", "example.net", "example.org"};
  for (const char* s : kSuffixes) {
    if (host == s || EndsWith(host, std::string(".") + s)) return true;
  }
  return false;
}

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

// Replaces every match of `re` in `text` with fn(match, groups); `fn` may return the match
// unchanged. Group 0 is the whole match.
std::string ReplaceEach(std::string_view text, const RE2& re,
                        const std::function<std::string(const re2::StringPiece*)>& fn) {
  const int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n));
  re2::StringPiece input(text.data(), text.size());
  std::string out;
  size_t pos = 0, copied = 0;
  while (pos <= text.size() &&
         re.Match(input, pos, text.size(), RE2::UNANCHORED, groups.data(), n)) {
    size_t start = static_cast<size_t>(groups[0].data() - text.data());
    size_t end = start + groups[0].size();
    out.append(text.data() + copied, start - copied);
    out += fn(groups.data());
    copied = end;
    pos = end > start ? end : end + 1;
  }
  if (copied == 0) return std::string(text);
  out.append(text.data() + copied, text.size() - copied);
  return out;
}

std::string Str(const re2::StringPiece& p) { return std::string(p.data(), p.size()); }

bool EqualsDc(const std::string& attr) {
  return attr.size() == 2 && (attr[0] | 0x20) == 'd' && (attr[1] | 0x20) == 'c';
}

// A token this redactor made already ("domain-0a1b2c3d4e"): a second pass must leave it alone.
bool IsToken(std::string_view s) {
  static const RE2 re(R"((?:domain|tenant|user|name|id|ip|label|netbios)-[0-9a-f]{10})");
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), re);
}

const RE2& EmailRe() {
  static const RE2 re(R"((?i)([a-z0-9_%+-](?:[a-z0-9._%+'-]{0,63}))@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}))");
  return re;
}
const RE2& DnRe() {
  static const RE2 re(R"((?i)\b(CN|OU|DC)=((?:\\.|[^,;+"\\<>=\r\n])+))");
  return re;
}
const RE2& LogonRe() {
  static const RE2 re(R"(\b([A-Z][A-Z0-9-]{1,14})\\([A-Za-z0-9][A-Za-z0-9._$-]{0,63}))");
  return re;
}
const RE2& ProfileRe() {
  static const RE2 re(R"((?i)(\\users\\)([^\\/\s"'<>]+))");
  return re;
}
const RE2& GuidRe() {
  static const RE2 re(
      R"((?i)\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})\b)");
  return re;
}
const RE2& Ipv4Re() {
  static const RE2 re(R"(\b((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})\b)");
  return re;
}
const RE2& Ipv6Re() {
  static const RE2 re(
      R"((?i)(?:^|[^0-9a-z:])((?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?|::(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})(?:[^0-9a-z:]|$))");
  return re;
}
const RE2& HostRe() {
  static const RE2 re(std::string(R"((?i)\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:)") + kTlds +
                      R"())\b)");
  return re;
}

}  // namespace

Redactor::Redactor(std::string key) : key_(std::move(key)) {
  if (key_.empty()) {
    unsigned char buf[32];
    if (RAND_bytes(buf, sizeof(buf)) != 1) {
      // No entropy source: fall back to the address space layout, still unguessable enough for
      // a per-run key that is never stored.
      uint64_t x = reinterpret_cast<uintptr_t>(this) ^ reinterpret_cast<uintptr_t>(&buf);
      std::memcpy(buf, &x, sizeof(x));
    }
    key_.assign(reinterpret_cast<const char*>(buf), sizeof(buf));
  }
}

Redactor::~Redactor() = default;

std::string Redactor::Token(std::string_view cls, std::string_view value) {
  std::string cache_key = std::string(cls) + '\0' + std::string(value);
  auto it = cache_.find(cache_key);
  if (it != cache_.end()) return it->second;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(cache_key.data()), cache_key.size(), mac, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string token(cls);
  token += '-';
  for (int i = 0; i < 5; ++i) {
    token += kHex[mac[i] >> 4];
    token += kHex[mac[i] & 15];
  }
  ++replaced_counts_[std::string(cls)];
  cache_.emplace(std::move(cache_key), token);
  return token;
}

std::string Redactor::Domain(std::string_view domain) {
  std::string d = Lower(domain);
  while (!d.empty() && d.back() == '.') d.pop_back();
  if (IsMicrosoftHost(d)) return std::string(domain);
  // The tenant's initial domain keeps Microsoft's suffix, so that it still reads as one.
  for (const char* ms : {".mail.onmicrosoft.com", ".onmicrosoft.com", ".sharepoint.com"}) {
    if (EndsWith(d, ms) && d.size() > std::strlen(ms)) {
      std::string tenant = d.substr(0, d.size() - std::strlen(ms));
      if (IsToken(tenant)) return std::string(domain);
      return Token("tenant", tenant) + ms;
    }
  }
  return Token("domain", d) + ".example";
}

void Redactor::AddName(std::string_view name) {
  // Trim, and keep only what reads as a name: letters, three bytes or more, not an address or an
  // id (those have their own rules) and not one of Microsoft's service names.
  size_t b = 0, e = name.size();
  while (b < e && std::isspace(static_cast<unsigned char>(name[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(name[e - 1]))) --e;
  std::string_view n = name.substr(b, e - b);
  if (n.size() < 3 || n.size() > 200) return;
  if (n.find('@') != std::string_view::npos) return;
  if (!std::any_of(n.begin(), n.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) return;
  if (RE2::FullMatch(re2::StringPiece(n.data(), n.size()), GuidRe())) return;
  if (RE2::FullMatch(re2::StringPiece(n.data(), n.size()), HostRe())) return;  // a domain
  std::string l = Lower(n);
  static const char* kServiceWords[] = {"microsoft", "azure", "entra", "sync fabric", "syncfabric",
                                        "provisioning service", "cloud sync"};
  for (const char* w : kServiceWords) {
    if (l.find(w) != std::string::npos) return;
  }
  names_.emplace_back(n);
  names_dirty_ = true;
}

Status Redactor::LearnNames(Index* index) {
  static const char* kQueries[] = {
      "SELECT DISTINCT actor FROM event_rows WHERE actor IS NOT NULL",
      "SELECT DISTINCT source_identity FROM event_rows WHERE source_identity IS NOT NULL",
      "SELECT DISTINCT target_identity FROM event_rows WHERE target_identity IS NOT NULL",
      "SELECT DISTINCT display_name FROM target_resources WHERE display_name IS NOT NULL"};
  for (const char* q : kQueries) {
    Stmt st;
    Status s = Stmt::Prepare(index->db(), q, &st);
    bool row = false;
    while (s.ok() && (s = st.Step(&row)).ok() && row) {
      // "jonas.berg@contoso.com; SSPR Enabled Users": several identities in one field.
      std::string_view v = st.Text(0);
      size_t start = 0;
      while (start <= v.size()) {
        size_t semi = v.find(';', start);
        if (semi == std::string_view::npos) semi = v.size();
        AddName(v.substr(start, semi - start));
        start = semi + 1;
      }
    }
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

void Redactor::BuildNamePattern() {
  names_dirty_ = false;
  std::sort(names_.begin(), names_.end());
  names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
  if (names_.empty()) {
    names_re_.reset();
    return;
  }
  // Longest first, so that "Alicia Brooks-Smith" wins over "Alicia Brooks".
  std::vector<std::string> sorted = names_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string pattern = "(";
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i) pattern += '|';
    pattern += RE2::QuoteMeta(sorted[i]);
  }
  pattern += ")";
  RE2::Options opt;
  opt.set_case_sensitive(false);
  opt.set_max_mem(64 << 20);
  names_re_ = std::make_unique<RE2>(pattern, opt);
  if (!names_re_->ok()) names_re_.reset();
}

std::string Redactor::ReplaceNames(std::string_view text) {
  if (names_dirty_) BuildNamePattern();
  if (!names_re_) return std::string(text);
  return ReplaceEach(text, *names_re_, [&](const re2::StringPiece* g) {
    // Whole words only: "Ana" must not eat the start of "Analysis".
    const char* begin = g[0].data();
    const char* end = begin + g[0].size();
    bool left_ok = begin == text.data() || !IsWordByte(static_cast<unsigned char>(begin[-1]));
    bool right_ok = end == text.data() + text.size() || !IsWordByte(static_cast<unsigned char>(*end));
    if (!left_ok || !right_ok) return Str(g[0]);
    return Token("name", Lower(Str(g[0])));
  });
}

std::string Redactor::Apply(std::string_view text) {
  std::string s(text);
  s = ReplaceEach(s, EmailRe(), [&](const re2::StringPiece* g) {
    std::string local = Str(g[1]);
    if (IsToken(local)) return Str(g[0]);  // redacted already
    std::string domain = Domain(Str(g[2]));
    // The account cloud sync creates for itself is named by Microsoft, not by a person.
    std::string l = Lower(local);
    if (l.rfind("adtoaadsyncserviceaccount", 0) == 0) return local + "@" + domain;
    return Token("user", l) + "@" + domain;
  });
  s = ReplaceEach(s, DnRe(), [&](const re2::StringPiece* g) {
    std::string attr = Str(g[1]);
    std::string value = Str(g[2]);
    if (IsToken(value)) return Str(g[0]);
    if (EqualsDc(attr)) {
      std::string l = Lower(value);
      if (RE2::FullMatch(l, std::string("(?:") + kTlds + ")")) return attr + "=" + value;
      return attr + "=" + Token("label", l);
    }
    return attr + "=" + Token("name", Lower(value));
  });
  s = ReplaceEach(s, LogonRe(), [&](const re2::StringPiece* g) {
    std::string dom = Str(g[1]);
    static const std::set<std::string> kBuiltIn = {"AUTHORITY", "BUILTIN", "SERVICE", "NT", "IIS", "APPPOOL"};
    if (kBuiltIn.count(dom)) return Str(g[0]);
    return Token("netbios", Lower(dom)) + "\\" + Token("user", Lower(Str(g[2])));
  });
  s = ReplaceEach(s, ProfileRe(), [&](const re2::StringPiece* g) {
    std::string who = Lower(Str(g[2]));
    if (IsToken(who)) return Str(g[0]);
    if (who == "public" || who == "default" || who == "all users" || who == "default user") return Str(g[0]);
    return Str(g[1]) + Token("user", who);
  });
  s = ReplaceEach(s, GuidRe(), [&](const re2::StringPiece* g) {
    std::string id = Lower(Str(g[1]));
    id.erase(std::remove(id.begin(), id.end(), '-'), id.end());  // dashed and bare forms join
    return Token("id", id);
  });
  s = ReplaceEach(s, Ipv4Re(), [&](const re2::StringPiece* g) {
    // "Version 1.1.977.0" is not an address.
    size_t start = static_cast<size_t>(g[0].data() - s.data());
    std::string before = Lower(s.substr(start >= 12 ? start - 12 : 0, start >= 12 ? 12 : start));
    if (before.find("version") != std::string::npos || before.find("build") != std::string::npos ||
        (!before.empty() && before.back() == 'v')) {
      return Str(g[0]);
    }
    return Token("ip", Str(g[1]));
  });
  s = ReplaceEach(s, Ipv6Re(), [&](const re2::StringPiece* g) {
    std::string whole = Str(g[0]);
    std::string addr = Str(g[1]);
    bool has_digit = std::any_of(addr.begin(), addr.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (addr.size() < 6 || !has_digit) return whole;
    size_t at = whole.find(addr);
    return whole.substr(0, at) + Token("ip", Lower(addr)) + whole.substr(at + addr.size());
  });
  s = ReplaceEach(s, HostRe(), [&](const re2::StringPiece* g) { return Domain(Str(g[1])); });
  return ReplaceNames(s);
}

void RedactReport(Report* r, Redactor* red) {
  auto apply = [&](std::string* s) { *s = red->Apply(*s); };
  for (auto& b : r->bundles) apply(&b);
  for (auto& t : r->facts.tenants) apply(&t);
  for (auto& d : r->facts.domains) apply(&d.first);
  for (auto& j : r->facts.jobs) {
    for (std::string* s : {&j.id, &j.reason, &j.error_code}) apply(s);
  }
  for (auto& a : r->facts.agents) apply(&a.second);
  for (auto& h : r->facts.hosts) apply(&h);
  for (auto& in : r->inputs) {
    apply(&in.bundle);
    apply(&in.path);
    apply(&in.reason);
    for (auto& w : in.warnings) apply(&w);
  }
  for (auto& f : r->findings) {
    apply(&f.scope);
    for (auto& ev : f.evidence) {
      for (std::string* s : {&ev.path, &ev.activity, &ev.actor, &ev.target, &ev.excerpt}) apply(s);
    }
    for (auto& c : f.codes) apply(&c.code);
    for (auto& file : f.files) apply(&file.first);
  }
  for (auto& u : r->unknown_codes) {
    apply(&u.code);
    apply(&u.example);
  }
  for (auto& a : r->ask_for) apply(&a.why);
  for (auto& d : r->diagnosis) {
    apply(&d.headline);
    for (std::string* s : {&d.what, &d.job, &d.since}) apply(s);
    for (auto& c : d.causes) apply(&c);
    for (auto& c : d.context) apply(&c);
    apply(&d.next_step);
  }
}

}  // namespace syncdoctor
