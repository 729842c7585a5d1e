// The signature files of signatures/ and the reference tables of signatures/reference/, compiled
// into the binary at build time (cmake/embed_signatures.cmake).
#ifndef SYNCDOCTOR_ANALYZER_EMBEDDED_SIGNATURES_H_
#define SYNCDOCTOR_ANALYZER_EMBEDDED_SIGNATURES_H_

#include <string_view>
#include <vector>

namespace syncdoctor {

struct EmbeddedFile {
  std::string_view path;     // "signatures/service-account/CS-QUARANTINE-CREDENTIALS-INVALID.yaml"
  std::string_view content;
};

// Every signatures/**/*.yaml, sorted by path.
const std::vector<EmbeddedFile>& EmbeddedSignatureFiles();

// Every signatures/reference/*.tsv, sorted by path ("signatures/reference/aadsts.tsv", ...).
const std::vector<EmbeddedFile>& EmbeddedReferenceFiles();

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_EMBEDDED_SIGNATURES_H_
