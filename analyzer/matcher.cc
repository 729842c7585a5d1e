#include "analyzer/matcher.h"

#include <algorithm>
#include <cstdint>

namespace syncdoctor {

static_assert(kEventFieldCount < 128, "memo keys start with the set number in one char");

Status Matcher::Build(const std::vector<Signature>* signatures, std::unique_ptr<Matcher>* out) {
  std::unique_ptr<Matcher> m(new Matcher());
  m->sigs_ = signatures;
  m->fields_.resize(kEventFieldCount);
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(64 << 20);
  for (auto& f : m->fields_) f.set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  for (size_t si = 0; si < signatures->size(); ++si) {
    const Signature& sig = (*signatures)[si];
    for (int k = 0; k < kEventKindCount; ++k) {
      if (sig.AppliesTo(static_cast<EventKind>(k))) m->by_kind_[k].push_back(static_cast<int>(si));
    }
    CompiledSignature cs;
    for (int which = 0; which < 3; ++which) {
      const auto& conds = which == 0 ? sig.all : which == 1 ? sig.any : sig.none;
      auto& dest = which == 0 ? cs.all : which == 1 ? cs.any : cs.none;
      for (const Condition& c : conds) {
        CompiledCondition cc;
        for (const auto& [field, pattern] : c.pairs) {
          // One set per field, shared by every kind: a pattern is compiled once, and a kind
          // scans a field only when a signature that applies to it looks there.
          FieldSet& fs = m->fields_[static_cast<int>(field)];
          std::string error;
          // A code field holds one code per line: ^ and $ are the ends of a code.
          std::string compiled = field == EventField::kCode ? "(?m)" + pattern : pattern;
          if (fs.set->Add(compiled, &error) < 0) {
            return Status::InvalidInput(sig.file + ": signature " + sig.id + ": bad pattern for " +
                                        std::string(EventFieldName(field)) + " '" + pattern + "': " + error);
          }
          fs.pair_of_pattern.push_back(m->pair_count_);
          for (int k = 0; k < kEventKindCount; ++k) {
            if (sig.AppliesTo(static_cast<EventKind>(k))) m->scans_[k * kEventFieldCount + static_cast<int>(field)] = true;
          }
          cc.pairs.push_back(m->pair_count_++);
        }
        dest.push_back(std::move(cc));
      }
    }
    m->compiled_.push_back(std::move(cs));
  }
  m->supersedes_.resize(signatures->size());
  for (size_t si = 0; si < signatures->size(); ++si) {
    for (const auto& other : (*signatures)[si].supersedes) {
      for (size_t oi = 0; oi < signatures->size(); ++oi) {
        if (oi != si && (*signatures)[oi].id == other) m->supersedes_[si].push_back(static_cast<int>(oi));
      }
    }
  }
  for (size_t i = 0; i < m->fields_.size(); ++i) {
    FieldSet& fs = m->fields_[i];
    if (fs.pair_of_pattern.empty()) {
      fs.set.reset();
      continue;
    }
    if (!fs.set->Compile()) {
      return Status::InvalidInput("signature patterns for field " +
                                  std::string(EventFieldName(static_cast<EventField>(i))) +
                                  " do not fit in memory");
    }
    (void)fs.set->Match(std::string_view(), &fs.empty_hits);
  }
  *out = std::move(m);
  return Status::Ok();
}

Status Matcher::Match(const Event& event, Scratch* scratch, std::vector<int>* out) const {
  Status s = MatchAll(event, scratch, out);
  if (!s.ok() || out->size() < 2) return s;
  const auto& sigs = *sigs_;
  // Supersedes on the event itself. `out` is sorted, so membership is a binary search.
  scratch->hits.clear();
  for (int h : *out) {
    for (int gone : supersedes_[h]) {
      if (std::binary_search(out->begin(), out->end(), gone)) scratch->hits.push_back(gone);
    }
  }
  if (!scratch->hits.empty()) {
    std::sort(scratch->hits.begin(), scratch->hits.end());
    out->erase(std::remove_if(out->begin(), out->end(),
                              [&](int h) {
                                return std::binary_search(scratch->hits.begin(), scratch->hits.end(), h);
                              }),
               out->end());
  }
  bool specific = false;
  int best_rank = INT32_MAX;
  for (int h : *out) {
    const Signature& sig = sigs[h];
    if (sig.tier == Tier::kSpecific) specific = true;
    if (sig.tier == Tier::kFamily) best_rank = std::min(best_rank, sig.rank);
  }
  if (best_rank == INT32_MAX) return s;
  out->erase(std::remove_if(out->begin(), out->end(),
                            [&](int h) {
                              const Signature& sig = sigs[h];
                              return sig.tier == Tier::kFamily && (specific || sig.rank > best_rank);
                            }),
             out->end());
  return s;
}

Status Matcher::MatchAll(const Event& event, Scratch* scratch, std::vector<int>* out) const {
  out->clear();
  const int kind = static_cast<int>(event.kind);
  if (by_kind_[kind].empty()) return Status::Ok();
  scratch->pair_ok.assign(pair_count_, 0);
  for (int i = 0; i < kEventFieldCount; ++i) {
    const FieldSet& fs = fields_[i];
    if (!fs.set || !scans_[kind * kEventFieldCount + i]) continue;
    std::string_view text;
    if (i == static_cast<int>(EventField::kCode)) {
      scratch->codes.clear();
      AppendEventCodes(event, &scratch->codes);
      text = scratch->codes;
    } else {
      text = EventFieldValue(event, static_cast<EventField>(i));
    }
    const std::vector<int>* hits = &fs.empty_hits;
    if (!text.empty()) {
      std::vector<int>* memo = nullptr;
      if (text.size() <= kMemoMaxBytes) {
        // Keyed by set (the field): the same text has other hit numbers in another set.
        scratch->key.assign(1, static_cast<char>(i));
        scratch->key.append(text);
        auto it = scratch->memo.find(scratch->key);
        if (it != scratch->memo.end()) {
          hits = &it->second;
        } else {
          if (scratch->memo.size() >= kMemoEntries) scratch->memo.clear();
          memo = &scratch->memo[scratch->key];
        }
      }
      if (hits == &fs.empty_hits) {
        scratch->hits.clear();
        RE2::Set::ErrorInfo info;
        if (!fs.set->Match(text, &scratch->hits, &info) && info.kind != RE2::Set::kNoError) {
          if (memo != nullptr) scratch->memo.erase(scratch->key);
          return Status::InvalidInput("pattern matching ran out of memory on field " +
                                      std::string(EventFieldName(static_cast<EventField>(i))));
        }
        if (memo != nullptr) *memo = scratch->hits;
        hits = &scratch->hits;
      }
    }
    for (int h : *hits) scratch->pair_ok[fs.pair_of_pattern[h]] = 1;
  }
  for (int s : by_kind_[kind]) {
    const CompiledSignature& cs = compiled_[s];
    auto holds = [&](const CompiledCondition& c) {
      for (int p : c.pairs) {
        if (!scratch->pair_ok[p]) return false;
      }
      return true;
    };
    bool ok = true;
    for (const auto& c : cs.all) {
      if (!holds(c)) {
        ok = false;
        break;
      }
    }
    if (ok && !cs.any.empty()) {
      bool any = false;
      for (const auto& c : cs.any) {
        if (holds(c)) {
          any = true;
          break;
        }
      }
      ok = any;
    }
    for (size_t n = 0; ok && n < cs.none.size(); ++n) ok = !holds(cs.none[n]);
    if (ok) out->push_back(s);
  }
  return Status::Ok();
}

}  // namespace syncdoctor
