// Trust (docs/robustness.md, "Promises"): what a hostile bundle, index or command line must never
// achieve. Each test here failed before the fix it guards.
#include <sys/stat.h>
#include <unistd.h>

#include "tests/e2e/e2e_util.h"

namespace e2e {
namespace {

bool HasByte(const std::string& s, const std::string& bytes) { return s.find(bytes) != std::string::npos; }

}  // namespace

TEST_CASE("trust: crafted file names and bidi text reach no terminal raw", "[e2e][trust]") {
  TempDir tmp;
  fs::create_directories(tmp / "b");
  // A name that would set the clipboard (OSC 52) and a message with a right-to-left override.
  const std::string name = "x\x1b]52;c;ZWNobyBoaQ==\x07.log";
  std::ofstream(tmp / ("b/" + name)) << "AADConnectProvisioningAgent.exe Error: 0 : Web socket failed to connect. "
                                        "abc\xe2\x80\xae" "cod.exe\xe2\x81\xa6" "x\xe2\x80\x8b" "y\n";
  RunResult r = Run("analyze '" + (tmp / "b") + "' --explain-detect --db '" + (tmp / "i.db") + "'");
  REQUIRE(r.exit_code == 0);
  for (const std::string* out : {&r.out, &r.err}) {
    CHECK_FALSE(HasByte(*out, "\x1b"));
    CHECK_FALSE(HasByte(*out, "\x07"));
    CHECK_FALSE(HasByte(*out, "\xe2\x80\xae"));
  }
  CHECK(HasByte(r.err, "x?]52;c;ZWNobyBoaQ==?.log: encoding"));
  CHECK(HasByte(r.out, "abc<U+202E>cod.exe<U+2066>x<U+200B>y"));
  // The same text in the tables of search, timeline and query.
  for (const std::string& args : {"search --db '" + (tmp / "i.db") + "' socket",
                                 "query --db '" + (tmp / "i.db") + "' \"SELECT message FROM events\""}) {
    INFO(args);
    RunResult t = Run(args);
    CHECK(t.exit_code == 0);
    CHECK_FALSE(HasByte(t.out, "\xe2\x80\xae"));
    CHECK(HasByte(t.out, "<U+202E>"));
  }
}

}  // namespace e2e
