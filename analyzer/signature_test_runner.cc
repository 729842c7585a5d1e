#include "analyzer/signature_test_runner.h"

#include <algorithm>

namespace syncdoctor {

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
        Status s = matcher.Match(e, &scratch, &hits);
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

}  // namespace syncdoctor
