// Helpers of the end-to-end tests: run the built syncdoctor and read its JSON report.
#ifndef SYNCDOCTOR_TESTS_E2E_E2E_UTIL_H_
#define SYNCDOCTOR_TESTS_E2E_E2E_UTIL_H_

#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace e2e {

namespace fs = std::filesystem;


inline const std::string kSource = SYNCDOCTOR_SOURCE_DIR;
inline const std::string kBinary = SYNCDOCTOR_BINARY;
// The shared corpus beside the clone: optional, it adds tests (a clone alone must pass).
inline const std::string kCorpus = kSource + "/../shared/corpus/real";
// The real files the project carries itself (tests/data/real/SOURCES.md).
inline const std::string kRealCorpus = kSource + "/tests/data/real/corpus";
inline const std::string kMotivating = kSource + "/samples/cloudsync-quarantine-credentials";
inline const std::string kNoAgent = kSource + "/samples/agent-no-connectivity";
inline const std::string kHealthy = kSource + "/samples/healthy";

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/syncdoctor-e2e-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs syncdoctor with `args` (a shell-quoted string) and a fixed SOURCE_DATE_EPOCH.
inline RunResult Run(const std::string& args) {
  TempDir tmp;
  std::string cmd = "SOURCE_DATE_EPOCH=0 NO_COLOR=1 '" + kBinary + "' " + args + " >" + (tmp / "out") +
                    " 2>" + (tmp / "err");
  int rc = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = ReadFile(tmp / "out");
  r.err = ReadFile(tmp / "err");
  return r;
}

struct Report {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::padded_string text;

  explicit Report(const std::string& json) : text(json) {
    auto err = parser.parse(text).get(root);
    INFO(json.substr(0, 2000));
    REQUIRE(err == simdjson::SUCCESS);
  }
  std::set<std::string> Signatures() {
    std::set<std::string> out;
    for (auto f : root["findings"].get_array()) out.insert(std::string(std::string_view(f["signature"])));
    return out;
  }
  simdjson::dom::element Finding(const std::string& id) {
    for (auto f : root["findings"].get_array()) {
      if (std::string_view(f["signature"]) == id) return f;
    }
    FAIL("no finding " << id);
    return {};
  }
  std::map<std::string, simdjson::dom::element> Inputs() {
    std::map<std::string, simdjson::dom::element> out;
    for (auto in : root["inputs"].get_array()) out[std::string(std::string_view(in["path"]))] = in;
    return out;
  }
};

inline std::string Str(simdjson::dom::element e) { return std::string(std::string_view(e)); }
inline int64_t Int(simdjson::dom::element e) { return int64_t(e); }

}  // namespace e2e

#endif  // SYNCDOCTOR_TESTS_E2E_E2E_UTIL_H_
