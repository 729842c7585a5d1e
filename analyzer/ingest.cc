#include "analyzer/ingest.h"

#include <algorithm>
#include <filesystem>

#include "analyzer/sha256.h"
#include "parsers/registry.h"
#include "parsers/text_decode.h"

namespace syncdoctor {

namespace {

constexpr size_t kHeadBytes = 4096;
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
  if (c == '{' || c == '[') return "JSON that matches no known log shape";
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

  bool OnEvent(const Event& e) override {
    if (!status_.ok()) return false;
    bool inserted = false;
    int64_t id = 0;
    // Trace entries have no id of their own, only a position: qualify it with the bundle, so that
    // two bundles' Trace/agent.log are not taken for each other.
    if (e.kind == EventKind::kTrace) {
      qualified_id_ = row_->bundle + "|" + e.record_id;
      status_ = index_->InsertEvent(row_->id, e, &inserted, &id, qualified_id_);
    } else {
      status_ = index_->InsertEvent(row_->id, e, &inserted, &id);
    }
    if (!status_.ok()) return false;
    if (!inserted) {
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
    status_ = matcher_.Match(e, &scratch_, &hits_);
    if (!status_.ok()) return false;
    if (!hits_.empty()) {
      std::string scope = ScopeOf(e, row_->path);
      for (int h : hits_) {
        status_ = index_->InsertMatch(matcher_.signatures()[h].id, scope, id);
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
  const std::string& first_bad() const { return first_bad_; }
  int64_t extra_warnings() const { return extra_warnings_; }

 private:
  Index* index_;
  const Matcher& matcher_;
  SourceRow* row_;
  IngestProgress* progress_;
  Status status_;
  Matcher::Scratch scratch_;
  std::vector<int> hits_;
  std::string first_bad_;
  std::string qualified_id_;
  int64_t extra_warnings_ = 0;
};

class Ingester : public BundleVisitor {
 public:
  Ingester(const IngestOptions& options, Index* index, const Matcher& matcher, IngestStats* stats)
      : opt_(options), index_(index), matcher_(matcher), stats_(stats) {}

  const Status& status() const { return status_; }

  void OnFile(const BundleFile& file) override {
    if (!status_.ok()) return;
    ++stats_->files;
    if (!file.sha256.empty()) {
      bool found = false;
      status_ = index_->HasSource(file.bundle, file.path, file.sha256, &found);
      if (!status_.ok()) return;
      if (found) {
        ++stats_->unchanged;
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
      if (opt_.explain != nullptr) {
        std::string why = "encoding " + row.encoding + "; scores:";
        if (d.scores.empty()) why += " none";
        for (const auto& [name, sc] : d.scores) why += " " + name + "=" + std::to_string(sc);
        why += format.empty() ? "; no parser claims it" : "; chosen " + format;
        Explain(file.path, why);
      }
    }
    row.detect_score = score;
    if (head.empty() || format.empty()) {
      (void)hashing.Drain();
      row.sha256 = file.sha256.empty() ? hashing.HexDigest() : file.sha256;
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

    status_ = index_->Begin();
    if (!status_.ok()) return;
    row.sha256 = file.sha256.empty() ? "pending" : file.sha256;
    status_ = index_->InsertSource(&row);
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
    if (decoded.replacements() > 0) {
      row.warnings.push_back(std::to_string(decoded.replacements()) +
                             " invalid UTF-16 code unit(s) replaced by U+FFFD");
    }
    if (sink.extra_warnings() > 0) {
      row.warnings.push_back("... and " + std::to_string(sink.extra_warnings()) + " more warnings");
    }
    if (row.size < 0) row.size = static_cast<int64_t>(hashing.bytes());  // an archive entry
    if (file.sha256.empty()) {
      row.sha256 = hashing.HexDigest();
      // Inside an archive the content is known only now: the same file seen before is a no-op.
      bool known = false;
      std::string copy;
      status_ = index_->HasSource(row.bundle, row.path, row.sha256, &known);
      if (status_.ok() && !known) status_ = FindOtherCopy(row.sha256, row.id, &copy, &known);
      if (!status_.ok()) {
        (void)index_->Rollback();
        return;
      }
      if (known) {
        status_ = index_->Rollback();
        if (!status_.ok()) return;
        if (copy.empty()) {
          ++stats_->unchanged;
          return;
        }
        row.id = 0;
        row.events = row.unparsed = row.duplicates = row.records = 0;
        row.first_time = row.last_time = 0;
        row.warnings.clear();
        ++stats_->copies;
        Record(&row, "skipped", CopyReason(copy, copy_bundle_, row.bundle));
        return;
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
    } else {
      row.status = "parsed";
      if (row.records == 0) row.reason = "no records (the file holds none)";
    }
    status_ = index_->UpdateSource(row);
    if (status_.ok()) status_ = index_->Commit();
    if (!status_.ok()) {
      (void)index_->Rollback();
      return;
    }
    Count(row);
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
    status_ = index_->HasSource(archive.bundle, archive.path, archive.sha256, &found);
    if (!status_.ok()) return false;
    if (found) {
      ++stats_->files;
      ++stats_->unchanged;
      Explain(archive.path, "archive already indexed (same content): nothing to do");
      return false;
    }
    SourceRow row;
    row.bundle = archive.bundle;
    row.path = archive.path;
    row.sha256 = archive.sha256;
    row.size = archive.size;
    row.format = std::string(archive_format);
    row.kind = "bundle";
    row.encoding = "binary";
    row.status = "parsed";
    row.reason = "archive: its entries are listed as inputs of their own";
    // The archive row is written after its entries, so that a killed run re-reads the archive.
    pending_archives_.push_back(row);
    return true;
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
        if (part_read) {
          stats_->errors.push_back(path + ": " + std::string(reason));
        } else {
          ++stats_->skipped;
        }
        return;
      }
    }
    ++stats_->files;
    SourceRow row;
    row.bundle = bundle;
    row.path = path;
    row.size = size;
    row.sha256 = "-";
    bool found = false;
    status_ = index_->HasSource(bundle, path, row.sha256, &found);
    if (!status_.ok() || found) return;
    Record(&row, "skipped", std::string(reason));
  }

  void OnError(const std::string& bundle, const std::string& path,
               std::string_view message) override {
    if (!status_.ok()) return;
    // A damaged archive: its own row says so (its readable entries are already recorded).
    for (auto& pending : pending_archives_) {
      if (pending.bundle == bundle && pending.path == path) {
        pending.status = "failed";
        pending.reason = std::string(message);
        stats_->errors.push_back(path + ": " + std::string(message));
        ++stats_->failed;
        return;
      }
    }
    stats_->errors.push_back(path + ": " + std::string(message));
    SourceRow row;
    row.bundle = bundle;
    row.path = path;
    row.sha256 = "-";
    bool found = false;
    status_ = index_->HasSource(bundle, path, row.sha256, &found);
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
      Status s = index_->HasSource(it->bundle, it->path, it->sha256, &found);
      if (s.ok() && !found) s = index_->InsertSource(&*it);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  // The portal's provisioning CSV download is three files joined on change ID. A member that is
  // missing loses nothing that was given, but the files that are there say what cannot be joined.
  Status CheckPortalCsvTriplets() {
    static const char* kOrphans =
        "SELECT s.id, count(*) FROM events d JOIN sources s ON s.id = d.source_id "
        "WHERE s.format = 'provisioning-portal-csv' AND (d.record_id LIKE 'portal-csv-step:%' OR "
        "d.record_id LIKE 'portal-csv-property:%') AND NOT EXISTS (SELECT 1 FROM events r "
        "WHERE r.kind = 'provisioning' AND r.change_id = d.change_id AND r.record_id NOT LIKE 'portal-csv-%') "
        "GROUP BY s.id";
    static const char* kStepless =
        "SELECT s.id, count(*) FROM events r JOIN sources s ON s.id = r.source_id "
        "WHERE s.format = 'provisioning-portal-csv' AND r.record_id NOT LIKE 'portal-csv-%' "
        "AND NOT EXISTS (SELECT 1 FROM events d WHERE d.change_id = r.change_id AND "
        "d.record_id LIKE 'portal-csv-step:%') GROUP BY s.id HAVING count(*) = "
        "(SELECT count(*) FROM events x WHERE x.source_id = s.id)";
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
    if (opt_.explain != nullptr) *opt_.explain << path << ": " << why << "\n";
  }

  // Returns false (and records a skipped row) when the same content is already indexed
  // under another path.
  bool SkipIfCopy(SourceRow* row) {
    std::string copy, bundle;
    bool found = false;
    status_ = index_->FindIndexedCopy(row->sha256, &copy, &bundle, &found);
    if (!status_.ok()) return false;
    if (!found) return true;
    ++stats_->copies;
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
    status_ = index_->HasSource(row->bundle, row->path, row->sha256, &found);
    if (!status_.ok()) return false;
    if (found) ++stats_->unchanged;
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

  // Writes a row that has no events (skipped, failed) in its own transaction.
  void Record(SourceRow* row, const std::string& status, const std::string& reason) {
    row->status = status;
    row->reason = reason;
    if (row->encoding.empty()) row->encoding = "binary";
    if (row->kind.empty()) row->kind = std::string(KindOfFormat(row->format));
    status_ = index_->Begin();
    if (status_.ok()) status_ = index_->InsertSource(row);
    if (status_.ok()) {
      status_ = index_->Commit();
    } else {
      (void)index_->Rollback();
    }
    if (status_.ok()) Count(*row);
  }

  void Count(const SourceRow& row) {
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
};

}  // namespace

std::string ScopeOf(const Event& e, std::string_view path) {
  if (!e.job_id.empty()) return e.job_id;
  if (e.kind == EventKind::kTrace || e.kind == EventKind::kEventLog) return std::string(path);
  return "";
}

Status IngestPath(const std::string& path, const IngestOptions& options, Index* index,
                  const Matcher& matcher, IngestStats* stats) {
  Ingester ingester(options, index, matcher, stats);
  // The bundle is named by its absolute path, so that `./b` and `b` are the same bundle.
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound(path + ": no such file or directory");
  std::string bundle = std::filesystem::weakly_canonical(path, ec).string();
  if (ec || bundle.empty()) bundle = path;
  Status s = WalkBundle(bundle, options.limits, options.exclude, &ingester);
  if (!s.ok()) return s;
  s = ingester.Finish();
  if (!s.ok()) return s;
  return index->UpdateFts();
}

}  // namespace syncdoctor
