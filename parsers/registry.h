// The list of parsers and content-based format detection.
#ifndef SYNCDOCTOR_PARSERS_REGISTRY_H_
#define SYNCDOCTOR_PARSERS_REGISTRY_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/parser.h"

namespace syncdoctor {

// A fresh instance of every parser, in a fixed order (ties in detection go to the earlier one).
std::vector<std::unique_ptr<Parser>> AllParsers();

// A fresh parser for a format name; nullptr when there is none.
std::unique_ptr<Parser> NewParser(std::string_view format);

// Every format name AllParsers() knows, in order.
std::vector<std::string> FormatNames();

struct Detection {
  std::string format;   // "" when no parser scored above zero
  int score = 0;
  // Every parser with a non-zero score, best first: "provisioning-graph-json=100".
  std::vector<std::pair<std::string, int>> scores;
  std::string why;      // what made the chosen parser claim the file (Parser::Probe)
};

// Scores the text parsers on `head` (decoded UTF-8, BOM removed), or with `raw_bytes` the binary
// parsers on the file's first bytes as they are; the highest score wins.
Detection DetectFormat(std::string_view file_name, std::string_view head, bool raw_bytes = false);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_PARSERS_REGISTRY_H_
