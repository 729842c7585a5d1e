#include "analyzer/bundle.h"

#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "analyzer/sha256.h"

namespace syncdoctor {

namespace fs = std::filesystem;

namespace {

constexpr size_t kHead = 512;
// Files up to this size are hashed before they are read, so that one already indexed is not
// parsed again; larger ones are hashed while they are read.
constexpr uint64_t kPrehashMaxBytes = uint64_t{256} << 20;

// Feeds libarchive from one of our streams.
struct ArchiveSource {
  ByteStream* in = nullptr;
  std::vector<char> buf = std::vector<char>(1 << 16);
  Status status;
  uint64_t packed = 0;  // bytes of the archive read so far (all of it for an in-memory archive)
};

la_ssize_t ArchiveRead(struct archive*, void* client, const void** out) {
  auto* src = static_cast<ArchiveSource*>(client);
  size_t got = 0;
  src->status = src->in->Read(src->buf.data(), src->buf.size(), &got);
  if (!src->status.ok()) return -1;
  src->packed += got;
  *out = src->buf.data();
  return static_cast<la_ssize_t>(got);
}

// What the entries of one archive may still unpack to; shared by its entries.
struct Budget {
  const BundleLimits* limits;
  uint64_t* bundle_unpacked;   // all archives of the bundle
  uint64_t unpacked = 0;       // this archive
  const ArchiveSource* source;
  std::string stop;            // why the archive stopped, once a limit of the whole was hit
  // The current entry: its unpacked bytes, the archive bytes read when it began, and why it
  // stopped (a zip bomb entry is left out; the entries after it are read).
  uint64_t entry_unpacked = 0, entry_packed_start = 0;
  std::string entry_stop;
};

// The data of the current archive entry as a stream, counted against the limits.
class EntryStream : public ByteStream {
 public:
  EntryStream(struct archive* a, Budget* budget) : a_(a), budget_(budget) {}
  Status Read(char* buf, size_t cap, size_t* got) override {
    *got = 0;
    if (!budget_->stop.empty()) return Status::IoError(budget_->stop);
    la_ssize_t n = archive_read_data(a_, buf, cap);
    if (n < 0) return Status::IoError(archive_error_string(a_) ? archive_error_string(a_) : "read error");
    *got = static_cast<size_t>(n);
    budget_->unpacked += *got;
    budget_->entry_unpacked += *got;
    *budget_->bundle_unpacked += *got;
    const BundleLimits& l = *budget_->limits;
    // An entry that unpacks far beyond what it took of the archive is a bomb: it alone is left
    // out. (In an in-memory archive the bytes it took are not known; the archive's ratio holds.)
    uint64_t entry_packed = budget_->source->packed - budget_->entry_packed_start;
    if (*budget_->bundle_unpacked > l.max_unpacked_bytes) {
      budget_->stop = "the bundle's archives unpack to more than " +
                      std::to_string(l.max_unpacked_bytes >> 20) + " MB (--max-unpacked-mb)";
    } else if (budget_->entry_unpacked > l.ratio_grace_bytes && entry_packed > 0 &&
               budget_->entry_unpacked / entry_packed > l.max_ratio) {
      budget_->entry_stop = "the entry unpacks to more than " + std::to_string(l.max_ratio) +
                            " times its size, a likely zip bomb (--max-ratio): not read";
    } else if (budget_->unpacked > l.ratio_grace_bytes &&
               budget_->unpacked / std::max<uint64_t>(budget_->source->packed, 1) > l.max_ratio) {
      budget_->stop = "the archive unpacks to more than " + std::to_string(l.max_ratio) +
                      " times its size, a likely zip bomb (--max-ratio)";
    }
    if (!budget_->stop.empty() || !budget_->entry_stop.empty()) {
      *got = 0;
      return Status::IoError(!budget_->stop.empty() ? budget_->stop : budget_->entry_stop);
    }
    return Status::Ok();
  }

 private:
  struct archive* a_;
  Budget* budget_;
};

// Makes an entry name printable: control characters become '?'. Nothing is ever written to disk,
// so `..` and absolute names are harmless and kept as they are.
std::string SafeName(const char* name) {
  std::string s = name ? name : "";
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return s;
}

// Whether an entry name points outside the folder it would be unpacked in.
bool EscapesArchive(const std::string& name) {
  if (!name.empty() && (name[0] == '/' || name[0] == '\\')) return true;
  if (name.size() > 1 && name[1] == ':') return true;  // C:\...
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find_first_of("/\\", start);
    if (end == std::string::npos) end = name.size();
    if (name.compare(start, end - start, "..") == 0 && end - start == 2) return true;
    start = end + 1;
  }
  return false;
}

class Walker {
 public:
  Walker(const BundleLimits& limits, BundleVisitor* v) : limits_(limits), v_(v) {}

  // Reads the head of `file.stream`, then hands it on as an archive or a file.
  void Dispatch(BundleFile file, int depth) {
    std::string head;
    Status s = ReadUpTo(file.stream, kHead, &head);
    if (!s.ok()) {
      // An entry libarchive cannot unpack at all (a compression method it lacks) is not read.
      if (head.empty() && s.message().find("nsupported") != std::string::npos) {
        v_->OnSkipped(file.bundle, file.path, file.size, "cannot be unpacked: " + s.message());
      } else {
        v_->OnError(file.bundle, file.path, s.message());
      }
      return;
    }
    PrefixedByteStream replay(head, file.stream);
    file.stream = &replay;
    std::string_view format = ArchiveFormat(head);
    if (!format.empty()) {
      if (depth >= limits_.max_depth) {
        v_->OnSkipped(file.bundle, file.path, file.size,
                      "archive nested deeper than " + std::to_string(limits_.max_depth) + " levels");
        return;
      }
      file.disk_path.clear();  // its entries are not files on disk
      if (!v_->OnArchive(file, format)) return;
      if (format == "7z") {
        // 7z keeps its index at the end of the file: libarchive needs to seek, so the archive is
        // held in memory (up to a cap) instead of streamed.
        std::string whole;
        Status rs = ReadUpTo(file.stream, limits_.max_seekable_bytes + 1, &whole);
        if (!rs.ok()) {
          v_->OnError(file.bundle, file.path, rs.message());
          return;
        }
        if (whole.size() > limits_.max_seekable_bytes) {
          v_->OnSkipped(file.bundle, file.path, file.size,
                        "7z archive larger than " + std::to_string(limits_.max_seekable_bytes >> 20) +
                            " MB (7z must be held in memory to be read)");
          return;
        }
        ReadArchive(file, depth + 1, &whole);
        return;
      }
      ReadArchive(file, depth + 1, nullptr);
      return;
    }
    v_->OnFile(file);
  }

  // Reads the entries of an archive: streamed from outer.stream, or from `memory` when given.
  void ReadArchive(const BundleFile& outer, int depth, const std::string* memory) {
    struct archive* a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_raw(a);  // a lone .gz/.bz2/.xz file
    ArchiveSource src;
    src.in = outer.stream;
    if (memory != nullptr) src.packed = memory->size();
    Budget budget{&limits_, &unpacked_, 0, &src, "", 0, 0, ""};
    int opened = memory != nullptr
                     ? archive_read_open_memory(a, memory->data(), memory->size())
                     : archive_read_open(a, &src, nullptr, ArchiveRead, nullptr);
    if (opened != ARCHIVE_OK) {
      v_->OnError(outer.bundle, outer.path,
                  std::string("cannot open archive: ") + (archive_error_string(a) ? archive_error_string(a) : "unknown error"));
      archive_read_free(a);
      return;
    }
    struct archive_entry* entry;
    uint64_t count = 0;
    for (;;) {
      int r = archive_read_next_header(a, &entry);
      if (r == ARCHIVE_EOF) break;
      if (r == ARCHIVE_FATAL) {
        v_->OnError(outer.bundle, outer.path,
                    std::string("damaged archive: ") + (archive_error_string(a) ? archive_error_string(a) : "unknown error"));
        break;
      }
      std::string name = SafeName(archive_entry_pathname(entry));
      if (archive_format(a) == ARCHIVE_FORMAT_RAW) {
        // A compressed single file: name it after the archive without its suffix.
        std::string base = outer.path.substr(outer.path.find_last_of("/!") + 1);
        size_t dot = base.find_last_of('.');
        name = dot == std::string::npos ? base : base.substr(0, dot);
      }
      BundleFile f;
      f.bundle = outer.bundle;
      f.path = outer.path + "!/" + name;
      f.size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
      if (archive_entry_filetype(entry) != AE_IFREG) continue;  // folders, links
      if (++count > limits_.max_entries) {
        v_->OnSkipped(outer.bundle, outer.path, outer.size,
                      "more than " + std::to_string(limits_.max_entries) +
                          (limits_.max_entries == 1 ? " entry" : " entries") +
                          "; the rest of the archive is not read");
        break;
      }
      if (archive_entry_is_encrypted(entry)) {
        v_->OnSkipped(f.bundle, f.path, f.size, "encrypted archive entry");
        continue;
      }
      if (EscapesArchive(name)) {
        // Read in memory, so nothing is written outside; but the name says the archive was made
        // to write outside wherever it is unpacked, which the analyst should know.
        v_->OnWarning(f.bundle, f.path, "the entry's name leaves the archive (an absolute path or ..); "
                                        "read in memory only, never unpacked to disk");
      }
      EntryStream es(a, &budget);
      budget.entry_unpacked = 0;
      budget.entry_packed_start = src.packed;
      budget.entry_stop.clear();
      f.stream = &es;
      // A bomb entry ends in a read error that the visitor records with its reason; what it
      // unpacked no longer counts against the archive, whose other entries are read.
      Dispatch(f, depth);
      if (!budget.entry_stop.empty()) {
        budget.unpacked -= std::min(budget.unpacked, budget.entry_unpacked);
        budget.entry_stop.clear();
      }
      if (!budget.stop.empty()) {
        v_->OnSkipped(outer.bundle, outer.path, outer.size,
                      budget.stop + "; stopped at " + f.path + ", the rest of the archive is not read");
        break;
      }
    }
    if (!src.status.ok()) v_->OnError(outer.bundle, outer.path, src.status.message());
    archive_read_free(a);
  }

  // `inside`: a file found in a bundle folder, opened without following links (the walk has
  // already left links out; this closes the gap if one is swapped in meanwhile). The PATH a user
  // gives is opened as given.
  void DiskFile(const std::string& bundle, const fs::path& p, const std::string& display, bool inside) {
    BundleFile f;
    f.bundle = bundle;
    f.path = display;
    struct stat st;
    const bool st_ok = ::stat(p.c_str(), &st) == 0;
    if (st_ok) {
      f.size = static_cast<int64_t>(st.st_size);
      f.stat_key = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                   std::to_string(st.st_size) + ":" +
                   std::to_string(st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec) + ":" +
                   std::to_string(st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec);
    }
    // A sparse file (gigabytes long, almost nothing on disk: a hole, not a log) is not read.
    if (st_ok && st.st_size > (int64_t{1} << 30) &&
        static_cast<uint64_t>(st.st_blocks) * 512 < static_cast<uint64_t>(st.st_size) / 100) {
      v_->OnSkipped(bundle, display, f.size,
                    "sparse file (" + std::to_string(st.st_size >> 20) + " MB long, " +
                        std::to_string(static_cast<uint64_t>(st.st_blocks) * 512 >> 10) +
                        " KB on disk): holes, not log data; not read");
      return;
    }
    // Hash first, so that a file already indexed is skipped without being parsed; a file whose
    // stat key an earlier run recorded is not even read for that. A large file is not read
    // twice: it is hashed while it is parsed (and one no parser claims is decided on its head).
    Status s;
    if (f.size <= static_cast<int64_t>(kPrehashMaxBytes) &&
        (f.stat_key.empty() || !v_->FindByStat(bundle, display, f.stat_key, &f.sha256))) {
      FileByteStream hash_in;
      s = hash_in.Open(p.string(), inside);
      uint64_t size = 0;
      if (s.ok()) s = HashStream(&hash_in, &f.sha256, &size);
      if (!s.ok()) {
        v_->OnError(bundle, display, s.message());
        return;
      }
    }
    FileByteStream in;
    s = in.Open(p.string(), inside);
    if (!s.ok()) {
      v_->OnError(bundle, display, s.message());
      return;
    }
    f.stream = &in;
    f.disk_path = p.string();
    Dispatch(f, 0);
  }

 private:
  BundleLimits limits_;
  BundleVisitor* v_;
  uint64_t unpacked_ = 0;  // archive bytes unpacked in this bundle
};

// Why a link in a bundle folder is not read, and where it points when that is inside the bundle
// (a target outside it is not named: it is the analyst's host, not the customer's bundle).
std::string LinkReason(const fs::path& root, const fs::path& link) {
  std::error_code ec;
  fs::path target = fs::read_symlink(link, ec);
  if (ec) return "symbolic link, not followed";
  if (target.is_relative()) target = link.parent_path() / target;
  fs::path canon = fs::weakly_canonical(target, ec);
  fs::path base = fs::weakly_canonical(root, ec);
  std::string where = "outside the bundle";
  if (!ec) {
    fs::path rel = canon.lexically_relative(base);
    std::string r = rel.generic_string();
    if (!rel.empty() && r != "." && r.rfind("..", 0) != 0) where = "to " + r + " inside the bundle";
  }
  return "symbolic link, not followed (it points " + where + ")";
}

}  // namespace

std::string_view ArchiveFormat(std::string_view h) {
  auto starts = [&](std::string_view magic) { return h.substr(0, magic.size()) == magic; };
  if (starts(std::string_view("PK\x03\x04", 4)) || starts(std::string_view("PK\x05\x06", 4))) return "zip";
  if (starts("\x1f\x8b")) return "gzip";
  if (starts("BZh")) return "bzip2";
  if (starts(std::string_view("\xfd" "7zXZ\x00", 6))) return "xz";
  if (starts(std::string_view("7z\xbc\xaf\x27\x1c", 6))) return "7z";
  if (h.size() >= 262 && h.substr(257, 5) == "ustar") return "tar";
  return "";
}

void WalkStream(const std::string& bundle, const std::string& name, ByteStream* in,
                const BundleLimits& limits, BundleVisitor* visitor) {
  Walker w(limits, visitor);
  BundleFile f;
  f.bundle = bundle;
  f.path = name;
  f.stream = in;
  w.Dispatch(f, 0);
}

Status WalkBundle(const std::string& root, const BundleLimits& limits,
                  const std::set<std::string>& exclude, BundleVisitor* visitor) {
  std::error_code ec;
  fs::path rp(root);
  auto st = fs::status(rp, ec);
  if (ec || !fs::exists(st)) return Status::NotFound(root + ": no such file or directory");
  Walker w(limits, visitor);
  if (fs::is_regular_file(st)) {
    w.DiskFile(root, rp, rp.filename().string(), false);
    return Status::Ok();
  }
  if (!fs::is_directory(st)) return Status::InvalidInput(root + ": not a file or folder");
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(rp, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) return Status::IoError(root + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) {
      visitor->OnError(root, it->path().lexically_relative(rp).generic_string(), ec.message());
      ec.clear();
      continue;
    }
    // A bundle folder is read as it is: links are not followed (an upload unpacked with tar x
    // keeps them, and one can point at another customer's files or at the host's), and FIFOs,
    // sockets and devices are not opened. Each is listed as skipped with the reason.
    fs::file_status ls = it->symlink_status(ec);
    std::string rel = it->path().lexically_relative(rp).generic_string();
    if (ec) {
      visitor->OnError(root, rel, ec.message());
      ec.clear();
    } else if (fs::is_symlink(ls)) {
      visitor->OnSkipped(root, rel, -1, LinkReason(rp, it->path()));
    } else if (fs::is_regular_file(ls)) {
      files.push_back(it->path());
    } else if (!fs::is_directory(ls)) {
      const char* what = fs::is_fifo(ls) ? "a FIFO (named pipe)" : fs::is_socket(ls) ? "a socket"
                         : fs::is_block_file(ls) ? "a block device" : fs::is_character_file(ls) ? "a character device"
                         : "not a regular file";
      visitor->OnSkipped(root, rel, -1, std::string(what) + ", not read");
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    std::error_code e2;
    fs::path abs = fs::weakly_canonical(p, e2);
    if (exclude.count(abs.string()) > 0) continue;
    w.DiskFile(root, p, p.lexically_relative(rp).generic_string(), true);
  }
  return Status::Ok();
}

}  // namespace syncdoctor
