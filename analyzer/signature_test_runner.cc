#include "analyzer/signature_test_runner.h"

#include <re2/re2.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace syncdoctor {

namespace {

constexpr int kMaxPatternProgram = 3000;

// A signature that lists fewer kinds than all says why in a comment on the applies_to line or
// on the lines just above it.
bool NarrowingExplained(const std::string& text) {
  size_t at = text.find("\napplies_to:");
  if (at == std::string::npos) return text.rfind("applies_to:", 0) != 0;
  size_t line_end = text.find('\n', at + 1);
  std::string line = text.substr(at + 1, line_end == std::string::npos ? std::string::npos : line_end - at - 1);
  if (line.find('#') != std::string::npos) return true;
  size_t prev_end = at;
  size_t prev_start = text.rfind('\n', prev_end - 1);
  prev_start = prev_start == std::string::npos ? 0 : prev_start + 1;
  return prev_end > prev_start && text[prev_start] == '#';
}

}  // namespace

Status RunSignatureExamples(const Matcher& matcher, ExampleResults* results) {
  const auto& sigs = matcher.signatures();
  Matcher::Scratch scratch;
  std::vector<int> hits;
  for (size_t i = 0; i < sigs.size(); ++i) {
    const Signature& sig = sigs[i];
    for (int want = 1; want >= 0; --want) {
      const auto& list = want ? sig.examples : sig.counter_examples;
      for (const Example& ex : list) {
        Event e = ex.event;
        e.raw = ex.raw;
        Status s = matcher.MatchAll(e, &scratch, &hits);
        if (!s.ok()) return s;
        bool got = std::find(hits.begin(), hits.end(), static_cast<int>(i)) != hits.end();
        if (got == static_cast<bool>(want)) {
          ++results->passed;
        } else {
          ++results->failed;
          results->failures.push_back(sig.file + ":" + std::to_string(ex.line) + ": " + sig.id +
                                      (want ? ": match example does not match"
                                            : ": no_match example matches"));
        }
      }
    }
  }
  return Status::Ok();
}

Status LintSignatures(const std::vector<Signature>& sigs, std::vector<std::string>* problems) {
  std::set<std::string> ids;
  for (const auto& s : sigs) ids.insert(s.id);
  for (const Signature& sig : sigs) {
    auto problem = [&](const std::string& what) { problems->push_back(sig.file + ": " + sig.id + ": " + what); };
    std::filesystem::path p(sig.file);
    if (p.stem().string() != sig.id) problem("the id differs from the file name '" + p.filename().string() + "'");
    if (sig.builtin && !IsSignatureGroup(sig.group)) {
      problem("folder '" + sig.group + "' is not a signature group (kSignatureGroups)");
    }
    if (sig.builtin && (sig.tier == Tier::kFamily) != (sig.group == "families")) {
      problem(sig.tier == Tier::kFamily ? "a family signature belongs in families/"
                                        : "families/ holds tier: family signatures only");
    }
    if (sig.applies_to_narrowed && !NarrowingExplained(sig.text)) {
      problem("applies_to narrows the event kinds without a comment saying why (a code or a "
              "text is looked for in every kind unless the file explains otherwise)");
    }
    for (const auto* list : {&sig.links, &sig.supersedes}) {
      for (const auto& other : *list) {
        if (ids.count(other) == 0) problem("names '" + other + "', which is not a loaded signature");
        if (other == sig.id) problem("names itself in links or supersedes");
      }
    }
    // Every pattern is compiled into the matcher at every start: a bounded repetition such as
    // .{0,600} is spelled out instruction by instruction and slows every run down.
    for (const auto* conds : {&sig.all, &sig.any, &sig.none}) {
      for (const auto& c : *conds) {
        for (const auto& [field, pattern] : c.pairs) {
          RE2 re(field == EventField::kCode ? "(?m)" + pattern : pattern, RE2::Quiet);
          if (re.ok() && re.ProgramSize() > kMaxPatternProgram) {
            problem("pattern '" + pattern + "' compiles to " + std::to_string(re.ProgramSize()) +
                    " instructions (at most " + std::to_string(kMaxPatternProgram) +
                    "): use .* or [^\\n]* instead of a repetition bounded at hundreds");
          }
        }
      }
    }
    // Two signatures that supersede each other would both drop the event they both match.
    for (const auto& other : sig.supersedes) {
      for (const Signature& o : sigs) {
        if (o.id != other) continue;
        for (const auto& back : o.supersedes) {
          if (back == sig.id) problem("supersedes '" + other + "', which supersedes it back");
        }
      }
    }
    for (const auto& r : sig.references) {
      if (r.rfind("https://", 0) != 0) problem("reference '" + r + "' is not an https URL");
    }
    // Each `none` item must be what keeps at least one no_match example out: the example passes
    // the all/any items, and that none item holds on it.
    for (size_t k = 0; k < sig.none.size(); ++k) {
      std::vector<Signature> without(1, sig), only(1, sig);
      without[0].none.clear();
      only[0].all = {sig.none[k]};
      only[0].any.clear();
      only[0].none.clear();
      for (auto* one : {&without[0], &only[0]}) {
        one->supersedes.clear();
        one->links.clear();
      }
      std::unique_ptr<Matcher> mw, mo;
      Status s = Matcher::Build(&without, &mw);
      if (s.ok()) s = Matcher::Build(&only, &mo);
      if (!s.ok()) return s;
      Matcher::Scratch sw, so;  // a scratch belongs to one matcher (its memo holds set numbers)
      std::vector<int> hw, ho;
      bool exercised = false;
      for (const Example& ex : sig.counter_examples) {
        Event e = ex.event;
        e.raw = ex.raw;
        if (!(s = mw->MatchAll(e, &sw, &hw)).ok() || !(s = mo->MatchAll(e, &so, &ho)).ok()) return s;
        exercised |= !hw.empty() && !ho.empty();
      }
      if (!exercised) {
        std::string item;
        for (const auto& [field, pattern] : sig.none[k].pairs) {
          item += (item.empty() ? "" : ", ") + std::string(EventFieldName(field)) + ": " + pattern;
        }
        problem("no no_match example is kept out by the none item {" + item + "}");
      }
    }
    // Each `any` item must hold for at least one match example (with all `all` items).
    for (size_t k = 0; k < sig.any.size(); ++k) {
      std::vector<Signature> one(1, sig);
      one[0].any = {sig.any[k]};
      one[0].supersedes.clear();
      one[0].links.clear();
      std::unique_ptr<Matcher> m;
      Status s = Matcher::Build(&one, &m);
      if (!s.ok()) return s;
      Matcher::Scratch scratch;
      std::vector<int> hits;
      bool exercised = false;
      for (const Example& ex : sig.examples) {
        Event e = ex.event;
        e.raw = ex.raw;
        s = m->MatchAll(e, &scratch, &hits);
        if (!s.ok()) return s;
        exercised |= !hits.empty();
      }
      if (!exercised) {
        std::string item;
        for (const auto& [field, pattern] : sig.any[k].pairs) {
          item += (item.empty() ? "" : ", ") + std::string(EventFieldName(field)) + ": " + pattern;
        }
        problem("no match example exercises the any item {" + item + "}");
      }
    }
  }
  return Status::Ok();
}

}  // namespace syncdoctor
