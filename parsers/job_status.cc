// Sync job status (Graph synchronizationJob, one job or a value[] list) -> one Event per job.
// level = status.code; reason = quarantine.reason; error = quarantine.error, else lastExecution.error
// (a different last-execution error is added to the message); code "None" is no error.
#include <string>

#include "parsers/formats.h"
#include "parsers/json_log_parser.h"
#include "parsers/timestamp.h"

namespace syncdoctor {

namespace {

// The code and message of `holder`'s "error" object. A code "None" or "" with no message is no
// error at all: Graph writes {"code": "None", "message": null} for a run that did not fail.
void ReadError(JsonElement holder, std::string* code, std::string* message) {
  JsonElement error;
  if (!JsonField(holder, "error", &error) || !error.is_object()) return;
  std::string c = JsonFieldText(error, "code");
  std::string m = JsonFieldText(error, "message");
  if (c == "None" || c == "none") c.clear();
  *code = std::move(c);
  *message = std::move(m);
}

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

    JsonElement quarantine, last;
    bool quarantined = JsonField(status, "quarantine", &quarantine) && quarantine.is_object();
    bool have_last = JsonField(status, "lastExecution", &last) && last.is_object();
    std::string last_code, last_message;
    if (quarantined) {
      e->reason = JsonFieldText(quarantine, "reason");
      if (!ParseTimestamp(JsonFieldText(quarantine, "currentBegan"), &e->time_ms)) {
        (void)ParseTimestamp(JsonFieldText(quarantine, "seriesBegan"), &e->time_ms);
      }
      ReadError(quarantine, &e->error_code, &e->message);
    }
    if (have_last) {
      if (e->time_ms == 0 && !ParseTimestamp(JsonFieldText(last, "timeEnded"), &e->time_ms)) {
        (void)ParseTimestamp(JsonFieldText(last, "timeBegan"), &e->time_ms);
      }
      ReadError(last, &last_code, &last_message);
      e->cycle_id = JsonFieldText(last, "activityIdentifier");
    }
    // The quarantine error names the job's state; a different error of the last run is kept
    // beside it in the message, so that its code is found too (the code field reads messages).
    if (e->error_code.empty() && e->message.empty()) {
      e->error_code = std::move(last_code);
      e->message = std::move(last_message);
    } else if ((!last_code.empty() && last_code != e->error_code) ||
               (!last_message.empty() && last_message != e->message)) {
      if (!e->message.empty()) e->message += "\n";
      e->message += "Last execution error: " + last_code + (last_code.empty() ? "" : ": ") + last_message;
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Parser> NewJobParser() { return std::make_unique<JobParser>(); }

}  // namespace syncdoctor
