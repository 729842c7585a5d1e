#include "analyzer/signature.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analyzer/embedded_signatures.h"
#include "analyzer/sha256.h"

namespace syncdoctor {

namespace {

constexpr uintmax_t kMaxSignatureFileBytes = 1u << 20;

constexpr std::string_view kSeverityNames[] = {"critical", "high", "medium", "low", "info"};
const std::set<std::string> kStatuses = {"verified", "documented-requirement", "secondary",
                                         "inferred"};
const std::set<std::string> kTopKeys = {"id", "title", "severity", "status", "tags", "applies_to",
                                        "match", "supersedes", "links", "cause", "fix",
                                        "references", "heuristic", "examples", "next_step",
                                        "threshold", "tier", "rank", "capture"};
constexpr std::string_view kTierNames[] = {"specific", "generic", "family"};

std::string Where(const std::string& file, const YAML::Node& n) {
  return file + ":" + std::to_string(n.Mark().line + 1) + ": ";
}

Status ReadStringList(const YAML::Node& n, const std::string& file, const char* what,
                      std::vector<std::string>* out) {
  if (!n) return Status::Ok();
  if (n.IsScalar()) {
    out->push_back(n.as<std::string>());
    return Status::Ok();
  }
  if (!n.IsSequence()) return Status::InvalidInput(Where(file, n) + what + " must be a list");
  for (const auto& item : n) {
    if (!item.IsScalar()) return Status::InvalidInput(Where(file, item) + what + " items must be text");
    out->push_back(item.as<std::string>());
  }
  return Status::Ok();
}

Status ReadConditions(const YAML::Node& n, const std::string& file, const char* what,
                      std::vector<Condition>* out) {
  if (!n) return Status::Ok();
  if (!n.IsSequence()) return Status::InvalidInput(Where(file, n) + "match." + what + " must be a list");
  for (const auto& item : n) {
    if (!item.IsMap() || item.size() == 0) {
      return Status::InvalidInput(Where(file, item) + "each match." + what +
                                  " item must be a map of field: pattern");
    }
    Condition c;
    for (const auto& kv : item) {
      std::string field = kv.first.as<std::string>();
      EventField f;
      if (!ParseEventField(field, &f)) {
        return Status::InvalidInput(Where(file, kv.first) + "unknown event field '" + field + "'");
      }
      if (!kv.second.IsScalar()) {
        return Status::InvalidInput(Where(file, kv.second) + "pattern of '" + field + "' must be text");
      }
      c.pairs.emplace_back(f, kv.second.as<std::string>());
    }
    out->push_back(std::move(c));
  }
  return Status::Ok();
}

Status ReadExamples(const YAML::Node& n, const std::string& file, std::vector<Example>* out) {
  if (!n) return Status::Ok();
  if (!n.IsSequence()) return Status::InvalidInput(Where(file, n) + "examples must be lists");
  for (const auto& item : n) {
    if (!item.IsMap()) return Status::InvalidInput(Where(file, item) + "an example must be a map");
    Example ex;
    ex.line = item.Mark().line + 1;
    bool has_kind = false;
    for (const auto& kv : item) {
      std::string key = kv.first.as<std::string>();
      std::string value = kv.second.IsScalar() ? kv.second.as<std::string>() : "";
      if (key == "kind") {
        if (!ParseEventKind(value, &ex.event.kind)) {
          return Status::InvalidInput(Where(file, kv.second) + "unknown kind '" + value + "'");
        }
        has_kind = true;
        continue;
      }
      EventField f;
      if (!ParseEventField(key, &f)) {
        return Status::InvalidInput(Where(file, kv.first) + "unknown event field '" + key + "'");
      }
      Event& e = ex.event;
      switch (f) {
        case EventField::kLevel: e.level = value; break;
        case EventField::kRecordId: e.record_id = value; break;
        case EventField::kJobId: e.job_id = value; break;
        case EventField::kCycleId: e.cycle_id = value; break;
        case EventField::kChangeId: e.change_id = value; break;
        case EventField::kCorrelationId: e.correlation_id = value; break;
        case EventField::kActivity: e.activity = value; break;
        case EventField::kActor: e.actor = value; break;
        case EventField::kSourceIdentity: e.source_identity = value; break;
        case EventField::kTargetIdentity: e.target_identity = value; break;
        case EventField::kErrorCode: e.error_code = value; break;
        case EventField::kReason: e.reason = value; break;
        case EventField::kMessage: e.message = value; break;
        case EventField::kRaw: ex.raw = value; break;
        case EventField::kKind: break;
        case EventField::kCode:
          return Status::InvalidInput(Where(file, kv.first) +
                                      "'code' is computed from error_code, reason and message; "
                                      "an example sets those");
      }
    }
    if (!has_kind) return Status::InvalidInput(Where(file, item) + "an example needs a kind");
    out->push_back(std::move(ex));
  }
  // raw points into the Example; fix it up after the vector stops moving.
  return Status::Ok();
}

}  // namespace

std::string_view SeverityName(Severity s) { return kSeverityNames[static_cast<int>(s)]; }

bool IsSignatureGroup(std::string_view name) {
  for (const auto& g : kSignatureGroups) {
    if (g.name == name) return true;
  }
  return false;
}

std::string_view TierName(Tier t) { return kTierNames[static_cast<int>(t)]; }

bool ParseTier(std::string_view name, Tier* t) {
  for (int i = 0; i < 3; ++i) {
    if (kTierNames[i] == name) {
      *t = static_cast<Tier>(i);
      return true;
    }
  }
  return false;
}

bool ParseSeverity(std::string_view name, Severity* s) {
  for (int i = 0; i < 5; ++i) {
    if (kSeverityNames[i] == name) {
      *s = static_cast<Severity>(i);
      return true;
    }
  }
  return false;
}

void CopyEventOwned(const Event& in, Event* out, std::string* raw_storage) {
  *out = in;
  *raw_storage = std::string(in.raw);
  out->raw = *raw_storage;
}

namespace {

// `yaml` without its top-level examples block (the lines from "examples:" up to the next
// top-level key), line numbers of what stays unchanged.
std::string WithoutExamples(std::string_view yaml) {
  size_t at = yaml.rfind("\nexamples:");
  if (yaml.rfind("examples:", 0) == 0) at = 0;
  if (at == std::string_view::npos) return std::string(yaml);
  size_t end = at + 1;
  while (true) {
    end = yaml.find('\n', end);
    if (end == std::string_view::npos || end + 1 >= yaml.size()) return std::string(yaml.substr(0, at + 1));
    char c = yaml[end + 1];
    if (c != ' ' && c != '#' && c != '\n' && c != '\r' && c != '\t') break;
    ++end;
  }
  return std::string(yaml.substr(0, at + 1)) + std::string(yaml.substr(end + 1));
}

}  // namespace

Status ParseSignature(std::string_view yaml, const std::string& file, Signature* out,
                      LoadExamples examples) {
  YAML::Node root;
  try {
    root = YAML::Load(examples == LoadExamples::kYes ? std::string(yaml) : WithoutExamples(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  try {
    if (!root.IsMap()) return Status::InvalidInput(file + ":1: a signature file must be a map");
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (kTopKeys.count(key) == 0) {
        return Status::InvalidInput(Where(file, kv.first) + "unknown field '" + key + "'");
      }
    }
    Signature sig;
    sig.file = file;
    sig.text = std::string(yaml);
    for (const char* required : {"id", "title", "severity", "status", "tags", "match", "cause",
                                 "fix", "references", "examples"}) {
      if (examples == LoadExamples::kNo && std::string_view(required) == "examples") continue;
      if (!root[required]) {
        return Status::InvalidInput(file + ":1: missing required field '" + required + "'");
      }
    }
    sig.id = root["id"].as<std::string>();
    sig.title = root["title"].as<std::string>();
    std::string sev = root["severity"].as<std::string>();
    if (!ParseSeverity(sev, &sig.severity)) {
      return Status::InvalidInput(Where(file, root["severity"]) + "severity '" + sev +
                                  "' is not one of critical, high, medium, low, info");
    }
    sig.status = root["status"].as<std::string>();
    if (kStatuses.count(sig.status) == 0) {
      return Status::InvalidInput(Where(file, root["status"]) + "status '" + sig.status +
                                  "' is not one of verified, documented-requirement, secondary, inferred");
    }
    Status s = ReadStringList(root["tags"], file, "tags", &sig.tags);
    std::vector<std::string> kinds;
    if (s.ok()) s = ReadStringList(root["applies_to"], file, "applies_to", &kinds);
    if (!s.ok()) return s;
    for (const auto& k : kinds) {
      EventKind kind;
      if (!ParseEventKind(k, &kind)) {
        return Status::InvalidInput(Where(file, root["applies_to"]) + "unknown event kind '" + k + "'");
      }
      sig.applies_to |= 1u << static_cast<int>(kind);
    }
    if (!root["applies_to"]) {
      sig.applies_to = (1u << kEventKindCount) - 1;  // a code or a text is looked for everywhere
    } else if (sig.applies_to == 0) {
      return Status::InvalidInput(Where(file, root["applies_to"]) + "applies_to is empty");
    }
    sig.applies_to_narrowed = sig.applies_to != (1u << kEventKindCount) - 1;
    if (const YAML::Node t = root["tier"]) {
      std::string tier = t.as<std::string>();
      if (!ParseTier(tier, &sig.tier)) {
        return Status::InvalidInput(Where(file, t) + "tier '" + tier + "' is not one of specific, generic, family");
      }
    }
    if (const YAML::Node r = root["rank"]) {
      if (sig.tier != Tier::kFamily) return Status::InvalidInput(Where(file, r) + "rank is for tier: family only");
      sig.rank = r.as<int>();
    }
    if (const YAML::Node c = root["capture"]) {
      if (!c.IsMap() || c.size() != 1 || !c.begin()->second.IsScalar()) {
        return Status::InvalidInput(Where(file, c) + "capture must be one field: pattern, the pattern with one group");
      }
      std::string field = c.begin()->first.as<std::string>();
      if (!ParseEventField(field, &sig.capture_field) || sig.capture_field == EventField::kKind) {
        return Status::InvalidInput(Where(file, c) + "capture: unknown event field '" + field + "'");
      }
      sig.capture_pattern = c.begin()->second.as<std::string>();
      RE2 re(sig.capture_pattern, RE2::Quiet);
      if (!re.ok() || re.NumberOfCapturingGroups() < 1) {
        return Status::InvalidInput(Where(file, c) + "capture pattern '" + sig.capture_pattern +
                                    "' must compile and have one group" +
                                    (re.ok() ? "" : ": " + re.error()));
      }
      sig.has_capture = true;
    }
    const YAML::Node match = root["match"];
    if (!match.IsMap()) return Status::InvalidInput(Where(file, match) + "match must be a map with all/any");
    for (const auto& kv : match) {
      std::string key = kv.first.as<std::string>();
      if (key != "all" && key != "any" && key != "none") {
        return Status::InvalidInput(Where(file, kv.first) + "match has unknown key '" + key + "' (all, any, none)");
      }
    }
    s = ReadConditions(match["all"], file, "all", &sig.all);
    if (s.ok()) s = ReadConditions(match["any"], file, "any", &sig.any);
    if (s.ok()) s = ReadConditions(match["none"], file, "none", &sig.none);
    if (!s.ok()) return s;
    if (sig.all.empty() && sig.any.empty()) {
      return Status::InvalidInput(Where(file, match) + "match needs at least one condition");
    }
    sig.cause = root["cause"].as<std::string>();
    s = ReadStringList(root["fix"], file, "fix", &sig.fix);
    if (s.ok()) s = ReadStringList(root["references"], file, "references", &sig.references);
    if (s.ok()) s = ReadStringList(root["supersedes"], file, "supersedes", &sig.supersedes);
    if (s.ok()) s = ReadStringList(root["links"], file, "links", &sig.links);
    if (!s.ok()) return s;
    if (sig.fix.empty()) return Status::InvalidInput(Where(file, root["fix"]) + "fix needs at least one step");
    if (root["heuristic"]) sig.heuristic = root["heuristic"].as<bool>();
    if (root["next_step"]) sig.next_step = root["next_step"].as<std::string>();
    if (const YAML::Node th = root["threshold"]) {
      if (!th.IsMap() || !th["min_count"]) {
        return Status::InvalidInput(Where(file, th) + "threshold needs min_count (and optionally within: job|cycle)");
      }
      for (const auto& kv : th) {
        std::string key = kv.first.as<std::string>();
        if (key != "min_count" && key != "within") {
          return Status::InvalidInput(Where(file, kv.first) + "threshold has unknown key '" + key + "' (min_count, within)");
        }
      }
      sig.min_count = th["min_count"].as<int64_t>();
      std::string within = th["within"] ? th["within"].as<std::string>() : "job";
      if ((within != "job" && within != "cycle") || sig.min_count < 1) {
        return Status::InvalidInput(Where(file, th) + "threshold: min_count must be 1 or more and within job or cycle");
      }
      sig.per_cycle = within == "cycle";
    }
    if (examples == LoadExamples::kYes) {
      const YAML::Node ex = root["examples"];
      if (!ex.IsMap()) return Status::InvalidInput(Where(file, ex) + "examples must be a map with match/no_match");
      s = ReadExamples(ex["match"], file, &sig.examples);
      if (s.ok()) s = ReadExamples(ex["no_match"], file, &sig.counter_examples);
      if (!s.ok()) return s;
      if (sig.examples.empty() || sig.counter_examples.empty()) {
        return Status::InvalidInput(Where(file, ex) +
                                    "examples need at least one match and one no_match entry");
      }
    }
    // The group is the folder the file sits in.
    std::filesystem::path p(file);
    sig.group = p.parent_path().filename().string();
    *out = std::move(sig);
    for (auto* list : {&out->examples, &out->counter_examples}) {
      for (auto& e : *list) e.event.raw = e.raw;
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return Status::Ok();
}

Status LoadSignatures(const std::string& extra_dir, std::vector<Signature>* out, LoadExamples examples) {
  std::map<std::string, Signature> by_id;
  for (const auto& f : EmbeddedSignatureFiles()) {
    Signature sig;
    Status s = ParseSignature(f.content, std::string(f.path), &sig, examples);
    if (!s.ok()) return s;
    sig.builtin = true;
    if (by_id.count(sig.id) > 0) {
      return Status::InvalidInput(sig.file + ":1: duplicate id '" + sig.id + "' (also in " +
                                  by_id[sig.id].file + ")");
    }
    by_id[sig.id] = std::move(sig);
  }
  if (!extra_dir.empty()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(extra_dir, ec)) {
      return Status::NotFound(extra_dir + ": --signatures needs a folder of .yaml files");
    }
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(extra_dir, ec), end; !ec && it != end; it.increment(ec)) {
      auto ext = it->path().extension().string();
      if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    std::set<std::string> seen;
    for (const auto& p : files) {
      // A signature is a page of YAML; a file of hundreds of MB is a mistake or an attack, and
      // reading it whole would take that much memory.
      std::error_code size_ec;
      uintmax_t bytes = fs::file_size(p, size_ec);
      if (!size_ec && bytes > kMaxSignatureFileBytes) {
        return Status::InvalidInput(p.string() + ":1: " + std::to_string(bytes >> 10) +
                                    " KB is more than a signature file may hold (" +
                                    std::to_string(kMaxSignatureFileBytes >> 10) + " KB)");
      }
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      Signature sig;
      Status s = ParseSignature(ss.str(), p.string(), &sig, examples);
      if (!s.ok()) return s;
      if (!seen.insert(sig.id).second) {
        return Status::InvalidInput(p.string() + ":1: duplicate id '" + sig.id + "' in " + extra_dir);
      }
      by_id[sig.id] = std::move(sig);
    }
  }
  out->clear();
  for (auto& kv : by_id) out->push_back(std::move(kv.second));
  for (auto& sig : *out) {
    for (auto* list : {&sig.examples, &sig.counter_examples}) {
      for (auto& e : *list) e.event.raw = e.raw;
    }
  }
  return Status::Ok();
}

std::string SignatureFingerprint(const std::vector<Signature>& sigs) {
  Sha256 sha;
  for (const auto& s : sigs) {
    sha.Update(s.id);
    sha.Update(std::string_view("\0", 1));
    sha.Update(s.text);
    sha.Update(std::string_view("\0", 1));
  }
  return sha.HexDigest();
}

}  // namespace syncdoctor
