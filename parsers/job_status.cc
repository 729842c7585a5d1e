// Sync job status (Graph synchronizationJob, one job or a value[] list) -> one Event per job.
// level = status.code; reason = quarantine.reason; error = quarantine.error or lastExecution.error.
#include <string>

#include "parsers/formats.h"
#include "parsers/json_log_parser.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

class JobParser : public JsonLogParser {
 public:
  std::string_view name() const override { return "job-graph-json"; }
  EventKind kind() const override { return EventKind::kJob; }

  int Probe(std::string_view, std::string_view head) const override {
    char first = FirstNonSpace(head);
    if (first != '{' && first != '[') return 0;
    if (HeadContainsIgnoreCase(head, "/synchronization/jobs")) return 95;
    bool has_template = head.find("\"templateId\"") != std::string_view::npos;
    bool has_status = head.find("\"status\"") != std::string_view::npos;
    bool has_schedule = head.find("\"schedule\"") != std::string_view::npos;
    if (has_template && has_status && has_schedule) return 90;
    if (has_template && (has_status || has_schedule)) return 60;
    return 0;
  }

 protected:
  bool MapRecord(JsonElement rec, Event* e, std::string* why) override {
    JsonElement status;
    if (!JsonField(rec, "status", &status) || !status.is_object()) {
      *why = "not a synchronizationJob: no status object";
      return false;
    }
    e->record_id = JsonFieldText(rec, "id");
    e->job_id = e->record_id;
    e->activity = JsonFieldText(rec, "templateId");
    e->level = JsonFieldText(status, "code");

    JsonElement quarantine, error, last;
    bool quarantined = JsonField(status, "quarantine", &quarantine) && quarantine.is_object();
    bool have_last = JsonField(status, "lastExecution", &last) && last.is_object();
    if (quarantined) {
      e->reason = JsonFieldText(quarantine, "reason");
      if (!ParseTimestamp(JsonFieldText(quarantine, "currentBegan"), &e->time_ms)) {
        (void)ParseTimestamp(JsonFieldText(quarantine, "seriesBegan"), &e->time_ms);
      }
      if (JsonField(quarantine, "error", &error) && error.is_object()) {
        e->error_code = JsonFieldText(error, "code");
        e->message = JsonFieldText(error, "message");
      }
    }
    if (have_last) {
      if (e->time_ms == 0 && !ParseTimestamp(JsonFieldText(last, "timeEnded"), &e->time_ms)) {
        (void)ParseTimestamp(JsonFieldText(last, "timeBegan"), &e->time_ms);
      }
      if (e->error_code.empty() && JsonField(last, "error", &error) && error.is_object()) {
        e->error_code = JsonFieldText(error, "code");
        e->message = JsonFieldText(error, "message");
      }
      e->cycle_id = JsonFieldText(last, "activityIdentifier");
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Parser> NewJobParser() { return std::make_unique<JobParser>(); }

}  // namespace syncdoctor
