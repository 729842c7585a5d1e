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

void AddDetail(Event* e, std::string key, std::string value) {
  if (value.empty()) return;
  e->details.push_back(KeyValue{std::move(key), std::move(value)});
}

// One line on a run (status.lastExecution or lastSuccessfulExecution) for the message, and its
// fields as details under `prefix`: "Failed, 2026-11-17T13:00:00Z to 2026-11-17T13:00:05Z:
// 120 imported, 0 exported, 3 escrowed".
std::string DescribeRun(JsonElement run, std::string_view prefix, Event* e) {
  std::string state = JsonFieldText(run, "state");
  std::string began = JsonFieldText(run, "timeBegan"), ended = JsonFieldText(run, "timeEnded");
  std::string p(prefix);
  AddDetail(e, p + ".state", state);
  AddDetail(e, p + ".timeBegan", began);
  AddDetail(e, p + ".timeEnded", ended);
  std::string counts;
  static const std::pair<const char*, const char*> kCounts[] = {
      {"countImported", "imported"}, {"countExported", "exported"}, {"countEscrowed", "escrowed"},
      {"countEntitled", "entitled"}};
  for (const auto& [key, word] : kCounts) {
    JsonElement v;
    if (!JsonField(run, key, &v) || v.is_null()) continue;
    std::string n = JsonText(v);
    AddDetail(e, p + "." + key, n);
    counts += (counts.empty() ? "" : ", ") + n + " " + word;
  }
  std::string line = state.empty() ? "state unknown" : state;
  if (!began.empty() || !ended.empty()) {
    line += ", " + (began.empty() ? std::string("?") : began) + " to " + (ended.empty() ? std::string("?") : ended);
  }
  if (!counts.empty()) line += ": " + counts;
  return line;
}

class JobParser : public JsonLogParser {
 public:
  std::string_view name() const override { return "job-graph-json"; }
  EventKind kind() const override { return EventKind::kJob; }

  int Probe(std::string_view, std::string_view head, std::string* why) const override {
    char first = FirstNonSpace(head);
    if (first != '{' && first != '[') return 0;
    if (HeadContainsIgnoreCase(head, "/synchronization/jobs")) {
      return Claim(why, 95, "JSON whose @odata.context (or a link) names /synchronization/jobs");
    }
    bool has_template = head.find("\"templateId\"") != std::string_view::npos;
    bool has_status = head.find("\"status\"") != std::string_view::npos;
    bool has_schedule = head.find("\"schedule\"") != std::string_view::npos;
    if (has_template && has_status && has_schedule) {
      return Claim(why, 90, "JSON with the job keys templateId, status and schedule");
    }
    if (has_template && (has_status || has_schedule)) {
      return Claim(why, 60, has_status ? "JSON with the job keys templateId and status"
                                       : "JSON with the job keys templateId and schedule");
    }
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
    AddDetail(e, "status.code", e->level);
    if (quarantined) {
      e->reason = JsonFieldText(quarantine, "reason");
      (void)MapRecordTime(quarantine, {"currentBegan", "seriesBegan"}, e);
      ReadError(quarantine, &e->error_code, &e->message);
      for (const char* key : {"reason", "currentBegan", "seriesBegan", "seriesCount", "nextAttempt"}) {
        AddDetail(e, std::string("quarantine.") + key, JsonFieldText(quarantine, key));
      }
      AddDetail(e, "quarantine.error", e->error_code);
    }
    if (have_last) {
      if (e->time_ms == 0) (void)MapRecordTime(last, {"timeEnded", "timeBegan"}, e);
      ReadError(last, &last_code, &last_message);
      e->cycle_id = JsonFieldText(last, "activityIdentifier");
    }
    // The quarantine error names the job's state; a different error of the last run is kept
    // beside it in the message, so that its code is found too (the code field reads messages).
    if (have_last) AddDetail(e, "lastExecution.error", last_code);
    if (e->error_code.empty() && e->message.empty()) {
      e->error_code = std::move(last_code);
      e->message = std::move(last_message);
    } else if ((!last_code.empty() && last_code != e->error_code) ||
               (!last_message.empty() && last_message != e->message)) {
      if (!e->message.empty()) e->message += "\n";
      e->message += "Last execution error: " + last_code + (last_code.empty() ? "" : ": ") + last_message;
    }
    // A run that did not succeed is said as what it is, with its state, times and counts, so
    // that a job whose status is Active but whose last run failed is not read as healthy.
    if (have_last) {
      std::string run = DescribeRun(last, "lastExecution", e);
      std::string state = ToLower(JsonFieldText(last, "state"));
      if (!state.empty() && state != "succeeded" && state != "success") {
        if (!e->message.empty()) e->message += "\n";
        e->message += "Last execution " + run;
      }
    }
    JsonElement good;
    if (JsonField(status, "lastSuccessfulExecution", &good) && good.is_object()) {
      (void)DescribeRun(good, "lastSuccessfulExecution", e);
    }
    AddDetail(e, "countSuccessiveCompleteFailures",
              JsonFieldText(status, "countSuccessiveCompleteFailures"));
    AddDetail(e, "steadyStateLastAchievedTime", JsonFieldText(status, "steadyStateLastAchievedTime"));
    return true;
  }
};

}  // namespace

std::unique_ptr<Parser> NewJobParser() { return std::make_unique<JobParser>(); }

}  // namespace syncdoctor
