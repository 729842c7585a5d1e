// Windows event logs (.evtx, from the agent's diagnostics zip) -> one Event per record, through
// libevtx reading from memory (libbfio memory range). There are no message templates offline, so
// the message is the provider, event id and insertion strings. Damaged chunks are reported and
// the records libevtx can still read (and recover) are kept.
#include <libbfio.h>
#include <libevtx.h>

#include <string>
#include <vector>

#include "parsers/formats.h"
#include "parsers/json_log_parser.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

constexpr size_t kMaxEvtxBytes = size_t{1} << 30;  // a file is read whole: libevtx seeks
constexpr size_t kMaxRawBytes = 64 << 10;

std::string EvtxError(libevtx_error_t* error) {
  if (error == nullptr) return "unknown libevtx error";
  char buf[512];
  std::string out = libevtx_error_sprint(error, buf, sizeof buf) > 0 ? buf : "unknown libevtx error";
  libevtx_error_free(&error);
  // libevtx prints one line per frame of its call stack; the last one says what went wrong.
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  size_t nl = out.rfind('\n');
  return nl == std::string::npos ? out : out.substr(nl + 1);
}

// Reads a UTF-8 string property with libevtx's size/get function pair.
template <typename SizeFn, typename GetFn>
std::string Utf8Prop(libevtx_record_t* rec, SizeFn size_fn, GetFn get_fn) {
  size_t size = 0;
  if (size_fn(rec, &size, nullptr) != 1 || size == 0) return "";
  std::string s(size, '\0');
  if (get_fn(rec, reinterpret_cast<uint8_t*>(s.data()), size, nullptr) != 1) return "";
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

std::string XmlElement(std::string_view xml, std::string_view name) {
  std::string open = "<" + std::string(name) + ">";
  size_t a = xml.find(open);
  if (a == std::string_view::npos) return "";
  a += open.size();
  size_t b = xml.find('<', a);
  if (b == std::string_view::npos) return "";
  return std::string(xml.substr(a, b - a));
}

// The value of attribute `attr` of the first element `name` ("" when absent): libevtx writes
// <TimeCreated SystemTime="2016-07-08T18:12:51.681640600Z"/>.
std::string XmlAttribute(std::string_view xml, std::string_view name, std::string_view attr) {
  std::string open = "<" + std::string(name);
  size_t a = xml.find(open);
  if (a == std::string_view::npos) return "";
  size_t end = xml.find('>', a);
  std::string_view tag = xml.substr(a, end == std::string_view::npos ? std::string_view::npos : end - a);
  std::string key = " " + std::string(attr) + "=\"";
  size_t k = tag.find(key);
  if (k == std::string_view::npos) return "";
  k += key.size();
  size_t q = tag.find('"', k);
  if (q == std::string_view::npos) return "";
  return std::string(tag.substr(k, q - k));
}

std::string_view LevelName(uint8_t level) {
  switch (level) {
    case 1: return "Critical";
    case 2: return "Error";
    case 3: return "Warning";
    case 5: return "Verbose";
    default: return "Information";  // 0 (LogAlways) and 4
  }
}

class EvtxParser : public Parser {
 public:
  std::string_view name() const override { return "evtx"; }
  EventKind kind() const override { return EventKind::kEventLog; }
  bool wants_raw_bytes() const override { return true; }

  int Probe(std::string_view, std::string_view head, std::string* why) const override {
    if (head.substr(0, 8) != std::string_view("ElfFile\0", 8)) return 0;
    return Claim(why, 100, "the file starts with the event log signature \"ElfFile\"");
  }

  Status Parse(std::string_view file_name, ByteStream* in, EventSink* sink) override {
    std::string data;
    Status s = ReadUpTo(in, kMaxEvtxBytes + 1, &data);
    if (!s.ok()) return s;
    SourceLoc loc{std::string(file_name), 0, 0};
    if (data.size() > kMaxEvtxBytes) {
      sink->OnBadInput(loc, "event log larger than the 1 GB cap", std::string_view(data).substr(0, 4096));
      return Status::Ok();
    }
    libbfio_handle_t* handle = nullptr;
    libevtx_file_t* file = nullptr;
    libevtx_error_t* error = nullptr;
    std::string failure;
    if (libbfio_memory_range_initialize(&handle, nullptr) != 1 ||
        libbfio_memory_range_set(handle, reinterpret_cast<uint8_t*>(data.data()), data.size(),
                                 nullptr) != 1) {
      failure = "cannot set up an in-memory reader";
    } else if (libevtx_file_initialize(&file, &error) != 1) {
      failure = EvtxError(error);
    } else if (libevtx_file_open_file_io_handle(file, handle, LIBEVTX_OPEN_READ, &error) != 1) {
      failure = "not a readable event log: " + EvtxError(error);
    }
    if (failure.empty()) {
      ReadRecords(file, loc, sink);
      libevtx_file_close(file, nullptr);
    } else {
      sink->OnBadInput(loc, failure, std::string_view(data).substr(0, 4096));
    }
    if (file != nullptr) libevtx_file_free(&file, nullptr);
    if (handle != nullptr) libbfio_handle_free(&handle, nullptr);
    return Status::Ok();
  }

 private:
  void ReadRecords(libevtx_file_t* file, SourceLoc loc, EventSink* sink) {
    int count = 0, recovered = 0;
    libevtx_file_get_number_of_records(file, &count, nullptr);
    libevtx_file_get_number_of_recovered_records(file, &recovered, nullptr);
    if (libevtx_file_is_corrupted(file, nullptr) == 1) {
      sink->OnWarning(loc, "libevtx flags the log as corrupted (a chunk or record failed its checks); " +
                               std::to_string(count) + " records read, " +
                               std::to_string(recovered) + " recovered from damaged or free space");
    }
    int unreadable_recovered = 0;
    for (int pass = 0; pass < 2; ++pass) {
      int n = pass == 0 ? count : recovered;
      for (int i = 0; i < n; ++i) {
        libevtx_record_t* rec = nullptr;
        libevtx_error_t* error = nullptr;
        int rc = pass == 0 ? libevtx_file_get_record_by_index(file, i, &rec, &error)
                           : libevtx_file_get_recovered_record_by_index(file, i, &rec, &error);
        loc.line = static_cast<uint64_t>(i) + 1 + (pass == 0 ? 0 : count);
        loc.offset = 0;
        if (rc != 1 && pass == 1) {
          // Recovered records are fragments found in free or damaged space, not records the
          // log holds: one that cannot be read is noted, not counted as lost.
          ++unreadable_recovered;
          libevtx_error_free(&error);
          continue;
        }
        if (rc != 1) {
          sink->OnBadInput(loc, std::string(pass == 0 ? "record " : "recovered record ") +
                                    std::to_string(i) + " cannot be read: " + EvtxError(error),
                           "");
          continue;
        }
        bool more = MapRecord(rec, pass == 1, loc, sink);
        libevtx_record_free(&rec, nullptr);
        if (!more) return;
      }
    }
    if (unreadable_recovered > 0) {
      loc.line = 0;
      sink->OnWarning(loc, std::to_string(unreadable_recovered) +
                               " recovered record fragment(s) could not be read and are left out");
    }
  }

  // Returns what the sink's OnEvent returned: false = stop.
  bool MapRecord(libevtx_record_t* rec, bool recovered, const SourceLoc& loc, EventSink* sink) {
    event_.Clear();
    event_.kind = EventKind::kEventLog;
    event_.loc = loc;
    uint64_t offset = 0;
    if (libevtx_record_get_offset(rec, reinterpret_cast<off64_t*>(&offset), nullptr) == 1) {
      event_.loc.offset = offset;
    }
    uint64_t number = 0, filetime = 0;
    uint32_t event_id = 0;
    uint8_t level = 0;
    libevtx_record_get_identifier(rec, &number, nullptr);
    libevtx_record_get_event_identifier(rec, &event_id, nullptr);
    libevtx_record_get_event_level(rec, &level, nullptr);
    std::string provider = Utf8Prop(rec, libevtx_record_get_utf8_source_name_size,
                                    libevtx_record_get_utf8_source_name);
    std::string computer = Utf8Prop(rec, libevtx_record_get_utf8_computer_name_size,
                                    libevtx_record_get_utf8_computer_name);
    xml_ = Utf8Prop(rec, libevtx_record_get_utf8_xml_string_size, libevtx_record_get_utf8_xml_string);
    std::string channel = XmlElement(xml_, "Channel");
    // The event's time is System/TimeCreated/@SystemTime. The record header's written time is
    // when the record was written to this file: a log saved from Event Viewer as filtered or
    // selected events is written later (or with no time at all), so it is only the fallback.
    std::string created = XmlAttribute(xml_, "TimeCreated", "SystemTime");
    int64_t ms = 0;
    TimeText created_is = ReadTimestamp(created, &ms);
    if (created_is == TimeText::kTime) {
      event_.time_ms = ms;
    } else {
      std::string what = created.empty() ? std::string("no System/TimeCreated")
                                         : UnreadTimeNote("TimeCreated/@SystemTime", created);
      if (libevtx_record_get_written_time(rec, &filetime, nullptr) == 1 && filetime != 0) {
        // FILETIME: 100 ns ticks since 1601-01-01.
        event_.time_ms = static_cast<int64_t>(filetime / 10000) - 11644473600000LL;
        event_.note = "event record " + std::to_string(number) + ": " + what +
                      "; the time the record was written to the file is used instead";
      } else {
        event_.note = "event record " + std::to_string(number) + ": " + what +
                      " and no written time: the event has no time";
      }
    }
    if (xml_.size() > kMaxRawBytes) xml_.resize(kMaxRawBytes);

    event_.level = std::string(LevelName(level));
    event_.record_id = channel + "/" + computer + "/" + std::to_string(number);
    event_.activity = provider + "/" + std::to_string(event_id & 0xFFFF);
    event_.source_identity = computer;
    event_.reason = channel;
    int strings = 0;
    libevtx_record_get_number_of_strings(rec, &strings, nullptr);
    for (int k = 0; k < strings; ++k) {
      size_t size = 0;
      std::string value;
      if (libevtx_record_get_utf8_string_size(rec, k, &size, nullptr) == 1 && size > 0) {
        value.assign(size, '\0');
        if (libevtx_record_get_utf8_string(rec, k, reinterpret_cast<uint8_t*>(value.data()), size,
                                           nullptr) != 1) {
          value.clear();
        }
        while (!value.empty() && value.back() == '\0') value.pop_back();
      }
      if (k > 0) event_.message += " | ";
      event_.message += value;
    }
    if (recovered) event_.message = "(recovered record) " + event_.message;
    event_.raw = xml_;
    if (!event_.note.empty()) sink->OnWarning(event_.loc, event_.note);
    return sink->OnEvent(event_);
  }

  Event event_;
  std::string xml_;
};

}  // namespace

std::unique_ptr<Parser> NewEvtxParser() { return std::make_unique<EvtxParser>(); }

}  // namespace syncdoctor
