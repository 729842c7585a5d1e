// Tests of the bundle reader: every archive format libarchive writes here, nesting, limits and
// entry names, all in memory (archives are built with libarchive's writer in the test).
#include <archive.h>
#include <archive_entry.h>

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "analyzer/bundle.h"

namespace syncdoctor {
namespace {

// Builds an archive in memory. `format` and `filter` are libarchive's names ("zip", "7zip",
// "paxr" ...; "gzip", "bzip2", "xz", "none").
std::string MakeArchive(const std::string& format, const std::string& filter,
                        const std::vector<std::pair<std::string, std::string>>& files) {
  struct archive* a = archive_write_new();
  REQUIRE(archive_write_set_format_by_name(a, format.c_str()) == ARCHIVE_OK);
  if (filter != "none") REQUIRE(archive_write_add_filter_by_name(a, filter.c_str()) == ARCHIVE_OK);
  std::vector<char> buf(1 << 22);
  size_t used = 0;
  REQUIRE(archive_write_open_memory(a, buf.data(), buf.size(), &used) == ARCHIVE_OK);
  for (const auto& [name, data] : files) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
    REQUIRE(archive_write_data(a, data.data(), data.size()) == static_cast<la_ssize_t>(data.size()));
    archive_entry_free(e);
  }
  REQUIRE(archive_write_close(a) == ARCHIVE_OK);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

class Collect : public BundleVisitor {
 public:
  void OnFile(const BundleFile& f) override {
    std::string data;
    Status s = ReadUpTo(f.stream, 1 << 20, &data);
    files[f.path] = data;
    if (!s.ok()) read_errors[f.path] = s.message();
  }
  bool OnArchive(const BundleFile& a, std::string_view format) override {
    archives[a.path] = std::string(format);
    return true;
  }
  void OnSkipped(const std::string&, const std::string& path, int64_t, std::string_view reason) override {
    skipped[path] = std::string(reason);
  }
  void OnError(const std::string&, const std::string& path, std::string_view message) override {
    errors[path] = std::string(message);
  }
  std::map<std::string, std::string> files, archives, skipped, errors, read_errors;
};

Collect Walk(const std::string& name, const std::string& bytes, BundleLimits limits = {}) {
  StringByteStream in(bytes);
  Collect c;
  WalkStream("bundle", name, &in, limits, &c);
  return c;
}

const std::vector<std::pair<std::string, std::string>> kFiles = {
    {"Trace/a.log", "AADConnectProvisioningAgent.exe Information: 0 : started\n"},
    {"job-status.json", "{\"id\":\"AD2AADProvisioning.x\",\"status\":{\"code\":\"Active\"}}"},
};

}  // namespace

TEST_CASE("Bundle: every archive format is read in memory with its inner paths", "[analyzer][bundle]") {
  const std::vector<std::tuple<std::string, std::string, std::string, std::string>> cases = {
      {"zip", "none", "diag.zip", "zip"},
      {"paxr", "none", "diag.tar", "tar"},
      {"paxr", "gzip", "diag.tar.gz", "gzip"},
      {"paxr", "bzip2", "diag.tar.bz2", "bzip2"},
      {"paxr", "xz", "diag.tar.xz", "xz"},
      {"7zip", "none", "diag.7z", "7z"},
  };
  for (const auto& [format, filter, name, detected] : cases) {
    INFO(name);
    Collect c = Walk(name, MakeArchive(format, filter, kFiles));
    CHECK(c.errors.empty());
    CHECK(c.archives.at(name) == detected);
    REQUIRE(c.files.size() == 2);
    CHECK(c.files.at(name + "!/Trace/a.log") == kFiles[0].second);
    CHECK(c.files.at(name + "!/job-status.json") == kFiles[1].second);
  }
}

TEST_CASE("Bundle: archives nested in archives keep the whole path", "[analyzer][bundle]") {
  std::string inner = MakeArchive("zip", "none", kFiles);
  std::string middle = MakeArchive("7zip", "none", {{"AADCloudProvisioningDiagnostics-20261118-091502.zip", inner}});
  std::string outer = MakeArchive("paxr", "gzip", {{"upload/case.7z", middle}});
  Collect c = Walk("case.tar.gz", outer);
  CHECK(c.errors.empty());
  CHECK(c.files.count("case.tar.gz!/upload/case.7z!/AADCloudProvisioningDiagnostics-20261118-091502.zip!/Trace/a.log") == 1);

  SECTION("nesting deeper than the limit is skipped with the reason") {
    BundleLimits limits;
    limits.max_depth = 2;
    Collect d = Walk("case.tar.gz", outer, limits);
    CHECK(d.files.empty());
    REQUIRE(d.skipped.size() == 1);
    CHECK(d.skipped.begin()->first == "case.tar.gz!/upload/case.7z!/AADCloudProvisioningDiagnostics-20261118-091502.zip");
    CHECK(d.skipped.begin()->second == "archive nested deeper than 2 levels");
  }
}

TEST_CASE("Bundle: entry names with .., absolute paths and control characters are names only",
          "[analyzer][bundle]") {
  std::string zip = MakeArchive("zip", "none", {{"../../etc/passwd", "x"}, {"/abs/file.log", "y"},
                                                {"C:\\Windows\\evil.log", "z"}, {"bad\x1b[31mname.log", "w"}});
  Collect c = Walk("up.zip", zip);
  CHECK(c.files.count("up.zip!/../../etc/passwd") == 1);
  CHECK(c.files.count("up.zip!//abs/file.log") == 1);
  std::string keys;
  for (const auto& f : c.files) keys += f.first + " | ";
  INFO(keys);
  CHECK(c.files.count("up.zip!/C:/Windows/evil.log") == 1);  // libarchive turns '\\' into '/'
  CHECK(c.files.count("up.zip!/bad?[31mname.log") == 1);
}

TEST_CASE("Bundle: too many entries stops the archive with a message naming it", "[analyzer][bundle]") {
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 5; ++i) many.emplace_back("f" + std::to_string(i) + ".log", "x");
  BundleLimits limits;
  limits.max_entries = 3;
  Collect c = Walk("many.zip", MakeArchive("zip", "none", many), limits);
  CHECK(c.files.size() == 3);
  REQUIRE(c.skipped.count("many.zip") == 1);
  CHECK(c.skipped.at("many.zip") == "more than 3 entries; the rest of the archive is not read");
}

TEST_CASE("Bundle: a truncated archive is reported and what was read is kept", "[analyzer][bundle]") {
  std::vector<std::pair<std::string, std::string>> files = kFiles;
  // Data that does not compress, so that half of the archive holds the first entries whole.
  std::string noise(300000, '\0');
  uint32_t x = 12345;
  for (char& ch : noise) {
    x = x * 1103515245u + 12345u;
    ch = static_cast<char>(x >> 24);
  }
  files.emplace_back("big.log", noise);
  std::string tgz = MakeArchive("paxr", "gzip", files);
  Collect c = Walk("cut.tar.gz", tgz.substr(0, tgz.size() / 2));
  CHECK(c.files.at("cut.tar.gz!/Trace/a.log") == kFiles[0].second);
  CHECK(c.files.at("cut.tar.gz!/job-status.json") == kFiles[1].second);
  // The entry that was cut fails to read; the archive's damage is reported too.
  CHECK(c.read_errors.count("cut.tar.gz!/big.log") == 1);
  CHECK(c.errors.count("cut.tar.gz") == 1);
}

TEST_CASE("Bundle: a plain file is handed on as it is", "[analyzer][bundle]") {
  Collect c = Walk("notes.txt", "hello\n");
  CHECK(c.archives.empty());
  CHECK(c.files.at("notes.txt") == "hello\n");
}

}  // namespace syncdoctor

namespace syncdoctor {

TEST_CASE("Bundle: an archive that unpacks far beyond its size is stopped (zip bomb)", "[analyzer][bundle]") {
  std::string zeros(4 << 20, '\0');
  std::string zip = MakeArchive("zip", "none", {{"a.log", "first entry\n"}, {"bomb.log", zeros}, {"after.log", "x"}});
  BundleLimits limits;
  limits.max_ratio = 50;
  limits.ratio_grace_bytes = 1 << 20;
  Collect c = Walk("bomb.zip", zip, limits);
  CHECK(c.files.at("bomb.zip!/a.log") == "first entry\n");
  CHECK(c.read_errors.at("bomb.zip!/bomb.log").find("more than 50 times its size") != std::string::npos);
  CHECK(c.files.count("bomb.zip!/after.log") == 0);
  REQUIRE(c.skipped.count("bomb.zip") == 1);
  CHECK(c.skipped.at("bomb.zip") ==
        "the archive unpacks to more than 50 times its size, a likely zip bomb (--max-ratio); "
        "stopped at bomb.zip!/bomb.log, the rest of the archive is not read");
}

TEST_CASE("Bundle: the bundle's unpacked total is capped", "[analyzer][bundle]") {
  std::string zip = MakeArchive("zip", "none", {{"one.log", std::string(300000, 'x')},
                                                {"two.log", std::string(300000, 'y')}});
  BundleLimits limits;
  limits.max_unpacked_bytes = 400000;
  Collect c = Walk("big.zip", zip, limits);
  CHECK(c.files.at("big.zip!/one.log").size() == 300000);
  CHECK(c.read_errors.count("big.zip!/two.log") == 1);
  REQUIRE(c.skipped.count("big.zip") == 1);
  CHECK(c.skipped.at("big.zip").find("unpack to more than") != std::string::npos);
}

TEST_CASE("Bundle: an encrypted entry is skipped with the reason", "[analyzer][bundle]") {
  struct archive* a = archive_write_new();
  REQUIRE(archive_write_set_format_zip(a) == ARCHIVE_OK);
  if (archive_write_set_options(a, "zip:encryption=zipcrypt") != ARCHIVE_OK ||
      archive_write_set_passphrase(a, "secret") != ARCHIVE_OK) {
    archive_write_free(a);
    WARN("this libarchive cannot write encrypted zips; test skipped");
    return;
  }
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  REQUIRE(archive_write_open_memory(a, buf.data(), buf.size(), &used) == ARCHIVE_OK);
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "secret.log");
  archive_entry_set_size(e, 5);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
  REQUIRE(archive_write_data(a, "hello", 5) == 5);
  archive_entry_free(e);
  REQUIRE(archive_write_close(a) == ARCHIVE_OK);
  archive_write_free(a);
  Collect c = Walk("locked.zip", std::string(buf.data(), used));
  CHECK(c.files.empty());
  REQUIRE(c.skipped.count("locked.zip!/secret.log") == 1);
  CHECK(c.skipped.at("locked.zip!/secret.log") == "encrypted archive entry");
}

}  // namespace syncdoctor

namespace syncdoctor {

TEST_CASE("Bundle: a folder's links, FIFOs and sockets are listed as skipped, never read",
          "[analyzer][bundle][trust]") {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/syncdoctor-links-XXXXXX";
  fs::path dir = mkdtemp(tmpl);
  fs::path b = dir / "bundle";
  fs::create_directories(b / "Trace");
  fs::create_directories(dir / "other-customer");
  std::ofstream(b / "Trace/a.log") << "AADConnectProvisioningAgent.exe Error: 0 : ours\n";
  std::ofstream(dir / "other-customer/secret.log") << "AADConnectProvisioningAgent.exe Error: 0 : theirs\n";
  fs::create_symlink("/etc/passwd", b / "Trace/shadow.log");
  fs::create_symlink(dir / "other-customer/secret.log", b / "Trace/neighbour.log");
  fs::create_symlink("a.log", b / "Trace/copy.log");
  fs::create_directory_symlink(dir / "other-customer", b / "linked-folder");
  REQUIRE(::mkfifo((b / "Trace/pipe.log").c_str(), 0600) == 0);
  Collect c;
  REQUIRE(WalkBundle(b.string(), BundleLimits(), {}, &c).ok());
  // Only the bundle's own file is read.
  CHECK(c.files.size() == 1);
  CHECK(c.files.count("Trace/a.log") == 1);
  for (const auto& [path, data] : c.files) CHECK(data.find("theirs") == std::string::npos);
  CHECK(c.skipped["Trace/shadow.log"] == "symbolic link, not followed (it points outside the bundle)");
  CHECK(c.skipped["Trace/neighbour.log"] == "symbolic link, not followed (it points outside the bundle)");
  CHECK(c.skipped["Trace/copy.log"] == "symbolic link, not followed (it points to Trace/a.log inside the bundle)");
  CHECK(c.skipped["linked-folder"] == "symbolic link, not followed (it points outside the bundle)");
  CHECK(c.skipped["Trace/pipe.log"] == "a FIFO (named pipe), not read");
  fs::remove_all(dir);
}

TEST_CASE("FileByteStream: no_follow refuses a link and a FIFO, and opens a regular file",
          "[analyzer][bundle][trust]") {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/syncdoctor-nofollow-XXXXXX";
  fs::path dir = mkdtemp(tmpl);
  std::ofstream(dir / "f") << "x";
  fs::create_symlink(dir / "f", dir / "l");
  REQUIRE(::mkfifo((dir / "p").c_str(), 0600) == 0);
  FileByteStream a, b, c, d;
  CHECK(a.Open((dir / "f").string(), true).ok());
  Status link = b.Open((dir / "l").string(), true);
  CHECK_FALSE(link.ok());
  CHECK(link.message().find("a symbolic link, not followed") != std::string::npos);
  CHECK_FALSE(c.Open((dir / "p").string(), true).ok());  // and it does not block on the FIFO
  CHECK(d.Open((dir / "l").string(), false).ok());        // a PATH the user gives is followed
  fs::remove_all(dir);
}

}  // namespace syncdoctor
