// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// parseWidgetStateEvent on arbitrary JSON (input: one JSON value, as a room would deliver it),
// then the widget's URL through the templater and the URL policy, as the host does before it
// loads anything. Invariants: a parsed widget has an id (1-255 bytes), a non-empty url (at most
// 8192 bytes) and type, exactly the content's values, a name cut on a UTF-8 boundary, an mxc:
// avatar or none; a removed widget is exactly "content without url or type"; the URL checks of
// urlchecks.h hold for whatever the definition templates to.

#include <string>

#include <nlohmann/json.hpp>

#include "fuzztarget.h"
#include "urlchecks.h"
#include "util/text.h"
#include "widgets/url.h"
#include "widgets/widgetdefinition.h"

using nlohmann::json;
using tessera::widgets::WidgetDefinition;

namespace {

const json *member(const json &obj, const char *key)
{
    if (!obj.is_object())
        return nullptr;
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

void checkDefinition(const json &event, const WidgetDefinition &w)
{
    const json &content = event["content"];
    FUZZ_CHECK(w.eventType == event["type"].get<std::string>(), "eventType");
    FUZZ_CHECK(w.eventType == "m.widget" || w.eventType == "im.vector.modular.widgets", "event type " << w.eventType);
    FUZZ_CHECK(w.id == event["state_key"].get<std::string>() && !w.id.empty() && w.id.size() <= 255, "id " << w.id);
    FUZZ_CHECK(w.url == content["url"].get<std::string>() && !w.url.empty() && w.url.size() <= tessera::widgets::kMaxUrlLength,
               "url");
    FUZZ_CHECK(w.type == content["type"].get<std::string>() && !w.type.empty(), "type");
    FUZZ_CHECK(w.data.is_object(), "data is not an object");

    const json *name = member(content, "name");
    if (name && name->is_string()) {
        const std::string &full = name->get_ref<const std::string &>();
        if (full.size() <= 1024) {
            FUZZ_CHECK(w.name == full, "a short name changed");
        } else {
            FUZZ_CHECK(w.name.size() <= 1024 + 3 && tessera::text::endsWith(w.name, "\xE2\x80\xA6"), "long name not cut");
            FUZZ_CHECK(full.compare(0, w.name.size() - 3, w.name, 0, w.name.size() - 3) == 0, "cut name is not a prefix");
        }
        if (tessera::text::isValidUtf8(full))
            FUZZ_CHECK(tessera::text::isValidUtf8(w.name), "cutting the name split a UTF-8 sequence");
    } else {
        FUZZ_CHECK(w.name.empty(), "name without a string");
    }

    const json *wait = member(content, "waitForIframeLoad");
    FUZZ_CHECK(w.waitForIframeLoad == (wait && wait->is_boolean() ? wait->get<bool>() : true), "waitForIframeLoad");

    const json *creator = member(content, "creatorUserId");
    const json *sender = member(event, "sender");
    const std::string senderText = sender && sender->is_string() ? sender->get<std::string>() : std::string();
    if (creator && creator->is_string() && !creator->get_ref<const std::string &>().empty())
        FUZZ_CHECK(w.creatorUserId == creator->get<std::string>(), "creatorUserId");
    else
        FUZZ_CHECK(w.creatorUserId == senderText, "creatorUserId does not fall back to the sender");

    FUZZ_CHECK(w.avatarUrl.empty() || tessera::text::startsWith(w.avatarUrl, "mxc://"), "avatar " << w.avatarUrl);
    FUZZ_CHECK(!w.displayName().empty(), "empty display name");
    FUZZ_CHECK(w.isJitsi() == (w.type == "m.jitsi" || w.type == "jitsi"), "isJitsi");
}

} // namespace

TESSERA_FUZZ_TARGET(widgetstate)
{
    const std::string_view text = tessera::fuzz::asText(data, size);
    json event = json::parse(text, nullptr, false);
    if (event.is_discarded()) {
        // Not JSON: use the bytes as the URL of an otherwise valid widget, so every input
        // still reaches the templater.
        event = json{{"type", "m.widget"},
                     {"state_key", "w"},
                     {"sender", "@a:example.org"},
                     {"content", {{"type", "m.custom"}, {"url", std::string(text)}}}};
    }

    auto parsed = tessera::widgets::parseWidgetStateEvent(event);
    if (!parsed) {
        FUZZ_CHECK(!parsed.error().message.empty(), "empty error");
        return 0;
    }
    const json *content = member(event, "content");
    FUZZ_CHECK(content && content->is_object(), "accepted an event without a content object");
    if (!*parsed) {
        FUZZ_CHECK(!content->contains("url") || !content->contains("type"), "a widget with url and type read as removed");
        return 0;
    }
    const WidgetDefinition &w = **parsed;
    checkDefinition(event, w);

    tessera::widgets::TemplateParams params;
    params.userId = "@alice:example.org";
    params.roomId = "!room:example.org";
    params.widgetId = w.id;
    params.deviceId = "DEVICEID";
    tessera::fuzz::checkTemplate(w.url, w.data, params);
    return 0;
}
