// Tests of BOM sniffing, UTF-16 -> UTF-8 decoding and the line reader (parsers/text_decode.h).
#include "parsers/text_decode.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "parsers/byte_stream.h"

namespace syncdoctor {
namespace {

using namespace std::string_literals;

// Hands out its string one byte per Read, so that every chunk boundary is exercised.
class TrickleByteStream : public ByteStream {
 public:
  explicit TrickleByteStream(std::string_view data) : data_(data) {}
  Status Read(char* buf, size_t cap, size_t* got) override {
    *got = 0;
    if (pos_ < data_.size() && cap > 0) {
      buf[0] = data_[pos_++];
      *got = 1;
    }
    return Status::Ok();
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

std::string ReadAll(ByteStream* in) {
  std::string out;
  char buf[7];  // small on purpose: DecodingStream must hand out its text in pieces
  for (;;) {
    size_t got = 0;
    REQUIRE(in->Read(buf, sizeof buf, &got).ok());
    if (got == 0) break;
    out.append(buf, got);
  }
  return out;
}

std::string Decode(std::string_view bytes, Encoding encoding, uint64_t* replacements) {
  StringByteStream raw(bytes);
  DecodingStream in(&raw, encoding);
  std::string out = ReadAll(&in);
  *replacements = in.replacements();
  return out;
}

std::string DecodeTrickle(std::string_view bytes, Encoding encoding, uint64_t* replacements) {
  TrickleByteStream raw(bytes);
  DecodingStream in(&raw, encoding);
  std::string out = ReadAll(&in);
  *replacements = in.replacements();
  return out;
}

struct Line {
  std::string text;
  bool truncated;
  uint64_t number;
  uint64_t offset;
};

std::vector<Line> Lines(std::string_view input, size_t max_line = 64u << 20) {
  StringByteStream in(input);
  LineReader reader(&in, max_line);
  std::vector<Line> out;
  std::string_view line;
  bool truncated = false;
  while (reader.Next(&line, &truncated)) {
    out.push_back({std::string(line), truncated, reader.line_number(), reader.line_offset()});
  }
  REQUIRE(reader.status().ok());
  return out;
}

std::vector<std::string> Texts(const std::vector<Line>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

}  // namespace

TEST_CASE("SniffEncoding: a BOM decides the encoding", "[parsers][text_decode]") {
  CHECK(SniffEncoding("\xEF\xBB\xBF{\"a\":1}") == Encoding::kUtf8Bom);
  CHECK(SniffEncoding("\xFF\xFE{\0\"\0"s) == Encoding::kUtf16LeBom);
  CHECK(SniffEncoding("\xFE\xFF\0{\0\""s) == Encoding::kUtf16BeBom);
  CHECK(BomSize(Encoding::kUtf8Bom) == 3);
  CHECK(BomSize(Encoding::kUtf16LeBom) == 2);
  CHECK(BomSize(Encoding::kUtf16BeBom) == 2);
  CHECK(BomSize(Encoding::kUtf8) == 0);
  CHECK(EncodingName(Encoding::kUtf16LeBom) == "utf-16le-bom");
}

TEST_CASE("SniffEncoding: UTF-16 without BOM is told by where the NUL bytes sit",
          "[parsers][text_decode]") {
  CHECK(SniffEncoding("{\0\"\0i\0d\0\"\0:\0"s) == Encoding::kUtf16Le);
  CHECK(SniffEncoding("\0{\0\"\0i\0d\0\"\0:"s) == Encoding::kUtf16Be);
  CHECK(EncodingName(Encoding::kUtf16Le) == "utf-16le");
}

TEST_CASE("SniffEncoding: plain text and short heads are UTF-8", "[parsers][text_decode]") {
  CHECK(SniffEncoding("AADConnectProvisioningAgent.exe Error: 0 : x") == Encoding::kUtf8);
  CHECK(SniffEncoding("caf\xC3\xA9") == Encoding::kUtf8);
  CHECK(SniffEncoding("") == Encoding::kUtf8);
  CHECK(SniffEncoding("\xEF\xBB") == Encoding::kUtf8);  // a cut BOM is no BOM
}

TEST_CASE("DecodingStream: UTF-16LE with BOM becomes UTF-8, surrogate pairs included",
          "[parsers][text_decode]") {
  // "A" U+00E9 U+1F600 "\n": the emoji is the surrogate pair D83D DE00.
  const std::string input = "\xFF\xFE" "A\0" "\xE9\0" "\x3D\xD8\x00\xDE" "\n\0"s;
  const std::string want = "A\xC3\xA9\xF0\x9F\x98\x80\n";
  uint64_t replacements = 99;
  CHECK(Decode(input, Encoding::kUtf16LeBom, &replacements) == want);
  CHECK(replacements == 0);

  SECTION("a pair split across reads is joined") {
    CHECK(DecodeTrickle(input, Encoding::kUtf16LeBom, &replacements) == want);
    CHECK(replacements == 0);
  }
}

TEST_CASE("DecodingStream: UTF-16BE with BOM becomes UTF-8", "[parsers][text_decode]") {
  uint64_t replacements = 99;
  CHECK(Decode("\xFE\xFF\0o\0k\xD8\x3D\xDE\x00"s, Encoding::kUtf16BeBom, &replacements) ==
        "ok\xF0\x9F\x98\x80");
  CHECK(replacements == 0);
}

TEST_CASE("DecodingStream: a lone surrogate becomes U+FFFD and is counted",
          "[parsers][text_decode]") {
  uint64_t replacements = 0;

  SECTION("a high surrogate followed by a letter") {
    CHECK(Decode("\xFF\xFE" "a\0" "\x3D\xD8" "b\0"s, Encoding::kUtf16LeBom, &replacements) ==
          "a" + kReplacement + "b");
    CHECK(replacements == 1);
  }
  SECTION("a low surrogate on its own") {
    CHECK(Decode("\xFF\xFE" "a\0" "\x00\xDE" "b\0"s, Encoding::kUtf16LeBom, &replacements) ==
          "a" + kReplacement + "b");
    CHECK(replacements == 1);
  }
  SECTION("a high surrogate at the end of the input") {
    CHECK(Decode("\xFF\xFE" "a\0" "\x3D\xD8"s, Encoding::kUtf16LeBom, &replacements) ==
          "a" + kReplacement);
    CHECK(replacements == 1);
  }
}

TEST_CASE("DecodingStream: a dangling odd byte at the end becomes U+FFFD",
          "[parsers][text_decode]") {
  uint64_t replacements = 0;
  CHECK(Decode("\xFF\xFE" "o\0k\0!"s, Encoding::kUtf16LeBom, &replacements) ==
        "ok" + kReplacement);
  CHECK(replacements == 1);
}

TEST_CASE("DecodingStream: UTF-16LE without BOM keeps its first character",
          "[parsers][text_decode]") {
  uint64_t replacements = 99;
  CHECK(Decode("{\0}\0"s, Encoding::kUtf16Le, &replacements) == "{}");
  CHECK(replacements == 0);
}

TEST_CASE("DecodingStream: the UTF-8 BOM is stripped and the rest passes through unchanged",
          "[parsers][text_decode]") {
  uint64_t replacements = 99;
  // Invalid UTF-8 (\xFF) is data: it passes through and is not counted.
  const std::string input = "\xEF\xBB\xBF{\"a\":\"caf\xC3\xA9 \xFF\"}\r\n";
  CHECK(Decode(input, Encoding::kUtf8Bom, &replacements) == "{\"a\":\"caf\xC3\xA9 \xFF\"}\r\n");
  CHECK(replacements == 0);

  SECTION("also when the BOM arrives one byte at a time") {
    CHECK(DecodeTrickle(input, Encoding::kUtf8Bom, &replacements) ==
          "{\"a\":\"caf\xC3\xA9 \xFF\"}\r\n");
  }
  SECTION("plain UTF-8 passes through") {
    CHECK(Decode("abc", Encoding::kUtf8, &replacements) == "abc");
  }
}

TEST_CASE("DecodingStream: empty input gives no bytes", "[parsers][text_decode]") {
  uint64_t replacements = 99;
  CHECK(Decode("", Encoding::kUtf16LeBom, &replacements).empty());
  CHECK(replacements == 0);
  CHECK(Decode("\xFF\xFE", Encoding::kUtf16LeBom, &replacements).empty());
  CHECK(Decode("\xEF\xBB\xBF", Encoding::kUtf8Bom, &replacements).empty());
}

TEST_CASE("LineReader: \"abc\" without a final newline is one line", "[parsers][text_decode]") {
  auto lines = Lines("abc");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text == "abc");
  CHECK_FALSE(lines[0].truncated);
  CHECK(lines[0].number == 1);
  CHECK(lines[0].offset == 0);
}

TEST_CASE("LineReader: abc and a newline is one line, not two", "[parsers][text_decode]") {
  CHECK(Texts(Lines("abc\n")) == std::vector<std::string>{"abc"});
}

TEST_CASE("LineReader: abc and two newlines ends with one empty line", "[parsers][text_decode]") {
  auto lines = Lines("abc\n\n");
  CHECK(Texts(lines) == std::vector<std::string>{"abc", ""});
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].number == 2);
  CHECK(lines[1].offset == 4);
}

TEST_CASE("LineReader: empty input has no lines", "[parsers][text_decode]") {
  CHECK(Lines("").empty());
  CHECK(Texts(Lines("\n")) == std::vector<std::string>{""});
}

TEST_CASE("LineReader: CRLF line ends are removed", "[parsers][text_decode]") {
  auto lines = Lines("one\r\ntwo\r\n\r\nfour");
  CHECK(Texts(lines) == std::vector<std::string>{"one", "two", "", "four"});
  REQUIRE(lines.size() == 4);
  CHECK(lines[1].offset == 5);
  CHECK(lines[3].number == 4);
  CHECK(lines[3].offset == 12);
}

TEST_CASE("LineReader: a lone CR at the end of a line is removed", "[parsers][text_decode]") {
  CHECK(Texts(Lines("abc\r")) == std::vector<std::string>{"abc"});
  CHECK(Texts(Lines("abc\r\ndef\r")) == std::vector<std::string>{"abc", "def"});
  // A CR inside a line is data.
  CHECK(Texts(Lines("a\rb\n")) == std::vector<std::string>{"a\rb"});
}

TEST_CASE("LineReader: a line longer than max_line is cut and flagged, the next one is whole",
          "[parsers][text_decode]") {
  auto lines = Lines("abcdefgh\nxy\nwxyz\n", 4);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].text == "abcd");
  CHECK(lines[0].truncated);
  CHECK(lines[0].number == 1);
  CHECK(lines[1].text == "xy");
  CHECK_FALSE(lines[1].truncated);
  CHECK(lines[1].number == 2);
  CHECK(lines[1].offset == 9);
  CHECK(lines[2].text == "wxyz");  // exactly max_line: not cut
  CHECK_FALSE(lines[2].truncated);
  CHECK(lines[2].number == 3);
}

TEST_CASE("LineReader: a cut line longer than one read chunk is skipped to its end",
          "[parsers][text_decode]") {
  const std::string input = std::string(200000, 'x') + "\nnext\n";
  auto lines = Lines(input, 10);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == std::string(10, 'x'));
  CHECK(lines[0].truncated);
  CHECK(lines[1].text == "next");
  CHECK(lines[1].number == 2);
  CHECK(lines[1].offset == 200001);
}

TEST_CASE("LineReader: a CRLF line of exactly max_line bytes is not flagged as cut",
          "[parsers][text_decode][regression]") {
  // Bug: the CR of the line end counts against max_line, so "abcd\r\n" with max_line 4 comes
  // back as "abcd" with *truncated set, and agent traces warn about a cut that lost nothing.
  auto lines = Lines("abcd\r\nxy\r\n", 4);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == "abcd");
  CHECK_FALSE(lines[0].truncated);
}

}  // namespace syncdoctor

namespace syncdoctor {

TEST_CASE("Text decoding: UTF-32 with a BOM is named and read, little and big endian", "[parsers][decode][trust]") {
  const std::u32string text = U"Web socket failed \u00e9\U0001F600\n";
  for (bool le : {true, false}) {
    std::string bytes = le ? std::string("\xff\xfe\x00\x00", 4) : std::string("\x00\x00\xfe\xff", 4);
    for (char32_t c : text) {
      uint32_t v = static_cast<uint32_t>(c);
      char b[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
                   static_cast<char>((v >> 16) & 0xff), static_cast<char>(v >> 24)};
      if (le) {
        bytes.append(b, 4);
      } else {
        bytes.push_back(b[3]);
        bytes.push_back(b[2]);
        bytes.push_back(b[1]);
        bytes.push_back(b[0]);
      }
    }
    Encoding e = SniffEncoding(bytes);
    CHECK(e == (le ? Encoding::kUtf32LeBom : Encoding::kUtf32BeBom));
    CHECK(EncodingName(e) == (le ? "utf-32le-bom" : "utf-32be-bom"));
    const std::string input = bytes + "\x01";  // a dangling byte at the end
    StringByteStream in(input);
    DecodingStream d(&in, e);
    std::string out;
    REQUIRE(ReadUpTo(&d, 1 << 20, &out).ok());
    CHECK(out == "Web socket failed \xc3\xa9\xf0\x9f\x98\x80\n\xef\xbf\xbd");
    CHECK(d.replacements() == 1);
  }
  // UTF-16's BOM alone is still UTF-16.
  CHECK(SniffEncoding(std::string("\xff\xfeW\x00", 4)) == Encoding::kUtf16LeBom);
}

}  // namespace syncdoctor
