// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "consent/consentservice.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "consent/callservice.h"
#include "util/text.h"

namespace tessera::consent {

namespace {

using nlohmann::json;

constexpr std::string_view kActionCapabilities = "consent.capabilities";
constexpr std::string_view kActionOpenId = "consent.openid";
constexpr std::string_view kActionLoad = "consent.load";
constexpr std::string_view kActionBrowser = "consent.browser_permission";
constexpr std::string_view kActionRule = "consent.standing_rule";
constexpr std::string_view kActionPrompt = "consent.prompt";
constexpr std::string_view kActionCancelled = "consent.cancelled";
constexpr std::string_view kActionRevoke = "consent.revoke";
constexpr std::string_view kActionRuleAdded = "consent.rule_added";
constexpr std::string_view kActionRuleRemoved = "consent.rule_removed";

constexpr std::string_view kDeclinedInSession = "declined earlier in this session";
constexpr std::string_view kTooManyPrompts = "too many consent questions are already waiting for an answer";

std::string dump(const json &j)
{
    // Replace rather than throw on invalid UTF-8: audit bodies must never take the process down.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string_view actionFor(DecisionKind kind)
{
    switch (kind) {
    case DecisionKind::Capability: return kActionCapabilities;
    case DecisionKind::OpenId: return kActionOpenId;
    case DecisionKind::Load: return kActionLoad;
    case DecisionKind::BrowserPermission: return kActionBrowser;
    case DecisionKind::Invalid: break;
    }
    return "consent.invalid";
}

PromptKind promptKindFor(DecisionKind kind)
{
    switch (kind) {
    case DecisionKind::Capability: return PromptKind::Capabilities;
    case DecisionKind::OpenId: return PromptKind::OpenId;
    case DecisionKind::Load: return PromptKind::Load;
    case DecisionKind::BrowserPermission: return PromptKind::BrowserPermission;
    case DecisionKind::Invalid: break;
    }
    return PromptKind::Invalid;
}

Result<void> checkField(std::string_view name, std::string_view value, std::size_t maxBytes, bool required)
{
    if (required && value.empty())
        return Error(ErrorCode::BadRequest, "a consent request needs the " + std::string(name));
    if (value.size() > maxBytes)
        return Error(ErrorCode::BadRequest,
                     "the " + std::string(name) + " is longer than " + std::to_string(maxBytes) + " bytes");
    if (!text::isValidUtf8(value))
        return Error(ErrorCode::BadRequest, "the " + std::string(name) + " is not valid UTF-8");
    return {};
}

json ruleJson(const StandingRule &r)
{
    return json{{"id", r.id}, {"kind", toString(r.kind)}, {"subject", r.subject}, {"room_id", r.roomId}};
}

std::string describeRule(const StandingRule &r)
{
    switch (r.kind) {
    case RuleKind::TrustOwnWidgets: return "rule " + std::to_string(r.id) + " (trust widgets I add)";
    case RuleKind::TrustAgent: return "rule " + std::to_string(r.id) + " (trust widgets added by " + r.subject + ")";
    case RuleKind::TrustPluginWidgetTypes:
        return "rule " + std::to_string(r.id) + " (trust the declared capabilities of plugin " + r.subject + ")";
    case RuleKind::TrustCallService:
        return "rule " + std::to_string(r.id) + " (trust the call service at " + r.subject + ")";
    case RuleKind::Invalid: break;
    }
    return "rule " + std::to_string(r.id);
}

bool ruleApplies(const StandingRule &rule, const ConsentSubject &subject)
{
    if (rule.userId != subject.userId || (!rule.roomId.empty() && rule.roomId != subject.widget.roomId))
        return false;
    const std::string &sender = subject.senderUserId;
    switch (rule.kind) {
    case RuleKind::TrustOwnWidgets:
        return !sender.empty() && sender == subject.userId && subject.widget.creatorUserId == subject.userId;
    case RuleKind::TrustAgent:
        return !sender.empty() && sender == rule.subject && subject.widget.creatorUserId == rule.subject;
    case RuleKind::TrustPluginWidgetTypes:
        return subject.plugin && subject.plugin->pluginId == rule.subject;
    case RuleKind::TrustCallService:
        // Whoever published it: the origin is what is trusted, and only with a call's capabilities.
        return isCallServiceOrigin(subject.widget.origin, rule.subject);
    case RuleKind::Invalid: break;
    }
    return false;
}

bool ruleGrantsItem(const StandingRule &rule, const ConsentSubject &subject, DecisionKind kind, const std::string &item)
{
    if (rule.kind == RuleKind::TrustCallService)
        return kind == DecisionKind::Capability
            && isCallServiceCapability(item, subject.widget.roomId, subject.userId, subject.deviceId);
    if (kind == DecisionKind::Load)
        return true;
    if (kind != DecisionKind::Capability)
        return false; // identity and browser permissions are always the user's own decision
    if (rule.kind != RuleKind::TrustPluginWidgetTypes)
        return true;
    const auto &declared = subject.plugin->declaredCapabilities;
    return std::find(declared.begin(), declared.end(), item) != declared.end();
}

/** Who and what an audit row about a remembered decision of @p scope is about. */
ConsentSubject subjectOf(const WidgetScope &scope)
{
    ConsentSubject subject;
    subject.userId = scope.userId;
    subject.widget.roomId = scope.roomId;
    subject.widget.widgetId = scope.widgetId;
    subject.widget.origin = scope.origin;
    subject.widget.url = scope.url;
    return subject;
}

/** Who and what an audit row about a standing rule is about: its user and its room, if any. */
ConsentSubject subjectOf(const StandingRule &rule)
{
    ConsentSubject subject;
    subject.userId = rule.userId;
    subject.widget.roomId = rule.roomId;
    return subject;
}

} // namespace

struct ConsentService::Pending {
    Prompt prompt; ///< id, subject and the items to ask about
    SessionId session = 0;
    DecisionKind kind = DecisionKind::Invalid;
    WidgetScope key;         ///< what a remembered answer is stored under
    std::string detailJson = "{}";
    std::vector<ItemDecision> items; ///< every item; source Invalid while the user is asked
    std::map<std::int64_t, StandingRule> rulesUsed;
    std::vector<std::string> notRequested; ///< what the prompter approved but nobody asked for
    bool asked = false;
    bool remember = false;
    std::int64_t startedMs = 0;
    Scheduler::TimerId timer = 0;
    Callback<CapabilityDecision> capabilitiesDone;
    Callback<Decision> singleDone;
};

Result<std::unique_ptr<ConsentService>> ConsentService::open(const std::filesystem::path &dataDir, Prompter &prompter,
                                                             audit::AuditSink &audit, Scheduler &scheduler,
                                                             ConsentOptions options)
{
    auto store = ConsentStore::open(dataDir);
    if (!store)
        return store.error();
    return create(std::move(store).value(), prompter, audit, scheduler, options);
}

Result<std::unique_ptr<ConsentService>> ConsentService::create(ConsentStore store, Prompter &prompter,
                                                               audit::AuditSink &audit, Scheduler &scheduler,
                                                               ConsentOptions options)
{
    if (options.promptTimeoutMs < kMinPromptTimeoutMs || options.promptTimeoutMs > kMaxPromptTimeoutMs)
        return Error(ErrorCode::BadRequest, "the consent prompt timeout must be between 1 s and 1 h, not "
                                                + std::to_string(options.promptTimeoutMs) + " ms");
    if (options.maxPendingPromptsPerSession == 0 || options.maxPendingPrompts == 0
        || options.maxPendingPromptsPerSession > options.maxPendingPrompts)
        return Error(ErrorCode::BadRequest, "the pending prompt limits must be at least 1, and the per-session "
                                            "limit at most the overall limit");
    auto rules = store.listRules("");
    if (!rules)
        return rules.error();
    std::unique_ptr<ConsentService> service(new ConsentService(std::move(store), prompter, audit, scheduler, options));
    service->m_rules = std::move(rules).value();
    return service;
}

ConsentService::ConsentService(ConsentStore store, Prompter &prompter, audit::AuditSink &audit, Scheduler &scheduler,
                               ConsentOptions options)
    : m_store(std::move(store)), m_prompter(prompter), m_audit(audit), m_scheduler(scheduler), m_options(options)
{
}

ConsentService::~ConsentService()
{
    auto pending = std::move(m_pending);
    m_pending.clear();
    for (auto &[id, p] : pending) {
        m_scheduler.cancel(p->timer);
        m_prompter.withdraw(id);
    }
}

SessionId ConsentService::openSession()
{
    const SessionId id = m_nextSession++;
    m_sessions.emplace(id, SessionState{});
    return id;
}

void ConsentService::closeSession(SessionId session)
{
    if (m_sessions.erase(session) == 0)
        return;
    std::vector<PendingPtr> cancelled;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it->second->session == session) {
            cancelled.push_back(it->second);
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto &p : cancelled) {
        m_scheduler.cancel(p->timer);
        m_prompter.withdraw(p->prompt.id);
        auditRecord(audit::Decision::Info, p->prompt.subject, p->prompt.origin, kActionCancelled,
                    "the widget closed while the user was asked; nothing was decided",
                    dump(json{{"prompt", p->prompt.id}, {"items", p->prompt.items}}));
    }
}

Result<void> ConsentService::admit(SessionId session, const ConsentSubject &subject)
{
    if (m_sessions.find(session) == m_sessions.end())
        return Error(ErrorCode::BadRequest,
                     "consent session " + std::to_string(session) + " is not open (it was closed or never opened)");
    const auto &w = subject.widget;
    for (auto [name, value, max, required] :
         {std::tuple<const char *, std::string_view, std::size_t, bool>{"user id", subject.userId, kMaxIdentifierBytes, true},
          {"widget id", w.widgetId, kMaxIdentifierBytes, true},
          {"room id", w.roomId, kMaxIdentifierBytes, false},
          {"widget origin", w.origin, kMaxIdentifierBytes, false},
          {"widget URL", w.url, kMaxUrlBytes, false},
          {"creator", w.creatorUserId, kMaxIdentifierBytes, false},
          {"sender", subject.senderUserId, kMaxIdentifierBytes, false},
          {"state event id", w.stateEventId, kMaxIdentifierBytes, false},
          {"widget type", w.widgetType, kMaxIdentifierBytes, false}}) {
        if (auto ok = checkField(name, value, max, required); !ok)
            return ok;
    }
    if (subject.plugin) {
        if (auto ok = checkField("plugin id", subject.plugin->pluginId, kMaxIdentifierBytes, true); !ok)
            return ok;
    }
    if (!m_audit.accepting())
        return Error(ErrorCode::Unavailable, "the audit log cannot be written, so nothing can be granted now");
    return {};
}

bool ConsentService::requestCapabilities(SessionId session, const ConsentSubject &subject,
                                         const std::vector<std::string> &capabilities, bool isRenegotiation,
                                         Callback<CapabilityDecision> done)
{
    return requestCapabilities(session, subject, capabilities, isRenegotiation, {}, std::move(done));
}

bool ConsentService::requestCapabilities(SessionId session, const ConsentSubject &subject,
                                         const std::vector<std::string> &capabilities, bool isRenegotiation,
                                         const std::vector<bridge::RefusedCapability> &refusedByHost,
                                         Callback<CapabilityDecision> done)
{
    auto pending = std::make_shared<Pending>();
    pending->kind = DecisionKind::Capability;
    pending->session = session;
    pending->prompt.subject = subject;
    pending->prompt.isRenegotiation = isRenegotiation;
    pending->prompt.refused = refusedByHost;
    pending->key = scopeFor(subject.userId, subject.widget);
    pending->capabilitiesDone = std::move(done);
    pending->startedMs = m_scheduler.nowMs();
    if (auto ok = admit(session, subject); !ok) {
        refuse(pending, ok.error());
        return false;
    }
    if (capabilities.size() > kMaxCapabilitiesPerRequest) {
        refuse(pending, Error(ErrorCode::BadRequest, "a capability request lists at most "
                                                         + std::to_string(kMaxCapabilitiesPerRequest)
                                                         + " capabilities, not " + std::to_string(capabilities.size())));
        return false;
    }
    std::set<std::string> seen;
    for (const auto &c : capabilities) {
        if (seen.insert(c).second)
            pending->items.push_back(ItemDecision{c, false, DecisionSource::Invalid, 0, {}});
    }
    return start(pending);
}

bool ConsentService::requestOpenId(SessionId session, const ConsentSubject &subject, Callback<Decision> done)
{
    auto pending = std::make_shared<Pending>();
    pending->kind = DecisionKind::OpenId;
    pending->session = session;
    pending->prompt.subject = subject;
    pending->key = scopeFor(subject.userId, subject.widget);
    pending->items.push_back(ItemDecision{std::string(kOpenIdItem), false, DecisionSource::Invalid, 0, {}});
    pending->singleDone = std::move(done);
    pending->startedMs = m_scheduler.nowMs();
    if (auto ok = admit(session, subject); !ok) {
        refuse(pending, ok.error());
        return false;
    }
    return start(pending);
}

bool ConsentService::requestLoad(SessionId session, const ConsentSubject &subject, Callback<Decision> done)
{
    auto pending = std::make_shared<Pending>();
    pending->kind = DecisionKind::Load;
    pending->session = session;
    pending->prompt.subject = subject;
    // Keyed by the state event: an edited widget is a new event and is asked about again.
    pending->key = WidgetScope{subject.userId, subject.widget.roomId, subject.widget.widgetId, {}, {}};
    pending->detailJson = dump(json{{"origin", subject.widget.origin},
                                    {"url", subject.widget.url},
                                    {"creator", subject.widget.creatorUserId},
                                    {"sender", subject.senderUserId}});
    pending->items.push_back(ItemDecision{subject.widget.stateEventId, false, DecisionSource::Invalid, 0, {}});
    pending->singleDone = std::move(done);
    pending->startedMs = m_scheduler.nowMs();
    if (auto ok = admit(session, subject); !ok) {
        refuse(pending, ok.error());
        return false;
    }
    if (subject.widget.stateEventId.empty()) {
        refuse(pending, Error(ErrorCode::BadRequest, "load consent needs the widget's state event id"));
        return false;
    }
    return start(pending);
}

bool ConsentService::requestBrowserPermission(SessionId session, const ConsentSubject &subject,
                                              const std::string &origin, BrowserPermission permission,
                                              Callback<Decision> done)
{
    auto pending = std::make_shared<Pending>();
    pending->kind = DecisionKind::BrowserPermission;
    pending->session = session;
    pending->prompt.subject = subject;
    pending->prompt.origin = origin;
    pending->key = WidgetScope{subject.userId, {}, {}, origin, {}};
    pending->detailJson = dump(json{{"widget_id", subject.widget.widgetId}, {"room_id", subject.widget.roomId}});
    pending->items.push_back(ItemDecision{toString(permission), false, DecisionSource::Invalid, 0, {}});
    pending->singleDone = std::move(done);
    pending->startedMs = m_scheduler.nowMs();
    if (auto ok = admit(session, subject); !ok) {
        refuse(pending, ok.error());
        return false;
    }
    if (auto ok = checkField("requesting origin", origin, kMaxIdentifierBytes, true); !ok) {
        refuse(pending, ok.error());
        return false;
    }
    if (permission == BrowserPermission::Invalid) {
        refuse(pending, Error(ErrorCode::BadRequest, "the browser permission is not one Tessera knows"));
        return false;
    }
    return start(pending);
}

bool ConsentService::start(const PendingPtr &pending)
{
    auto remembered = m_store.lookup(pending->kind, pending->key);
    if (!remembered) {
        refuse(pending, Error(remembered.error().code,
                              "remembered consent cannot be read, so nothing was granted: " + remembered.error().message));
        return false;
    }
    const ConsentSubject &subject = pending->prompt.subject;
    std::vector<const StandingRule *> rules;
    for (const auto &r : m_rules) {
        if (ruleApplies(r, subject))
            rules.push_back(&r);
    }
    const SessionState &session = m_sessions.at(pending->session);
    for (auto &item : pending->items) {
        if (pending->kind == DecisionKind::Capability) {
            const auto check = bridge::checkCapability(item.item, m_options.customCapabilities);
            if (check.verdict != bridge::CapabilityVerdict::Recognised) {
                item.source = DecisionSource::Automatic;
                item.reason = check.reason;
                auto &refused = pending->prompt.refused;
                if (std::none_of(refused.begin(), refused.end(), [&](const auto &r) { return r.capability == item.item; }))
                    refused.push_back(bridge::RefusedCapability{item.item, check.verdict, check.refusal});
                continue;
            }
        }
        if (auto it = remembered->find(item.item); it != remembered->end()) {
            item.allowed = it->second;
            item.source = DecisionSource::Remembered;
            continue;
        }
        if (session.declined.count({pending->kind, item.item}) != 0) {
            item.source = DecisionSource::Automatic;
            item.reason = std::string(kDeclinedInSession);
            continue;
        }
        for (const StandingRule *rule : rules) {
            if (ruleGrantsItem(*rule, subject, pending->kind, item.item)) {
                item.allowed = true;
                item.source = DecisionSource::StandingRule;
                item.ruleId = rule->id;
                pending->rulesUsed.emplace(rule->id, *rule);
                break;
            }
        }
        if (item.source == DecisionSource::Invalid)
            pending->prompt.items.push_back(item.item);
    }
    if (pending->prompt.items.empty()) {
        finish(pending);
        return false;
    }
    return ask(pending);
}

bool ConsentService::ask(const PendingPtr &pending)
{
    std::size_t forSession = 0;
    for (const auto &[id, p] : m_pending)
        forSession += p->session == pending->session ? 1 : 0;
    if (forSession >= m_options.maxPendingPromptsPerSession || m_pending.size() >= m_options.maxPendingPrompts) {
        for (auto &item : pending->items) {
            if (item.source == DecisionSource::Invalid) {
                item.source = DecisionSource::Automatic;
                item.reason = std::string(kTooManyPrompts);
            }
        }
        finish(pending);
        return false;
    }
    Prompt &prompt = pending->prompt;
    prompt.id = m_nextPrompt++;
    prompt.kind = promptKindFor(pending->kind);
    prompt.deadlineMs = m_scheduler.nowMs() + m_options.promptTimeoutMs;
    pending->asked = true;
    const PromptId id = prompt.id;
    m_pending.emplace(id, pending);
    pending->timer = m_scheduler.schedule(m_options.promptTimeoutMs, [this, id] { onTimeout(id); });
    auditRecord(audit::Decision::Info, prompt.subject, prompt.origin, kActionPrompt, "asked the user",
                dump(json{{"prompt", id},
                          {"kind", toString(prompt.kind)},
                          {"items", prompt.items},
                          {"renegotiation", prompt.isRenegotiation}}));
    // The prompter may answer from inside show(); the request is registered before it is called.
    m_prompter.show(prompt);
    return m_pending.count(id) != 0;
}

Result<void> ConsentService::answer(PromptId id, const PromptAnswer &answer)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return Error(ErrorCode::NotFound, "consent prompt " + std::to_string(id)
                                              + " is no longer waiting for an answer (answered, timed out or withdrawn)");
    PendingPtr pending = it->second;
    m_pending.erase(it);
    m_scheduler.cancel(pending->timer);

    // Approved ⊆ asked: whatever else the prompter returns is ignored (and audited).
    const std::set<std::string> asked(pending->prompt.items.begin(), pending->prompt.items.end());
    std::set<std::string> approved;
    for (const auto &a : answer.approved) {
        if (asked.count(a) != 0)
            approved.insert(a);
        else if (std::find(pending->notRequested.begin(), pending->notRequested.end(), a) == pending->notRequested.end())
            pending->notRequested.push_back(a);
    }
    for (auto &item : pending->items) {
        if (item.source != DecisionSource::Invalid)
            continue;
        item.allowed = approved.count(item.item) != 0;
        item.source = DecisionSource::User;
    }
    pending->remember = answer.remember;
    if (answer.remember) {
        if (auto stored = rememberAnswer(pending); !stored) {
            Error error(stored.error().code,
                        "your decision could not be saved, so nothing was granted: " + stored.error().message);
            refuse(pending, error);
            return error;
        }
        notify([](ConsentListener &l) { l.onConsentChanged(); });
    } else {
        auto session = m_sessions.find(pending->session);
        for (const auto &item : pending->items) {
            if (item.source == DecisionSource::User && !item.allowed && session != m_sessions.end())
                session->second.declined.insert({pending->kind, item.item});
        }
    }
    finish(pending);
    return {};
}

Result<void> ConsentService::rememberAnswer(const PendingPtr &pending)
{
    std::vector<RememberedDecision> rows;
    const std::int64_t now = m_scheduler.wallClockMs();
    for (const auto &item : pending->items) {
        if (item.source != DecisionSource::User)
            continue;
        RememberedDecision d;
        d.kind = pending->kind;
        d.scope = pending->key;
        d.item = item.item;
        d.allowed = item.allowed;
        d.decidedAtMs = now;
        d.detailJson = pending->detailJson;
        rows.push_back(std::move(d));
    }
    return m_store.remember(rows);
}

void ConsentService::onTimeout(PromptId id)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    PendingPtr pending = it->second;
    m_pending.erase(it);
    m_prompter.withdraw(id);
    for (auto &item : pending->items) {
        if (item.source == DecisionSource::Invalid) {
            item.allowed = false;
            item.source = DecisionSource::Timeout;
        }
    }
    finish(pending);
}

void ConsentService::refuse(const PendingPtr &pending, const Error &error)
{
    auditRecord(audit::Decision::Refused, pending->prompt.subject, pending->prompt.origin, actionFor(pending->kind),
                error.message, dump(json{{"user", pending->prompt.subject.userId}}));
    if (pending->capabilitiesDone) {
        auto done = std::move(pending->capabilitiesDone);
        done(error);
    } else if (pending->singleDone) {
        auto done = std::move(pending->singleDone);
        done(error);
    }
}

void ConsentService::finish(const PendingPtr &pending)
{
    const ConsentSubject &subject = pending->prompt.subject;
    bool anyAllowed = false;
    json items = json::array();
    std::size_t askedAllowed = 0;
    std::size_t askedDenied = 0;
    bool timedOut = false;
    for (const auto &item : pending->items) {
        anyAllowed = anyAllowed || item.allowed;
        json j{{"item", item.item}, {"allowed", item.allowed}, {"source", toString(item.source)}};
        if (item.ruleId != 0)
            j["rule"] = item.ruleId;
        if (!item.reason.empty())
            j["reason"] = item.reason;
        items.push_back(std::move(j));
        if (item.source == DecisionSource::User)
            (item.allowed ? askedAllowed : askedDenied)++;
        timedOut = timedOut || item.source == DecisionSource::Timeout;
    }

    // Each rule that granted something gets its own record, written before anything is granted.
    bool audited = true;
    for (const auto &[ruleId, rule] : pending->rulesUsed) {
        json granted = json::array();
        for (const auto &item : pending->items) {
            if (item.source == DecisionSource::StandingRule && item.ruleId == ruleId)
                granted.push_back(item.item);
        }
        audited = auditRecord(audit::Decision::Allowed, subject, pending->prompt.origin, kActionRule,
                              describeRule(rule) + " granted " + std::to_string(granted.size()) + " "
                                  + (pending->kind == DecisionKind::Load ? (granted.size() == 1 ? "load" : "loads")
                                                                         : (granted.size() == 1 ? "capability" : "capabilities")),
                              dump(json{{"rule", ruleJson(rule)}, {"kind", toString(pending->kind)}, {"granted", granted}}))
            && audited;
    }

    std::string reason;
    if (timedOut)
        reason = "nobody answered within " + std::to_string(m_options.promptTimeoutMs / 1000) + " s: denied";
    else if (pending->asked)
        reason = "the user allowed " + std::to_string(askedAllowed) + " and denied " + std::to_string(askedDenied)
            + (pending->remember ? ", remembered" : ", this time only");
    else
        reason = "decided without asking";
    json body{{"user", subject.userId},
              {"url", subject.widget.url},
              {"items", std::move(items)},
              {"remember", pending->remember}};
    if (pending->kind == DecisionKind::Capability)
        body["renegotiation"] = pending->prompt.isRenegotiation;
    if (pending->asked)
        body["prompt"] = pending->prompt.id;
    if (!pending->notRequested.empty())
        body["ignored_not_requested"] = pending->notRequested;
    audited = auditRecord(anyAllowed ? audit::Decision::Allowed : audit::Decision::Refused, subject,
                          pending->prompt.origin, actionFor(pending->kind), reason, dump(body),
                          m_scheduler.nowMs() - pending->startedMs)
        && audited;

    if (anyAllowed && !audited) {
        // Fail closed: a grant that is not in the audit log does not happen.
        const Error error(ErrorCode::Unavailable, "the audit log cannot be written, so nothing was granted");
        if (pending->capabilitiesDone) {
            auto done = std::move(pending->capabilitiesDone);
            done(error);
        } else if (pending->singleDone) {
            auto done = std::move(pending->singleDone);
            done(error);
        }
        return;
    }

    if (pending->kind == DecisionKind::Capability) {
        for (const auto &item : pending->items) {
            if (item.source != DecisionSource::StandingRule)
                continue;
            // Kept once per widget scope and capability, so the list stays as small as what was granted.
            auto &grants = m_ruleGrants[item.ruleId];
            const std::pair<WidgetScope, std::string> grant{pending->key, item.item};
            if (std::find(grants.begin(), grants.end(), grant) == grants.end())
                grants.push_back(grant);
        }
    }

    if (pending->capabilitiesDone) {
        CapabilityDecision decision;
        for (const auto &item : pending->items) {
            if (item.allowed)
                decision.approved.push_back(item.item);
        }
        decision.items = pending->items;
        auto done = std::move(pending->capabilitiesDone);
        done(std::move(decision));
    } else if (pending->singleDone) {
        const ItemDecision &item = pending->items.front();
        auto done = std::move(pending->singleDone);
        done(Decision{item.allowed, item.source, item.ruleId, item.reason});
    }
}

std::vector<Prompt> ConsentService::pendingPrompts() const
{
    std::vector<Prompt> out;
    for (const auto &[id, p] : m_pending)
        out.push_back(p->prompt);
    return out;
}

Result<std::vector<RememberedDecision>> ConsentService::listDecisions(const std::string &userId)
{
    return m_store.list(userId);
}

Result<void> ConsentService::revokeDecision(std::int64_t decisionId)
{
    auto removed = m_store.remove(decisionId);
    if (!removed)
        return removed.error();
    const RememberedDecision &d = *removed;
    // Taking consent back is never blocked by the audit log: it only removes power.
    auditRecord(audit::Decision::Info, subjectOf(d.scope), d.scope.origin, kActionRevoke,
                std::string("the user revoked a remembered ") + (d.allowed ? "allow" : "deny") + " of "
                    + toString(d.kind) + " " + d.item,
                dump(json{{"decision", d.id}, {"kind", toString(d.kind)}, {"item", d.item}, {"allowed", d.allowed}}));
    if (d.allowed) {
        switch (d.kind) {
        case DecisionKind::Capability:
            notify([&](ConsentListener &l) { l.onCapabilitiesRevoked(d.scope, {d.item}); });
            break;
        case DecisionKind::OpenId:
            notify([&](ConsentListener &l) { l.onOpenIdRevoked(d.scope); });
            break;
        case DecisionKind::Load:
            notify([&](ConsentListener &l) { l.onLoadRevoked(d); });
            break;
        case DecisionKind::BrowserPermission:
            if (auto p = browserPermissionFromString(d.item))
                notify([&](ConsentListener &l) { l.onBrowserPermissionRevoked(d.scope.userId, d.scope.origin, *p); });
            break;
        case DecisionKind::Invalid:
            break;
        }
    }
    notify([](ConsentListener &l) { l.onConsentChanged(); });
    return {};
}

Result<std::size_t> ConsentService::revokeWidget(const WidgetScope &scope)
{
    auto removed = m_store.removeScope(scope);
    if (!removed)
        return removed.error();
    if (removed->empty())
        return std::size_t{0};
    std::vector<std::string> capabilities;
    bool openId = false;
    json items = json::array();
    for (const auto &d : *removed) {
        items.push_back(json{{"kind", toString(d.kind)}, {"item", d.item}, {"allowed", d.allowed}});
        if (d.allowed && d.kind == DecisionKind::Capability)
            capabilities.push_back(d.item);
        openId = openId || (d.allowed && d.kind == DecisionKind::OpenId);
    }
    auditRecord(audit::Decision::Info, subjectOf(scope), scope.origin, kActionRevoke,
                "the user revoked every remembered decision of the widget (" + std::to_string(removed->size()) + ")",
                dump(json{{"url", scope.url}, {"items", std::move(items)}}));
    if (!capabilities.empty())
        notify([&](ConsentListener &l) { l.onCapabilitiesRevoked(scope, capabilities); });
    if (openId)
        notify([&](ConsentListener &l) { l.onOpenIdRevoked(scope); });
    notify([](ConsentListener &l) { l.onConsentChanged(); });
    return removed->size();
}

Result<StandingRule> ConsentService::addRule(StandingRule rule, RuleAuthor by)
{
    if (auto ok = checkField("user id", rule.userId, kMaxIdentifierBytes, true); !ok)
        return ok.error();
    if (auto ok = checkField("rule subject", rule.subject, kMaxIdentifierBytes, false); !ok)
        return ok.error();
    switch (rule.kind) {
    case RuleKind::TrustOwnWidgets:
        if (!rule.subject.empty())
            return Error(ErrorCode::BadRequest, "a rule that trusts your own widgets names no one else");
        break;
    case RuleKind::TrustAgent:
        if (rule.subject.size() < 4 || rule.subject[0] != '@' || rule.subject.find(':') == std::string::npos)
            return Error(ErrorCode::BadRequest, "an agent is named by its Matrix user id (@name:server), not \""
                                                    + text::truncateUtf8(rule.subject, 64) + "\"");
        break;
    case RuleKind::TrustPluginWidgetTypes:
        if (rule.subject.empty())
            return Error(ErrorCode::BadRequest, "a plugin rule needs the plugin id");
        break;
    case RuleKind::TrustCallService: {
        // Kept as its origin: what the rule is matched against, and what the page shows.
        auto origin = callServiceOrigin(rule.subject);
        if (!origin)
            return origin.error();
        rule.subject = *origin;
        break;
    }
    case RuleKind::Invalid:
        return Error(ErrorCode::BadRequest, "the standing rule has no kind");
    }
    if (!rule.roomId.empty() && !bridge::isPlausibleRoomId(rule.roomId))
        return Error(ErrorCode::BadRequest, "a rule's room is a room id (!…) or empty for every room");
    if (!m_audit.accepting())
        return Error(ErrorCode::Unavailable, "the audit log cannot be written, so no rule can be added now");
    rule.createdAtMs = m_scheduler.wallClockMs();
    if (auto ok = m_store.addRule(rule); !ok)
        return ok.error();
    m_rules.push_back(rule);
    const std::string who = by == RuleAuthor::Configuration ? "the administrator's configuration added " : "the user added ";
    auditRecord(audit::Decision::Info, subjectOf(rule), {}, kActionRuleAdded, who + describeRule(rule),
                dump(json{{"rule", ruleJson(rule)}}));
    notify([](ConsentListener &l) { l.onConsentChanged(); });
    return rule;
}

Result<std::vector<StandingRule>> ConsentService::listRules(const std::string &userId)
{
    return m_store.listRules(userId);
}

Result<void> ConsentService::removeRule(std::int64_t ruleId)
{
    auto removed = m_store.removeRule(ruleId);
    if (!removed)
        return removed.error();
    std::erase_if(m_rules, [&](const StandingRule &r) { return r.id == ruleId; });
    auditRecord(audit::Decision::Info, subjectOf(*removed), {}, kActionRuleRemoved,
                "the user removed " + describeRule(*removed), dump(json{{"rule", ruleJson(*removed)}}));
    auto grants = m_ruleGrants.extract(ruleId);
    if (grants) {
        // Group by scope so each live widget hears once.
        std::vector<std::pair<WidgetScope, std::vector<std::string>>> byScope;
        for (const auto &grant : grants.mapped()) {
            const WidgetScope &scope = grant.first;
            const std::string &capability = grant.second;
            auto it = std::find_if(byScope.begin(), byScope.end(), [&](const auto &e) { return e.first == scope; });
            if (it == byScope.end())
                byScope.push_back({scope, {capability}});
            else if (std::find(it->second.begin(), it->second.end(), capability) == it->second.end())
                it->second.push_back(capability);
        }
        for (const auto &entry : byScope)
            notify([&](ConsentListener &l) { l.onCapabilitiesRevoked(entry.first, entry.second); });
    }
    notify([](ConsentListener &l) { l.onConsentChanged(); });
    return {};
}

void ConsentService::addListener(ConsentListener *listener)
{
    if (listener && std::find(m_listeners.begin(), m_listeners.end(), listener) == m_listeners.end())
        m_listeners.push_back(listener);
}

void ConsentService::removeListener(ConsentListener *listener)
{
    std::erase(m_listeners, listener);
}

void ConsentService::notify(const std::function<void(ConsentListener &)> &fn)
{
    // A listener may remove itself (or another) while being told; only those still registered hear.
    const auto snapshot = m_listeners;
    for (ConsentListener *l : snapshot) {
        if (std::find(m_listeners.begin(), m_listeners.end(), l) != m_listeners.end())
            fn(*l);
    }
}

bool ConsentService::auditRecord(audit::Decision decision, const ConsentSubject &subject, std::string_view origin,
                                 std::string_view action, std::string_view reason, const std::string &body,
                                 std::int64_t durationMs)
{
    audit::Record r;
    r.category = audit::Category::Consent;
    r.direction = audit::Direction::Internal;
    r.decision = decision;
    r.timestampMs = m_scheduler.wallClockMs();
    r.widgetId = subject.widget.widgetId;
    r.roomId = subject.widget.roomId;
    r.origin = origin.empty() ? std::string_view(subject.widget.origin) : origin;
    r.action = action;
    r.reason = reason;
    r.body = body;
    r.sizeBytes = body.size();
    r.durationMs = durationMs;
    return m_audit.append(r);
}

} // namespace tessera::consent
