#include "parsers/event.h"

namespace syncdoctor {

namespace {
constexpr std::string_view kKindNames[kEventKindCount] = {"provisioning", "audit", "job", "trace",
                                                          "eventlog"};
constexpr std::string_view kFieldNames[kEventFieldCount] = {
    "level",    "record_id",       "job_id",          "cycle_id",   "change_id",
    "correlation_id", "activity",  "actor",           "source_identity", "target_identity",
    "error_code", "reason",        "message",         "raw",        "kind",
    "code"};
}  // namespace

std::string_view EventKindName(EventKind kind) { return kKindNames[static_cast<int>(kind)]; }

bool ParseEventKind(std::string_view name, EventKind* kind) {
  for (int i = 0; i < kEventKindCount; ++i) {
    if (kKindNames[i] == name) {
      *kind = static_cast<EventKind>(i);
      return true;
    }
  }
  return false;
}

void Event::Clear() {
  time_ms = 0;
  time_inferred = false;
  kind = EventKind::kProvisioning;
  for (std::string* s : {&level, &record_id, &job_id, &cycle_id, &change_id, &correlation_id,
                         &activity, &actor, &source_identity, &target_identity, &source_id,
                         &target_id, &error_code, &reason, &message, &note}) {
    s->clear();
  }
  steps.clear();
  modified.clear();
  targets.clear();
  details.clear();
  raw = {};
  loc.line = 0;
  loc.offset = 0;
}

std::string_view EventFieldName(EventField field) { return kFieldNames[static_cast<int>(field)]; }

bool ParseEventField(std::string_view name, EventField* field) {
  for (int i = 0; i < kEventFieldCount; ++i) {
    if (kFieldNames[i] == name) {
      *field = static_cast<EventField>(i);
      return true;
    }
  }
  return false;
}

std::string_view EventFieldValue(const Event& e, EventField field) {
  switch (field) {
    case EventField::kLevel: return e.level;
    case EventField::kRecordId: return e.record_id;
    case EventField::kJobId: return e.job_id;
    case EventField::kCycleId: return e.cycle_id;
    case EventField::kChangeId: return e.change_id;
    case EventField::kCorrelationId: return e.correlation_id;
    case EventField::kActivity: return e.activity;
    case EventField::kActor: return e.actor;
    case EventField::kSourceIdentity: return e.source_identity;
    case EventField::kTargetIdentity: return e.target_identity;
    case EventField::kErrorCode: return e.error_code;
    case EventField::kReason: return e.reason;
    case EventField::kMessage: return e.message;
    case EventField::kRaw: return e.raw;
    case EventField::kKind: return EventKindName(e.kind);
    case EventField::kCode: return {};
  }
  return {};
}

namespace {

bool IsCodeChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

void AppendLine(std::string_view text, std::string* out) {
  if (!out->empty()) out->push_back('\n');
  for (char c : text) out->push_back(c == '\n' || c == '\r' ? ' ' : c);
}

void AppendCodeWords(std::string_view text, std::string* out) {
  size_t i = 0;
  while (i < text.size()) {
    if (!IsCodeChar(text[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    bool code_like = false;
    for (; i < text.size() && IsCodeChar(text[i]); ++i) {
      char c = text[i];
      if ((c >= '0' && c <= '9') || c == '_' || (i > start && c >= 'A' && c <= 'Z')) code_like = true;
    }
    if (code_like && i - start >= 3) AppendLine(text.substr(start, i - start), out);
  }
}

std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

void AppendEventCodes(const Event& e, std::string* out) {
  std::string_view code = Trimmed(e.error_code);
  if (code == "None") code = {};
  std::string_view reason = Trimmed(e.reason);
  if (!code.empty()) AppendLine(code, out);
  if (!reason.empty()) AppendLine(reason, out);
  AppendCodeWords(code, out);
  AppendCodeWords(reason, out);
  std::string_view msg = e.message;
  if (msg.size() > kEventCodeScanBytes) msg = msg.substr(0, kEventCodeScanBytes);
  AppendCodeWords(msg, out);
}

}  // namespace syncdoctor
