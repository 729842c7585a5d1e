// signatures list|show ID|test: the knowledge base as the binary sees it.
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "analyzer/cli.h"
#include "analyzer/matcher.h"
#include "analyzer/reference.h"
#include "analyzer/report/reports.h"
#include "analyzer/signature_test_runner.h"

namespace syncdoctor {

namespace po = boost::program_options;

void SignaturesOptions(po::options_description* d) {
  d->add_options()("signatures", po::value<std::string>(), "also load the signature files of DIR")
      ("args", po::value<std::vector<std::string>>(), "list | show ID | test | lint");
}

namespace {

// Rewrites the signatures column of the built-in reference tables under `root` (the source tree)
// so that each row lists the signatures that cover its code (CoveringSignatures) and keeps the
// listed ones explain still finds. For maintainers: run it after adding signatures.
int RefreshReferenceColumn(const Matcher& matcher, const std::string& root) {
  ReferenceTable table;
  Status s = LoadReferenceTables("", &table);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  // file -> line -> new column
  std::map<std::string, std::map<int, std::string>> columns;
  for (const auto& e : table.entries()) {
    std::vector<std::string> covering;
    s = CoveringSignatures(e, matcher, &covering);
    ExplainAnswer a;
    if (s.ok()) s = Explain(e.code, table, matcher, &a);
    if (!s.ok()) {
      PrintError(s.message());
      return kExitUsage;
    }
    std::set<std::string> ids(covering.begin(), covering.end());
    for (const auto& old : e.signatures) {
      for (const auto& h : a.signatures) {
        if (h.signature->id == old) ids.insert(old);
      }
    }
    std::string col;
    for (const auto& id : ids) col += (col.empty() ? "" : " ") + id;
    columns[e.file][e.line] = col;
  }
  int changed = 0;
  for (const auto& [file, lines] : columns) {
    std::string path = root + "/" + file;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      PrintError(path + ": cannot read (give the source tree with --root DIR)");
      return kExitUsage;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str(), out;
    int col_index = -1, line_no = 0;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      pos = nl == std::string::npos ? text.size() : nl + 1;
      ++line_no;
      std::vector<std::string> cells;
      size_t c = 0;
      while (true) {
        size_t tab = line.find('\t', c);
        cells.push_back(line.substr(c, tab == std::string::npos ? std::string::npos : tab - c));
        if (tab == std::string::npos) break;
        c = tab + 1;
      }
      if (!line.empty() && line[0] != '#') {
        if (col_index < 0) {
          for (size_t i = 0; i < cells.size(); ++i) {
            if (cells[i] == "signatures") col_index = static_cast<int>(i);
          }
        } else if (lines.count(line_no) && col_index < static_cast<int>(cells.size())) {
          const std::string& want = lines.at(line_no);
          if (cells[static_cast<size_t>(col_index)] != want) {
            cells[static_cast<size_t>(col_index)] = want;
            ++changed;
          }
          line.clear();
          for (size_t i = 0; i < cells.size(); ++i) line += (i ? "\t" : "") + cells[i];
        }
      }
      out += line;
      if (nl != std::string::npos) out += "\n";
    }
    std::ofstream(path, std::ios::binary) << out;
  }
  std::cout << changed << " rows changed\n";
  return kExitOk;
}

}  // namespace

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
  if (action == "refresh-reference") {
    // Maintainers only (not in the usage line): rewrites signatures/reference/*.tsv in place.
    return RefreshReferenceColumn(*matcher, args.size() > 1 ? args[1] : ".");
  }
  PrintError("unknown action '" + action + "' (list, show ID, test, lint)");
  return kExitUsage;
}

}  // namespace syncdoctor
