// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0

// The C++ layer of the Tessera plugin SDK: header-only, compiled into the plugin.
//
// Derive from tessera::sdk::Plugin, override load() (and unload() if you need it), and write
// TESSERA_PLUGIN(YourClass) once in one .cpp file. The macro generates the three C entry
// points of plugin_abi.h; every call from the host into your code, and every callback you hand
// to the host, goes through a wrapper that catches all exceptions, so none ever crosses the
// boundary. Nothing in this file crosses the boundary either: it needs C++17 and the standard
// library of the plugin's own compiler, and talks to the host only through the C ABI.
//
//     class Hello final : public tessera::sdk::Plugin {
//     public:
//         tessera::sdk::Status load(tessera::sdk::Registrar &registrar) override
//         {
//             tessera::sdk::CapabilityHandler greet;
//             greet.capability = "org.example.hello";
//             greet.description = "Say hello";
//             greet.actions = {"org.example.hello.greet"};
//             greet.handle = [this](const tessera::sdk::Call &call) {
//                 host().reply(call.id, R"({"greeting":"hello"})");
//             };
//             return registrar.registerCapabilityHandler(std::move(greet));
//         }
//     };
//     TESSERA_PLUGIN(Hello)
//
// Threads: everything here runs on the host thread, as plugin_abi.h says, except Host::log and
// Host::post, which any thread may call.
#ifndef TESSERA_PLUGIN_HPP
#define TESSERA_PLUGIN_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugin_abi.h"

namespace tessera::sdk {

/** Log levels, the values of TESSERA_LOG_*. */
enum class LogLevel : std::int32_t {
    Debug = TESSERA_LOG_DEBUG,
    Info = TESSERA_LOG_INFO,
    Warning = TESSERA_LOG_WARNING,
    Error = TESSERA_LOG_ERROR,
};

/**
 * The outcome of a call: a tessera_status code and, on failure, the reason.
 * Converts to true on success.
 */
struct Status {
    tessera_status code = TESSERA_OK;
    std::string message;

    static Status success() { return {}; }
    static Status failure(std::string message, tessera_status code = TESSERA_ERROR)
    {
        return Status{code == TESSERA_OK ? TESSERA_ERROR : code, std::move(message)};
    }
    [[nodiscard]] bool ok() const { return code == TESSERA_OK; }
    explicit operator bool() const { return ok(); }
};

/** Appends @p text to @p out as a JSON string literal, quotes included. @p text must be UTF-8. */
inline void appendJsonString(std::string &out, std::string_view text)
{
    static const char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (u < 0x20) {
                out += "\\u00";
                out += kHex[u >> 4];
                out += kHex[u & 0xF];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

/** Returns @p text as a JSON string literal. */
inline std::string jsonString(std::string_view text)
{
    std::string out;
    appendJsonString(out, text);
    return out;
}

/** One capability a widget type needs, with the reason the consent dialog shows. */
struct NeededCapability {
    std::string capability;
    std::string reason;
};

/**
 * Thrown by a WidgetType::buildUrl for a widget the plugin cannot show (its data is missing or
 * wrong): the host shows what() on the widget's tile and does not count it as a failure of the
 * plugin (TESSERA_BAD_WIDGET, ABI 1.3).
 */
class BadWidget : public std::exception {
public:
    explicit BadWidget(std::string reason) : m_reason(std::move(reason)) {}
    [[nodiscard]] const char *what() const noexcept override { return m_reason.c_str(); }

private:
    std::string m_reason;
};

/**
 * A widget type (tessera_widget_type_info). Set exactly one of urlTemplate, buildUrl and
 * assetEntry; plugin_abi.h documents every field.
 */
struct WidgetType {
    std::string type;        ///< Required
    std::string displayName; ///< Required
    std::string icon;        ///< Optional: path in the assets directory
    std::string urlTemplate; ///< One of three
    /**
     * One of three: receives the widget as JSON (with the room's config, ABI 1.3), returns its
     * URL. Throw BadWidget for a widget that cannot be shown, anything else to fail.
     */
    std::function<std::string(std::string_view widgetJson)> buildUrl;
    std::string assetEntry;                     ///< One of three: path in the assets directory
    std::vector<NeededCapability> capabilities; ///< Optional
    std::string description;                    ///< Optional (ABI 1.1)
    /** Shown in every room that did not turn the plugin off (TESSERA_WIDGET_TYPE_ENABLED_BY_DEFAULT, ABI 1.3). */
    bool enabledByDefault = false;
};

/** One fromWidget request (tessera_call_info). The views are valid only during the handler. */
struct Call {
    std::uint64_t id = 0;
    std::uint64_t sessionId = 0;
    std::string_view capability;
    std::string_view action;
    std::string_view dataJson;
    std::string_view widgetJson;
};

/**
 * A capability handler (tessera_capability_handler_info). `handle` answers with
 * Host::reply / Host::replyError, now or later; throwing (or returning without answering and
 * then never answering) counts as a failure of the plugin.
 */
struct CapabilityHandler {
    std::string capability;           ///< Required
    std::string description;          ///< Required
    std::vector<std::string> actions; ///< Required
    std::function<void(const Call &)> handle; ///< Required
    std::function<void(std::uint64_t sessionId)> sessionClosed; ///< Optional
};

/** An HTTP request (tessera_http_request). */
struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::uint32_t timeoutMs = 0;        ///< 0: the host's default (30 s)
    std::uint32_t maxResponseBytes = 0; ///< 0: the host's default (8 MiB)
    /** 1.2: the widget session the request is made for (audited with its widget and room); 0: none. */
    std::uint64_t sessionId = 0;
    /**
     * 1.2: receive the body in pieces as it arrives (server-sent events); the response's body
     * then stays empty. Each piece comes with the HTTP status of its response.
     */
    std::function<void(int httpStatus, std::string_view piece)> onData;
};

/** The outcome of an HTTP request (tessera_http_response), copied out of the host's struct. */
struct HttpResponse {
    Status status;        ///< ok() when the server answered, whatever the HTTP status
    int httpStatus = 0;
    std::string headersJson = "{}";
    std::string body;
};

/** Completion of an asynchronous request: the status and the result JSON (or the error text). */
using ResultCallback = std::function<void(const Status &status, std::string_view text)>;

class Plugin;

namespace detail {

/** Copies a host string out with the snprintf-style functions of tessera_host_api. */
template<typename Fn>
std::string readHostString(Fn fn, tessera_host *host)
{
    if (!fn)
        return {};
    const std::size_t size = fn(host, nullptr, 0);
    std::string out(size, '\0');
    if (size > 0)
        fn(host, out.data(), size + 1);
    return out;
}

} // namespace detail

/**
 * @brief The host function table (tessera_host_api) with C++ types.
 *
 * Keeps the std::function objects it hands to the host and frees those still pending when the
 * plugin unloads, so nothing leaks when the host drops a callback.
 */
class Host {
public:
    explicit Host(const tessera_host_api *api) : m_api(api) {}
    Host(const Host &) = delete;
    Host &operator=(const Host &) = delete;

    /** The C table, for members this layer does not wrap. */
    [[nodiscard]] const tessera_host_api *api() const { return m_api; }

    /** Any thread. */
    void log(LogLevel level, std::string_view message) const noexcept
    {
        try {
            const std::string text(message);
            m_api->log(m_api->host, static_cast<std::int32_t>(level), text.c_str());
        } catch (...) {
            // Out of memory while logging: nothing sensible is left to do.
        }
    }

    /** See tessera_host_api.set_error. */
    void setError(std::string_view message) const noexcept
    {
        try {
            const std::string text(message);
            m_api->set_error(m_api->host, text.c_str());
        } catch (...) {
            m_api->set_error(m_api->host, "out of memory");
        }
    }

    [[nodiscard]] std::string lastError() const { return detail::readHostString(m_api->get_last_error, m_api->host); }
    [[nodiscard]] std::string dataDirectory() const { return detail::readHostString(m_api->get_data_dir, m_api->host); }
    [[nodiscard]] std::string settingsJson() const { return detail::readHostString(m_api->get_settings, m_api->host); }
    Status setSettingsJson(std::string_view json) const { return check(m_api->set_settings(m_api->host, cstr(json).c_str())); }

    [[nodiscard]] std::int64_t nowMs() const { return m_api->now_ms(m_api->host); }
    [[nodiscard]] std::int64_t wallClockMs() const { return m_api->wall_clock_ms(m_api->host); }

    /** Runs @p fn once after @p delayMs. Returns the timer id, or 0 on failure (see lastError()). */
    std::uint64_t setTimer(std::int64_t delayMs, std::function<void()> fn)
    {
        auto *box = keep(std::make_unique<Task>(this, std::move(fn)));
        const std::uint64_t id = m_api->set_timer(m_api->host, delayMs, &Host::runTask, box);
        if (id == 0) {
            release(box);
            return 0;
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        m_timers[id] = box;
        box->timerId = id;
        return id;
    }

    void cancelTimer(std::uint64_t id)
    {
        m_api->cancel_timer(m_api->host, id);
        PendingBase *box = nullptr;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            auto it = m_timers.find(id);
            if (it == m_timers.end())
                return;
            box = it->second;
            m_timers.erase(it);
        }
        release(box);
    }

    /** Runs @p fn soon on the host thread. Any thread. */
    Status post(std::function<void()> fn)
    {
        auto *box = keep(std::make_unique<Task>(this, std::move(fn)));
        const tessera_status s = m_api->post(m_api->host, &Host::runTask, box);
        if (s != TESSERA_OK)
            release(box);
        return check(s);
    }

    Status reply(std::uint64_t callId, std::string_view responseJson) const
    {
        return check(m_api->reply(m_api->host, callId, cstr(responseJson).c_str()));
    }

    Status replyError(std::uint64_t callId, std::string_view message) const
    {
        return check(m_api->reply_error(m_api->host, callId, cstr(message).c_str()));
    }

    /** See tessera_host_api.push; @p done may be empty. */
    Status push(std::uint64_t sessionId, std::string_view capability, std::string_view action,
                std::string_view dataJson, ResultCallback done = {})
    {
        PendingBase *box = done ? keep(std::make_unique<Result>(this, std::move(done))) : nullptr;
        return finish(box, m_api->push(m_api->host, sessionId, cstr(capability).c_str(), cstr(action).c_str(),
                                       cstr(dataJson).c_str(), box ? &Host::runResult : nullptr, box));
    }

    /** See tessera_host_api.read_room_state; no @p stateKey means every key. */
    Status readRoomState(std::uint64_t sessionId, std::string_view eventType, std::optional<std::string_view> stateKey,
                         ResultCallback done)
    {
        auto *box = keep(std::make_unique<Result>(this, std::move(done)));
        const std::string key = stateKey ? std::string(*stateKey) : std::string();
        return finish(box, m_api->read_room_state(m_api->host, sessionId, cstr(eventType).c_str(),
                                                  stateKey ? key.c_str() : nullptr, &Host::runResult, box));
    }

    Status readRoomEvents(std::uint64_t sessionId, std::string_view eventType, std::uint32_t limit, ResultCallback done)
    {
        auto *box = keep(std::make_unique<Result>(this, std::move(done)));
        return finish(box, m_api->read_room_events(m_api->host, sessionId, cstr(eventType).c_str(), limit,
                                                   &Host::runResult, box));
    }

    /** Sends a message event (no @p stateKey) or a state event. */
    Status sendRoomEvent(std::uint64_t sessionId, std::string_view eventType, std::optional<std::string_view> stateKey,
                         std::string_view contentJson, ResultCallback done)
    {
        auto *box = keep(std::make_unique<Result>(this, std::move(done)));
        const std::string key = stateKey ? std::string(*stateKey) : std::string();
        return finish(box, m_api->send_room_event(m_api->host, sessionId, cstr(eventType).c_str(),
                                                  stateKey ? key.c_str() : nullptr, cstr(contentJson).c_str(),
                                                  &Host::runResult, box));
    }

    Status mintToken(std::uint64_t sessionId, std::string_view audience, std::string_view scope,
                     std::uint32_t lifetimeSeconds, ResultCallback done)
    {
        auto *box = keep(std::make_unique<Result>(this, std::move(done)));
        return finish(box, m_api->mint_token(m_api->host, sessionId, cstr(audience).c_str(), cstr(scope).c_str(),
                                             lifetimeSeconds, &Host::runResult, box));
    }

    /** Starts an HTTP request; @p requestId (optional) receives the id for cancelHttp(). */
    Status http(const HttpRequest &request, std::function<void(const HttpResponse &)> done,
                std::uint64_t *requestId = nullptr)
    {
        std::string headers = "{";
        for (const auto &[name, value] : request.headers) {
            if (headers.size() > 1)
                headers += ',';
            appendJsonString(headers, name);
            headers += ':';
            appendJsonString(headers, value);
        }
        headers += '}';
        tessera_http_request c{};
        const std::string method = request.method;
        const std::string url = request.url;
        c.method = method.c_str();
        c.url = url.c_str();
        c.headers_json = headers.c_str();
        c.body = request.body.empty() ? nullptr : request.body.data();
        c.body_size = request.body.size();
        c.timeout_ms = request.timeoutMs;
        c.max_response_bytes = request.maxResponseBytes;
        c.session_id = request.sessionId;
        c.on_data = request.onData ? &Host::runHttpData : nullptr;
        auto *box = keep(std::make_unique<Http>(this, std::move(done), request.onData));
        std::uint64_t id = 0;
        const tessera_status s = tessera_http_request_start(m_api, &c, &Host::runHttp, box, &id);
        if (requestId)
            *requestId = s == TESSERA_OK ? id : 0;
        return finish(box, s);
    }

    void cancelHttp(std::uint64_t requestId) { m_api->http_cancel(m_api->host, requestId); }

    /**
     * 1.2: the plugin's secrets in the system keychain (tessera_host_api.read_secret). @p done
     * receives the value, or a failure with code TESSERA_NOT_FOUND when there is none.
     */
    Status readSecret(std::string_view name, ResultCallback done)
    {
        if (!TESSERA_HAS_MEMBER(m_api, read_secret))
            return Status::failure("this Tessera is older than plugin ABI 1.2 and keeps no secrets", TESSERA_UNSUPPORTED);
        auto *box = keep(std::make_unique<Result>(this, std::move(done)));
        return finish(box, m_api->read_secret(m_api->host, cstr(name).c_str(), &Host::runResult, box));
    }

    Status writeSecret(std::string_view name, std::string_view value, ResultCallback done)
    {
        if (!TESSERA_HAS_MEMBER(m_api, write_secret))
            return Status::failure("this Tessera is older than plugin ABI 1.2 and keeps no secrets", TESSERA_UNSUPPORTED);
        auto *box = keep(std::make_unique<Result>(this, std::move(done)));
        return finish(box, m_api->write_secret(m_api->host, cstr(name).c_str(), cstr(value).c_str(),
                                               &Host::runResult, box));
    }

    Status deleteSecret(std::string_view name, ResultCallback done)
    {
        if (!TESSERA_HAS_MEMBER(m_api, delete_secret))
            return Status::failure("this Tessera is older than plugin ABI 1.2 and keeps no secrets", TESSERA_UNSUPPORTED);
        auto *box = keep(std::make_unique<Result>(this, std::move(done)));
        return finish(box, m_api->delete_secret(m_api->host, cstr(name).c_str(), &Host::runResult, box));
    }

private:
    struct PendingBase {
        explicit PendingBase(Host *h) : host(h) {}
        virtual ~PendingBase() = default;
        Host *host;
        std::uint64_t timerId = 0;
    };
    struct Task final : PendingBase {
        Task(Host *h, std::function<void()> f) : PendingBase(h), fn(std::move(f)) {}
        std::function<void()> fn;
    };
    struct Result final : PendingBase {
        Result(Host *h, ResultCallback f) : PendingBase(h), fn(std::move(f)) {}
        ResultCallback fn;
    };
    struct Http final : PendingBase {
        Http(Host *h, std::function<void(const HttpResponse &)> f,
             std::function<void(int, std::string_view)> d = nullptr)
            : PendingBase(h), fn(std::move(f)), onData(std::move(d))
        {
        }
        std::function<void(const HttpResponse &)> fn;
        std::function<void(int, std::string_view)> onData;
    };

    static std::string cstr(std::string_view s) { return std::string(s); }

    Status check(tessera_status s) const
    {
        if (s == TESSERA_OK)
            return {};
        std::string why = lastError();
        return Status::failure(why.empty() ? "the host refused the request" : std::move(why), s);
    }

    Status finish(PendingBase *box, tessera_status s)
    {
        if (s != TESSERA_OK && box)
            release(box);
        return check(s);
    }

    template<typename T>
    T *keep(std::unique_ptr<T> box)
    {
        T *raw = box.get();
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pending.emplace(raw, std::move(box));
        return raw;
    }

    /** Removes a pending box; returns ownership, or null if it is gone already. */
    std::unique_ptr<PendingBase> take(PendingBase *box)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_pending.find(box);
        if (it == m_pending.end())
            return nullptr;
        std::unique_ptr<PendingBase> owned = std::move(it->second);
        m_pending.erase(it);
        if (owned->timerId != 0)
            m_timers.erase(owned->timerId);
        return owned;
    }

    void release(PendingBase *box) { take(box); }

    template<typename Fn>
    void guarded(const char *what, Fn &&fn) noexcept
    {
        try {
            fn();
        } catch (const std::exception &e) {
            log(LogLevel::Error, std::string("uncaught exception in ") + what + ": " + e.what());
        } catch (...) {
            log(LogLevel::Error, std::string("uncaught exception of unknown type in ") + what);
        }
    }

    static void runTask(void *userData) noexcept
    {
        auto *raw = static_cast<PendingBase *>(userData);
        Host *host = raw->host;
        std::unique_ptr<PendingBase> owned = host->take(raw);
        if (!owned)
            return;
        auto *task = static_cast<Task *>(owned.get());
        host->guarded("a timer or posted task", [&] { task->fn(); });
    }

    static void runResult(void *userData, tessera_status status, const char *text) noexcept
    {
        auto *raw = static_cast<PendingBase *>(userData);
        Host *host = raw->host;
        std::unique_ptr<PendingBase> owned = host->take(raw);
        if (!owned)
            return;
        auto *result = static_cast<Result *>(owned.get());
        host->guarded("a result callback", [&] {
            const std::string_view view = text ? std::string_view(text) : std::string_view();
            Status st;
            if (status != TESSERA_OK)
                st = Status::failure(std::string(view), status);
            result->fn(st, view);
        });
    }

    static void runHttp(void *userData, const tessera_http_response *response) noexcept
    {
        auto *raw = static_cast<PendingBase *>(userData);
        Host *host = raw->host;
        std::unique_ptr<PendingBase> owned = host->take(raw);
        if (!owned)
            return;
        auto *http = static_cast<Http *>(owned.get());
        host->guarded("an HTTP callback", [&] {
            HttpResponse out;
            if (response->status != TESSERA_OK)
                out.status = Status::failure(response->error ? response->error : "HTTP request failed", response->status);
            out.httpStatus = response->http_status;
            if (response->headers_json)
                out.headersJson = response->headers_json;
            if (response->body)
                out.body.assign(response->body, response->body_size);
            http->fn(out);
        });
    }

    static void runHttpData(void *userData, std::int32_t httpStatus, const char *data, std::size_t size) noexcept
    {
        auto *raw = static_cast<PendingBase *>(userData);
        Host *host = raw->host;
        {
            std::lock_guard<std::mutex> lock(host->m_mutex);
            if (host->m_pending.find(raw) == host->m_pending.end())
                return;
        }
        auto *http = static_cast<Http *>(raw);
        host->guarded("an HTTP data callback", [&] {
            if (http->onData)
                http->onData(httpStatus, std::string_view(data ? data : "", data ? size : 0));
        });
    }

    const tessera_host_api *m_api;
    std::mutex m_mutex; // post() may come from any thread
    std::map<PendingBase *, std::unique_ptr<PendingBase>> m_pending;
    std::map<std::uint64_t, PendingBase *> m_timers;
};

namespace detail {

struct TypeBox {
    Host *host = nullptr;
    std::function<std::string(std::string_view)> buildUrl;
};

struct HandlerBox {
    Host *host = nullptr;
    CapabilityHandler spec;
};

inline std::string uncaught(const std::exception &e) { return std::string("uncaught exception: ") + e.what(); }
inline const char *kUncaughtUnknown = "uncaught exception of unknown type";

inline tessera_status buildUrlShim(void *data, const char *widgetJson, char *buffer, std::size_t size) noexcept
{
    auto *box = static_cast<TypeBox *>(data);
    try {
        const std::string url = box->buildUrl(widgetJson ? std::string_view(widgetJson) : std::string_view());
        if (url.size() + 1 > size) {
            box->host->setError("the URL is longer than the host accepts");
            return TESSERA_LIMIT;
        }
        std::memcpy(buffer, url.c_str(), url.size() + 1);
        return TESSERA_OK;
    } catch (const BadWidget &e) {
        box->host->setError(e.what());
        return TESSERA_BAD_WIDGET;
    } catch (const std::exception &e) {
        box->host->setError(uncaught(e));
    } catch (...) {
        box->host->setError(kUncaughtUnknown);
    }
    return TESSERA_ERROR;
}

inline void freeTypeBox(void *data) noexcept { delete static_cast<TypeBox *>(data); }

inline tessera_status handleShim(void *data, const tessera_call_info *info) noexcept
{
    auto *box = static_cast<HandlerBox *>(data);
    try {
        Call call;
        call.id = info->call_id;
        call.sessionId = info->session_id;
        call.capability = info->capability ? info->capability : "";
        call.action = info->action ? info->action : "";
        call.dataJson = info->data_json ? info->data_json : "{}";
        call.widgetJson = info->widget_json ? info->widget_json : "{}";
        box->spec.handle(call);
        return TESSERA_OK;
    } catch (const std::exception &e) {
        box->host->setError(uncaught(e));
    } catch (...) {
        box->host->setError(kUncaughtUnknown);
    }
    return TESSERA_ERROR;
}

inline void sessionClosedShim(void *data, std::uint64_t sessionId) noexcept
{
    auto *box = static_cast<HandlerBox *>(data);
    try {
        if (box->spec.sessionClosed)
            box->spec.sessionClosed(sessionId);
    } catch (const std::exception &e) {
        box->host->log(LogLevel::Error, "uncaught exception in sessionClosed: " + std::string(e.what()));
    } catch (...) {
        box->host->log(LogLevel::Error, "uncaught exception of unknown type in sessionClosed");
    }
}

inline void freeHandlerBox(void *data) noexcept { delete static_cast<HandlerBox *>(data); }

} // namespace detail

/**
 * @brief The registration functions (tessera_registrar), valid only during Plugin::load().
 */
class Registrar {
public:
    Registrar(const tessera_registrar *registrar, Host &host) : m_registrar(registrar), m_host(host) {}

    /** Registers @p type; the host copies it. */
    Status registerWidgetType(const WidgetType &type)
    {
        std::string caps = "[";
        for (const NeededCapability &need : type.capabilities) {
            if (caps.size() > 1)
                caps += ',';
            caps += "{\"capability\":";
            appendJsonString(caps, need.capability);
            caps += ",\"reason\":";
            appendJsonString(caps, need.reason);
            caps += '}';
        }
        caps += ']';

        tessera_widget_type_info info{};
        info.type = type.type.c_str();
        info.display_name = type.displayName.c_str();
        info.icon = type.icon.empty() ? nullptr : type.icon.c_str();
        info.url_template = type.urlTemplate.empty() ? nullptr : type.urlTemplate.c_str();
        info.asset_entry = type.assetEntry.empty() ? nullptr : type.assetEntry.c_str();
        info.capabilities_json = caps.c_str();
        info.description = type.description.empty() ? nullptr : type.description.c_str();
        info.flags = type.enabledByDefault ? TESSERA_WIDGET_TYPE_ENABLED_BY_DEFAULT : 0u;
        std::unique_ptr<detail::TypeBox> box;
        if (type.buildUrl) {
            box = std::make_unique<detail::TypeBox>();
            box->host = &m_host;
            box->buildUrl = type.buildUrl;
            info.build_url = &detail::buildUrlShim;
            info.type_data = box.get();
            info.free_type_data = &detail::freeTypeBox;
        }
        const tessera_status s = tessera_register_widget_type(m_registrar, &info);
        if (s != TESSERA_OK)
            return Status::failure(m_host.lastError(), s);
        (void)box.release(); // the host owns it now and frees it through free_type_data
        return {};
    }

    /** Registers @p handler; the host copies its strings, the layer keeps the functions. */
    Status registerCapabilityHandler(CapabilityHandler handler)
    {
        std::vector<const char *> actions;
        actions.reserve(handler.actions.size() + 1);
        for (const std::string &a : handler.actions)
            actions.push_back(a.c_str());
        actions.push_back(nullptr);

        auto box = std::make_unique<detail::HandlerBox>();
        box->host = &m_host;
        box->spec = std::move(handler);

        tessera_capability_handler_info info{};
        info.capability = box->spec.capability.c_str();
        info.description = box->spec.description.c_str();
        info.actions = actions.data();
        info.handle = box->spec.handle ? &detail::handleShim : nullptr;
        info.session_closed = &detail::sessionClosedShim;
        info.handler_data = box.get();
        info.free_handler_data = &detail::freeHandlerBox;
        const tessera_status s = tessera_register_capability_handler(m_registrar, &info);
        if (s != TESSERA_OK)
            return Status::failure(m_host.lastError(), s);
        (void)box.release(); // the host owns it now and frees it through free_handler_data
        return {};
    }

private:
    const tessera_registrar *m_registrar;
    Host &m_host;
};

/**
 * @brief Base class of a plugin written with this layer. One instance exists between
 * tessera_plugin_load and tessera_plugin_unload.
 */
class Plugin {
public:
    virtual ~Plugin() = default;

    /**
     * Registers the plugin's types and handlers. Return a failed Status (or throw) to refuse to
     * load: the user sees "initialization failed: <message>".
     */
    virtual Status load(Registrar &registrar) = 0;

    /** Called once at shutdown if load() succeeded. host() is still usable here. */
    virtual void unload() {}

    /** The host, valid from before load() until after unload(). */
    Host &host() { return *m_host; }

private:
    template<typename T>
    friend tessera_status loadPlugin(const tessera_host_api *, const tessera_registrar *) noexcept;

    std::unique_ptr<Host> m_host;
};

namespace detail {
/** The running instance; one per plugin library. */
inline std::unique_ptr<Plugin> &instance()
{
    static std::unique_ptr<Plugin> plugin;
    return plugin;
}
} // namespace detail

/** The body of the generated tessera_plugin_load. */
template<typename T>
tessera_status loadPlugin(const tessera_host_api *api, const tessera_registrar *registrar) noexcept
{
    std::unique_ptr<Plugin> &slot = detail::instance();
    try {
        slot.reset();
        std::unique_ptr<Plugin> plugin = std::make_unique<T>();
        plugin->m_host = std::make_unique<Host>(api);
        Registrar wrapped(registrar, *plugin->m_host);
        Status status = plugin->load(wrapped);
        if (!status) {
            api->set_error(api->host, status.message.c_str());
            return status.code;
        }
        slot = std::move(plugin);
        return TESSERA_OK;
    } catch (const std::exception &e) {
        api->set_error(api->host, detail::uncaught(e).c_str());
    } catch (...) {
        api->set_error(api->host, detail::kUncaughtUnknown);
    }
    slot.reset();
    return TESSERA_ERROR;
}

/** The body of the generated tessera_plugin_unload. */
inline void unloadPlugin() noexcept
{
    std::unique_ptr<Plugin> &slot = detail::instance();
    if (!slot)
        return;
    try {
        slot->unload();
    } catch (const std::exception &e) {
        slot->host().log(LogLevel::Error, "uncaught exception in unload: " + std::string(e.what()));
    } catch (...) {
        slot->host().log(LogLevel::Error, "uncaught exception of unknown type in unload");
    }
    try {
        slot.reset();
    } catch (...) {
        // A throwing destructor: the instance is gone either way.
    }
}

} // namespace tessera::sdk

/**
 * Generates the C entry points for @p PluginClass, a tessera::sdk::Plugin with a default
 * constructor. Write it once, at namespace scope, in one .cpp file.
 */
#define TESSERA_PLUGIN(PluginClass)                                                                        \
    TESSERA_PLUGIN_DECLARE_ABI_VERSION()                                                                   \
    extern "C" TESSERA_PLUGIN_EXPORT tessera_status tessera_plugin_load(const tessera_host_api *api,       \
                                                                        const tessera_registrar *registrar) \
    {                                                                                                      \
        return ::tessera::sdk::loadPlugin<PluginClass>(api, registrar);                                    \
    }                                                                                                      \
    extern "C" TESSERA_PLUGIN_EXPORT void tessera_plugin_unload(void) { ::tessera::sdk::unloadPlugin(); }

#endif // TESSERA_PLUGIN_HPP
