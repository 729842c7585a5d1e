// Matcher: runs every signature against an event. All patterns of all signatures that look at
// one field are compiled into one RE2::Set, so each field of an event is scanned once.
#ifndef SYNCDOCTOR_ANALYZER_MATCHER_H_
#define SYNCDOCTOR_ANALYZER_MATCHER_H_

#include <re2/set.h>

#include <memory>
#include <vector>

#include "analyzer/signature.h"

namespace syncdoctor {

class Matcher {
 public:
  // Compiles all patterns; a bad pattern yields InvalidInput naming the signature and field.
  // `signatures` must outlive the Matcher.
  static Status Build(const std::vector<Signature>* signatures, std::unique_ptr<Matcher>* out);

  // Sets *out to the indexes (into the signature vector, ascending) of the signatures that match.
  // Thread-compatible: concurrent calls need their own `scratch`.
  struct Scratch {
    std::vector<int> hits;
    std::vector<unsigned char> pair_ok;
  };
  Status Match(const Event& event, Scratch* scratch, std::vector<int>* out) const;

  const std::vector<Signature>& signatures() const { return *sigs_; }

 private:
  Matcher() = default;
  struct FieldSet {
    std::unique_ptr<RE2::Set> set;
    std::vector<int> pair_of_pattern;  // pattern index in the set -> global pair index
  };
  struct CompiledCondition {
    std::vector<int> pairs;  // global pair indexes; all must hold
  };
  struct CompiledSignature {
    std::vector<CompiledCondition> all, any;
  };
  const std::vector<Signature>* sigs_ = nullptr;
  std::vector<FieldSet> fields_;           // indexed by EventField
  std::vector<CompiledSignature> compiled_;
  int pair_count_ = 0;
};

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_MATCHER_H_
