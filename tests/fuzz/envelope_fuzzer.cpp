// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The envelope scanner (parseEnvelope, validateJson, spliceResponse) against nlohmann/json as
// the reference parser. The oracle, exactly (README.md explains why each exclusion exists):
//
//   validateJson(t) accepts  <=>  nlohmann parses t  AND depth(t) <= 64
//                                 AND t does not start with a UTF-8 byte-order mark
//                                 (nlohmann skips one; RFC 8259 forbids emitting it)
//   with one allowed disagreement: a number too large for a double (1e400) is valid JSON that
//   validateJson accepts and nlohmann refuses ("number overflow"). nlohmann also treats a NUL
//   byte as the end of its input: a text with a NUL must be refused, and its prefix before the
//   NUL is checked instead.
//
//   validateJson(t) accepts  =>  buildJson(t) is nlohmann's DOM (same types, same values), or
//                                 discarded exactly when nlohmann refuses t, which is exactly
//                                 when hasNumberBeyondDouble(t)
//
//   parseEnvelope(t) accepts  =>  validateJson(t) accepts, nlohmann's DOM is an object whose
//   api/widgetId/requestId/action equal the decoded envelope strings, data/response re-parse
//   to the same values, and spliceResponse() yields that object plus "response".
//   parseEnvelope(t) refuses  =>  one of its documented rules is broken: depth > 65 (the
//   envelope object itself is not counted), a duplicate envelope field, a field missing, empty,
//   not a string or longer than 512 bytes, an unknown api, or data/response not an object.

#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "bridge/envelope.h"
#include "fuzztarget.h"

using tessera::bridge::buildJson;
using tessera::bridge::hasNumberBeyondDouble;
using tessera::bridge::parseEnvelope;
using tessera::bridge::spliceResponse;
using tessera::bridge::validateJson;
using nlohmann::json;

namespace {

constexpr const char *kEnvelopeFields[] = {"api", "widgetId", "requestId", "action", "data", "response"};

// What nlohmann's SAX parser saw: depth, envelope keys at the top level, and why it failed.
class Observer final : public nlohmann::json_sax<json> {
public:
    int depth = 0;
    int maxDepth = 0;
    bool duplicateEnvelopeField = false;
    bool failed = false;
    int errorId = 0;
    std::set<std::string> topKeys;

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t &) override { return true; }
    bool string(string_t &) override { return true; }
    bool binary(binary_t &) override { return true; }
    bool start_object(std::size_t) override { return enter(); }
    bool end_object() override { return leave(); }
    bool start_array(std::size_t) override { return enter(); }
    bool end_array() override { return leave(); }
    bool key(string_t &k) override
    {
        if (depth == 1) {
            for (const char *f : kEnvelopeFields) {
                if (k == f && !topKeys.insert(k).second)
                    duplicateEnvelopeField = true;
            }
        }
        return true;
    }
    bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &ex) override
    {
        failed = true;
        errorId = ex.id;
        return false;
    }

private:
    bool enter()
    {
        ++depth;
        if (depth > maxDepth)
            maxDepth = depth;
        return true;
    }
    bool leave()
    {
        --depth;
        return true;
    }
};

constexpr int kNumberOverflow = 406; // nlohmann out_of_range.406

bool startsWithBom(std::string_view t)
{
    return t.size() >= 3 && t.substr(0, 3) == "\xEF\xBB\xBF";
}

const json *member(const json &obj, const char *key)
{
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

void checkAcceptedEnvelope(std::string_view text, const tessera::bridge::Envelope &env, const json &dom)
{
    FUZZ_CHECK(dom.is_object(), "parseEnvelope accepted a non-object");
    const std::pair<const char *, const std::string *> ids[] = {
        {"api", &env.api}, {"widgetId", &env.widgetId}, {"requestId", &env.requestId}, {"action", &env.action}};
    for (const auto &[name, value] : ids) {
        const json *v = member(dom, name);
        FUZZ_CHECK(v && v->is_string(), "field " << name << " accepted but not a string in the DOM");
        FUZZ_CHECK(v->get<std::string>() == *value, "field " << name << " decoded as '" << *value << "', nlohmann says '"
                                                           << v->get<std::string>() << "'");
        FUZZ_CHECK(!value->empty() && value->size() <= 512, "field " << name << " has length " << value->size());
    }
    FUZZ_CHECK(env.api == "fromWidget" || env.api == "toWidget", "api " << env.api);

    const json *data = member(dom, "data");
    FUZZ_CHECK((data != nullptr) == !env.data.empty(), "data presence differs");
    if (data) {
        FUZZ_CHECK(data->is_object(), "data accepted but not an object");
        const json reparsed = json::parse(env.data, nullptr, false);
        FUZZ_CHECK(reparsed == *data, "data view " << env.data << " does not hold the data value");
    }
    const json *response = member(dom, "response");
    FUZZ_CHECK((response != nullptr) == env.hasResponse, "response presence differs");
    if (response) {
        FUZZ_CHECK(response->is_object(), "response accepted but not an object");
        FUZZ_CHECK(json::parse(env.response, nullptr, false) == *response, "response view differs");
        return;
    }

    // A reply is the request plus "response" (PostmessageTransport.reply: {...request, response}).
    const std::string responseJson = R"({"error":{"message":"fuzz \u00e9"}})";
    const std::string reply = spliceResponse(text, responseJson);
    json expected = dom;
    expected["response"] = json::parse(responseJson);
    const json replyDom = json::parse(reply, nullptr, false);
    FUZZ_CHECK(replyDom == expected, "spliceResponse produced " << reply);
    auto replyEnv = parseEnvelope(reply, {.maxMessageBytes = reply.size() + 1});
    FUZZ_CHECK(replyEnv, "the spliced reply does not parse: " << replyEnv.error().message << " in " << reply);
    FUZZ_CHECK(replyEnv->hasResponse && replyEnv->requestId == env.requestId && replyEnv->action == env.action
                   && replyEnv->widgetId == env.widgetId && replyEnv->api == env.api,
               "the spliced reply names a different request");
}

// For a text nlohmann accepts: whether parseEnvelope must accept it (true), must refuse it
// (false), or may do either (nullopt: an id whose raw, escaped length cannot be told from the DOM).
std::optional<bool> envelopeVerdict(const json &dom, const Observer &seen)
{
    if (!dom.is_object() || seen.duplicateEnvelopeField || seen.maxDepth > 65)
        return false;
    bool unsure = false;
    for (const char *name : {"api", "widgetId", "requestId", "action"}) {
        const json *v = member(dom, name);
        if (!v || !v->is_string() || v->get_ref<const std::string &>().empty())
            return false;
        const std::size_t decoded = v->get_ref<const std::string &>().size();
        if (decoded > 512)
            return false;
        // A decoded byte comes from at most 6 raw bytes (\u00XX), so <= 85 decoded is <= 510 raw.
        if (decoded > 85)
            unsure = true;
    }
    const std::string &api = dom["api"].get_ref<const std::string &>();
    if (api != "fromWidget" && api != "toWidget")
        return false;
    for (const char *name : {"data", "response"}) {
        if (const json *v = member(dom, name); v && !v->is_object())
            return false;
    }
    if (unsure)
        return std::nullopt;
    return true;
}

// Equal values of the same types all the way down (== calls 1 and 1u and 1.0 equal).
bool sameDom(const json &a, const json &b)
{
    if (a.type() != b.type() || a.size() != b.size())
        return false;
    if (a.is_object()) {
        for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
            if (ia.key() != ib.key() || !sameDom(*ia, *ib))
                return false;
        }
        return true;
    }
    if (a.is_array()) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!sameDom(a[i], b[i]))
                return false;
        }
        return true;
    }
    return a.dump() == b.dump();
}

void checkText(std::string_view text)
{
    Observer seen;
    const bool nlohmannOk = json::sax_parse(text, &seen) && !seen.failed;
    const auto valid = validateJson(text);

    // validateJson versus nlohmann, both directions.
    if (valid) {
        FUZZ_CHECK(nlohmannOk || seen.errorId == kNumberOverflow,
                   "validateJson accepted what nlohmann refuses (error " << seen.errorId << ")");
        FUZZ_CHECK(!startsWithBom(text), "validateJson accepted a byte-order mark");
        if (nlohmannOk)
            FUZZ_CHECK(seen.maxDepth <= 64, "validateJson accepted depth " << seen.maxDepth);
        // buildJson, and the number check the text readers use, against nlohmann's DOM.
        const json built = buildJson(text);
        FUZZ_CHECK(hasNumberBeyondDouble(text) == !nlohmannOk, "hasNumberBeyondDouble disagrees with nlohmann");
        FUZZ_CHECK(built.is_discarded() == !nlohmannOk, "buildJson discarded what nlohmann parses, or the reverse");
        if (nlohmannOk)
            FUZZ_CHECK(sameDom(built, json::parse(text)), "buildJson built " << built.dump() << " for " << text);
    } else {
        FUZZ_CHECK(!valid.error().message.empty(), "empty error message");
        if (nlohmannOk && !startsWithBom(text))
            FUZZ_CHECK(seen.maxDepth > 64, "validateJson refused valid JSON of depth " << seen.maxDepth << ": "
                                                                                    << valid.error().message);
    }

    const auto env = parseEnvelope(text);
    if (env) {
        FUZZ_CHECK(valid, "parseEnvelope accepted what validateJson refuses: " << valid.error().message);
        if (nlohmannOk) {
            const json dom = json::parse(text, nullptr, false);
            checkAcceptedEnvelope(text, *env, dom);
        }
        // The size limit is exact.
        auto small = parseEnvelope(text, {.maxMessageBytes = text.size() - 1});
        FUZZ_CHECK(!small && small.error().message.find("the limit is") != std::string::npos,
                   "a message one byte over the size limit was not refused for its size");
    } else {
        FUZZ_CHECK(!env.error().message.empty(), "empty error message");
        if (nlohmannOk && !startsWithBom(text)) {
            const json dom = json::parse(text, nullptr, false);
            const auto verdict = envelopeVerdict(dom, seen);
            FUZZ_CHECK(verdict != std::optional<bool>(true),
                       "parseEnvelope refused a well-formed envelope: " << env.error().message);
        }
    }
}

} // namespace

TESSERA_FUZZ_TARGET(envelope)
{
    const std::string_view text = tessera::fuzz::asText(data, size);
    // nlohmann stops at a NUL byte as if the input ended there; JSON has no place for one.
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
        FUZZ_CHECK(!validateJson(text) && !parseEnvelope(text), "accepted a text with a NUL byte");
        checkText(text.substr(0, nul));
        return 0;
    }
    checkText(text);
    return 0;
}
