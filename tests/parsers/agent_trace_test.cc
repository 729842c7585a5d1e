// Tests of the provisioning-agent trace parsers (parsers/agent_trace.cc).
#include <string>

#include <catch2/catch.hpp>

#include "parsers/formats.h"
#include "parsers/text_decode.h"
#include "parsers/timestamp.h"
#include "tests/parsers/collecting_sink.h"

namespace syncdoctor {
namespace {

int64_t Ms(const std::string& text) {
  int64_t ms = 0;
  REQUIRE(ParseTimestamp(text, &ms));
  return ms;
}

// A header, two continuation lines and the ThreadId/DateTime footers.
const char kWebSocketEntry[] =
    R"(AADConnectProvisioningAgent.exe Error: 0 : Web socket failed to connect.
System.Net.WebSockets.WebSocketException (0x80004005): Unable to connect to the remote server
   at Microsoft.ApplicationProxy.Connector.Listeners.ConnectorSignalingWebSocket.ConnectAsync()
    ThreadId=5
    DateTime=2026-11-20T10:15:07.2040006Z
)";

}  // namespace

TEST_CASE("AgentTraceParser: a header with continuation and footer lines is one event",
          "[parsers][agent_trace]") {
  auto parser = NewAgentTraceParser();
  CHECK(parser->name() == "agent-trace");
  CHECK(parser->kind() == EventKind::kTrace);
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "trace.log", kWebSocketEntry, &sink).ok());
  CHECK(sink.bad.empty());
  CHECK(sink.warnings.empty());
  REQUIRE(sink.events.size() == 1);
  const Event& e = sink.events[0];
  CHECK(e.kind == EventKind::kTrace);
  CHECK(e.level == "Error");
  CHECK(e.activity == "AADConnectProvisioningAgent.exe");
  CHECK(e.message ==
        "Web socket failed to connect.\n"
        "System.Net.WebSockets.WebSocketException (0x80004005): Unable to connect to the remote "
        "server\n"
        "   at Microsoft.ApplicationProxy.Connector.Listeners.ConnectorSignalingWebSocket."
        "ConnectAsync()");
  CHECK(e.time_ms == Ms("2026-11-20T10:15:07.204Z"));
  CHECK(e.time_ms == 1795169707204);
  CHECK_FALSE(e.time_inferred);
  CHECK(e.loc.file == "trace.log");
  CHECK(e.loc.line == 1);
  CHECK(e.record_id == "trace.log:1");
  // raw keeps every line of the entry, footers included.
  CHECK(e.raw == std::string_view(kWebSocketEntry, sizeof kWebSocketEntry - 2));
}

TEST_CASE("AgentTraceParser: an entry without a DateTime footer takes the previous entry's time",
          "[parsers][agent_trace]") {
  auto parser = NewAgentTraceParser();
  CollectingSink sink;
  const std::string input = std::string(kWebSocketEntry) +
                            "AADConnectProvisioningAgent.exe Information: 0 : Retrying in 30 seconds.\n";
  REQUIRE(ParseString(parser.get(), "trace.log", input, &sink).ok());
  REQUIRE(sink.events.size() == 2);
  const Event& e = sink.events[1];
  CHECK(e.level == "Information");
  CHECK(e.message == "Retrying in 30 seconds.");
  CHECK(e.loc.line == 6);
  CHECK(e.record_id == "trace.log:6");
  CHECK(e.time_ms == sink.events[0].time_ms);
  CHECK(e.time_inferred);
  CHECK_FALSE(sink.events[0].time_inferred);
}

TEST_CASE("AgentTraceParser: lines before the first header form one entry",
          "[parsers][agent_trace]") {
  auto parser = NewAgentTraceParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "excerpt.log", R"(
Unable to initialize metrics collector, exception: 'System.UnauthorizedAccessException: Access to the registry key 'Global' is denied.
   at Microsoft.Win32.RegistryKey.Win32Error(Int32 errorCode, String str)
AADConnectProvisioningAgent.exe Warning: 0 : Metrics are off.
)",
                      &sink).ok());
  REQUIRE(sink.events.size() == 2);
  const Event& first = sink.events[0];
  CHECK(first.message ==
        "Unable to initialize metrics collector, exception: 'System.UnauthorizedAccessException: "
        "Access to the registry key 'Global' is denied.\n"
        "   at Microsoft.Win32.RegistryKey.Win32Error(Int32 errorCode, String str)");
  CHECK(first.level == "");
  CHECK(first.activity == "");
  CHECK(first.loc.line == 2);  // the blank first line is skipped
  CHECK(first.time_ms == 0);
  CHECK(sink.events[1].level == "Warning");
  CHECK(sink.events[1].message == "Metrics are off.");
  CHECK(sink.events[1].loc.line == 4);
}

TEST_CASE("AgentTraceParser: a placeholder DateTime gives a warning and no time",
          "[parsers][agent_trace]") {
  // pta_agent_trace_doc_sample.log of the shared corpus (the Microsoft doc sample).
  auto parser = NewAgentTraceParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "pta.log",
                      R"(AzureADConnectAuthenticationAgentService.exe Error: 0 : Passthrough Authentication request failed. RequestId: 'df63f4a4-68b9-44ae-8d81-6ad2d844d84e'. Reason: '1328'.
    ThreadId=5
    DateTime=xxxx-xx-xxTxx:xx:xx.xxxxxxZ
AzureADConnectAuthenticationAgentService.exe Error: 0 : Second.
    DateTime=xxxx-xx-xxTxx:xx:xx.xxxxxxZ
)",
                      &sink).ok());
  REQUIRE(sink.events.size() == 2);
  CHECK(sink.events[0].time_ms == 0);
  CHECK_FALSE(sink.events[0].time_inferred);
  CHECK(sink.events[0].activity == "AzureADConnectAuthenticationAgentService.exe");
  CHECK(sink.events[0].message ==
        "Passthrough Authentication request failed. RequestId: "
        "'df63f4a4-68b9-44ae-8d81-6ad2d844d84e'. Reason: '1328'.");
  CHECK(sink.events[1].time_ms == 0);
  // Warned per entry: a time that does not read is never silent.
  REQUIRE(sink.warnings.size() == 2);
  CHECK(sink.warnings[0] ==
        "pta.log:3: DateTime footer 'xxxx-xx-xxTxx:xx:xx.xxxxxxZ' is in no date form syncdoctor "
        "reads: the record is kept without a time");
  CHECK(sink.warnings[1].rfind("pta.log:5: DateTime footer", 0) == 0);
  CHECK(sink.bad.empty());
}

TEST_CASE("AgentTraceVerboseParser: entries without footers take the time in the file name",
          "[parsers][agent_trace]") {
  auto parser = NewAgentTraceVerboseParser();
  CHECK(parser->name() == "agent-trace-verbose");
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "trace-agent-verbose-20261118-091502.log",
                      "AAD Connect Provisioning Agent Information: 0 : Starting the agent\n"
                      "AAD Connect Provisioning Agent Verbose: 0 : Loading the configuration\n",
                      &sink).ok());
  REQUIRE(sink.events.size() == 2);
  for (const Event& e : sink.events) {
    CHECK(e.time_ms == Ms("2026-11-18T09:15:02Z"));
    CHECK(e.time_ms == 1794993302000);
    CHECK(e.time_inferred);
    CHECK(e.activity == "AAD Connect Provisioning Agent");
  }
  CHECK(sink.events[0].level == "Information");
  CHECK(sink.events[1].level == "Verbose");
  CHECK(sink.events[1].message == "Loading the configuration");
}

TEST_CASE("AgentTraceParser: a file name without a time leaves untimed entries at 0",
          "[parsers][agent_trace]") {
  auto parser = NewAgentTraceParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "agent.log",
                      "AADConnectProvisioningAgent.exe Information: 0 : Started\n", &sink).ok());
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0].time_ms == 0);
  CHECK_FALSE(sink.events[0].time_inferred);
}

TEST_CASE("AgentTraceParser: blank input gives no events", "[parsers][agent_trace]") {
  auto parser = NewAgentTraceParser();
  for (const char* input : {"", "\n", "\r\n  \n\t\n"}) {
    CollectingSink sink;
    REQUIRE(ParseString(parser.get(), "empty.log", input, &sink).ok());
    CHECK(sink.events.empty());
    CHECK(sink.bad.empty());
    CHECK(sink.warnings.empty());
  }
}

TEST_CASE("AgentTraceParser: a JSON line between entries is kept as a continuation",
          "[parsers][agent_trace]") {
  auto parser = NewAgentTraceParser();
  CollectingSink sink;
  REQUIRE(ParseString(parser.get(), "trace.log",
                      "AADConnectProvisioningAgent.exe Error: 0 : Response body:\n"
                      "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"Token expired\"}}\n"
                      "AADConnectProvisioningAgent.exe Information: 0 : Next\n",
                      &sink).ok());
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 2);
  CHECK(sink.events[0].message ==
        "Response body:\n{\"error\":{\"code\":\"Unauthorized\",\"message\":\"Token expired\"}}");
  CHECK(sink.events[1].message == "Next");
}

TEST_CASE("AgentTraceParser: each entry is one event, CRLF or not", "[parsers][agent_trace]") {
  auto parser = NewAgentTraceParser();
  CollectingSink sink;
  REQUIRE(ParseBytes(parser.get(), "trace.log",
                     "\xEF\xBB\xBF"
                     "AADConnectProvisioningAgent.exe Information: 0 : one\r\n"
                     "AADConnectProvisioningAgent.exe Warning: 0 : two\r\n"
                     "  more of two\r\n"
                     "    DateTime=2026-11-20T10:15:07Z\r\n"
                     "AADConnectProvisioningAgent.exe Critical: 12 : three\r\n"
                     "\r\n"
                     "AADConnectProvisioningAgent.exe Error: -1 : four\r\n",
                     &sink).ok());
  CHECK(sink.bad.empty());
  REQUIRE(sink.events.size() == 4);  // four headers: four records, four events
  CHECK(sink.events[0].message == "one");
  CHECK(sink.events[0].time_ms == 0);  // no earlier time to take
  CHECK(sink.events[1].message == "two\n  more of two");
  CHECK(sink.events[1].time_ms == Ms("2026-11-20T10:15:07Z"));
  CHECK(sink.events[2].level == "Critical");
  CHECK(sink.events[2].message == "three");  // the trailing blank line is trimmed
  CHECK(sink.events[2].time_inferred);
  CHECK(sink.events[3].level == "Error");
  CHECK(sink.events[3].loc.line == 7);
  CHECK(sink.events[3].record_id == "trace.log:7");
}

TEST_CASE("AgentTraceParser: stops when the sink returns false",
          "[parsers][agent_trace][regression]") {
  // Bug: AgentTraceParser::Flush ignores the result of EventSink::OnEvent (event.h: "Returns
  // false to ask the parser to stop early"), so the whole file is read and handed over anyway.
  auto parser = NewAgentTraceParser();
  CollectingSink sink;
  sink.stop_after = 1;
  REQUIRE(ParseString(parser.get(), "trace.log",
                      "AADConnectProvisioningAgent.exe Information: 0 : one\n"
                      "AADConnectProvisioningAgent.exe Information: 0 : two\n"
                      "AADConnectProvisioningAgent.exe Information: 0 : three\n",
                      &sink).ok());
  CHECK(sink.events.size() == 1);
}

TEST_CASE("AgentTraceParser: Probe still claims a plain .log whose 1024th byte is inside a "
          "UTF-8 character", "[parsers][agent_trace][regression]") {
  // Bug: Probe checks IsValidUtf8(head.substr(0, 1024)); when that cut splits a multi-byte
  // character the check fails, and a header-less trace excerpt in a non-English locale scores 0
  // (skipped as unknown) instead of 15.
  std::string head;
  while (head.size() < 1000) head += "Der Zugriff auf den Registrierungsschluessel wurde verweigert.\n";
  head.resize(1023, 'x');
  head += "\xC3\xBC";  // U+00FC at bytes 1023..1024
  head += " weiter\n";
  REQUIRE(IsValidUtf8(head));
  auto parser = NewAgentTraceParser();
  CHECK(parser->Probe("excerpt.log", head) == 15);
}

TEST_CASE("AgentTraceParser: Probe claims headers, and plain .log text only weakly",
          "[parsers][agent_trace]") {
  auto parser = NewAgentTraceParser();
  auto verbose = NewAgentTraceVerboseParser();
  const char header[] = "AADConnectProvisioningAgent.exe Error: 0 : Web socket failed to connect.\n";
  CHECK(parser->Probe("a.log", header) == 90);
  CHECK(verbose->Probe("a.log", header) == 0);
  CHECK(verbose->Probe("trace-agent-verbose-20261118-091502.log", header) == 95);
  CHECK(parser->Probe("excerpt.log", "Unable to initialize metrics collector\n") == 15);
  CHECK(parser->Probe("excerpt.txt", "Unable to initialize metrics collector\n") == 0);
  CHECK(parser->Probe("x.log", "{\"a\":1}\n") == 0);
}

}  // namespace syncdoctor
