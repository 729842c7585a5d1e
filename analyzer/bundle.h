// Walks what the user gave: a folder, a file, or an archive (zip, tar, tar.gz/bz2/xz, 7z), nested
// archives included. Archives are read in memory through libarchive and never extracted to disk.
// This is the only code that opens input files.
#ifndef SYNCDOCTOR_ANALYZER_BUNDLE_H_
#define SYNCDOCTOR_ANALYZER_BUNDLE_H_

#include <cstdint>
#include <set>
#include <string>

#include "parsers/byte_stream.h"
#include "parsers/status.h"

namespace syncdoctor {

// Limits that keep a hostile or broken bundle from exhausting the machine. Each one, when hit,
// gives a message naming the archive or entry, and the rest of the bundle is still read.
struct BundleLimits {
  int max_depth = 8;                            // nesting of archives in archives
  uint64_t max_entries = 100000;                // entries per archive
  uint64_t max_unpacked_bytes = uint64_t{64} << 30;  // all archive entries of one bundle, unpacked
  uint64_t max_ratio = 1000;                    // unpacked : packed bytes of one archive
  uint64_t ratio_grace_bytes = 16u << 20;       // the ratio is checked past this many bytes
  size_t max_seekable_bytes = size_t{1} << 30;  // a 7z archive is held in memory: at most this
};

// One file of the bundle, handed to the visitor while its bytes are being read.
struct BundleFile {
  std::string bundle;     // the PATH the user gave
  std::string path;       // path inside the bundle: "Trace/a.log", "diag.zip!/a.log"
  int64_t size = -1;      // bytes, -1 when unknown
  std::string sha256;     // known before reading for files on disk; "" inside archives
  std::string disk_path;  // the file on disk, so that a worker can open it again; "" in archives
  // For a file on disk: device, inode, size, modification and change times (ns), as git's index
  // keeps them. When an earlier run recorded the same key for the same path, its content hash
  // is taken from the index instead of reading the file again. "" inside archives.
  std::string stat_key;
  ByteStream* stream = nullptr;
};

class BundleVisitor {
 public:
  virtual ~BundleVisitor() = default;
  // A file to read. The stream is valid only during the call.
  virtual void OnFile(const BundleFile& file) = 0;
  // An archive is about to be opened. Return false to skip it (already indexed: same sha256;
  // `sha256` is "" for nested archives).
  virtual bool OnArchive(const BundleFile& archive, std::string_view archive_format) = 0;
  // Something of the bundle that is not read, with the reason (encrypted entry, depth limit...).
  virtual void OnSkipped(const std::string& bundle, const std::string& path, int64_t size,
                         std::string_view reason) = 0;
  // A damaged archive or an unreadable file: named, and the walk goes on.
  virtual void OnError(const std::string& bundle, const std::string& path,
                       std::string_view message) = 0;
  // A remark about a file that is read anyway (an archive entry whose name leaves the archive);
  // it comes before OnFile for that path.
  virtual void OnWarning(const std::string& bundle, const std::string& path, std::string_view message) {
    (void)bundle, (void)path, (void)message;
  }
  // The sha256 an earlier run recorded for this file on disk with the same stat_key, if any:
  // the walk then does not read the file to hash it.
  virtual bool FindByStat(const std::string& bundle, const std::string& path,
                          const std::string& stat_key, std::string* sha256) {
    (void)bundle, (void)path, (void)stat_key, (void)sha256;
    return false;
  }
};

// Archive format named by the first bytes ("zip", "gzip", "bzip2", "xz", "7z", "tar"), or "".
std::string_view ArchiveFormat(std::string_view head);

// Walks `root`. Folders are walked in sorted order; paths in `exclude` (absolute) are left out.
// Returns non-ok only when `root` itself cannot be read.
Status WalkBundle(const std::string& root, const BundleLimits& limits,
                  const std::set<std::string>& exclude, BundleVisitor* visitor);

// Walks one stream as if it were a file named `name` of bundle `bundle` (an archive or a plain
// file); used by tests and fuzzers, which have bytes rather than paths.
void WalkStream(const std::string& bundle, const std::string& name, ByteStream* in,
                const BundleLimits& limits, BundleVisitor* visitor);

}  // namespace syncdoctor

#endif  // SYNCDOCTOR_ANALYZER_BUNDLE_H_
