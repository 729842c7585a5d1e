// The signature files of signatures/, compiled into the binary at build time.
#ifndef SYNCDOCTOR_ANALYZER_EMBEDDED_SIGNATURES_H_
#define SYNCDOCTOR_ANALYZER_EMBEDDED_SIGNATURES_H_

#include <string_view>
#include <vector>

namespace syncdoctor {

struct EmbeddedFile {
  std::string_view path;     // "signatures/service-account/CS-QUARANTINE-CREDENTIALS-INVALID.yaml"
  std::string_view content;
};

const std::vector<EmbeddedFile>& EmbeddedSignatureFiles();

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_EMBEDDED_SIGNATURES_H_
