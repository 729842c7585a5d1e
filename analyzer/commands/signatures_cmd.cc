// signatures list|show ID|test: the knowledge base as the binary sees it.
#include <iostream>

#include "analyzer/cli.h"
#include "analyzer/matcher.h"
#include "analyzer/report/reports.h"
#include "analyzer/signature_test_runner.h"

namespace syncdoctor {

namespace po = boost::program_options;

void SignaturesOptions(po::options_description* d) {
  d->add_options()("signatures", po::value<std::string>(), "also load the signature files of DIR")
      ("args", po::value<std::vector<std::string>>(), "list | show ID | test | lint");
}

int RunSignatures(const po::variables_map& vm) {
  std::vector<std::string> args;
  if (vm.count("args")) args = vm["args"].as<std::vector<std::string>>();
  if (args.empty()) {
    PrintError("signatures needs an action: list, show ID, test or lint");
    return kExitUsage;
  }
  std::vector<Signature> sigs;
  std::string dir = vm.count("signatures") ? vm["signatures"].as<std::string>() : "";
  Status s = LoadSignatures(dir, &sigs);
  std::unique_ptr<Matcher> matcher;
  if (s.ok()) s = Matcher::Build(&sigs, &matcher);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  const std::string& action = args[0];
  if (action == "list") {
    for (const auto& sig : sigs) {
      std::string sev(SeverityName(sig.severity));
      std::cout << sig.id << std::string(sig.id.size() < 38 ? 38 - sig.id.size() : 1, ' ') << sev
                << std::string(10 - sev.size(), ' ') << sig.title << "\n";
    }
    std::cout << "(" << sigs.size() << " signatures)\n";
    return kExitOk;
  }
  if (action == "show") {
    if (args.size() != 2) {
      PrintError("signatures show needs one ID");
      return kExitUsage;
    }
    for (const auto& sig : sigs) {
      if (sig.id == args[1]) {
        std::cout << "# " << sig.file << "\n" << sig.text;
        if (!sig.text.empty() && sig.text.back() != '\n') std::cout << "\n";
        return kExitOk;
      }
    }
    std::string best;
    for (const auto& sig : sigs) {
      if (sig.id.find(args[1]) != std::string::npos) best = sig.id;
    }
    PrintError("no signature '" + args[1] + "'" + (best.empty() ? "" : ", did you mean '" + best + "'?"));
    return kExitUsage;
  }
  if (action == "test") {
    ExampleResults results;
    s = RunSignatureExamples(*matcher, &results);
    if (!s.ok()) {
      PrintError(s.message());
      return kExitUsage;
    }
    for (const auto& f : results.failures) std::cout << "FAIL " << f << "\n";
    std::cout << sigs.size() << " signatures: " << results.passed << " passed, " << results.failed
              << " failed\n";
    return results.failed == 0 ? kExitOk : kExitFindings;
  }
  if (action == "lint") {
    std::vector<std::string> problems;
    ExampleResults results;
    s = LintSignatures(sigs, &problems);
    if (s.ok()) s = RunSignatureExamples(*matcher, &results);
    if (!s.ok()) {
      PrintError(s.message());
      return kExitUsage;
    }
    for (const auto& f : results.failures) problems.push_back(f);
    for (const auto& p : problems) std::cout << p << "\n";
    std::cout << sigs.size() << " signatures: " << problems.size() << " problem"
              << (problems.size() == 1 ? "" : "s") << "\n";
    return problems.empty() ? kExitOk : kExitFindings;
  }
  PrintError("unknown action '" + action + "' (list, show ID, test, lint)");
  return kExitUsage;
}

}  // namespace syncdoctor
