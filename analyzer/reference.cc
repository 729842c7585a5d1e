// Reference tables: TSV parsing, lookups, and explain's search over tables and signatures.
#include "analyzer/reference.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analyzer/embedded_signatures.h"
#include "parsers/json_util.h"

namespace syncdoctor {

namespace {

constexpr std::string_view kColumns[] = {"code",        "name",   "family",    "meaning",
                                         "who_can_hit", "source", "signatures", "number"};
constexpr std::string_view kRequired[] = {"code", "name", "meaning", "source", "signatures"};

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  for (auto w : Split(s, ' ')) {
    if (!w.empty()) out.emplace_back(w);
  }
  return out;
}

// The digits a code is looked up by when someone types a bare number: "AADSTS50034" → "50034",
// "problem 4003" → "4003", "00002098" and "0x80072098" (HRESULT_FROM_WIN32) → "2098",
// "Service Control Manager/7036" → "7036", "52e" → "52e". "" when the text has no such form.
std::string NumericKey(std::string_view text) {
  std::string k = ToLower(Trim(text));
  size_t slash = k.rfind('/');
  if (slash != std::string::npos) k = k.substr(slash + 1);
  for (std::string_view prefix : {"aadsts", "problem ", "0x"}) {
    if (StartsWith(k, prefix)) k = k.substr(prefix.size());
  }
  if (k.size() == 8 && StartsWith(k, "8007")) k = k.substr(4);
  size_t zeros = 0;
  while (zeros + 1 < k.size() && k[zeros] == '0') ++zeros;
  k = k.substr(zeros);
  if (k.empty() || !std::all_of(k.begin(), k.end(), IsHexDigit) ||
      !std::any_of(k.begin(), k.end(), IsDigit)) {
    return "";
  }
  return k;
}

// The keys of NumericKey() a row answers to: its code's, and its number in decimal.
std::vector<std::string> NumericKeys(const ReferenceEntry& e) {
  std::vector<std::string> keys;
  std::string k = NumericKey(e.code);
  if (!k.empty()) keys.push_back(k);
  if (e.number >= 0) {
    std::string n = std::to_string(e.number);
    if (n != k) keys.push_back(n);
  }
  return keys;
}

// A number the row does not state but its code spells: AADSTS50034, 429, Provider/7036.
int64_t ImpliedNumber(std::string_view code) {
  std::string_view digits;
  if (StartsWith(code, "AADSTS")) {
    digits = code.substr(6);
  } else if (size_t slash = code.rfind('/'); slash != std::string_view::npos) {
    digits = code.substr(slash + 1);
  } else if (!code.empty() && code[0] != '0') {
    digits = code;
  }
  if (digits.empty() || digits.size() > 12 || !std::all_of(digits.begin(), digits.end(), IsDigit)) {
    return -1;
  }
  return std::stoll(std::string(digits));
}

bool ValidSignatureId(std::string_view id) {
  return !id.empty() && (std::isupper(static_cast<unsigned char>(id[0])) || IsDigit(id[0])) &&
         std::all_of(id.begin(), id.end(), [](char c) { return IsAlnum(c) || c == '-'; });
}

bool ValidFamily(std::string_view f) {
  return !f.empty() && std::all_of(f.begin(), f.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '_';
  });
}

std::string Known(const std::string_view* begin, const std::string_view* end) {
  std::string out;
  for (auto it = begin; it != end; ++it) out += (out.empty() ? "" : ", ") + std::string(*it);
  return out;
}

// True when `word` occurs in `text` (both lower case) where a word starts.
bool HasWordStart(std::string_view text, std::string_view word) {
  for (size_t pos = text.find(word); pos != std::string_view::npos; pos = text.find(word, pos + 1)) {
    if (pos == 0 || !IsAlnum(text[pos - 1])) return true;
  }
  return false;
}

// True when `word` occurs in `text` with no letter or digit on either side.
bool HasWholeWord(std::string_view text, std::string_view word) {
  for (size_t pos = text.find(word); pos != std::string_view::npos; pos = text.find(word, pos + 1)) {
    size_t end = pos + word.size();
    if ((pos == 0 || !IsAlnum(text[pos - 1])) && (end == text.size() || !IsAlnum(text[end]))) {
      return true;
    }
  }
  return false;
}

}  // namespace

Status ReferenceTable::AddFile(std::string_view path, std::string_view text,
                               OnDuplicate on_duplicate) {
  const std::string file(path);
  std::string family_default = std::filesystem::path(file).stem().string();
  if (StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  auto error = [&](int line, const std::string& what) {
    return Status::InvalidInput(file + ":" + std::to_string(line) + ": " + what);
  };

  std::vector<std::string> header;
  std::map<std::string, int> col;  // column name -> index
  std::vector<ReferenceEntry> rows;
  std::unordered_map<std::string, int> line_of_code;  // within this file
  int line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty() || line[0] == '#') continue;
    std::vector<std::string_view> fields = Split(line, '\t');
    if (header.empty()) {
      for (auto f : fields) {
        std::string name(Trim(f));
        if (std::find(std::begin(kColumns), std::end(kColumns), name) == std::end(kColumns)) {
          return error(line_no, "unknown column '" + name + "' in the header (known: " +
                                    Known(std::begin(kColumns), std::end(kColumns)) + ")");
        }
        if (col.count(name) > 0) return error(line_no, "column '" + name + "' appears twice");
        col[name] = static_cast<int>(header.size());
        header.push_back(name);
      }
      for (auto r : kRequired) {
        if (col.count(std::string(r)) == 0) {
          return error(line_no, "the header has no '" + std::string(r) + "' column");
        }
      }
      continue;
    }
    if (fields.size() != header.size()) {
      return error(line_no, std::to_string(fields.size()) + " fields, the header has " +
                                std::to_string(header.size()) + " (a tab too many or too few?)");
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      if (Trim(fields[i]).size() != fields[i].size()) {
        return error(line_no, "the " + header[i] + " field starts or ends with a space");
      }
    }
    auto field = [&](const char* name) -> std::string_view {
      auto it = col.find(name);
      return it == col.end() ? std::string_view() : fields[static_cast<size_t>(it->second)];
    };
    ReferenceEntry e;
    e.code = std::string(field("code"));
    e.name = std::string(field("name"));
    e.family = std::string(field("family"));
    if (e.family.empty()) e.family = family_default;
    e.meaning = std::string(field("meaning"));
    e.source = std::string(field("source"));
    e.file = file;
    e.line = line_no;
    if (e.code.empty()) return error(line_no, "empty code");
    if (e.meaning.empty()) return error(line_no, e.code + ": empty meaning");
    if (e.source.empty()) return error(line_no, e.code + ": empty source");
    if (!ValidFamily(e.family)) {
      return error(line_no, e.code + ": family '" + e.family + "' is not lower_case_with_underscores");
    }
    std::string_view number = field("number");
    if (!number.empty()) {
      if (number.size() > 12 || !std::all_of(number.begin(), number.end(), IsDigit)) {
        return error(line_no, e.code + ": number '" + std::string(number) + "' is not a decimal number");
      }
      e.number = std::stoll(std::string(number));
    } else {
      e.number = ImpliedNumber(e.code);
    }
    for (auto& w : Words(field("who_can_hit"))) {
      if (w == "none") continue;
      if (std::find(std::begin(kWhoCanHit), std::end(kWhoCanHit), w) == std::end(kWhoCanHit)) {
        return error(line_no, e.code + ": unknown who_can_hit '" + w + "' (known: " +
                                  Known(std::begin(kWhoCanHit), std::end(kWhoCanHit)) + ", none)");
      }
      e.who_can_hit.push_back(w);
    }
    for (auto& id : Words(field("signatures"))) {
      if (!ValidSignatureId(id)) {
        return error(line_no, e.code + ": '" + id + "' is not a signature id");
      }
      e.signatures.push_back(id);
    }
    auto [it, inserted] = line_of_code.emplace(e.code, line_no);
    if (!inserted) {
      return error(line_no, "duplicate code '" + e.code + "' (also on line " +
                                std::to_string(it->second) + ")");
    }
    auto loaded = by_code_.find(e.code);
    if (loaded != by_code_.end() && on_duplicate == OnDuplicate::kError) {
      const ReferenceEntry& other = entries_[loaded->second];
      return error(line_no, "duplicate code '" + e.code + "' (also in " + other.file + ":" +
                                std::to_string(other.line) + ")");
    }
    rows.push_back(std::move(e));
  }
  if (header.empty()) return error(line_no, "no header row");

  for (auto& e : rows) {
    auto loaded = by_code_.find(e.code);
    if (loaded != by_code_.end()) {
      entries_[loaded->second] = std::move(e);  // kReplace: same slot, so pointers stay valid
    } else {
      by_code_[e.code] = entries_.size();
      entries_.push_back(std::move(e));
    }
  }
  // A replaced row may bring another name or number: rebuild the secondary indexes.
  by_code_lower_.clear();
  by_name_lower_.clear();
  by_number_.clear();
  folded_.clear();
  for (size_t i = 0; i < entries_.size(); ++i) Index(i);
  return Status::Ok();
}

void ReferenceTable::Index(size_t i) {
  const ReferenceEntry& e = entries_[i];
  Folded f{ToLower(e.code), ToLower(e.name), ToLower(e.meaning), NumericKeys(e)};
  by_code_lower_.emplace(f.code, i);
  if (!f.name.empty()) by_name_lower_.emplace(f.name, i);
  for (auto& k : f.numeric_keys) by_number_.emplace(k, i);
  folded_.push_back(std::move(f));
}

const ReferenceEntry* ReferenceTable::Find(std::string_view code) const {
  if (auto it = by_code_.find(std::string(code)); it != by_code_.end()) return &entries_[it->second];
  // A multimap gives no order among equal keys: take the row loaded first.
  auto first_of = [this](const std::unordered_multimap<std::string, size_t>& index,
                         const std::string& key) -> const ReferenceEntry* {
    auto [b, e] = index.equal_range(key);
    size_t best = entries_.size();
    for (auto it = b; it != e; ++it) best = std::min(best, it->second);
    return best < entries_.size() ? &entries_[best] : nullptr;
  };
  std::string lower = ToLower(code);
  if (const ReferenceEntry* e = first_of(by_code_lower_, lower)) return e;
  return first_of(by_name_lower_, lower);
}

std::vector<ReferenceMatch> ReferenceTable::Lookup(std::string_view query) const {
  std::string_view q = Trim(query);
  std::vector<ReferenceMatch> out;
  if (q.empty()) return out;
  std::vector<int> best(entries_.size(), 0);
  std::vector<std::string_view> how(entries_.size());
  auto offer = [&](size_t i, int score, std::string_view why) {
    if (score > best[i]) {
      best[i] = score;
      how[i] = why;
    }
  };
  const std::string lower = ToLower(q);
  if (auto it = by_code_.find(std::string(q)); it != by_code_.end()) offer(it->second, 100, "code");
  for (auto [b, e] = by_code_lower_.equal_range(lower); b != e; ++b) offer(b->second, 99, "code");
  for (auto [b, e] = by_name_lower_.equal_range(lower); b != e; ++b) offer(b->second, 95, "name");
  const std::string key = NumericKey(q);
  // "AADSTS5003" asks for AADSTS codes only, not for problem 5003.
  const bool aadsts_only = StartsWith(lower, "aadsts");
  auto numeric_ok = [&](size_t i) { return !aadsts_only || StartsWith(folded_[i].code, "aadsts"); };
  if (!key.empty()) {
    for (auto [b, e] = by_number_.equal_range(key); b != e; ++b) {
      if (numeric_ok(b->second)) offer(b->second, 90, "number");
    }
  }
  // The weaker forms need a scan; a few hundred rows take microseconds.
  if (lower.size() >= 3) {
    for (size_t i = 0; i < entries_.size(); ++i) {
      const Folded& f = folded_[i];
      if (StartsWith(f.code, lower)) offer(i, 70, "code prefix");
      if (key.size() >= 3 && numeric_ok(i)) {
        for (auto& k : f.numeric_keys) {
          if (StartsWith(k, key)) offer(i, 70, "code prefix");
        }
      }
      if (!f.name.empty() && StartsWith(f.name, lower)) offer(i, 65, "name prefix");
      if (f.code.find(lower) != std::string::npos) offer(i, 60, "part of code");
      if (f.name.find(lower) != std::string::npos) offer(i, 55, "part of name");
      if (lower.size() >= 4 && HasWordStart(f.meaning, lower)) offer(i, 40, "word in meaning");
    }
  }
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (best[i] > 0) out.push_back(ReferenceMatch{&entries_[i], best[i], how[i]});
  }
  std::stable_sort(out.begin(), out.end(), [](const ReferenceMatch& a, const ReferenceMatch& b) {
    if (a.score != b.score) return a.score > b.score;
    // Among prefixes the shortest code is the closest: AADSTS500 lists AADSTS50000 first.
    if (a.score == 70 || a.score == 65) return a.entry->code.size() < b.entry->code.size();
    return false;  // stable: load order
  });
  return out;
}

Status LoadReferenceTables(const std::string& extra_dir, ReferenceTable* out) {
  for (const auto& f : EmbeddedReferenceFiles()) {
    Status s = out->AddFile(f.path, f.content);
    if (!s.ok()) return s;
  }
  if (extra_dir.empty()) return Status::Ok();
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(extra_dir, ec)) {
    return Status::NotFound(extra_dir + ": --reference needs a folder of .tsv files");
  }
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(extra_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code file_ec;  // the throwing overload would let a vanished file escape as an exception
    if (it->is_regular_file(file_ec) && it->path().extension() == ".tsv") files.push_back(it->path());
  }
  if (ec) return Status::IoError(extra_dir + ": cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    // The built-in tables together take under 200 KB; a table file is capped well above that.
    constexpr uintmax_t kMaxTableBytes = uintmax_t{16} << 20;
    std::error_code size_ec;
    uintmax_t bytes = fs::file_size(p, size_ec);
    if (!size_ec && bytes > kMaxTableBytes) {
      return Status::InvalidInput(p.string() + ":1: " + std::to_string(bytes >> 20) +
                                  " MB is more than a reference table may hold (16 MB)");
    }
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) return Status::IoError(p.string() + ": cannot read the file");
    Status s = out->AddFile(p.string(), ss.str(), ReferenceTable::OnDuplicate::kReplace);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

const ReferenceTable* BuiltinReference() {
  // Function-local statics are initialised once, even with concurrent first calls.
  static const ReferenceTable* table = [] {
    auto* t = new ReferenceTable();  // never freed: FindReference() hands out pointers for good
    if (!LoadReferenceTables("", t).ok()) {
      delete t;
      return static_cast<ReferenceTable*>(nullptr);
    }
    return t;
  }();
  return table;
}

const ReferenceEntry* FindReference(std::string_view code) {
  const ReferenceTable* table = BuiltinReference();
  return table == nullptr ? nullptr : table->Find(code);
}

namespace {

constexpr const char* kWhere[] = {"as an error code", "in a message", "as a quarantine reason"};

// "as an error code", or "wherever a record carries it" when every place flags it.
std::string WhereText(int first, unsigned mask) {
  return mask == 7u ? "wherever a record carries it" : kWhere[first];
}

// For each signature, the first field (0 error code, 1 message, 2 quarantine reason) in which
// the matcher flags an event that carries only `form`, or -1; `mask` gets a bit per field that
// flags it. No level or other field is set: the question is which signature knows the code
// itself, not which flags any failed record. Tiers and supersedes do not apply (MatchAll).
Status FieldsThatFlag(const std::string& form, const Matcher& matcher, std::vector<int>* field_of,
                      std::vector<unsigned>* mask) {
  field_of->assign(matcher.signatures().size(), -1);
  mask->assign(matcher.signatures().size(), 0u);
  Matcher::Scratch scratch;
  std::vector<int> matched;
  // A family signature reads only records that report a failure; it is asked with the failure
  // level of each kind. The others are asked with no level, so that one that flags any failed
  // record (the generic quarantine finding) does not seem to know every code.
  static const char* kFailureLevel[kEventKindCount] = {"failure", "failure", "Quarantine", "Error", "Error"};
  const auto& sigs = matcher.signatures();
  for (int pass = 0; pass < 2; ++pass) {
    for (int field = 0; field < 3; ++field) {
      for (int k = 0; k < kEventKindCount; ++k) {
        Event e;
        e.kind = static_cast<EventKind>(k);
        if (pass == 1) e.level = kFailureLevel[k];
        if (field == 0) e.error_code = form;
        if (field == 1) e.message = form;
        if (field == 2) e.reason = form;
        Status s = matcher.MatchAll(e, &scratch, &matched);
        if (!s.ok()) return s;
        for (int m : matched) {
          if ((pass == 1) != (sigs[static_cast<size_t>(m)].tier == Tier::kFamily)) continue;
          int& f = (*field_of)[static_cast<size_t>(m)];
          if (f < 0) f = field;
          (*mask)[static_cast<size_t>(m)] |= 1u << field;
        }
      }
    }
  }
  return Status::Ok();
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

}  // namespace

Status Explain(std::string_view query_in, const ReferenceTable& table, const Matcher& matcher,
               ExplainAnswer* out) {
  const std::string q(Trim(query_in));
  out->reference = table.Lookup(q);
  out->signatures.clear();
  const auto& sigs = matcher.signatures();

  // The query as typed: "50034" and "aadsts50034" both mean AADSTS50034.
  std::vector<std::string> forms = {q};
  std::string upper = q;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (AllDigits(q)) forms.push_back("AADSTS" + q);
  if (StartsWith(upper, "AADSTS")) forms.push_back("AADSTS" + q.substr(6));
  // The code and name of the rows the query names exactly ("409" is Conflict, "4003" is
  // INSUFF_ACCESS_RIGHTS): signatures that flag those know the query too.
  std::vector<std::string> derived;
  auto known = [&](const std::string& f) {
    for (auto* list : {&forms, &derived}) {
      for (auto& g : *list) {
        if (EqualsIgnoreCase(f, g)) return true;
      }
    }
    return false;
  };
  for (const auto& m : out->reference) {
    if (m.score < 90) continue;
    for (const std::string* f : {&m.entry->code, &m.entry->name}) {
      if (!f->empty() && !known(*f)) derived.push_back(*f);
    }
  }

  std::vector<int> best(sigs.size(), 0);
  std::vector<std::string> why(sigs.size());
  auto offer = [&](size_t i, int score, std::string reason) {
    // A family classifies a code it does not know: it comes after every signature that knows the
    // code or a row the query found.
    if (sigs[i].tier == Tier::kFamily) score -= 20;
    if (score > best[i]) {
      best[i] = score;
      why[i] = std::move(reason);
    }
  };
  for (int pass = 0; pass < 2; ++pass) {
    const bool direct = pass == 0;
    for (const auto& f : direct ? forms : derived) {
      for (size_t i = 0; i < sigs.size(); ++i) {
        if (EqualsIgnoreCase(sigs[i].id, f)) {
          offer(i, direct ? 100 : 95, direct ? "is named after it" : "is named after " + f);
        }
      }
      std::vector<int> field_of;
      std::vector<unsigned> mask;
      Status s = FieldsThatFlag(f, matcher, &field_of, &mask);
      if (!s.ok()) return s;
      for (size_t i = 0; i < sigs.size(); ++i) {
        int field = field_of[i];
        if (field < 0) continue;
        std::string what = direct ? "it" : f;
        offer(i, (direct ? 90 : 85) - field, "flags " + what + " " + WhereText(field, mask[i]));
      }
    }
  }
  // Words of a name ("UserAccountNotFound", "escrow") in titles and causes; then, a little lower,
  // the number and the published name of a row the query names exactly ("Service Control
  // Manager/7000" is event 7000, which a title may list; "problem 1005" is CONSTRAINT_ATT_TYPE).
  enum class Kind { kQuery, kNumber, kName };
  struct Word {
    std::string text;  // lower case
    std::string shown;
    Kind kind;
  };
  std::vector<Word> words;
  const std::string lower = ToLower(q);
  if (lower.size() >= 4) words.push_back({lower, "it", Kind::kQuery});
  auto add = [&](std::string text, std::string shown, Kind kind) {
    for (const auto& w : words) {
      if (w.text == text) return;
    }
    words.push_back({std::move(text), std::move(shown), kind});
  };
  for (const auto& m : out->reference) {
    if (m.score < 90) continue;
    if (m.entry->number >= 100) {
      std::string n = std::to_string(m.entry->number);
      add(n, n, Kind::kNumber);
    }
    if (m.entry->name.size() >= 4) add(ToLower(m.entry->name), m.entry->name, Kind::kName);
  }
  for (const auto& w : words) {
    const bool direct = w.kind == Kind::kQuery;
    const std::string& what = w.shown;
    const int less = direct ? 0 : 5;
    // A row's number or name counts only as a whole word: 5003 is not in AADSTS50034, nor
    // NotFound in UserAccountNotFound.
    auto in = [&w](const std::string& text) {
      std::string t = ToLower(text);
      return w.kind == Kind::kQuery ? t.find(w.text) != std::string::npos : HasWholeWord(t, w.text);
    };
    // A short number ("500") turns up in causes as a threshold, and a name ("Conflict") in many
    // texts: only titles count for them.
    const bool title_only = w.kind == Kind::kName || (w.kind == Kind::kNumber && w.text.size() < 4);
    for (size_t i = 0; i < sigs.size(); ++i) {
      if (in(sigs[i].title)) {
        offer(i, 60 - less, "names " + what + " in its title");
      } else if (title_only) {
        continue;
      } else if (in(sigs[i].cause)) {
        offer(i, 40 - less, "names " + what + " in its cause");
      } else if (in(sigs[i].text)) {
        offer(i, 30 - less, "mentions " + what);
      }
    }
  }
  for (size_t i = 0; i < sigs.size(); ++i) {
    if (best[i] > 0) out->signatures.push_back(SignatureAnswer{&sigs[i], best[i], why[i]});
  }
  std::stable_sort(out->signatures.begin(), out->signatures.end(),
                   [](const SignatureAnswer& a, const SignatureAnswer& b) {
                     if (a.score != b.score) return a.score > b.score;
                     // A signature that names the code comes before a family that classifies it.
                     bool fa = a.signature->tier == Tier::kFamily, fb = b.signature->tier == Tier::kFamily;
                     if (fa != fb) return fb;
                     if (a.signature->severity != b.signature->severity) {
                       return a.signature->severity < b.signature->severity;
                     }
                     return a.signature->id < b.signature->id;
                   });
  return Status::Ok();
}

Status CoveringSignatures(const ReferenceEntry& entry, const Matcher& matcher,
                          std::vector<std::string>* ids) {
  const auto& sigs = matcher.signatures();
  std::set<std::string> found;
  for (const std::string* form : {&entry.code, &entry.name}) {
    if (form->empty()) continue;
    std::vector<int> field_of;
    std::vector<unsigned> mask;
    Status s = FieldsThatFlag(*form, matcher, &field_of, &mask);
    if (!s.ok()) return s;
    for (size_t i = 0; i < sigs.size(); ++i) {
      // A family classifies codes it has never heard of; that is no knowledge of this code.
      if (sigs[i].tier == Tier::kFamily) continue;
      if (field_of[i] >= 0 || EqualsIgnoreCase(sigs[i].id, entry.code)) found.insert(sigs[i].id);
    }
  }
  ids->assign(found.begin(), found.end());
  return Status::Ok();
}

}  // namespace syncdoctor
