// explain CODE: what an error code, AADSTS code, quarantine reason, LDAP or HTTP code means and
// what fixes it, offline. The reference tables (signatures/reference/*.tsv) give the meaning and
// the published name; the signatures give cause and fix. A code is looked up in the signatures
// by running them over events that carry it, so the answer is the signature that would flag it
// in a log (analyzer/reference.h, Explain()).
#include <iostream>

#include "analyzer/cli.h"
#include "analyzer/matcher.h"
#include "analyzer/reference.h"
#include "analyzer/report/json_writer.h"
#include "analyzer/report/reports.h"

namespace syncdoctor {

namespace po = boost::program_options;

namespace {

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

// "sync_service_account" → words for people.
std::string WhoInWords(const std::vector<std::string>& who) {
  std::vector<std::string> words;
  for (const auto& w : who) {
    if (w == "sync_service_account") words.push_back("the Cloud Sync service account");
    else if (w == "app_provisioning_credentials") words.push_back("an app's provisioning credentials");
    else if (w == "agent") words.push_back("the provisioning agent");
    else words.push_back(w);
  }
  return Join(words, ", ");
}

void WriteReferenceJson(const ReferenceMatch& m, JsonWriter* w) {
  const ReferenceEntry& e = *m.entry;
  w->BeginObject();
  w->Member("code", e.code);
  w->Member("name", e.name);
  w->Member("family", e.family);
  w->Member("meaning", e.meaning);
  w->Key("who_can_hit");
  w->BeginArray();
  for (const auto& s : e.who_can_hit) w->String(s);
  w->EndArray();
  w->Member("source", e.source);
  w->Key("signatures");
  w->BeginArray();
  for (const auto& s : e.signatures) w->String(s);
  w->EndArray();
  w->Member("matched_by", m.how);
  w->EndObject();
}

// Table rows may come from files of --reference DIR: every field goes through TerminalSafe.
void WriteReferenceText(const ReferenceMatch& m, std::string* out) {
  const ReferenceEntry& e = *m.entry;
  *out += TerminalSafe(e.code);
  if (!e.name.empty()) *out += "  " + TerminalSafe(e.name);
  *out += "  (" + TerminalSafe(e.family) + ")\n";
  if (m.how != "code") *out += "  (matched by " + std::string(m.how) + ")\n";
  *out += "  Meaning: " + TerminalSafe(e.meaning) + "\n";
  if (!e.who_can_hit.empty()) *out += "  Can hit: " + WhoInWords(e.who_can_hit) + "\n";
  *out += "  Source: " + TerminalSafe(e.source) + "\n";
  *out += "  Covered by: " +
          (e.signatures.empty() ? std::string("no signature") : TerminalSafe(Join(e.signatures, ", "))) +
          "\n\n";
}

}  // namespace

void ExplainOptions(po::options_description* d) {
  d->add_options()("format", po::value<std::string>()->default_value("text"), "text or json")
      ("limit", po::value<int>()->default_value(5), "at most N reference entries and N signatures, best first")
      ("signatures", po::value<std::string>(), "also load the signature files of DIR")
      ("reference", po::value<std::string>(), "also load the reference tables (*.tsv) of DIR; a row there replaces the built-in row with its code")
      ("args", po::value<std::vector<std::string>>(), "CODE: AADSTS50034, 50034, AzureActiveDirectoryInvalidCredential, a quarantine reason, INSUFF_ACCESS_RIGHTS, 429, a word");
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
  int limit = vm["limit"].as<int>();
  if (limit < 1) {
    PrintError("--limit must be 1 or more");
    return kExitUsage;
  }
  std::vector<Signature> sigs;
  std::string dir = vm.count("signatures") ? vm["signatures"].as<std::string>() : "";
  Status s = LoadSignatures(dir, &sigs, LoadExamples::kNo);
  std::unique_ptr<Matcher> matcher;
  if (s.ok()) s = Matcher::Build(&sigs, &matcher);
  ReferenceTable table;
  std::string ref_dir = vm.count("reference") ? vm["reference"].as<std::string>() : "";
  if (s.ok()) s = LoadReferenceTables(ref_dir, &table);
  ExplainAnswer answer;
  const std::string query = vm["args"].as<std::vector<std::string>>()[0];
  if (s.ok()) s = Explain(query, table, *matcher, &answer);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  const bool found = !answer.reference.empty() || !answer.signatures.empty();
  auto& refs = answer.reference;
  auto& hits = answer.signatures;
  if (refs.size() > static_cast<size_t>(limit)) refs.resize(static_cast<size_t>(limit));
  if (hits.size() > static_cast<size_t>(limit)) hits.resize(static_cast<size_t>(limit));
  std::string out;
  if (format == "json") {
    JsonWriter w(&out, true);
    w.BeginObject();
    w.Member("query", query);
    w.Key("reference");
    w.BeginArray();
    for (const auto& m : refs) WriteReferenceJson(m, &w);
    w.EndArray();
    w.Key("answers");
    w.BeginArray();
    for (const auto& h : hits) {
      w.BeginObject();
      w.Member("signature", h.signature->id);
      w.Member("title", h.signature->title);
      w.Member("severity", SeverityName(h.signature->severity));
      w.Member("tier", TierName(h.signature->tier));
      w.Member("matched_by", h.why);
      w.Member("cause", h.signature->cause);
      w.Key("fix");
      w.BeginArray();
      for (const auto& f : h.signature->fix) w.String(f);
      w.EndArray();
      w.Key("references");
      w.BeginArray();
      for (const auto& r : h.signature->references) w.String(r);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    out += "\n";
  } else if (!found) {
    out = "Nothing is known about '" + TerminalSafe(query) +
          "': no reference table lists it and no signature flags or mentions it. Try a part of "
          "it, the bare number, or 'syncdoctor signatures list'.\n";
  } else {
    for (const auto& m : refs) WriteReferenceText(m, &out);
    if (hits.empty()) out += "No signature flags or mentions it.\n";
    for (const auto& h : hits) {
      const Signature& sig = *h.signature;
      out += sig.id + "  [" + std::string(SeverityName(sig.severity)) + "]  " + sig.title +
             (sig.tier == Tier::kFamily ? "  (family-level)" : "") + "\n";
      out += "  (this signature " + h.why + ")\n";  // "is named after it", "flags it ..."
      out += "  Cause: " + sig.cause + "\n  Fix:\n";
      for (size_t i = 0; i < sig.fix.size(); ++i) {
        out += "    " + std::to_string(i + 1) + ". " + sig.fix[i] + "\n";
      }
      for (const auto& r : sig.references) out += "  See: " + r + "\n";
      out += "\n";
    }
  }
  std::cout << out;
  return found ? kExitOk : kExitFindings;
}

}  // namespace syncdoctor
