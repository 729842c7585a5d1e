#include "analyzer/ingest.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "analyzer/sha256.h"
#include "parsers/registry.h"
#include "parsers/text_decode.h"

namespace syncdoctor {

namespace {

constexpr size_t kHeadBytes = 4096;

std::string HeadHash(std::string_view head) {
  Sha256 sha;
  sha.Update(head);
  return sha.HexDigest();
}
constexpr size_t kMaxWarnings = 20;

std::string_view KindOfFormat(std::string_view format) {
  if (format.rfind("provisioning-", 0) == 0) return "provisioning";
  if (format.rfind("audit-", 0) == 0) return "audit";
  if (format.rfind("job-", 0) == 0) return "job";
  if (format.rfind("agent-trace", 0) == 0) return "trace";
  if (format == "evtx") return "eventlog";
  return "";
}

// What an unclaimed file looks like, for the skip reason.
std::string DescribeUnclaimed(std::string_view text_head) {
  size_t ctrl = 0;
  for (unsigned char c : text_head.substr(0, 512)) {
    if (c < 0x09 || (c > 0x0d && c < 0x20)) ++ctrl;
  }
  if (ctrl > 0) return "binary content that no parser recognises";
  size_t nl = text_head.find('\n');
  std::string_view first = text_head.substr(0, nl);
  char c = 0;
  for (char ch : text_head) {
    if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t') { c = ch; break; }
  }
  if (c == '{' || c == '[') {
    // Name the first keys: what the file is, or which parser should have known it.
    std::string keys;
    int n = 0;
    for (size_t p = text_head.find('"'); p != std::string_view::npos && n < 6;
         p = text_head.find('"', p + 1)) {
      size_t q = text_head.find('"', p + 1);
      if (q == std::string_view::npos || q - p > 48) break;
      size_t r = q + 1;
      while (r < text_head.size() && (text_head[r] == ' ' || text_head[r] == '\t')) ++r;
      if (r < text_head.size() && text_head[r] == ':') {
        std::string_view key = text_head.substr(p + 1, q - p - 1);
        if (keys.find("\"" + std::string(key) + "\"") == std::string::npos) {
          keys += (keys.empty() ? "" : ", ") + ("\"" + std::string(key) + "\"");
          ++n;
        }
      }
      p = q;
    }
    return "JSON that matches no known log shape" + (keys.empty() ? std::string() : " (first keys: " + keys + ")");
  }
  if (std::count(first.begin(), first.end(), '\t') >= 2) return "tab-separated text that no parser recognises";
  if (std::count(first.begin(), first.end(), ',') >= 3) {
    return "CSV whose header matches no known export (portal audit or provisioning download, "
           "Log Analytics)";
  }
  return "text that matches no known log format";
}

class IngestSink : public EventSink {
 public:
  IngestSink(Index* index, const Matcher& matcher, SourceRow* row, IngestProgress* progress)
      : index_(index), matcher_(matcher), row_(row), progress_(progress) {}

  bool OnEvent(const Event& e) override { return Apply(e, nullptr, nullptr); }

  // Stores `e`; its signature hits, their scope, its content key and where its text was put
  // come from a worker when given, else they are computed here (and e.raw is stored).
  bool Apply(const Event& e, const std::vector<int>* hits, const std::string* scope,
             int64_t content_key = 0, const RawRef* raw = nullptr) {
    inserted_ = false;
    if (!status_.ok()) return false;
    int64_t id = 0;
    // Trace entries have no id of their own, only a position: qualify it with the bundle, so that
    // two bundles' Trace/agent.log are not taken for each other.
    if (e.kind == EventKind::kTrace) {
      qualified_id_ = row_->bundle + "|" + e.record_id;
      status_ = index_->InsertEvent(row_->id, e, &inserted_, &id, qualified_id_, content_key, raw);
    } else {
      status_ = index_->InsertEvent(row_->id, e, &inserted_, &id, {}, content_key, raw);
    }
    if (!status_.ok()) return false;
    if (!inserted_) {
      ++row_->duplicates;
      return true;
    }
    ++row_->events;
    if (progress_ != nullptr && (++progress_->events & 4095) == 0 && progress_->report) {
      progress_->report(*progress_);
    }
    if (e.time_ms != 0) {
      if (row_->first_time == 0 || e.time_ms < row_->first_time) row_->first_time = e.time_ms;
      if (e.time_ms > row_->last_time) row_->last_time = e.time_ms;
    }
    if (hits == nullptr) {
      status_ = matcher_.Match(e, &scratch_, &hits_);
      if (!status_.ok()) return false;
      hits = &hits_;
    }
    if (!hits->empty()) {
      if (scope == nullptr) {
        scope_ = ScopeOf(e, row_->path);
        scope = &scope_;
      }
      for (int h : *hits) {
        status_ = index_->InsertMatch(matcher_.signatures()[h].id, *scope, id);
        if (!status_.ok()) return false;
      }
    }
    return true;
  }

  void OnBadInput(const SourceLoc& loc, std::string_view reason, std::string_view raw) override {
    if (!status_.ok()) return;
    ++row_->unparsed;
    if (first_bad_.empty()) {
      first_bad_ = row_->path + ":" + std::to_string(loc.line) + ": " + std::string(reason);
    }
    status_ = index_->InsertUnparsed(row_->id, loc, reason, raw);
  }

  void OnWarning(const SourceLoc& loc, std::string_view message) override {
    std::string w = (loc.line > 0 ? "line " + std::to_string(loc.line) + ": " : std::string()) +
                    std::string(message);
    if (row_->warnings.size() < kMaxWarnings) {
      row_->warnings.push_back(std::move(w));
    } else {
      ++extra_warnings_;
    }
  }

  const Status& status() const { return status_; }
  // Whether the last Apply stored its event (false for a duplicate).
  bool inserted() const { return inserted_; }
  void OnDataLost(const SourceLoc& loc, std::string_view message) override {
    if (first_lost_.empty()) {
      first_lost_ = row_->path + ":" + std::to_string(loc.line) + ": " + std::string(message);
    }
    OnWarning(loc, message);
  }

  const std::string& first_bad() const { return first_bad_; }
  const std::string& first_lost() const { return first_lost_; }
  int64_t extra_warnings() const { return extra_warnings_; }

 private:
  Index* index_;
  const Matcher& matcher_;
  SourceRow* row_;
  IngestProgress* progress_;
  Status status_;
  Matcher::Scratch scratch_;
  std::vector<int> hits_;
  std::string scope_;
  std::string first_bad_, first_lost_;
  std::string qualified_id_;
  int64_t extra_warnings_ = 0;
  bool inserted_ = false;
};

// A bounded queue between threads. Push blocks while it is full, Pop while it is empty; after
// Close, Push fails and Pop drains what is left, then fails.
template <typename T>
class BlockingQueue {
 public:
  explicit BlockingQueue(size_t capacity) : capacity_(capacity) {}
  bool Push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  bool Pop(T* out) {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return false;
    *out = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

// A batch of one file's parsed and matched events, passed from a worker to the writer. Chunks
// are recycled, and events are copied into slots that keep their strings' capacity, so that the
// steady state allocates nothing per event.
struct Chunk {
  struct Bad {
    SourceLoc loc;
    std::string reason, raw;
  };
  struct Warning {
    SourceLoc loc;
    std::string message;
    bool lost = false;  // OnDataLost
  };
  size_t n = 0;                           // events used in the vectors below
  std::vector<Event> events;               // with an empty `raw`: their text is in `raw`
  RawBlockBuilder raw;                     // the events' record texts, deflated by the worker
  std::vector<RawRef> refs;                // per event: block index in `raw`, or -1 for no text
  std::vector<std::vector<int>> hits;     // signature indexes per event
  std::vector<std::string> scopes;        // finding scope per event (set when it has hits)
  std::vector<int64_t> keys;              // ContentKey per event
  std::vector<Bad> bad;
  std::vector<Warning> warnings;
  bool empty() const { return n == 0 && bad.empty() && warnings.empty(); }
  void Clear() {
    n = 0;
    raw.Clear();
    bad.clear();
    warnings.clear();
  }
};

constexpr size_t kChunkEvents = 256;

class ChunkPool {
 public:
  std::unique_ptr<Chunk> Get() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::make_unique<Chunk>();
    std::unique_ptr<Chunk> c = std::move(free_.back());
    free_.pop_back();
    return c;
  }
  void Put(std::unique_ptr<Chunk> c) {
    c->Clear();
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < 24) free_.push_back(std::move(c));
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Chunk>> free_;
};

// One unit of work for the writer, in the order of the walk: a row to record as it is (skipped,
// failed), or a file that a worker (or the walker itself) parses into chunks.
struct FileJob {
  bool parse = false;
  SourceRow row;
  std::string status, reason;  // a row to record
  // A file to parse.
  std::string format;
  Encoding encoding = Encoding::kUtf8;
  bool binary = false;
  std::string disk_path;       // read again from disk by the worker, or
  std::string bytes;           // an archive entry, held in memory
  std::string known_sha;       // the hash known before reading (files on disk)
  BlockingQueue<std::unique_ptr<Chunk>> chunks{4};
  // Set by the producer before it closes `chunks`.
  Status parse_status;
  int64_t replacements = 0;
  std::string sha;             // hash of what was read (archive entries)
  int64_t bytes_read = -1;
};

// The worker side of an EventSink: matches each event and hands it on in chunks.
class ChunkSink : public EventSink {
 public:
  ChunkSink(const Matcher& matcher, FileJob* job, ChunkPool* pool, const std::atomic<bool>* cancel)
      : matcher_(matcher), job_(job), pool_(pool), cancel_(cancel), cur_(pool->Get()) {}

  bool OnEvent(const Event& e) override {
    if (!status_.ok() || cancel_->load(std::memory_order_relaxed)) return false;
    Chunk& c = *cur_;
    if (c.n < c.events.size()) {
      c.events[c.n] = e;
    } else {
      c.events.push_back(e);
      c.refs.emplace_back();
      c.hits.emplace_back();
      c.scopes.emplace_back();
      c.keys.emplace_back();
    }
    c.keys[c.n] = ContentKey(e);
    c.refs[c.n] = c.raw.Add(e.raw);
    c.events[c.n].raw = std::string_view();  // the parser's buffer: not valid past this call
    status_ = matcher_.Match(e, &scratch_, &c.hits[c.n]);
    if (!status_.ok()) return false;
    if (!c.hits[c.n].empty()) c.scopes[c.n] = ScopeOf(e, job_->row.path);
    ++c.n;
    return c.n < kChunkEvents || Flush();
  }
  void OnBadInput(const SourceLoc& loc, std::string_view reason, std::string_view raw) override {
    cur_->bad.push_back(Chunk::Bad{loc, std::string(reason), std::string(raw)});
    if (cur_->bad.size() >= kChunkEvents) Flush();
  }
  void OnWarning(const SourceLoc& loc, std::string_view message) override {
    cur_->warnings.push_back(Chunk::Warning{loc, std::string(message), false});
  }
  void OnDataLost(const SourceLoc& loc, std::string_view message) override {
    cur_->warnings.push_back(Chunk::Warning{loc, std::string(message), true});
  }
  // Hands the current chunk to the writer (blocking while the file's queue is full).
  bool Flush() {
    if (cur_->empty()) return true;
    cur_->raw.Seal();  // deflated here, in parallel, rather than by the one writer
    if (!job_->chunks.Push(std::move(cur_))) return false;
    cur_ = pool_->Get();
    return true;
  }
  const Status& status() const { return status_; }

 private:
  const Matcher& matcher_;
  FileJob* job_;
  ChunkPool* pool_;
  const std::atomic<bool>* cancel_;
  std::unique_ptr<Chunk> cur_;
  Matcher::Scratch scratch_;
  Status status_;
};

// Archive entries up to this size are read into memory and parsed by a worker; larger ones are
// parsed by the walking thread as they stream, so that memory stays bounded.
constexpr size_t kMaxEntryInMemory = 16u << 20;

class Ingester : public BundleVisitor {
 public:
  Ingester(const IngestOptions& options, Index* index, const Matcher& matcher, IngestStats* stats)
      : opt_(options), index_(index), matcher_(matcher), stats_(stats),
        work_(static_cast<size_t>(std::max(1, options.jobs))),
        writes_(static_cast<size_t>(std::max(1, options.jobs)) * 4) {}

  ~Ingester() { (void)Stop(); }

  // With jobs > 1: a read-only connection for the walk's checks (the writer owns `index`), the
  // writer thread and the workers.
  Status Start(const std::string& db_path) {
    if (opt_.jobs <= 1) return Status::Ok();
    Status s = Index::Open(db_path, &reader_, /*create=*/false);
    if (s.ok()) s = Exec(reader_->db(), "PRAGMA query_only=ON");
    if (!s.ok()) return s;
    parallel_ = true;
    writer_ = std::thread([this] { WriterLoop(); });
    for (int i = 0; i < opt_.jobs; ++i) workers_.emplace_back([this] { WorkerLoop(); });
    return Status::Ok();
  }

  // Waits for the workers and the writer to finish what was given; the writer's error, if any.
  Status Stop() {
    if (!parallel_) return Status::Ok();
    work_.Close();
    for (auto& t : workers_) t.join();
    workers_.clear();
    writes_.Close();
    if (writer_.joinable()) writer_.join();
    parallel_ = false;
    reader_.reset();  // a reader would hold the checkpoint back
    return writer_status_;
  }

  const Status& status() const { return status_; }

  void OnFile(const BundleFile& file) override {
    if (!status_.ok() || cancel_.load()) return;
    Stats([](IngestStats& s) { ++s.files; });
    if (!file.sha256.empty()) {
      bool found = false;
      status_ = Reader()->HasSource(file.bundle, file.path, file.sha256, &found);
      if (!status_.ok()) return;
      if (found) {
        Stats([](IngestStats& s) { ++s.unchanged; });
        Explain(file.path, "already indexed (same content): nothing to do");
        return;
      }
    }
    HashingByteStream hashing(file.stream);
    std::string head;
    Status rs = ReadUpTo(&hashing, kHeadBytes, &head);
    SourceRow row;
    row.bundle = file.bundle;
    row.path = file.path;
    row.size = file.size;
    row.stat_key = file.stat_key;
    auto walk_warning = walk_warnings_.find({file.bundle, file.path});
    if (walk_warning != walk_warnings_.end()) {
      row.warnings = std::move(walk_warning->second);
      walk_warnings_.erase(walk_warning);
    }
    if (!rs.ok()) {
      (void)hashing.Drain();
      row.sha256 = file.sha256.empty() ? hashing.HexDigest() : file.sha256;
      Record(&row, "failed", "cannot read: " + rs.message());
      return;
    }
    // Binary formats first: they are detected on the bytes as they are and never decoded.
    Detection raw = DetectFormat(file.path, head, /*raw_bytes=*/true);
    std::unique_ptr<Parser> forced = opt_.input_format.empty() ? nullptr : NewParser(opt_.input_format);
    bool binary = forced ? forced->wants_raw_bytes() : !raw.format.empty();
    Encoding enc = SniffEncoding(head);
    row.encoding = binary ? "binary" : std::string(EncodingName(enc));
    std::string text_head;
    if (binary) {
      text_head = head;
    } else {
      StringByteStream hs(head);
      DecodingStream ds(&hs, enc);
      (void)ReadUpTo(&ds, kHeadBytes * 2, &text_head);
    }
    std::string format;
    int score = 0;
    if (!opt_.input_format.empty()) {
      format = opt_.input_format;
      score = 100;
      Explain(file.path, "format " + format + " (--input-format), encoding " + row.encoding);
    } else {
      Detection d = binary ? raw : DetectFormat(file.path, text_head);
      format = d.format;
      score = d.score;
      if (opt_.explain) {
        std::string why = "encoding " + row.encoding + "; scores:";
        if (d.scores.empty()) why += " none";
        for (const auto& [name, sc] : d.scores) why += " " + name + "=" + std::to_string(sc);
        why += format.empty() ? "; no parser claims it: " + DescribeUnclaimed(text_head)
                              : "; chosen " + format + ": " + d.why;
        Explain(file.path, why);
      }
    }
    row.detect_score = score;
    if (head.empty() || format.empty()) {
      // Decided on the head: a file no parser claims is not read further (a 64 GB file of
      // zeros is skipped in a millisecond). Unless the walk hashed it already, it is known by
      // the hash of its head and its size.
      row.sha256 = !file.sha256.empty() ? file.sha256
                                        : "head-" + HeadHash(head) + "-" + std::to_string(file.size);
      if (!SkipIfKnown(&row)) return;
      Record(&row, "skipped", head.empty() ? "empty file" : DescribeUnclaimed(text_head));
      return;
    }
    row.format = format;
    row.kind = std::string(KindOfFormat(format));
    std::unique_ptr<Parser> parser = NewParser(format);
    if (parser == nullptr) {
      status_ = Status::InvalidInput("unknown --input-format '" + format + "'");
      return;
    }
    if (!file.sha256.empty()) {
      row.sha256 = file.sha256;
      if (!SkipIfCopy(&row)) return;
    }

    if (parallel_) {
      // A copy of a file queued earlier in this run is not in the reader's view yet: without
      // this, every copy would be parsed, only to be rolled back by the writer.
      if (!file.sha256.empty()) {
        auto [it, fresh] = queued_.emplace(file.sha256, std::make_pair(row.path, row.bundle));
        if (!fresh) {
          Stats([](IngestStats& s) { ++s.copies; });
          Record(&row, "skipped", CopyReason(it->second.first, it->second.second, row.bundle));
          return;
        }
      }
      Submit(file, std::move(row), format, enc, binary, std::move(head), &hashing);
      return;
    }
    status_ = index_->Begin();
    if (!status_.ok()) return;
    row.sha256 = file.sha256.empty() ? "pending" : file.sha256;
    status_ = index_->InsertSource(&row);
    if (IndexedByOtherRun(status_, row)) {
      status_ = Status::Ok();
      return;
    }
    if (!status_.ok()) {
      (void)index_->Rollback();
      return;
    }
    if (opt_.progress != nullptr) opt_.progress->current = row.path;
    IngestSink sink(index_, matcher_, &row, opt_.progress);
    PrefixedByteStream replay(head, &hashing);
    DecodingStream decoded(&replay, enc);
    ByteStream* input = binary ? static_cast<ByteStream*>(&replay) : &decoded;
    Status ps = parser->Parse(file.path, input, &sink);
    if (!sink.status().ok()) {
      status_ = sink.status();
      (void)index_->Rollback();
      return;
    }
    Status ds = hashing.Drain();
    if (ps.ok() && !ds.ok()) ps = ds;
    status_ = FinishParsed(&row, sink, ps, static_cast<int64_t>(decoded.replacements()), file.sha256,
                           file.sha256.empty() ? hashing.HexDigest() : file.sha256,
                           static_cast<int64_t>(hashing.bytes()));
  }

  // After a file's parse: warnings, the copy checks, the row's status, and the commit of the
  // file's transaction (opened by the caller). `sha_before` is the hash known before reading
  // (files on disk), `sha` the hash of the content.
  Status FinishParsed(SourceRow* rowp, const IngestSink& sink, Status ps, int64_t replacements,
                      const std::string& sha_before, const std::string& sha, int64_t bytes) {
    SourceRow& row = *rowp;
    Status st;
    if (replacements > 0) {
      row.warnings.push_back(std::to_string(replacements) + " invalid UTF-16 or UTF-32 code unit(s) replaced by U+FFFD");
    }
    if (sink.extra_warnings() > 0) {
      row.warnings.push_back("... and " + std::to_string(sink.extra_warnings()) + " more warnings");
    }
    if (row.size < 0) row.size = bytes;  // an archive entry
    // Inside an archive the content is known only now, and with workers a copy of this file may
    // have been stored meanwhile: the same file seen before is a no-op, a copy is skipped.
    if (sha_before.empty() || parallel_) {
      row.sha256 = sha;
      bool known = false;
      std::string copy;
      // (A file on disk was stored under its hash already: it would find itself.)
      if (sha_before.empty()) st = index_->HasSource(row.bundle, row.path, row.sha256, &known);
      if (st.ok() && !known) st = FindOtherCopy(row.sha256, row.id, &copy, &known);
      if (!st.ok()) {
        (void)index_->Rollback();
        return st;
      }
      if (known) {
        st = index_->Rollback();
        if (!st.ok()) return st;
        if (copy.empty()) {
          Stats([](IngestStats& s) { ++s.unchanged; });
          return Status::Ok();
        }
        row.id = 0;
        row.events = row.unparsed = row.duplicates = row.records = 0;
        row.first_time = row.last_time = 0;
        row.warnings.clear();
        Stats([](IngestStats& s) { ++s.copies; });
        st = WriteRecord(&row, "skipped", CopyReason(copy, copy_bundle_, row.bundle));
        return st;
      }
    }
    row.records = row.events + row.unparsed + row.duplicates;
    if (!ps.ok()) {
      row.status = row.events > 0 ? "partial" : "failed";
      row.reason = "read error after " + std::to_string(row.records) + " records: " + ps.message();
    } else if (row.unparsed > 0) {
      row.status = row.events + row.duplicates > 0 ? "partial" : "failed";
      row.reason = std::to_string(row.unparsed) + " record(s) could not be parsed; first: " +
                   sink.first_bad();
    } else if (!sink.first_lost().empty()) {
      row.status = "partial";
      row.reason = "part of a record was dropped: " + sink.first_lost();
    } else {
      row.status = "parsed";
      if (row.records == 0) row.reason = "no records (the file holds none)";
    }
    st = index_->UpdateSource(row);
    if (IndexedByOtherRun(st, row)) return Status::Ok();
    if (st.ok()) st = index_->Commit();
    if (!st.ok()) {
      (void)index_->Rollback();
      return st;
    }
    Count(row);
    return Status::Ok();
  }

  // With workers: hands the file on. A file on disk is opened again by a worker; an archive
  // entry is read into memory for one, or, when large, parsed here as it streams.
  void Submit(const BundleFile& file, SourceRow row, const std::string& format, Encoding enc, bool binary,
              std::string head, HashingByteStream* hashing) {
    auto job = std::make_shared<FileJob>();
    job->parse = true;
    job->row = std::move(row);
    job->format = format;
    job->encoding = enc;
    job->binary = binary;
    job->known_sha = file.sha256;
    if (!file.disk_path.empty()) {
      job->disk_path = file.disk_path;
      job->sha = file.sha256;
      if (!writes_.Push(job) || !work_.Push(job)) job->chunks.Close();
      return;
    }
    std::string rest;
    Status rs = ReadUpTo(hashing, kMaxEntryInMemory + 1, &rest);
    if (rs.ok() && head.size() + rest.size() <= kMaxEntryInMemory) {
      job->bytes = std::move(head);
      job->bytes += rest;
      rest.clear();
      job->sha = hashing->HexDigest();
      job->bytes_read = static_cast<int64_t>(hashing->bytes());
      if (!writes_.Push(job) || !work_.Push(job)) job->chunks.Close();
      return;
    }
    // Too large to hold, or a read error part way: parsed here, from what was read on.
    if (!writes_.Push(job)) return;
    head += rest;
    rest.clear();
    rest.shrink_to_fit();
    PrefixedByteStream replay(std::move(head), hashing);
    Produce(job.get(), &replay, rs);
    Status ds = hashing->Drain();
    if (job->parse_status.ok() && !ds.ok()) job->parse_status = ds;
    job->sha = hashing->HexDigest();
    job->bytes_read = static_cast<int64_t>(hashing->bytes());
    job->chunks.Close();
  }

  // Parses a job into chunks. `raw` is the stream (null: open the job's file or bytes); a
  // `pending` error is the read error that cut the stream short, reported once it is drained.
  void Produce(FileJob* job, ByteStream* raw, Status pending = Status::Ok()) {
    FileByteStream file;
    StringByteStream memory(job->bytes);
    Status ps = pending;
    if (raw == nullptr && !job->disk_path.empty()) {
      Status os = file.Open(job->disk_path);
      if (!os.ok()) {
        job->parse_status = os;
        return;
      }
      raw = &file;
    } else if (raw == nullptr) {
      raw = &memory;
    }
    std::unique_ptr<Parser> parser = NewParser(job->format);
    ChunkSink sink(matcher_, job, &pool_, &cancel_);
    DecodingStream decoded(raw, job->encoding);
    ByteStream* input = job->binary ? raw : &decoded;
    Status s = parser->Parse(job->row.path, input, &sink);
    if (ps.ok()) ps = s;
    if (!sink.status().ok()) ps = sink.status();
    sink.Flush();
    job->replacements = static_cast<int64_t>(decoded.replacements());
    job->parse_status = ps;
  }

  void WorkerLoop() {
    std::shared_ptr<FileJob> job;
    while (work_.Pop(&job)) {
      if (!cancel_.load()) Produce(job.get(), nullptr);
      job->chunks.Close();
      job.reset();
    }
  }

  // The only thread that writes the index while workers run; files are stored in walk order.
  void WriterLoop() {
    std::shared_ptr<FileJob> job;
    while (writes_.Pop(&job)) {
      Status s = writer_status_.ok() ? Write(job.get()) : Status::Ok();
      if (writer_status_.ok() && !s.ok()) {
        writer_status_ = s;
        cancel_.store(true);
      }
      // Whatever happened, the producer must not stay blocked on a full queue.
      std::unique_ptr<Chunk> c;
      while (job->parse && job->chunks.Pop(&c)) pool_.Put(std::move(c));
      job.reset();
    }
  }

  Status Write(FileJob* job) {
    if (!job->parse) return WriteRecord(&job->row, job->status, job->reason);
    SourceRow& row = job->row;
    Status s = index_->Begin();
    if (!s.ok()) return s;
    row.sha256 = job->known_sha.empty() ? "pending" : job->known_sha;
    s = index_->InsertSource(&row);
    if (IndexedByOtherRun(s, row)) return Status::Ok();
    if (!s.ok()) {
      (void)index_->Rollback();
      return s;
    }
    if (opt_.progress != nullptr) opt_.progress->current = row.path;
    IngestSink sink(index_, matcher_, &row, opt_.progress);
    std::unique_ptr<Chunk> c;
    while (sink.status().ok() && job->chunks.Pop(&c)) {
      s = WriteChunk(*c, &sink);
      if (!s.ok()) {
        (void)index_->Rollback();
        return s;
      }
      for (const auto& b : c->bad) sink.OnBadInput(b.loc, b.reason, b.raw);
      for (const auto& w : c->warnings) {
        if (w.lost) {
          sink.OnDataLost(w.loc, w.message);
        } else {
          sink.OnWarning(w.loc, w.message);
        }
      }
      pool_.Put(std::move(c));
    }
    if (!sink.status().ok()) {
      (void)index_->Rollback();
      return sink.status();
    }
    return FinishParsed(&row, sink, job->parse_status, job->replacements, job->known_sha, job->sha,
                        job->bytes_read);
  }

  // Stores a chunk's events and the raw text blocks the worker made of their texts. Events refer
  // to their block by the id it will be stored under. A duplicate's text is cut out of its
  // block (the later events' starts move back by its length), and a block that keeps no text is
  // not stored: overlapping exports do not store their text twice.
  Status WriteChunk(const Chunk& c, IngestSink* sink) {
    int64_t block = -1;  // index in c.raw of the block being written, and its id
    int64_t block_id = 0;
    int64_t cut = 0;     // bytes of duplicates cut out of the block so far
    kept_.clear();       // (start, len) in the worker's block of the texts kept
    auto finish_block = [&]() -> Status {
      if (block < 0 || kept_.empty()) return Status::Ok();
      int64_t id = 0;
      const RawBlock& made = c.raw.block(static_cast<size_t>(block));
      if (cut == 0) return index_->StoreRawBlock(made, &id);
      if (!InflateBlock(made.data, made.size, &inflated_)) {
        return Status::DbError("a raw text block made by a worker does not inflate");
      }
      rebuilt_.Clear();
      for (const auto& [start, len] : kept_) {
        rebuilt_.Add(std::string_view(inflated_).substr(static_cast<size_t>(start),
                                                        static_cast<size_t>(len)));
      }
      rebuilt_.Seal();
      return index_->StoreRawBlock(rebuilt_.block(0), &id);
    };
    for (size_t i = 0; i < c.n && sink->status().ok(); ++i) {
      RawRef ref = c.refs[i];
      if (ref.block >= 0 && ref.block != block) {
        Status s = finish_block();
        if (s.ok()) s = index_->NextRawBlockId(&block_id);
        if (!s.ok()) return s;
        block = ref.block;
        cut = 0;
        kept_.clear();
      }
      RawRef stored = ref;
      if (ref.block >= 0) {
        stored.block = block_id;
        stored.start = ref.start - cut;
      }
      sink->Apply(c.events[i], &c.hits[i], &c.scopes[i], c.keys[i], &stored);
      if (ref.block < 0) continue;
      if (sink->inserted()) {
        kept_.emplace_back(ref.start, ref.len);
      } else {
        cut += ref.len;
      }
    }
    if (!sink->status().ok()) return sink->status();
    return finish_block();
  }

  bool OnArchive(const BundleFile& archive, std::string_view archive_format) override {
    if (!status_.ok()) return false;
    Explain(archive.path, "archive (" + std::string(archive_format) + "): reading its entries");
    bool found = false;
    if (archive.sha256.empty()) {
      // A nested archive: its content hash is not known before reading (its outer archive's is).
      SourceRow row;
      row.bundle = archive.bundle;
      row.path = archive.path;
      row.sha256 = "nested";
      row.size = archive.size;
      row.format = std::string(archive_format);
      row.kind = "bundle";
      row.encoding = "binary";
      row.reason = "archive inside an archive: its entries are listed as inputs of their own";
      pending_archives_.push_back(row);
      return true;
    }
    status_ = Reader()->HasSource(archive.bundle, archive.path, archive.sha256, &found);
    if (!status_.ok()) return false;
    if (found) {
      Stats([](IngestStats& s) {
        ++s.files;
        ++s.unchanged;
      });
      Explain(archive.path, "archive already indexed (same content): nothing to do");
      return false;
    }
    SourceRow row;
    row.bundle = archive.bundle;
    row.path = archive.path;
    row.sha256 = archive.sha256;
    row.size = archive.size;
    row.stat_key = archive.stat_key;
    row.format = std::string(archive_format);
    row.kind = "bundle";
    row.encoding = "binary";
    row.status = "parsed";
    row.reason = "archive: its entries are listed as inputs of their own";
    // The archive row is written after its entries, so that a killed run re-reads the archive.
    pending_archives_.push_back(row);
    return true;
  }

  void OnWarning(const std::string& bundle, const std::string& path, std::string_view message) override {
    walk_warnings_[{bundle, path}].emplace_back(message);
  }

  void OnSkipped(const std::string& bundle, const std::string& path, int64_t size,
                 std::string_view reason) override {
    if (!status_.ok()) return;
    // An archive already announced (too large, too many entries): its own row says so.
    for (auto& pending : pending_archives_) {
      if (pending.bundle == bundle && pending.path == path) {
        // Stopped part way (entries read, then a limit): partial; never opened: skipped.
        bool part_read = reason.find("the rest of the archive is not read") != std::string_view::npos;
        pending.status = part_read ? "partial" : "skipped";
        pending.reason = std::string(reason);
        Stats([&](IngestStats& s) {
          if (part_read) {
            s.errors.push_back(path + ": " + std::string(reason));
          } else {
            ++s.skipped;
          }
        });
        return;
      }
    }
    Stats([](IngestStats& s) { ++s.files; });
    SourceRow row;
    row.bundle = bundle;
    row.path = path;
    row.size = size;
    row.sha256 = "-";
    bool found = false;
    status_ = Reader()->HasSource(bundle, path, row.sha256, &found);
    if (!status_.ok() || found) return;
    Record(&row, "skipped", std::string(reason));
  }

  bool FindByStat(const std::string& bundle, const std::string& path, const std::string& stat_key,
                  std::string* sha256) override {
    if (!status_.ok()) return false;
    bool found = false;
    status_ = Reader()->FindByStat(bundle, path, stat_key, sha256, &found);
    return status_.ok() && found;
  }

  void OnError(const std::string& bundle, const std::string& path,
               std::string_view message) override {
    if (!status_.ok()) return;
    // A damaged archive: its own row says so (its readable entries are already recorded).
    for (auto& pending : pending_archives_) {
      if (pending.bundle == bundle && pending.path == path) {
        pending.status = "failed";
        pending.reason = std::string(message);
        Stats([&](IngestStats& s) {
          s.errors.push_back(path + ": " + std::string(message));
          ++s.failed;
        });
        return;
      }
    }
    Stats([&](IngestStats& s) { s.errors.push_back(path + ": " + std::string(message)); });
    SourceRow row;
    row.bundle = bundle;
    row.path = path;
    row.sha256 = "-";
    bool found = false;
    status_ = Reader()->HasSource(bundle, path, row.sha256, &found);
    if (!status_.ok() || found) return;
    Record(&row, "failed", std::string(message));
  }

  Status Finish() {
    if (!status_.ok()) return status_;
    Status ts = CheckPortalCsvTriplets();
    if (!ts.ok()) return ts;
    // Outer archives last: their rows mean "fully read".
    for (auto it = pending_archives_.rbegin(); it != pending_archives_.rend(); ++it) {
      bool found = false;
      Status s = index_->Begin();
      if (s.ok()) s = index_->HasSource(it->bundle, it->path, it->sha256, &found);
      if (s.ok() && !found) s = index_->InsertSource(&*it);
      if (IndexedByOtherRun(s, *it)) continue;
      if (!s.ok()) {
        (void)index_->Rollback();
        return s;
      }
      s = index_->Commit();
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  // The portal's provisioning CSV download is three files joined on change ID. A member that is
  // missing loses nothing that was given, but the files that are there say what cannot be joined.
  // change_id has no index: NOT IN (subquery) is built once as a temporary index, where a
  // correlated NOT EXISTS would scan every event for every row (quadratic on a large download).
  Status CheckPortalCsvTriplets() {
    static const char* kOrphans =
        "SELECT s.id, count(*) FROM event_rows d JOIN sources s ON s.id = d.source_id "
        "WHERE s.format = 'provisioning-portal-csv' AND (d.record_id LIKE 'portal-csv-step:%' OR "
        "d.record_id LIKE 'portal-csv-property:%') AND (d.change_id IS NULL OR d.change_id NOT IN "
        "(SELECT change_id FROM event_rows WHERE kind = 'provisioning' AND change_id IS NOT NULL "
        "AND record_id NOT LIKE 'portal-csv-%')) "
        "GROUP BY s.id";
    static const char* kStepless =
        "SELECT s.id, count(*) FROM event_rows r JOIN sources s ON s.id = r.source_id "
        "WHERE s.format = 'provisioning-portal-csv' AND r.record_id NOT LIKE 'portal-csv-%' "
        "AND (r.change_id IS NULL OR r.change_id NOT IN (SELECT change_id FROM event_rows "
        "WHERE change_id IS NOT NULL AND record_id LIKE 'portal-csv-step:%')) GROUP BY s.id HAVING count(*) = "
        "(SELECT count(*) FROM event_rows x WHERE x.source_id = s.id)";
    std::vector<std::pair<int64_t, std::string>> notes;
    for (int q = 0; q < 2; ++q) {
      Stmt st;
      Status s = Stmt::Prepare(index_->db(), q == 0 ? kOrphans : kStepless, &st);
      bool row = false;
      while (s.ok() && (s = st.Step(&row)).ok() && row) {
        std::string n = std::to_string(st.Int(1));
        notes.emplace_back(st.Int(0), q == 0 ? n + " row(s) name a change ID that no provisioning record in the index has "
                                               "(is the ProvisioningLogs file of this download missing?)"
                                             : "none of its " + n + " record(s) has steps in the index (is the "
                                               "ProvisioningLogs_ProvisioningSteps file of this download missing?)");
      }
      if (!s.ok()) return s;
    }
    for (const auto& [id, note] : notes) {
      Stmt st;
      Status s = Stmt::Prepare(index_->db(),
          "UPDATE sources SET warnings = json_insert(warnings, '$[#]', ?2) "
          "WHERE id = ?1 AND instr(warnings, ?3) = 0", &st);
      if (!s.ok()) return s;
      st.Bind(1, id);
      st.Bind(2, note);
      st.Bind(3, note.substr(0, 40));
      s = st.Run();
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  void Explain(const std::string& path, const std::string& why) {
    if (opt_.explain) opt_.explain(path, why);
  }

  // Returns false (and records a skipped row) when the same content is already indexed
  // under another path.
  bool SkipIfCopy(SourceRow* row) {
    std::string copy, bundle;
    bool found = false;
    status_ = Reader()->FindIndexedCopy(row->sha256, &copy, &bundle, &found);
    if (!status_.ok()) return false;
    if (!found) return true;
    Stats([](IngestStats& s) { ++s.copies; });
    Record(row, "skipped", CopyReason(copy, bundle, row->bundle));
    return false;
  }

  static std::string CopyReason(const std::string& path, const std::string& bundle,
                                const std::string& this_bundle) {
    std::string where = bundle == this_bundle ? path : path + " of " + bundle;
    return "same content as " + where + ", already indexed";
  }

  bool SkipIfKnown(SourceRow* row) {
    bool found = false;
    status_ = Reader()->HasSource(row->bundle, row->path, row->sha256, &found);
    if (!status_.ok()) return false;
    if (found) Stats([](IngestStats& s) { ++s.unchanged; });
    return !found;
  }

  Status FindOtherCopy(const std::string& sha, int64_t self, std::string* path, bool* found) {
    Stmt st;
    Status s = Stmt::Prepare(index_->db(),
        "SELECT path, bundle FROM sources WHERE sha256=?1 AND id<>?2 AND status<>'skipped' "
        "ORDER BY id LIMIT 1",
        &st);
    if (!s.ok()) return s;
    st.Bind(1, sha);
    st.Bind(2, self);
    s = st.Step(found);
    if (s.ok() && *found) {
      *path = std::string(st.Text(0));
      copy_bundle_ = std::string(st.Text(1));
    }
    return s;
  }
  std::string copy_bundle_;  // the bundle of the copy FindOtherCopy found

  // Records a row that has no events (skipped, failed): now, or in turn through the writer.
  void Record(SourceRow* row, const std::string& status, const std::string& reason) {
    if (parallel_) {
      auto job = std::make_shared<FileJob>();
      job->row = *row;
      job->status = status;
      job->reason = reason;
      writes_.Push(std::move(job));
      return;
    }
    status_ = WriteRecord(row, status, reason);
  }

  // Another process writing the same index stored this file first (their transactions take
  // turns, but both looked the file up before either wrote it): it is indexed, nothing to do.
  bool IndexedByOtherRun(const Status& s, const SourceRow& row) {
    if (s.code() != Status::Code::kConflict) return false;
    (void)index_->Rollback();
    Stats([](IngestStats& st) { ++st.unchanged; });
    Explain(row.path, "indexed meanwhile by another run writing the same index: nothing to do");
    return true;
  }

  // Writes such a row in its own transaction.
  Status WriteRecord(SourceRow* row, const std::string& status, const std::string& reason) {
    row->status = status;
    row->reason = reason;
    if (row->encoding.empty()) row->encoding = "binary";
    if (row->kind.empty()) row->kind = std::string(KindOfFormat(row->format));
    Status s = index_->Begin();
    if (s.ok()) s = index_->InsertSource(row);
    if (IndexedByOtherRun(s, *row)) return Status::Ok();
    if (s.ok()) {
      s = index_->Commit();
    } else {
      (void)index_->Rollback();
    }
    if (s.ok()) Count(*row);
    return s;
  }

  // The index the walk checks against: a reader of its own while the writer thread owns `index_`.
  Index* Reader() { return parallel_ ? reader_.get() : index_; }

  template <typename F>
  void Stats(F f) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    f(*stats_);
  }

  void Count(const SourceRow& row) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    if (opt_.progress != nullptr) {
      ++opt_.progress->files;
      opt_.progress->bytes += row.size > 0 ? static_cast<uint64_t>(row.size) : 0;
      if (opt_.progress->report) opt_.progress->report(*opt_.progress);
    }
    if (row.status == "skipped") {
      ++stats_->skipped;
      if (stats_->skip_reasons.size() < 50) stats_->skip_reasons.push_back(row.path + ": " + row.reason);
    }
    if (row.status == "failed") ++stats_->failed;
    if (row.status == "parsed" || row.status == "partial") ++stats_->read;
    stats_->events += row.events;
    stats_->unparsed += row.unparsed;
    stats_->duplicates += row.duplicates;
    if (row.status == "failed" || row.status == "partial") {
      stats_->errors.push_back(row.path + ": " + row.status + ": " + row.reason);
    }
  }

  const IngestOptions& opt_;
  Index* index_;
  const Matcher& matcher_;
  IngestStats* stats_;
  Status status_;
  std::vector<SourceRow> pending_archives_;
  // Remarks of the walk about a file still to come (BundleVisitor::OnWarning).
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> walk_warnings_;
  // With workers (jobs > 1).
  bool parallel_ = false;
  std::unique_ptr<Index> reader_;
  // The writer's buffers for cutting duplicates out of a worker's raw text block.
  std::vector<std::pair<int64_t, int64_t>> kept_;
  std::string inflated_;
  RawBlockBuilder rebuilt_;
  std::map<std::string, std::pair<std::string, std::string>> queued_;  // sha256 -> path, bundle
  std::mutex stats_mu_;
  std::atomic<bool> cancel_{false};
  ChunkPool pool_;
  BlockingQueue<std::shared_ptr<FileJob>> work_;    // files for the workers
  BlockingQueue<std::shared_ptr<FileJob>> writes_;  // everything for the writer, in walk order
  std::vector<std::thread> workers_;
  std::thread writer_;
  Status writer_status_;
};

}  // namespace

std::string ScopeOf(const Event& e, std::string_view path) {
  if (!e.job_id.empty()) return e.job_id;
  if (e.kind == EventKind::kTrace || e.kind == EventKind::kEventLog) return FolderScope(path);
  return "";
}

std::string FolderScope(std::string_view path) {
  // An agent's traces rotate daily within one folder (Trace/, the folder of a diagnostics zip);
  // the folder, not the file, is what one agent host wrote. Files at the bundle's top are "./".
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string("./") : std::string(path.substr(0, slash + 1));
}

Status IngestPath(const std::string& path, const IngestOptions& options, Index* index,
                  const Matcher& matcher, IngestStats* stats) {
  Ingester ingester(options, index, matcher, stats);
  // The bundle is named by its absolute path, so that `./b` and `b` are the same bundle.
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound(path + ": no such file or directory");
  std::string bundle = std::filesystem::weakly_canonical(path, ec).string();
  if (ec || bundle.empty()) bundle = path;
  Status s = index->BeginBulk();
  if (s.ok()) s = ingester.Start(sqlite3_db_filename(index->db(), "main"));
  if (s.ok()) s = WalkBundle(bundle, options.limits, options.exclude, &ingester);
  Status w = ingester.Stop();
  if (s.ok()) s = w;
  if (s.ok()) s = ingester.Finish();
  if (s.ok() && !options.defer_fts) s = index->UpdateFts();
  Status e = index->EndBulk();
  return s.ok() ? e : s;
}

}  // namespace syncdoctor
