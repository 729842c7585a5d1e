#include "analyzer/cli.h"

#include <sys/stat.h>

#include <filesystem>

#include "analyzer/report/reports.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace syncdoctor {

namespace po = boost::program_options;

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"analyze", "ingest a bundle, match the signatures and print the report (the main job)",
       "syncdoctor analyze PATH... [--db FILE] [--format text|json|markdown|html|csv] [--output FILE] [--fail-on SEVERITY] [--redact]",
       "  syncdoctor analyze customer-bundle.zip\n"
       "  syncdoctor analyze ./bundle --format json --output report.json\n"
       "  syncdoctor analyze ./bundle --format html --redact --output for-the-customer.html\n"
       "  syncdoctor analyze ./bundle --db case123.db --fail-on high",
       AnalyzeOptions, RunAnalyze},
      {"ingest", "parse a bundle into an index (build or extend it)",
       "syncdoctor ingest PATH... --db FILE [--input-format NAME] [--explain-detect]",
       "  syncdoctor ingest bundle.zip --db case.db\n"
       "  syncdoctor ingest Trace/ --db case.db --explain-detect",
       IngestOptions_, RunIngest},
      {"report", "print the report of an existing index",
       "syncdoctor report --db FILE [--format text|json|markdown|html|csv] [--output FILE] [--fail-on SEVERITY] [--redact]",
       "  syncdoctor report --db case.db --format json\n"
       "  syncdoctor report --db case.db --format markdown --redact --redact-key \"$CASE_KEY\"",
       ReportOptions, RunReport},
      {"diff", "compare two bundles or indexes of a case: findings resolved, persisting and new, job state changes",
       "syncdoctor diff OLD NEW [--format text|json|markdown|html] [--output FILE] [--fail-on SEVERITY] [--redact]",
       "  syncdoctor diff before-fix.zip after-fix.zip\n"
       "  syncdoctor diff case.db after-fix/ --format json --output diff.json\n"
       "  syncdoctor diff before.zip after.zip --format markdown --redact --fail-on high",
       DiffOptions, RunDiff},
      {"query", "run SQL over the index (schema: docs/index-schema.md)",
       "syncdoctor query --db FILE \"SQL\" [--format table|json|csv]",
       "  syncdoctor query --db case.db \"SELECT error_code, count(*) FROM events GROUP BY 1\"",
       QueryOptions, RunQuery},
      {"search", "full-text search over event messages",
       "syncdoctor search --db FILE \"TEXT\" [--limit N] [--format table|json|csv] [--redact]",
       "  syncdoctor search --db case.db AADSTS50034\n"
       "  syncdoctor search --db case.db '\"web socket\" AND failed'",
       SearchOptions, RunSearch},
      {"timeline", "everything the logs say about one object or one cycle, across all sources, by time",
       "syncdoctor timeline --db FILE OBJECT | --cycle ID [--format table|json|csv] [--limit N] [--redact]",
       "  syncdoctor timeline --db case.db alicia.brooks@contoso.com\n"
       "  syncdoctor timeline --db case.db 'Alicia Brooks' --format csv --output alicia.csv\n"
       "  syncdoctor timeline --db case.db --cycle 5d3c1f0e-8a2b-4c6d-9e7f-0a1b2c3d4e5f",
       TimelineOptions, RunTimeline},
      {"show", "print the record behind an evidence line (PATH:LINE): its fields, matches and raw text",
       "syncdoctor show --db FILE PATH:LINE [--nth K] [--format text|json] [--redact]",
       "  syncdoctor show --db case.db audit-logs.json:750\n"
       "  syncdoctor show --db case.db page-001.json:14848 --format json\n"
       "  syncdoctor show --db case.db 'diag.zip!/AzureADConnectProvisioningAgent_20261116_080000.log:126' --redact\n"
       "  syncdoctor show --db case.db --id 357",
       ShowOptions, RunShow},
      {"explain", "what a code means and what fixes it (offline): AADSTS, error codes, quarantine reasons",
       "syncdoctor explain CODE [--format text|json] [--limit N] [--signatures DIR] [--reference DIR]",
       "  syncdoctor explain 50034\n"
       "  syncdoctor explain AzureActiveDirectoryInvalidCredential\n"
       "  syncdoctor explain EncounteredEscrowProportionThreshold --format json",
       ExplainOptions, RunExplain},
      {"signatures", "list, show or test the known-failure signatures",
       "syncdoctor signatures list|show ID|test|lint [--signatures DIR]",
       "  syncdoctor signatures list\n"
       "  syncdoctor signatures show CS-QUARANTINE-CREDENTIALS-INVALID\n"
       "  syncdoctor signatures test --signatures ./my-signatures\n"
       "  syncdoctor signatures lint --signatures ./my-signatures",
       SignaturesOptions, RunSignatures},
      {"batch", "analyse many bundles: one index and report per bundle, a summary, resumable",
       "syncdoctor batch INPUT... --out DIR [--list FILE] [--jobs N] [--timeout SECONDS] [--format json,html,...] [--fail-on SEVERITY] [--force]",
       "  syncdoctor batch uploads/ --out results/\n"
       "  syncdoctor batch case1.zip case2.zip --out results/ --jobs 4 --format json,html\n"
       "  find /srv/uploads -name '*.zip' | syncdoctor batch --list - --out results/ --timeout 600",
       BatchOptions, RunBatch},
      {"completion", "print the bash completion script",
       "syncdoctor completion bash",
       "  source <(syncdoctor completion bash)\n"
       "  syncdoctor completion bash > /etc/bash_completion.d/syncdoctor",
       CompletionOptions, RunCompletion},
  };
  return commands;
}

// Messages name files and quote bundle text: neutralised, so that a crafted name cannot set the
// clipboard (OSC 52), add links, clear the screen or reorder the line (bidi controls).
void PrintError(const std::string& message) { std::cerr << "syncdoctor: error: " << TerminalSafe(message) << "\n"; }
void PrintWarning(const std::string& message) { std::cerr << "syncdoctor: warning: " << TerminalSafe(message) << "\n"; }

bool WriteOutput(const po::variables_map& vm, const std::string& text) {
  if (vm.count("output") && !vm["output"].as<std::string>().empty()) {
    const std::string path = vm["output"].as<std::string>();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out || !(out << text) || !out.flush()) {
      PrintError(path + ": cannot write the report");
      return false;
    }
    return true;
  }
  std::cout << text;
  std::cout.flush();
  return true;
}

namespace {

// Whether two paths name the same file: the same device and inode when the file exists (a hard
// link or a different spelling), else the same absolute path.
bool SameFile(const std::filesystem::path& a, const std::filesystem::path& b) {
  struct stat sa, sb;
  if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0) {
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  }
  std::error_code ec1, ec2;
  return std::filesystem::weakly_canonical(a, ec1) == std::filesystem::weakly_canonical(b, ec2);
}

}  // namespace

bool OutputPathIsSafe(std::string_view command, const po::variables_map& vm) {
  if (!vm.count("output") || vm["output"].as<std::string>().empty()) return true;
  namespace fs = std::filesystem;
  const fs::path out = vm["output"].as<std::string>();
  std::vector<std::string> dbs;
  if (vm.count("db")) {
    if (vm["db"].value().type() == typeid(std::vector<std::string>)) {
      dbs = vm["db"].as<std::vector<std::string>>();
    } else {
      dbs.push_back(vm["db"].as<std::string>());
    }
  }
  for (const auto& db : dbs) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      if (SameFile(out, db + suffix)) {
        PrintError(std::string(command) + ": --output " + out.string() + " is the index" +
                   (*suffix ? std::string(" (its ") + suffix + " file)" : std::string()) +
                   "; writing the report there would destroy it");
        return false;
      }
    }
  }
  // The inputs of analyze, ingest and diff (whose OLD or NEW may be an index): the report may not
  // overwrite one, nor land inside a bundle folder, where the next run would read it as part of
  // the bundle.
  if ((command == "analyze" || command == "ingest" || command == "diff") && vm.count("args")) {
    std::error_code ec;
    fs::path out_abs = fs::weakly_canonical(out, ec);
    for (const auto& in : vm["args"].as<std::vector<std::string>>()) {
      if (in == "-") continue;
      fs::path in_abs = fs::weakly_canonical(in, ec);
      bool inside = fs::is_directory(in_abs, ec) &&
                    out_abs.lexically_relative(in_abs).generic_string().rfind("..", 0) != 0 &&
                    !out_abs.lexically_relative(in_abs).empty();
      if (SameFile(out, in) || inside) {
        PrintError(std::string(command) + ": --output " + out.string() +
                   (inside ? " is inside the input folder " + in : " is the input " + in) +
                   "; choose a path outside what is analysed");
        return false;
      }
    }
  }
  return true;
}

OutputStream::OutputStream(const po::variables_map& vm) {
  if (vm.count("output") && !vm["output"].as<std::string>().empty()) {
    path_ = vm["output"].as<std::string>();
    to_file_ = true;
    file_.open(path_, std::ios::binary | std::ios::trunc);
    if (!file_) {
      PrintError(path_ + ": cannot write the output");
      ok_ = false;
    }
  }
}

void OutputStream::Write(const std::string& text) {
  if (!ok_) return;
  if (to_file_) {
    file_ << text;
  } else {
    std::cout << text;
  }
}

bool OutputStream::Finish() {
  if (!ok_) return false;
  if (to_file_ ? !file_.flush() : !std::cout.flush()) {
    PrintError((to_file_ ? path_ : std::string("stdout")) + ": cannot write the output");
    return false;
  }
  return true;
}

std::string RedactKey(const po::variables_map& vm) {
  if (vm.count("redact-key")) return vm["redact-key"].as<std::string>();
  const char* env = std::getenv("SYNCDOCTOR_REDACT_KEY");
  return env ? env : "";
}

namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

void PrintUsage(std::ostream& out) {
  out << "syncdoctor " SYNCDOCTOR_VERSION
         ": offline analyzer for Entra ID Cloud Sync and app provisioning logs\n\n"
         "usage: syncdoctor COMMAND [options]\n\ncommands:\n";
  for (const auto& c : Commands()) {
    out << "  " << c.name << std::string(12 - std::string(c.name).size(), ' ') << c.summary << "\n";
  }
  out << "\n'syncdoctor COMMAND --help' shows a command's options and examples.\n"
         "Exit codes: 0 done, 1 a finding at or above --fail-on (diff: something got worse), "
         "2 usage or index error, 3 no input could be read (batch: a bundle failed).\n";
}

}  // namespace

std::string SuggestCommand(const std::string& name) {
  std::string best;
  size_t best_d = 3;
  for (const auto& c : Commands()) {
    size_t d = EditDistance(name, c.name);
    if (d < best_d) {
      best_d = d;
      best = c.name;
    }
  }
  return best;
}

int RunCli(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(std::cerr);
    return kExitUsage;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(std::cout);
    return kExitOk;
  }
  if (name == "--generate-man") {  // used by the build to write syncdoctor.1
    WriteManPage(std::cout);
    return kExitOk;
  }
  if (name == "--version" || name == "-V" || name == "version") {
    std::cout << "syncdoctor " SYNCDOCTOR_VERSION "\n";
    return kExitOk;
  }
  const Command* cmd = nullptr;
  for (const auto& c : Commands()) {
    if (name == c.name) cmd = &c;
  }
  if (cmd == nullptr) {
    std::string hint = SuggestCommand(name);
    PrintError("unknown command '" + name + "'" +
               (hint.empty() ? "" : ", did you mean '" + hint + "'?") +
               " (see 'syncdoctor --help')");
    return kExitUsage;
  }
  po::options_description desc(std::string("options of '") + cmd->name + "'");
  desc.add_options()("help,h", "show this help");
  cmd->options(&desc);
  po::positional_options_description pos;
  pos.add("args", -1);
  po::variables_map vm;
  try {
    std::vector<std::string> args(argv + 2, argv + argc);
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    PrintError(std::string(cmd->name) + ": " + e.what() + " (see 'syncdoctor " + cmd->name + " --help')");
    return kExitUsage;
  }
  if (vm.count("help")) {
    // The positional arguments are shown in the usage line, not as an option.
    po::options_description visible(std::string("options of '") + cmd->name + "'");
    for (const auto& opt : desc.options()) {
      if (opt->long_name() != "args") visible.add(opt);
    }
    std::cout << "usage: " << cmd->usage << "\n\n" << cmd->summary << "\n\n" << visible
              << "\nexamples:\n" << cmd->examples << "\n";
    return kExitOk;
  }
  if (!OutputPathIsSafe(cmd->name, vm)) return kExitUsage;
  try {
    return cmd->run(vm);
  } catch (const std::bad_alloc&) {
    PrintError("out of memory");
    return kExitUsage;
  } catch (const std::exception& e) {
    PrintError(std::string("internal error: ") + e.what());
    return kExitUsage;
  }
}

}  // namespace syncdoctor
