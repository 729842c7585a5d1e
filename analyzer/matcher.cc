#include "analyzer/matcher.h"

namespace syncdoctor {

Status Matcher::Build(const std::vector<Signature>* signatures, std::unique_ptr<Matcher>* out) {
  std::unique_ptr<Matcher> m(new Matcher());
  m->sigs_ = signatures;
  m->fields_.resize(kEventFieldCount);
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(64 << 20);
  for (auto& f : m->fields_) f.set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  for (const Signature& sig : *signatures) {
    CompiledSignature cs;
    for (int which = 0; which < 2; ++which) {
      const auto& conds = which == 0 ? sig.all : sig.any;
      auto& dest = which == 0 ? cs.all : cs.any;
      for (const Condition& c : conds) {
        CompiledCondition cc;
        for (const auto& [field, pattern] : c.pairs) {
          FieldSet& fs = m->fields_[static_cast<int>(field)];
          std::string error;
          int idx = fs.set->Add(pattern, &error);
          if (idx < 0) {
            return Status::InvalidInput(sig.file + ": signature " + sig.id + ": bad pattern for " +
                                        std::string(EventFieldName(field)) + " '" + pattern +
                                        "': " + error);
          }
          fs.pair_of_pattern.push_back(m->pair_count_);
          cc.pairs.push_back(m->pair_count_++);
        }
        dest.push_back(std::move(cc));
      }
    }
    m->compiled_.push_back(std::move(cs));
  }
  for (int i = 0; i < kEventFieldCount; ++i) {
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
  }
  *out = std::move(m);
  return Status::Ok();
}

Status Matcher::Match(const Event& event, Scratch* scratch, std::vector<int>* out) const {
  out->clear();
  scratch->pair_ok.assign(pair_count_, 0);
  for (int i = 0; i < kEventFieldCount; ++i) {
    const FieldSet& fs = fields_[i];
    if (!fs.set) continue;
    scratch->hits.clear();
    RE2::Set::ErrorInfo info;
    std::string_view text = EventFieldValue(event, static_cast<EventField>(i));
    if (!fs.set->Match(text, &scratch->hits, &info)) {
      if (info.kind != RE2::Set::kNoError) {
        return Status::InvalidInput("pattern matching ran out of memory on field " +
                                    std::string(EventFieldName(static_cast<EventField>(i))));
      }
      continue;
    }
    for (int h : scratch->hits) scratch->pair_ok[fs.pair_of_pattern[h]] = 1;
  }
  const auto& sigs = *sigs_;
  for (size_t s = 0; s < compiled_.size(); ++s) {
    if (!sigs[s].AppliesTo(event.kind)) continue;
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
    if (ok) out->push_back(static_cast<int>(s));
  }
  return Status::Ok();
}

}  // namespace syncdoctor
