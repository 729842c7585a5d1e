#include "parsers/json_records.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

namespace syncdoctor {

namespace {

constexpr size_t kPadding = 64;  // >= SIMDJSON_PADDING
constexpr size_t kRawCap = 4096;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsWrapperKey(const std::string& key) {
  std::string k = key;
  for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k == "value" || k == "records";
}

// Bytes that end a run inside a JSON string: the closing quote, an escape, a line break.
constexpr std::array<bool, 256> MakeStringStops() {
  std::array<bool, 256> t{};
  t['"'] = t['\\'] = t['\n'] = true;
  return t;
}
constexpr std::array<bool, 256> kStringStop = MakeStringStops();

// The scanner's state between chunks.
struct ScanState {
  enum class Mode {
    kTop,          // between top-level values
    kTopValue,     // inside a top-level value that may still turn out to be a wrapper
    kArray,        // inside a record array, between elements
    kElement,      // inside an element of a record array
    kWrapperTail,  // inside a wrapper object after its record array: skipped
    kJunk,         // a top-level line that is not JSON: skipped to its end
  };
  Mode mode = Mode::kTop;
  int depth = 0;
  int array_depth = 0;    // depth inside the record array
  bool in_string = false;
  bool escape = false;
  bool top_is_array = false;
  // Wrapper detection inside a top-level object.
  std::string key;          // the last string at depth 1 (object keys of the top-level object)
  bool key_capturing = false;
  bool colon_after_key = false;
  // The record being collected.
  std::string cur;
  bool oversize = false;
  bool has_newline = false;
  uint64_t start_line = 0, start_offset = 0;
  // Input position.
  uint64_t line = 1, offset = 0;
  bool ndjson = false;      // a single-line top-level record was seen: lines cut records
  bool any_top = false;
  bool line_start = true;   // the previous byte was a newline (or there was none)
};

}  // namespace

size_t StripTrailingCommas(std::string* json) {
  std::string& s = *json;
  size_t removed = 0, w = 0;
  bool in_str = false, esc = false;
  size_t pending_comma = std::string::npos;  // write position of a comma that may be trailing
  for (size_t r = 0; r < s.size(); ++r) {
    char c = s[r];
    if (in_str) {
      if (esc) esc = false;
      else if (c == '\\') esc = true;
      else if (c == '"') in_str = false;
      s[w++] = c;
      continue;
    }
    if (c == '"') {
      in_str = true;
      pending_comma = std::string::npos;
    } else if (c == ',') {
      pending_comma = w;
    } else if (c == ']' || c == '}') {
      if (pending_comma != std::string::npos) {
        // Drop the comma from what is already written (whitespace after it moves left).
        std::memmove(&s[pending_comma], &s[pending_comma + 1], w - pending_comma - 1);
        --w;
        ++removed;
      }
      pending_comma = std::string::npos;
    } else if (!IsSpace(c)) {
      pending_comma = std::string::npos;
    }
    s[w++] = c;
  }
  s.resize(w);
  return removed;
}

Status JsonRecordScanner::Scan(ByteStream* in, const RecordFn& on_record, const BadFn& on_bad,
                               const WarnFn& on_warn) {
  using Mode = ScanState::Mode;
  ScanState st;
  std::string chunk(1 << 16, '\0');

  auto begin_record = [&](uint64_t line, uint64_t offset) {
    st.cur.clear();
    st.oversize = false;
    st.has_newline = false;
    st.start_line = line;
    st.start_offset = offset;
  };
  auto add = [&](char c) {
    if (st.oversize) return;
    if (st.cur.size() >= max_record_) {
      st.oversize = true;
      return;
    }
    st.cur.push_back(c);
  };
  auto add_span = [&](const char* p, size_t n) {
    if (st.oversize) return;
    if (st.cur.size() + n > max_record_) {
      st.cur.append(p, max_record_ - st.cur.size());
      st.oversize = true;
      return;
    }
    st.cur.append(p, n);
  };
  // A bad piece is held back until the next record starts: the debris that follows a broken
  // record (the rest of a line cut inside a string, a stray '}') belongs to it, and is kept with
  // it rather than counted as more unparsed records.
  struct PendingBad {
    bool has = false;
    uint64_t line = 0, offset = 0;
    std::string reason, raw;
    int debris = 0;
    bool record = false;  // a record that began and broke (not a line of junk)
  } pending;
  auto flush_bad = [&]() {
    if (!pending.has) return;
    pending.has = false;
    std::string reason = pending.reason;
    if (pending.debris > 0) {
      reason += " (with " + std::to_string(pending.debris) + " piece(s) of its debris after it)";
    }
    on_bad(pending.line, pending.offset, reason, pending.raw);
  };
  auto hold_bad = [&](uint64_t line, uint64_t offset, std::string reason, std::string_view raw) {
    flush_bad();
    pending.has = true;
    pending.line = line;
    pending.offset = offset;
    pending.reason = std::move(reason);
    pending.raw.assign(raw.substr(0, kRawCap));
    pending.debris = 0;
    pending.record = true;
  };
  // Junk right after a broken record is its debris and joins it; so does a piece of nothing but
  // closing brackets and commas after any bad piece. Other junk (a line of other text) is a bad
  // piece of its own.
  auto only_closers = [](std::string_view text) {
    return text.find_first_not_of("}]), \t\r\n") == std::string_view::npos;
  };
  auto junk = [&](std::string_view reason) {
    if (pending.has && (pending.record || only_closers(st.cur))) {
      if (pending.raw.size() < kRawCap) {
        pending.raw += "\n";
        pending.raw.append(std::string_view(st.cur).substr(0, kRawCap - std::min(kRawCap, pending.raw.size())));
      }
      ++pending.debris;
    } else {
      hold_bad(st.start_line, st.start_offset, std::string(reason), st.cur);
      pending.record = false;
    }
    st.cur.clear();
  };
  auto emit = [&](bool wrapped) {
    if (st.oversize) {
      hold_bad(st.start_line, st.start_offset,
             max_record_ >= (1u << 20)
                 ? "record larger than the " + std::to_string(max_record_ >> 20) + " MB cap"
                 : "record larger than the " + std::to_string(max_record_) + " byte cap",
             std::string_view(st.cur).substr(0, kRawCap));
    } else {
      flush_bad();
      st.cur.reserve(st.cur.size() + kPadding);
      JsonRecord rec;
      rec.text = st.cur;
      rec.line = st.start_line;
      rec.offset = st.start_offset;
      rec.wrapped = wrapped;
      on_record(rec);
    }
    st.cur.clear();
  };
  // Follows strings and nesting for one byte outside a string.
  auto track = [&](char c) {
    if (c == '"') {
      st.in_string = true;
    } else if (c == '{' || c == '[') {
      ++st.depth;
    } else if (c == '}' || c == ']') {
      --st.depth;
    }
  };
  auto bad = [&](std::string_view reason) {
    hold_bad(st.start_line, st.start_offset, std::string(reason), st.cur);
    st.cur.clear();
  };

  for (;;) {
    size_t got = 0;
    Status s = in->Read(chunk.data(), chunk.size(), &got);
    if (!s.ok()) return s;
    if (got == 0) break;
    for (size_t i = 0; i < got; ++i) {
      // Fast path: most bytes of a log record are inside strings, where only '"', '\\' and a
      // line break mean anything. Runs of other bytes are copied in one go (about 3x faster
      // than the byte-at-a-time state machine on provisioning records).
      if (st.in_string && !st.escape && !st.key_capturing) {
        size_t j = i;
        while (j < got && !kStringStop[static_cast<unsigned char>(chunk[j])]) ++j;
        if (j > i) {
          if (st.mode == Mode::kTopValue || st.mode == Mode::kElement) add_span(chunk.data() + i, j - i);
          st.offset += j - i;
          st.line_start = false;
          i = j;
          if (i == got) break;
        }
      }
      const char c = chunk[i];
      const uint64_t here_line = st.line, here_offset = st.offset;
      const bool at_line_start = st.line_start;
      st.line_start = (c == '\n');
      ++st.offset;
      if (c == '\n') ++st.line;
      // An object that opens at the very start of a line while a top-level record is still open
      // means that record was cut (a truncated NDJSON line): report it and start afresh. Pretty
      // JSON indents nested objects, so this does not split a real record.
      if (c == '{' && at_line_start && !st.in_string && st.mode == Mode::kTopValue) {
        bad("unterminated JSON record: a new record starts on the next line");
        st.mode = Mode::kTop;
        st.depth = 0;
      }

      switch (st.mode) {
        case Mode::kJunk:
          if (c == '\n') {
            junk("not JSON: expected '{' or '[' at the start of a record");
            st.mode = Mode::kTop;
          } else {
            add(c);
          }
          continue;
        case Mode::kTop:
          if (IsSpace(c) || c == ',') continue;
          begin_record(here_line, here_offset);
          if (c == '{' || c == '[') {
            add(c);
            st.depth = 1;
            st.in_string = st.escape = false;
            st.key.clear();
            st.key_capturing = st.colon_after_key = false;
            st.top_is_array = (c == '[');
            if (st.top_is_array) {
              st.mode = Mode::kArray;
              st.array_depth = 1;
              st.cur.clear();
            } else {
              st.mode = Mode::kTopValue;
            }
          } else {
            add(c);
            st.mode = Mode::kJunk;
          }
          continue;
        default:
          break;
      }

      // Modes inside JSON: track strings and depth first.
      if (st.in_string) {
        if (st.escape) {
          st.escape = false;
        } else if (c == '\\') {
          st.escape = true;
        } else if (c == '"') {
          st.in_string = false;
          if (st.key_capturing) {
            st.key_capturing = false;
            st.colon_after_key = false;
          }
        } else if (st.key_capturing && st.key.size() < 32) {
          st.key.push_back(c);
        }
        if (c == '\n') st.has_newline = true;
        if (st.mode == Mode::kTopValue || st.mode == Mode::kElement) add(c);
        // A raw line break is never valid inside a JSON string: the line was cut there.
        if (st.mode == Mode::kTopValue && c == '\n') {
          bad("unterminated JSON record: the line ends inside a string");
          st.mode = Mode::kTop;
          st.depth = 0;
          st.in_string = false;
        }
        continue;
      }

      switch (st.mode) {
        case Mode::kTopValue: {
          // A line break outside a string is whitespace: in NDJSON too a record may go on over
          // the next line (an editor wrapped it); only a '{' opening the next line (above) ends
          // a record that never closed.
          if (c == '\n') st.has_newline = true;
          if (c == '"') {
            st.in_string = true;
            if (st.depth == 1 && !st.colon_after_key) {
              st.key.clear();
              st.key_capturing = true;
            }
          } else if (c == ':' && st.depth == 1) {
            st.colon_after_key = true;
          } else if (c == ',' && st.depth == 1) {
            st.colon_after_key = false;
          } else if (c == '[' && st.depth == 1 && st.colon_after_key && IsWrapperKey(st.key)) {
            // {"value":[ ... ]}: a wrapper; its elements are the records.
            st.depth = 2;
            st.array_depth = 2;
            st.mode = Mode::kArray;
            st.cur.clear();
            continue;
          } else if (c == '{' || c == '[') {
            ++st.depth;
          } else if (c == '}' || c == ']') {
            --st.depth;
          }
          add(c);
          if (st.depth == 0) {
            if (!st.any_top && !st.has_newline) st.ndjson = true;
            st.any_top = true;
            emit(false);
            st.mode = Mode::kTop;
          }
          break;
        }
        case Mode::kArray: {
          if (IsSpace(c) || c == ',') break;
          if (c == ']') {
            --st.depth;
            st.mode = st.depth == 0 ? Mode::kTop : Mode::kWrapperTail;
            if (st.depth == 0) st.any_top = true;
            break;
          }
          if (c == '}') {  // malformed: an object closes where an element was expected
            begin_record(here_line, here_offset);
            add(c);
            junk("unexpected '}' inside an array of records");
            --st.depth;
            if (st.depth <= 0) {
              st.depth = 0;
              st.mode = Mode::kTop;
            }
            break;
          }
          begin_record(here_line, here_offset);
          add(c);
          st.mode = Mode::kElement;
          track(c);
          break;
        }
        case Mode::kElement: {
          bool scalar = st.depth == st.array_depth;  // a bare scalar element
          if (scalar && (c == ',' || c == ']' || IsSpace(c))) {
            emit(true);
            st.mode = Mode::kArray;
            if (c == ']') {
              --st.depth;
              st.mode = st.depth == 0 ? Mode::kTop : Mode::kWrapperTail;
            }
            break;
          }
          if (c == '\n') st.has_newline = true;
          track(c);
          add(c);
          if (st.depth == st.array_depth && !scalar) {
            emit(true);
            st.mode = Mode::kArray;
          }
          break;
        }
        case Mode::kWrapperTail: {
          track(c);
          if (st.depth == 0) {
            st.mode = Mode::kTop;
            st.any_top = true;
          }
          break;
        }
        default:
          break;
      }
    }
  }

  // End of input.
  switch (st.mode) {
    case Mode::kTop:
      break;
    case Mode::kJunk:
      junk("not JSON: expected '{' or '[' at the start of a record");
      break;
    case Mode::kTopValue:
    case Mode::kElement:
      bad("truncated: the input ends inside a JSON record");
      break;
    case Mode::kArray:
    case Mode::kWrapperTail:
      on_warn(st.line, "truncated: the input ends before the record array is closed");
      break;
  }
  flush_bad();
  return Status::Ok();
}

}  // namespace syncdoctor
