// explain CODE: what an error code, AADSTS code or quarantine reason means and what fixes it,
// from the signatures (offline). A code is looked up by running the signatures over events that
// carry it, so the answer is the signature that would flag it in a log.
#include <algorithm>
#include <iostream>

#include "analyzer/cli.h"
#include "analyzer/matcher.h"
#include "analyzer/report/json_writer.h"
#include "analyzer/report/reports.h"
#include "parsers/json_util.h"

namespace syncdoctor {

namespace po = boost::program_options;

namespace {

struct Hit {
  const Signature* sig;
  int score;
  std::string why;
};

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The signatures that know `query`, best first.
Status Lookup(const std::string& query, const Matcher& matcher, std::vector<Hit>* hits) {
  const auto& sigs = matcher.signatures();
  std::string q = query;
  // "50034" and "aadsts50034" both mean AADSTS50034.
  std::string upper = q;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<std::string> forms = {q};
  if (AllDigits(q)) forms.push_back("AADSTS" + q);
  if (upper.rfind("AADSTS", 0) == 0) forms.push_back("AADSTS" + q.substr(6));
  std::vector<int> best(sigs.size(), 0);
  std::vector<std::string> why(sigs.size());
  auto offer = [&](size_t i, int score, const std::string& reason) {
    if (score > best[i]) {
      best[i] = score;
      why[i] = reason;
    }
  };
  for (size_t i = 0; i < sigs.size(); ++i) {
    for (const auto& f : forms) {
      if (EqualsIgnoreCase(sigs[i].id, f)) offer(i, 100, "is named after it");
    }
  }
  // Events that carry the code, of every kind: which signatures flag them?
  Matcher::Scratch scratch;
  std::vector<int> matched;
  for (const auto& f : forms) {
    for (int k = 0; k < kEventKindCount; ++k) {
      for (int field = 0; field < 3; ++field) {
        Event e;
        e.kind = static_cast<EventKind>(k);
        if (field == 0) e.error_code = f;
        if (field == 1) e.message = f;
        if (field == 2) e.reason = f;
        // No level: the question is which signature knows the code itself, not which one
        // flags any quarantined job or failed record.
        Status s = matcher.Match(e, &scratch, &matched);
        if (!s.ok()) return s;
        static const char* kWhere[] = {"flags it as an error code", "flags it in a message",
                                       "flags it as a quarantine reason"};
        for (int m : matched) offer(static_cast<size_t>(m), 90 - field, kWhere[field]);
      }
    }
  }
  // Words of a name ("UserAccountNotFound", "escrow") in titles and causes.
  std::string lower = ToLower(q);
  if (lower.size() >= 4) {
    for (size_t i = 0; i < sigs.size(); ++i) {
      if (ToLower(sigs[i].title).find(lower) != std::string::npos) offer(i, 60, "names it in its title");
      else if (ToLower(sigs[i].cause).find(lower) != std::string::npos) offer(i, 40, "names it in its cause");
      else if (ToLower(sigs[i].text).find(lower) != std::string::npos) offer(i, 30, "mentions it");
    }
  }
  for (size_t i = 0; i < sigs.size(); ++i) {
    if (best[i] > 0) hits->push_back(Hit{&sigs[i], best[i], why[i]});
  }
  std::stable_sort(hits->begin(), hits->end(), [](const Hit& a, const Hit& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.sig->severity != b.sig->severity) return a.sig->severity < b.sig->severity;
    return a.sig->id < b.sig->id;
  });
  return Status::Ok();
}

}  // namespace

void ExplainOptions(po::options_description* d) {
  d->add_options()("format", po::value<std::string>()->default_value("text"), "text or json")
      ("limit", po::value<int>()->default_value(5), "at most N answers, best first")
      ("signatures", po::value<std::string>(), "also load the signature files of DIR")
      ("args", po::value<std::vector<std::string>>(), "CODE: AADSTS50034, 50034, AzureActiveDirectoryInvalidCredential, a quarantine reason, a word");
}

int RunExplain(const po::variables_map& vm) {
  if (!vm.count("args") || vm["args"].as<std::vector<std::string>>().size() != 1) {
    PrintError("explain needs one CODE (an error code, AADSTS code, quarantine reason or word)");
    return kExitUsage;
  }
  std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    PrintError("--format '" + format + "' is not text or json");
    return kExitUsage;
  }
  std::vector<Signature> sigs;
  std::string dir = vm.count("signatures") ? vm["signatures"].as<std::string>() : "";
  Status s = LoadSignatures(dir, &sigs);
  std::unique_ptr<Matcher> matcher;
  if (s.ok()) s = Matcher::Build(&sigs, &matcher);
  std::vector<Hit> hits;
  const std::string query = vm["args"].as<std::vector<std::string>>()[0];
  if (s.ok()) s = Lookup(query, *matcher, &hits);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  int limit = vm["limit"].as<int>();
  if (limit < 1) {
    PrintError("--limit must be 1 or more");
    return kExitUsage;
  }
  if (hits.size() > static_cast<size_t>(limit)) hits.resize(static_cast<size_t>(limit));
  std::string out;
  if (format == "json") {
    JsonWriter w(&out, true);
    w.BeginObject();
    w.Member("query", query);
    w.Key("answers");
    w.BeginArray();
    for (const auto& h : hits) {
      w.BeginObject();
      w.Member("signature", h.sig->id);
      w.Member("title", h.sig->title);
      w.Member("severity", SeverityName(h.sig->severity));
      w.Member("matched_by", h.why);
      w.Member("cause", h.sig->cause);
      w.Key("fix");
      w.BeginArray();
      for (const auto& f : h.sig->fix) w.String(f);
      w.EndArray();
      w.Key("references");
      w.BeginArray();
      for (const auto& r : h.sig->references) w.String(r);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    out += "\n";
  } else if (hits.empty()) {
    out = "No signature knows '" + TerminalSafe(query) + "'. Try a part of it, or "
          "'syncdoctor signatures list'.\n";
  } else {
    for (const auto& h : hits) {
      out += h.sig->id + "  [" + std::string(SeverityName(h.sig->severity)) + "]  " + h.sig->title + "\n";
      out += "  (this signature " + h.why + ")\n";  // "is named after it", "flags it ..." 
      out += "  Cause: " + h.sig->cause + "\n  Fix:\n";
      for (size_t i = 0; i < h.sig->fix.size(); ++i) {
        out += "    " + std::to_string(i + 1) + ". " + h.sig->fix[i] + "\n";
      }
      for (const auto& r : h.sig->references) out += "  See: " + r + "\n";
      out += "\n";
    }
  }
  std::cout << out;
  return hits.empty() ? kExitFindings : kExitOk;
}

}  // namespace syncdoctor
