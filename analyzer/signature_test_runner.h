// Runs the inline examples of signature files: every `match` example must produce its
// signature, every `no_match` example must not. Used by `signatures test` and the test suite.
#ifndef SYNCDOCTOR_ANALYZER_SIGNATURE_TEST_RUNNER_H_
#define SYNCDOCTOR_ANALYZER_SIGNATURE_TEST_RUNNER_H_

#include <string>
#include <vector>

#include "analyzer/matcher.h"

namespace syncdoctor {

struct ExampleResults {
  int passed = 0, failed = 0;
  std::vector<std::string> failures;  // "file:line: ID: match example does not match"
};

// Runs every example of every signature of `matcher` through the whole matcher.
Status RunSignatureExamples(const Matcher& matcher, ExampleResults* results);

// Checks what loading cannot: the id is the file name, the folder is a catalog group, links and
// supersedes name loaded signatures, references are https URLs, and every `any` item is
// exercised by a match example (so that each pattern is tested). Appends "file: problem" lines.
Status LintSignatures(const std::vector<Signature>& sigs, std::vector<std::string>* problems);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_SIGNATURE_TEST_RUNNER_H_
