// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// tessera-bridge: one widget session over stdin/stdout, one JSON message per line, against an
// in-memory room. For conformance checks, fuzz reproduction and benchmarks; not a product mode.

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <poll.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "audit/auditsink.h"
#include "bridge/widgetsession.h"
#include "util/jsonfields.h"
#include "util/loopscheduler.h"
#include "memoryroom.h"
#include "util/text.h"

using namespace tessera;
using nlohmann::json;

namespace {

constexpr const char *kAbout = R"(Runs one Matrix Widget API session over stdin/stdout against an in-memory room.
Each line on stdin is one message from the widget (JSON, "api":"fromWidget" requests or
"api":"toWidget" responses) or a host control line; each line on stdout is one message the
host sends to the widget.

Host control lines (JSON objects with a "tessera" member instead of "api"):
  {"tessera":"load"}                                   the widget's iframe finished loading
  {"tessera":"feed_event","event":{...}}               a live room event arrives
  {"tessera":"feed_state","event":{...}}               a room state change arrives
  {"tessera":"feed_to_device","type":T,"sender":S,"content":{...},"encrypted":false}
  {"tessera":"theme","theme":{"name":"dark"}}          theme_change
  {"tessera":"language","lang":"es"}                   language_change
  {"tessera":"revoke","capabilities":[...]}            the user revokes capabilities
  {"tessera":"stop"}                                   ends the session and the program)";

class StdoutTransport final : public bridge::Transport {
public:
    void send(std::string message) override
    {
        message += '\n';
        std::fwrite(message.data(), 1, message.size(), stdout);
    }
};

class JsonLinesAuditSink final : public audit::AuditSink {
public:
    explicit JsonLinesAuditSink(std::ostream &out) : m_out(out) {}
    bool append(const audit::Record &r) override
    {
        json row{{"ts", r.timestampMs},       {"category", audit::toString(r.category)},
                 {"direction", audit::toString(r.direction)}, {"decision", audit::toString(r.decision)},
                 {"widget", r.widgetId},      {"room", r.roomId},
                 {"action", r.action},        {"request_id", r.requestId},
                 {"size", r.sizeBytes},       {"reason", r.reason},
                 {"duration_ms", r.durationMs}};
        m_out << row.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
        return bool(m_out);
    }
    bool accepting() const override { return bool(m_out); }

private:
    std::ostream &m_out;
};

struct Options {
    std::string widgetId = "widget";
    std::string roomId = "!harness:tessera.local";
    std::string userId = "@user:tessera.local";
    std::string origin = "https://widget.example";
    std::string consent = "deny-all";
    bool waitForIframeLoad = true;
    bool simulateLoad = true;
    bool echoSends = false;
    std::string seedFile;
    std::string auditFile;
    std::size_t maxMessageBytes = 8 * 1024 * 1024;
    int lingerMs = 0;
};

int fail(const std::string &message)
{
    std::cerr << "tessera-bridge: " << message << '\n';
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    CLI::App cli(kAbout, "tessera-bridge");
    cli.add_option("--widget-id", o.widgetId, "widget id")->capture_default_str();
    cli.add_option("--room-id", o.roomId, "the widget's room")->capture_default_str();
    cli.add_option("--user-id", o.userId, "the user")->capture_default_str();
    cli.add_option("--origin", o.origin, "the widget's origin, for the audit log")->capture_default_str();
    cli.add_option("--consent", o.consent, "approve-all | deny-all | approve:<cap>,<cap>,...")->capture_default_str();
    cli.add_option("--wait-for-iframe-load", o.waitForIframeLoad,
                   "true: negotiate on the load event; false: on content_loaded")
        ->capture_default_str();
    bool noLoad = false;
    cli.add_flag("--no-load", noLoad, "do not simulate the iframe load event at start (send {\"tessera\":\"load\"})");
    cli.add_option("--seed", o.seedFile, "JSON array of room events (timeline and state) to start with");
    cli.add_flag("--echo-sends", o.echoSends, "feed the widget's own sent events back to it as live events");
    cli.add_option("--audit", o.auditFile, "write every audit record as a JSON line to FILE (\"-\" for stderr)");
    cli.add_option("--max-message-bytes", o.maxMessageBytes, "message size limit")
        ->check(CLI::Range(std::size_t(64), std::size_t(1) << 30))
        ->capture_default_str();
    cli.add_option("--linger-ms", o.lingerMs, "after stdin ends, keep running timers for N ms")
        ->check(CLI::Range(0, 600'000))
        ->capture_default_str();
    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp &) {
        std::cout << cli.help();
        return 0;
    } catch (const CLI::ParseError &e) {
        return fail(std::string(e.what()) + " (see --help)");
    }
    o.simulateLoad = !noLoad;
    for (const std::string *value : {&o.widgetId, &o.roomId, &o.userId, &o.origin, &o.consent})
        if (value->empty())
            return fail("an option needs a value that is not empty");

    auto policy = harness::ConsentPolicy::parse(o.consent);
    if (!policy)
        return fail(policy.error().message);

    harness::MemoryRoomDriver driver(o.roomId, o.userId, *policy);
    if (!o.seedFile.empty()) {
        std::ifstream in(o.seedFile);
        if (!in)
            return fail("cannot read " + o.seedFile + ": " + std::strerror(errno));
        json seed = json::parse(in, nullptr, false);
        if (seed.is_discarded() || !seed.is_array())
            return fail(o.seedFile + " must hold a JSON array of events");
        for (auto &ev : seed) {
            if (!ev.is_object() || !ev.contains("type") || !ev["type"].is_string())
                return fail(o.seedFile + ": every event needs a string \"type\"");
            driver.addEvent(std::move(ev));
        }
    }

    std::ofstream auditFile;
    std::unique_ptr<audit::AuditSink> auditSink;
    if (o.auditFile.empty()) {
        auditSink = std::make_unique<audit::NullAuditSink>();
    } else if (o.auditFile == "-") {
        auditSink = std::make_unique<JsonLinesAuditSink>(std::cerr);
    } else {
        auditFile.open(o.auditFile, std::ios::app);
        if (!auditFile)
            return fail("cannot write " + o.auditFile + ": " + std::strerror(errno));
        auditSink = std::make_unique<JsonLinesAuditSink>(auditFile);
    }

    LoopScheduler scheduler;
    StdoutTransport transport;
    bridge::SessionConfig config;
    config.widget.widgetId = o.widgetId;
    config.widget.roomId = o.roomId;
    config.widget.origin = o.origin;
    config.widget.url = o.origin + "/";
    config.userId = o.userId;
    config.waitForIframeLoad = o.waitForIframeLoad;
    config.limits.envelope.maxMessageBytes = o.maxMessageBytes;
    bridge::WidgetSession session(config, driver, transport, *auditSink, scheduler);
    if (o.echoSends)
        driver.onEventSent = [&](const json &ev) { session.feedEvent(ev); };
    session.start();
    if (o.simulateLoad)
        session.onIframeLoaded();
    std::fflush(stdout);

    bool stopped = false;
    const auto control = [&](const json &c) -> bool {
        const std::string what = jsonString(c, "tessera");
        if (what == "load")
            session.onIframeLoaded();
        else if (what == "feed_event" && c.contains("event"))
            session.feedEvent(c["event"]);
        else if (what == "feed_state" && c.contains("event"))
            session.feedStateUpdate(c["event"]);
        else if (what == "feed_to_device")
            session.feedToDevice(jsonString(c, "type"), jsonString(c, "sender"), c.value("content", json::object()),
                                 jsonBool(c, "encrypted"));
        else if (what == "theme")
            session.updateTheme(c.value("theme", json::object()));
        else if (what == "language")
            session.updateLanguage(jsonString(c, "lang"));
        else if (what == "revoke" && c.contains("capabilities") && c["capabilities"].is_array()) {
            std::vector<std::string> capabilities;
            for (const json &cap : c["capabilities"]) {
                if (!cap.is_string()) {
                    std::cerr << "tessera-bridge: revoke: capabilities must be strings: " << c.dump() << '\n';
                    return false;
                }
                capabilities.push_back(cap.get<std::string>());
            }
            session.revokeCapabilities(capabilities);
        }
        else if (what == "stop") {
            session.stop();
            stopped = true;
        } else {
            std::cerr << "tessera-bridge: unknown control line: " << c.dump() << '\n';
            return false;
        }
        return true;
    };

    std::string buffer;
    bool eof = false;
    bool skippingLine = false;
    std::int64_t lingerUntil = 0;
    char chunk[65536];
    while (!stopped) {
        int timeout = scheduler.msUntilNext();
        if (eof) {
            const std::int64_t left = lingerUntil - scheduler.nowMs();
            if (left <= 0 || timeout < 0)
                break;
            timeout = timeout < 0 ? int(left) : std::min<int>(timeout, int(left));
        }
        if (!eof) {
            pollfd pfd{STDIN_FILENO, POLLIN, 0};
            const int ready = ::poll(&pfd, 1, timeout);
            if (ready < 0 && errno != EINTR)
                return fail(std::string("poll failed: ") + std::strerror(errno));
            if (ready > 0) {
                const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
                if (n <= 0) {
                    eof = true;
                    lingerUntil = scheduler.nowMs() + o.lingerMs;
                } else if (skippingLine) {
                    const char *nl = static_cast<const char *>(std::memchr(chunk, '\n', std::size_t(n)));
                    if (nl) {
                        skippingLine = false;
                        buffer.append(nl + 1, std::size_t(chunk + n - (nl + 1)));
                    }
                } else {
                    buffer.append(chunk, std::size_t(n));
                }
                std::size_t start = 0;
                for (;;) {
                    const std::size_t nl = buffer.find('\n', start);
                    if (nl == std::string::npos)
                        break;
                    std::string_view line(buffer.data() + start, nl - start);
                    start = nl + 1;
                    if (!line.empty() && line.back() == '\r')
                        line.remove_suffix(1);
                    if (line.empty())
                        continue;
                    if (line.find("\"tessera\"") != std::string_view::npos && line.find("\"api\"") == std::string_view::npos) {
                        json c = json::parse(line, nullptr, false);
                        if (c.is_object() && c.contains("tessera")) {
                            control(c);
                            continue;
                        }
                    }
                    session.handleMessage(line);
                }
                buffer.erase(0, start);
                if (eof && !buffer.empty()) {
                    session.handleMessage(buffer);
                    buffer.clear();
                }
                // A line longer than the limit is refused as it arrives instead of being buffered
                // forever; the rest of it, up to the next newline, is discarded.
                if (buffer.size() > o.maxMessageBytes + 1) {
                    session.handleMessage(buffer);
                    buffer.clear();
                    skippingLine = true;
                }
            }
        } else if (timeout > 0) {
            ::poll(nullptr, 0, timeout);
        }
        scheduler.runDue();
        std::fflush(stdout);
    }
    scheduler.runDue();
    std::fflush(stdout);
    return 0;
}
