#include "parsers/text_decode.h"

#include <algorithm>
#include <cstring>

namespace syncdoctor {

namespace {
constexpr size_t kChunk = 1 << 16;
}

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kUtf8: return "utf-8";
    case Encoding::kUtf8Bom: return "utf-8-bom";
    case Encoding::kUtf16LeBom: return "utf-16le-bom";
    case Encoding::kUtf16BeBom: return "utf-16be-bom";
    case Encoding::kUtf16Le: return "utf-16le";
    case Encoding::kUtf16Be: return "utf-16be";
    case Encoding::kUtf32LeBom: return "utf-32le-bom";
    case Encoding::kUtf32BeBom: return "utf-32be-bom";
  }
  return "utf-8";
}

Encoding SniffEncoding(std::string_view h) {
  auto u = [&](size_t i) { return static_cast<unsigned char>(h[i]); };
  if (h.size() >= 3 && u(0) == 0xEF && u(1) == 0xBB && u(2) == 0xBF) return Encoding::kUtf8Bom;
  if (h.size() >= 4 && u(0) == 0xFF && u(1) == 0xFE && u(2) == 0 && u(3) == 0) return Encoding::kUtf32LeBom;
  if (h.size() >= 4 && u(0) == 0 && u(1) == 0 && u(2) == 0xFE && u(3) == 0xFF) return Encoding::kUtf32BeBom;
  if (h.size() >= 2 && u(0) == 0xFF && u(1) == 0xFE) return Encoding::kUtf16LeBom;
  if (h.size() >= 2 && u(0) == 0xFE && u(1) == 0xFF) return Encoding::kUtf16BeBom;
  // Without a BOM, ASCII-heavy UTF-16 shows NULs in every other byte.
  size_t n = std::min<size_t>(h.size() & ~size_t{1}, 512);
  if (n >= 4) {
    size_t even_nul = 0, odd_nul = 0;
    for (size_t i = 0; i < n; i += 2) {
      if (u(i) == 0) ++even_nul;
      if (u(i + 1) == 0) ++odd_nul;
    }
    size_t pairs = n / 2;
    if (odd_nul * 10 >= pairs * 8 && even_nul * 10 < pairs) return Encoding::kUtf16Le;
    if (even_nul * 10 >= pairs * 8 && odd_nul * 10 < pairs) return Encoding::kUtf16Be;
  }
  return Encoding::kUtf8;
}

size_t BomSize(Encoding e) {
  switch (e) {
    case Encoding::kUtf8Bom: return 3;
    case Encoding::kUtf16LeBom:
    case Encoding::kUtf16BeBom: return 2;
    case Encoding::kUtf32LeBom:
    case Encoding::kUtf32BeBom: return 4;
    default: return 0;
  }
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

Status DecodingStream::Fill() {
  // Reads one chunk of input and decodes it into out_.
  char chunk[kChunk];
  size_t got = 0;
  Status s = in_->Read(chunk, sizeof chunk, &got);
  if (!s.ok()) return s;
  if (got == 0) eof_ = true;
  raw_.append(chunk, got);
  size_t start = 0;
  if (!bom_checked_) {
    size_t bom = BomSize(encoding_);
    if (raw_.size() < bom && !eof_) return Status::Ok();  // need more bytes to skip the BOM
    bom_checked_ = true;
    start = std::min(bom, raw_.size());
  }
  out_.erase(0, out_pos_);
  out_pos_ = 0;
  if (encoding_ == Encoding::kUtf8 || encoding_ == Encoding::kUtf8Bom) {
    out_.append(raw_, start, std::string::npos);
    raw_.clear();
    return Status::Ok();
  }
  if (encoding_ == Encoding::kUtf32LeBom || encoding_ == Encoding::kUtf32BeBom) {
    bool le32 = encoding_ == Encoding::kUtf32LeBom;
    size_t i = start;
    for (; i + 4 <= raw_.size(); i += 4) {
      auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(raw_[i + k])); };
      uint32_t cp = le32 ? (b(0) | b(1) << 8 | b(2) << 16 | b(3) << 24)
                         : (b(3) | b(2) << 8 | b(1) << 16 | b(0) << 24);
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        cp = 0xFFFD;
        ++replacements_;
      }
      AppendUtf8(cp, &out_);
    }
    raw_.erase(0, i);
    if (eof_ && !raw_.empty()) {  // 1 to 3 dangling bytes
      AppendUtf8(0xFFFD, &out_);
      ++replacements_;
      raw_.clear();
    }
    return Status::Ok();
  }
  bool le = encoding_ == Encoding::kUtf16Le || encoding_ == Encoding::kUtf16LeBom;
  auto unit = [&](size_t i) -> uint32_t {
    auto a = static_cast<unsigned char>(raw_[i]), b = static_cast<unsigned char>(raw_[i + 1]);
    return le ? (a | (b << 8)) : ((a << 8) | b);
  };
  size_t i = start;
  while (i + 2 <= raw_.size()) {
    uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 4 > raw_.size()) {
        if (!eof_) break;  // the low half may arrive with the next chunk
        AppendUtf8(0xFFFD, &out_);
        ++replacements_;
        i += 2;
        continue;
      }
      uint32_t lo = unit(i + 2);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), &out_);
        i += 4;
      } else {
        AppendUtf8(0xFFFD, &out_);
        ++replacements_;
        i += 2;
      }
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      AppendUtf8(0xFFFD, &out_);
      ++replacements_;
      i += 2;
    } else {
      AppendUtf8(u, &out_);
      i += 2;
    }
  }
  raw_.erase(0, i);
  if (eof_ && !raw_.empty()) {  // a dangling odd byte
    AppendUtf8(0xFFFD, &out_);
    ++replacements_;
    raw_.clear();
  }
  return Status::Ok();
}

Status DecodingStream::Read(char* buf, size_t cap, size_t* got) {
  *got = 0;
  while (out_pos_ >= out_.size()) {
    if (eof_) return Status::Ok();
    Status s = Fill();
    if (!s.ok()) return s;
  }
  size_t n = std::min(cap, out_.size() - out_pos_);
  std::memcpy(buf, out_.data() + out_pos_, n);
  out_pos_ += n;
  *got = n;
  return Status::Ok();
}

bool LineReader::FillBuffer() {
  if (eof_) return false;
  if (pos_ > 0) {
    consumed_ += pos_;
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  size_t old = buf_.size();
  buf_.resize(old + kChunk);
  size_t got = 0;
  Status s = in_->Read(buf_.data() + old, kChunk, &got);
  buf_.resize(old + got);
  if (!s.ok()) {
    status_ = s;
    eof_ = true;
    return false;
  }
  if (got == 0) {
    eof_ = true;
    return false;
  }
  return true;
}

bool LineReader::Next(std::string_view* line, bool* truncated) {
  *truncated = false;
  line_.clear();
  bool any = false;
  line_offset_ = consumed_ + pos_;
  for (;;) {
    if (pos_ >= buf_.size() && !FillBuffer()) break;
    any = true;
    const char* start = buf_.data() + pos_;
    size_t avail = buf_.size() - pos_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', avail));
    size_t take = nl ? static_cast<size_t>(nl - start) : avail;
    // Keep one byte over the cap: it may be the '\r' of a CRLF, which does not count.
    const size_t keep = max_line_ + 1;
    if (line_.size() < keep) {
      size_t room = keep - line_.size();
      if (take > room) *truncated = true;
      line_.append(start, std::min(take, room));
    } else if (take > 0) {
      *truncated = true;
    }
    pos_ += take;
    if (nl) {
      ++pos_;
      break;
    }
  }
  if (!any) return false;
  if (!line_.empty() && line_.back() == '\r' && !*truncated) line_.pop_back();
  if (line_.size() > max_line_) {
    line_.resize(max_line_);
    *truncated = true;
  }
  ++line_number_;
  *line = line_;
  return true;
}

}  // namespace syncdoctor
