// "A code anywhere": every signature keyed on a code (a `code` condition) fires on that code in
// every record shape that can carry it. For each match example that carries a code the signature
// names (as its error code, its reason or a word of its message), that code and the example's
// message are written into each shape below as the exported log would hold them,
// read by the real parser, and matched (the signature's own conditions: MatchAll). A signature
// narrows the kinds only with applies_to (and a comment saying why); the shapes of kinds outside
// it are skipped.
#include <catch2/catch.hpp>

#include <re2/re2.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "analyzer/matcher.h"
#include "analyzer/report/json_writer.h"
#include "analyzer/signature.h"
#include "parsers/formats.h"
#include "tests/parsers/collecting_sink.h"

namespace syncdoctor {
namespace {

// A JSON string literal of `s` (the report's own escaping).
std::string Json(const std::string& s) {
  std::string out;
  syncdoctor::AppendJsonString(s, &out);
  return out;
}

// What an example says besides its code: carried into the shapes that have such a field.
struct Context {
  std::string job_id = "scim.1.2", status = "failure", action = "update";
};

struct Shape {
  const char* name;
  EventKind kind;
  bool text_only;  // the code can only be a word of the text here (no error code field)
  // Builds the event of this shape that carries `code` and `message`.
  std::function<void(const std::string& code, const std::string& message, const Context& ctx,
                     CollectingSink* sink)> make;
};

void ParseInto(std::unique_ptr<Parser> parser, const std::string& name, const std::string& text, CollectingSink* sink) {
  INFO(text.substr(0, 400));
  REQUIRE(ParseString(parser.get(), name, text, sink).ok());
  REQUIRE(sink->bad.empty());
  REQUIRE(sink->events.size() == 1);
}

const std::vector<Shape>& Shapes() {
  static const std::vector<Shape> shapes = {
      {"provisioning record (errorInformation)", EventKind::kProvisioning, false,
       [](const std::string& code, const std::string& msg, const Context& ctx, CollectingSink* sink) {
         ParseInto(NewProvisioningGraphParser(), "provisioning.json",
                   R"({"value":[{"id":"r1","activityDateTime":"2026-11-17T14:25:10Z","jobId":)" + Json(ctx.job_id) +
                   R"(,"cycleId":"c1","changeId":"h1","provisioningAction":)" + Json(ctx.action) +
                   R"(,"provisioningStatusInfo":{"status":)" + Json(ctx.status) + R"(,"errorInformation":{"errorCode":)" +
                       Json(code) + R"(,"reason":)" + Json(msg) + R"(}}}]})",
                   sink);
       }},
      {"job status (quarantine error)", EventKind::kJob, false,
       [](const std::string& code, const std::string& msg, const Context& ctx, CollectingSink* sink) {
         ParseInto(NewJobParser(), "job.json",
                   R"({"id":)" + Json(ctx.job_id) + R"(,"templateId":"scim","status":{"code":"Quarantine","quarantine":{)"
                   R"("reason":"EncounteredQuarantineException","error":{"code":)" + Json(code) +
                       R"(,"message":)" + Json(msg) + R"(}}}})",
                   sink);
       }},
      {"job status (last execution error)", EventKind::kJob, false,
       [](const std::string& code, const std::string& msg, const Context& ctx, CollectingSink* sink) {
         ParseInto(NewJobParser(), "job.json",
                   R"({"id":)" + Json(ctx.job_id) + R"(,"templateId":"scim","status":{"code":"Active","lastExecution":{)"
                   R"("state":"Failed","error":{"code":)" + Json(code) + R"(,"message":)" + Json(msg) + R"(}}}})",
                   sink);
       }},
      {"audit record (ErrorCode detail)", EventKind::kAudit, false,
       [](const std::string& code, const std::string& msg, const Context&, CollectingSink* sink) {
         ParseInto(NewAuditGraphParser(), "audit.json",
                   R"({"value":[{"id":"Sync_1","category":"ProvisioningManagement","result":"failure",)"
                   R"("activityDisplayName":"Export","resultReason":)" + Json(msg) +
                       R"(,"additionalDetails":[{"key":"ErrorCode","value":)" + Json(code) + R"(}]}]})",
                   sink);
       }},
      {"agent trace line", EventKind::kTrace, true,
       [](const std::string& code, const std::string& msg, const Context&, CollectingSink* sink) {
         std::string text = msg;
         for (char& c : text) c = c == '\n' || c == '\r' ? ' ' : c;
         ParseInto(NewAgentTraceParser(), "AzureADConnectProvisioningAgent_20261117.log",
                   "AADConnectProvisioningAgent.exe Error: 0 : " + code + ": " + text +
                       "\n    DateTime=2026-11-17T14:25:10.0000000Z\n",
                   sink);
       }},
      {"Windows event (insertion strings)", EventKind::kEventLog, true,
       [](const std::string& code, const std::string& msg, const Context&, CollectingSink* sink) {
         // No text form of an .evtx exists; this is the event the evtx parser makes.
         Event e;
         e.kind = EventKind::kEventLog;
         e.level = "Error";
         e.activity = "AAD.Connect.ProvisioningAgent/0";
         e.reason = "Application";
         e.message = code + " | " + msg;
         sink->OnEvent(e);
       }},
  };
  return shapes;
}


// A code pattern whose item also asks for a job id, an activity or another record field is
// tied to that context on purpose (a generic code counted only for one job type); such items
// are not "a code anywhere" and are left out here. Message, level and kind may go with it.
bool ContextFree(const Condition& c) {
  for (const auto& [field, pattern] : c.pairs) {
    if (field != EventField::kCode && field != EventField::kMessage && field != EventField::kLevel &&
        field != EventField::kKind) {
      return false;
    }
  }
  return true;
}

bool HasContextFreeCode(const Signature& sig) {
  for (const auto* conds : {&sig.all, &sig.any}) {
    for (const auto& c : *conds) {
      if (!ContextFree(c)) continue;
      for (const auto& [field, pattern] : c.pairs) {
        if (field == EventField::kCode) return true;
      }
    }
  }
  return false;
}

// Whether a text-only shape can carry `code`: only code-like words are codes there.
bool CodeLike(const std::string& code) {
  std::string one;
  AppendEventCodes([&] { Event e; e.message = code; return e; }(), &one);
  return one == code;
}

// The code of `e` that one of `sig`'s context-free code patterns names: the event's code field
// is searched one code (line) at a time. "" when none.
std::string KeyedCode(const Signature& sig, const Event& e) {
  std::string codes;
  AppendEventCodes(e, &codes);
  for (const auto* conds : {&sig.all, &sig.any}) {
    for (const auto& c : *conds) {
      if (!ContextFree(c)) continue;
      for (const auto& [field, pattern] : c.pairs) {
        if (field != EventField::kCode) continue;
        RE2 re("(?m)" + pattern, RE2::Quiet);
        size_t pos = 0;
        while (re.ok() && pos < codes.size()) {
          size_t nl = codes.find('\n', pos);
          std::string one = codes.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
          if (RE2::PartialMatch(one, re)) return one;
          pos = nl == std::string::npos ? codes.size() : nl + 1;
        }
      }
    }
  }
  return "";
}

}  // namespace

TEST_CASE("Code-keyed signatures fire on their code in every record shape that can carry it",
          "[analyzer][matcher][shapes]") {
  std::vector<Signature> sigs;
  REQUIRE(LoadSignatures("", &sigs).ok());
  std::unique_ptr<Matcher> matcher;
  REQUIRE(Matcher::Build(&sigs, &matcher).ok());
  Matcher::Scratch scratch;
  std::vector<int> hits;
  int checked = 0, keyed = 0;
  for (size_t i = 0; i < sigs.size(); ++i) {
    const Signature& sig = sigs[i];
    if (!HasContextFreeCode(sig)) continue;
    ++keyed;
    bool any_example = false;
    for (const Example& ex : sig.examples) {
      std::string code = KeyedCode(sig, ex.event);
      if (code.empty()) continue;  // this example holds through another item
      any_example = true;
      // Does the example need its job id (an app's generic code counted for that app's job)?
      // Then only shapes that carry a job id can show it.
      bool needs_job = false;
      if (!ex.event.job_id.empty()) {
        Event bare = ex.event;
        bare.job_id.clear();
        REQUIRE(matcher->MatchAll(bare, &scratch, &hits).ok());
        needs_job = std::find(hits.begin(), hits.end(), static_cast<int>(i)) == hits.end();
      }
      Context ctx;
      if (!ex.event.job_id.empty()) ctx.job_id = ex.event.job_id;
      if (ex.event.kind == EventKind::kProvisioning && !ex.event.level.empty()) ctx.status = ex.event.level;
      if (ex.event.kind == EventKind::kProvisioning && !ex.event.activity.empty()) ctx.action = ex.event.activity;
      for (const Shape& shape : Shapes()) {
        if (!sig.AppliesTo(shape.kind)) continue;
        // A plain word ("Unknown", a quarantine reason) is a code only where a field holds it.
        if (shape.text_only && !CodeLike(code)) continue;
        if (needs_job && shape.kind != EventKind::kProvisioning && shape.kind != EventKind::kJob) continue;
        INFO(sig.file << ":" << ex.line << " " << sig.id << " code " << code << " in a " << shape.name);
        CollectingSink sink;
        shape.make(code, ex.event.message, ctx, &sink);
        REQUIRE(sink.events.size() == 1);
        REQUIRE(matcher->MatchAll(sink.events[0], &scratch, &hits).ok());
        CHECK(std::find(hits.begin(), hits.end(), static_cast<int>(i)) != hits.end());
        ++checked;
      }
    }
    INFO(sig.file << ": " << sig.id << " is keyed on a code but no match example carries a code it names");
    CHECK(any_example);
  }
  CHECK(keyed >= 100);
  CHECK(checked >= 500);
}

}  // namespace syncdoctor
