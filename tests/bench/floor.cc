// The benchmark's floor: read every file of a bundle and parse its JSON with simdjson alone.
// JSON pages are parsed whole (DOM, so every byte is validated) and their "value" array counted;
// NDJSON files (*.ndjson, *.jsonl) are parsed one document per line; other files (agent traces)
// are only scanned, counting entries as trace header lines (`<source> <Level>: <id> : <message>`).
//
// Usage: bench_floor DIR...   Prints one JSON line: {"files", "bytes", "records", "json_records",
// "trace_entries", "lines"}. Exits 1 on a file it cannot read or JSON simdjson rejects.

#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Totals {
  uint64_t files = 0, bytes = 0, json_records = 0, trace_entries = 0, lines = 0;
};

// True when [line, end) is a trace header: a source, a Level, ':', an id and " : ".
bool IsTraceHeader(const char* line, const char* end) {
  static const char* const kLevels[] = {
      " Critical: ", " Error: ", " Warning: ", " Information: ", " Verbose: ",
      " Start: ",    " Stop: ",  " Suspend: ", " Resume: ",      " Transfer: "};
  if (line == end || *line == ' ' || *line == '\t') return false;
  std::string_view text(line, end - line);
  for (const char* level : kLevels) {
    size_t at = text.find(level);
    if (at == std::string_view::npos || at == 0) continue;
    size_t p = at + std::strlen(level);
    size_t digits = p;
    if (digits < text.size() && text[digits] == '-') digits++;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') digits++;
    if (digits > p && text.substr(digits, 3) == " : ") return true;
  }
  return false;
}

bool EndsWith(const std::string& s, const char* suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Parses one file; returns false (after printing why) when it cannot be read or parsed.
bool ParseFile(simdjson::dom::parser& parser, const std::string& path, Totals* totals) {
  simdjson::padded_string text;
  if (auto error = simdjson::padded_string::load(path).get(text); error) {
    std::fprintf(stderr, "bench_floor: error: %s: %s\n", path.c_str(),
                 simdjson::error_message(error));
    return false;
  }
  totals->files++;
  totals->bytes += text.size();
  const char* data = text.data();
  size_t size = text.size();
  size_t start = 0;
  while (start < size && (data[start] == ' ' || data[start] == '\n' || data[start] == '\r' ||
                          data[start] == '\t')) {
    start++;
  }
  if (EndsWith(path, ".ndjson") || EndsWith(path, ".jsonl")) {
    simdjson::dom::document_stream docs;
    if (auto error = parser.parse_many(text, 64 << 20).get(docs); error) {
      std::fprintf(stderr, "bench_floor: error: %s: %s\n", path.c_str(),
                   simdjson::error_message(error));
      return false;
    }
    for (auto doc : docs) {
      simdjson::dom::element element;
      if (auto error = doc.get(element); error) {
        std::fprintf(stderr, "bench_floor: error: %s: record %llu: %s\n", path.c_str(),
                     static_cast<unsigned long long>(totals->json_records),
                     simdjson::error_message(error));
        return false;
      }
      totals->json_records++;
    }
    return true;
  }
  if (start < size && (data[start] == '{' || data[start] == '[')) {
    simdjson::dom::element root;
    if (auto error = parser.parse(text).get(root); error) {
      std::fprintf(stderr, "bench_floor: error: %s: %s\n", path.c_str(),
                   simdjson::error_message(error));
      return false;
    }
    simdjson::dom::array records;
    if (root.is_array()) {
      records = root.get_array().value_unsafe();
    } else if (root["value"].get(records) != simdjson::SUCCESS) {
      totals->json_records++;  // a single object
      return true;
    }
    totals->json_records += records.size();
    return true;
  }
  // A trace: count lines, and entries (header lines).
  const char* p = data;
  const char* end = data + size;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    const char* line_end = nl == nullptr ? end : nl;
    totals->lines++;
    if (IsTraceHeader(p, line_end)) totals->trace_entries++;
    if (nl == nullptr) break;
    p = nl + 1;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_floor DIR...\n");
    return 2;
  }
  std::vector<std::string> paths;
  for (int i = 1; i < argc; i++) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(argv[i], ec)) {
      paths.push_back(argv[i]);
      continue;
    }
    for (auto it = std::filesystem::recursive_directory_iterator(argv[i], ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) paths.push_back(it->path().string());
    }
    if (ec) {
      std::fprintf(stderr, "bench_floor: error: %s: %s\n", argv[i], ec.message().c_str());
      return 1;
    }
  }
  simdjson::dom::parser parser;
  Totals totals;
  for (const std::string& path : paths) {
    if (!ParseFile(parser, path, &totals)) return 1;
  }
  std::printf(
      "{\"files\": %llu, \"bytes\": %llu, \"records\": %llu, \"json_records\": %llu, "
      "\"trace_entries\": %llu, \"lines\": %llu}\n",
      static_cast<unsigned long long>(totals.files), static_cast<unsigned long long>(totals.bytes),
      static_cast<unsigned long long>(totals.json_records + totals.trace_entries),
      static_cast<unsigned long long>(totals.json_records),
      static_cast<unsigned long long>(totals.trace_entries),
      static_cast<unsigned long long>(totals.lines));
  return 0;
}
