// Matcher: runs every signature against an event. All patterns that look at one field are
// compiled into one RE2::Set, so each field of an event is scanned once; a field is scanned for
// an event only when a signature that applies to the event's kind looks at it (a trace line's raw
// text is not scanned when only provisioning signatures read raw).
#ifndef SYNCDOCTOR_ANALYZER_MATCHER_H_
#define SYNCDOCTOR_ANALYZER_MATCHER_H_

#include <re2/set.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/signature.h"

namespace syncdoctor {

class Matcher {
 public:
  // Compiles all patterns; a bad pattern yields InvalidInput naming the signature and field.
  // `signatures` must outlive the Matcher.
  static Status Build(const std::vector<Signature>* signatures, std::unique_ptr<Matcher>* out);

  // Sets *out to the indexes (into the signature vector, ascending) of the signatures that match.
  // Thread-compatible: concurrent calls need their own `scratch`, and a scratch serves one
  // matcher only (its memo holds that matcher's pattern numbers).
  struct Scratch {
    std::vector<int> hits;
    std::vector<unsigned char> pair_ok;
    // Hits of short field values seen before (levels, activities, error codes repeat endlessly),
    // keyed by set number and text; cleared when it grows past kMemoEntries.
    std::unordered_map<std::string, std::vector<int>> memo;
    std::string key;
    std::string codes;  // the event's code field (AppendEventCodes)
  };
  // Values up to this many bytes are remembered; RE2::Set::Match has a fixed cost per call that
  // dwarfs the scan of a short string.
  static constexpr size_t kMemoMaxBytes = 96;
  static constexpr size_t kMemoEntries = 8192;
  // What an event shows is judged on that event: a signature named in the `supersedes` of
  // another signature that matched the same event is dropped (the specific cause, not the
  // symptom, counts the event), and the tiers apply (signature.h): family signatures are dropped
  // when a specific one matched the event, and of several families only the lowest rank stays.
  Status Match(const Event& event, Scratch* scratch, std::vector<int>* out) const;
  // Every signature whose own conditions hold, tiers not applied (examples are judged this way).
  Status MatchAll(const Event& event, Scratch* scratch, std::vector<int>* out) const;

  const std::vector<Signature>& signatures() const { return *sigs_; }

 private:
  Matcher() = default;
  struct FieldSet {
    std::unique_ptr<RE2::Set> set;
    std::vector<int> pair_of_pattern;  // pattern index in the set -> global pair index
    std::vector<int> empty_hits;       // what the set matches in "" (most fields are often empty)
  };
  struct CompiledCondition {
    std::vector<int> pairs;  // global pair indexes; all must hold
  };
  struct CompiledSignature {
    std::vector<CompiledCondition> all, any, none;
  };
  const std::vector<Signature>* sigs_ = nullptr;
  // fields_[field]; a null set means no pattern looks there.
  std::vector<FieldSet> fields_;
  // scans_[kind * kEventFieldCount + field]: a signature that applies to the kind reads the field.
  bool scans_[kEventKindCount * kEventFieldCount] = {};
  std::vector<CompiledSignature> compiled_;
  std::vector<int> by_kind_[kEventKindCount];  // signature indexes that apply to each kind
  std::vector<std::vector<int>> supersedes_;   // per signature, the indexes it supersedes
  int pair_count_ = 0;
};

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_MATCHER_H_
