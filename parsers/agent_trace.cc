// Provisioning-agent trace files (.NET TextWriterTraceListener) -> one Event per entry.
// An entry is a header line `<source> <Level>: <id> : <message>`, the continuation lines that
// follow it (exception text, stack frames) and the indented `Key=Value` footer lines
// (`DateTime=` gives its time). Lines before the first header form one entry of their own.
#include <re2/re2.h>

#include <string>

#include "parsers/formats.h"
#include "parsers/json_log_parser.h"
#include "parsers/text_decode.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

constexpr size_t kMaxEntryBytes = 1u << 20;  // message and raw text kept per entry

// Byte-oriented (Latin-1) so that a line holding invalid UTF-8 still matches as a header.
RE2::Options ByteOptions() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  return o;
}
const RE2& HeaderRe() {
  static const RE2 re(
      R"(^(\S.*?) (Critical|Error|Warning|Information|Verbose|Start|Stop|Suspend|Resume|Transfer): (-?\d+) : ?(.*)$)",
      ByteOptions());
  return re;
}
const RE2& FooterRe() {
  static const RE2 re(
      R"(^\s*(ProcessId|LogicalOperationStack|ThreadId|DateTime|Timestamp|Callstack)=(.*)$)",
      ByteOptions());
  return re;
}

// yyyyMMdd[-_]HHmmss anywhere in the file name (trace-agent-verbose-20261118-091502.log).
bool TimeFromFileName(std::string_view name, int64_t* ms) {
  static const RE2 re(R"((20\d\d)(\d\d)(\d\d)[-_](\d\d)(\d\d)(\d\d))");
  std::string y, mo, d, h, mi, s;
  if (!RE2::PartialMatch(name, re, &y, &mo, &d, &h, &mi, &s)) return false;
  return ParseTimestamp(y + "-" + mo + "-" + d + "T" + h + ":" + mi + ":" + s + "Z", ms);
}

// The first `max` bytes of `s`, shortened so that no UTF-8 sequence is cut in two.
std::string_view Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max;
  while (end > 0 && max - end < 4 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

// The number of spaces and tabs `s` starts with.
size_t LeadingBlanks(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && (s[n] == ' ' || s[n] == '\t')) ++n;
  return n;
}

class AgentTraceParser : public Parser {
 public:
  explicit AgentTraceParser(bool verbose) : verbose_(verbose) {}

  std::string_view name() const override { return verbose_ ? "agent-trace-verbose" : "agent-trace"; }
  EventKind kind() const override { return EventKind::kTrace; }

  int Probe(std::string_view file_name, std::string_view head, std::string* why) const override {
    // Look at the first lines for a header.
    bool header = false, verbose_source = false;
    size_t pos = 0;
    for (int n = 0; n < 40 && pos < head.size(); ++n) {
      size_t end = head.find('\n', pos);
      if (end == std::string_view::npos) end = head.size();
      std::string_view line = head.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      std::string source;
      // A trace pasted into a mail or a document, or re-indented, has its headers indented.
      if (RE2::FullMatch(line.substr(LeadingBlanks(line)), HeaderRe(), &source)) {
        header = true;
        verbose_source = source == "AAD Connect Provisioning Agent";
        break;
      }
      pos = end + 1;
    }
    bool verbose_name = file_name.find("trace-agent-verbose") != std::string_view::npos;
    bool log_name = file_name.size() > 4 && EqualsIgnoreCase(file_name.substr(file_name.size() - 4), ".log");
    char first = FirstNonSpace(head);
    if (verbose_) {
      if (header && verbose_source) {
        return Claim(why, 95, "a trace header line of the source \"AAD Connect Provisioning Agent\"");
      }
      if (header && verbose_name) {
        return Claim(why, 95, "a trace header line in a file named trace-agent-verbose*");
      }
      return 0;
    }
    if (header) return Claim(why, 90, "a trace header line \"<source> <Level>: <id> : <message>\"");
    // A .log of plain text with no header yet (a trace excerpt): a weak claim, so that any
    // *.log of the Trace folder is still read rather than skipped.
    if (log_name && first != '{' && first != '[' && first != '\0' && IsValidUtf8(Utf8Prefix(head, 1024)) &&
        head.find('\0') == std::string_view::npos) {
      return Claim(why, 15, "a *.log file of plain text with no trace header in its first lines "
                            "(read line by line, weakly)");
    }
    return 0;
  }

  Status Parse(std::string_view file_name, ByteStream* in, EventSink* sink) override {
    file_ = std::string(file_name);
    sink_ = sink;
    have_entry_ = false;
    stopped_ = false;
    last_time_ = 0;
    header_indent_ = std::string_view::npos;
    name_time_ = 0;
    (void)TimeFromFileName(file_name, &name_time_);
    LineReader reader(in);
    std::string_view line;
    bool truncated = false;
    while (!stopped_ && reader.Next(&line, &truncated)) {
      if (truncated) {
        SourceLoc loc{file_, reader.line_number(), reader.line_offset()};
        sink_->OnDataLost(loc, "line longer than the 64 MB cap was cut: its end is not kept");
      }
      // A header holds ": " and starts at the file's header indentation: none as the agent
      // writes it, or what a paste or re-indent added (the first header sets it; a header at
      // column 0 is still one). Footers and stack frames are indented further. These byte checks
      // keep the regexes off most lines.
      const size_t indent = LeadingBlanks(line);
      const std::string_view body = line.substr(indent);
      const bool indented = indent > 0;
      const bool at_header_indent =
          header_indent_ == std::string_view::npos || indent == header_indent_ || indent == 0;
      const bool maybe_header =
          !body.empty() && at_header_indent && body.find(": ") != std::string_view::npos;
      std::string source, level, id, message;
      if (maybe_header && RE2::FullMatch(body, HeaderRe(), &source, &level, &id, &message)) {
        if (header_indent_ == std::string_view::npos) {
          header_indent_ = indent;
          if (indent > 0) {
            sink_->OnWarning(SourceLoc{file_, reader.line_number(), reader.line_offset()},
                             "trace headers are indented by " + std::to_string(indent) +
                                 " blank(s) (pasted or re-indented): read as headers all the same");
          }
        }
        Flush();
        if (stopped_) break;
        StartEntry(reader.line_number(), reader.line_offset());
        entry_.activity = source;
        entry_.level = level;
        entry_.message = message;
        AppendRaw(line);
        continue;
      }
      std::string key, value;
      // Footers are indented as the agent writes them; a trace whose indentation was stripped
      // has them at column 0, and only the listener's own keys count then.
      if (have_entry_ && entry_has_header_ && (indented || header_indent_ == 0) &&
          line.find('=') != std::string_view::npos && RE2::FullMatch(line, FooterRe(), &key, &value)) {
        AppendRaw(line);
        if (key == "DateTime") {
          int64_t t;
          if (ParseTimestamp(value, &t)) {
            entry_.time_ms = t;
            entry_.time_inferred = false;
          } else {
            // Per entry, as for every record whose time does not read (the file's warnings are
            // capped, the count of the rest kept).
            sink_->OnWarning(SourceLoc{file_, reader.line_number(), reader.line_offset()},
                             UnreadTimeNote("DateTime footer", value));
          }
        }
        continue;
      }
      if (!have_entry_) {
        if (IsBlank(line)) continue;  // blank lines before anything else
        StartEntry(reader.line_number(), reader.line_offset());
        entry_has_header_ = false;
        entry_.message = std::string(line);
        AppendRaw(line);
        continue;
      }
      // A continuation line: exception text, stack frames, wrapped message.
      AppendRaw(line);
      if (entry_.message.size() < kMaxEntryBytes) {
        entry_.message.push_back('\n');
        entry_.message.append(line.substr(0, kMaxEntryBytes - entry_.message.size()));
      }
    }
    if (!stopped_) Flush();
    return reader.status();
  }

 private:
  void StartEntry(uint64_t line, uint64_t offset) {
    entry_.Clear();
    entry_.kind = EventKind::kTrace;
    entry_.loc.file = file_;
    entry_.loc.line = line;
    entry_.loc.offset = offset;
    entry_.record_id = file_ + ":" + std::to_string(line);
    raw_.clear();
    have_entry_ = true;
    entry_has_header_ = true;
  }

  void AppendRaw(std::string_view line) {
    if (raw_.size() >= kMaxEntryBytes) return;
    if (!raw_.empty()) raw_.push_back('\n');
    raw_.append(line.substr(0, kMaxEntryBytes - raw_.size()));
  }

  void Flush() {
    if (!have_entry_) return;
    have_entry_ = false;
    while (!entry_.message.empty() &&
           (entry_.message.back() == '\n' || entry_.message.back() == ' ')) {
      entry_.message.pop_back();
    }
    if (entry_.time_ms == 0) {
      // No DateTime footer: the previous entry's time, else the time in the file name.
      if (last_time_ != 0) {
        entry_.time_ms = last_time_;
        entry_.time_inferred = true;
      } else if (name_time_ != 0) {
        entry_.time_ms = name_time_;
        entry_.time_inferred = true;
      }
    } else {
      last_time_ = entry_.time_ms;
    }
    entry_.raw = raw_;
    stopped_ = !sink_->OnEvent(entry_);
  }

  bool verbose_;
  std::string file_;
  EventSink* sink_ = nullptr;
  Event entry_;
  std::string raw_;
  bool have_entry_ = false;
  bool stopped_ = false;
  bool entry_has_header_ = false;
  size_t header_indent_ = std::string_view::npos;  // blanks before the headers; npos: none seen
  int64_t last_time_ = 0;
  int64_t name_time_ = 0;
};

}  // namespace

std::unique_ptr<Parser> NewAgentTraceParser() { return std::make_unique<AgentTraceParser>(false); }
std::unique_ptr<Parser> NewAgentTraceVerboseParser() {
  return std::make_unique<AgentTraceParser>(true);
}

}  // namespace syncdoctor
