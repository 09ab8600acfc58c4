// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "plugins/manifest.h"
#include "plugins/translation.h"
#include "widgets/catalog.h"

using namespace tessera::widgets;
using nlohmann::json;

namespace {

CatalogRoom room()
{
    return CatalogRoom{"!room:example.org", "@ana:example.org", {}, {}};
}

CatalogEntry entry(const std::vector<CatalogEntry> &entries, const std::string &id)
{
    for (const auto &e : entries)
        if (e.id == id)
            return e;
    throw std::runtime_error("no entry " + id);
}

CatalogPluginType agentPanelType()
{
    CatalogPluginType t;
    t.pluginId = "io.tessera.agent";
    t.type = "io.tessera.agent_panel";
    t.name = "Agent panel";
    t.widgetUrl = "tessera-plugin://io.tessera.agent/index.html?runner_url=$runner_url";
    auto fields = parseFieldDeclarations(json::parse(R"([
        {"key": "runner_url", "label": "Runner address", "kind": "url", "maxLength": 512},
        {"key": "agent_id", "label": "Agent id", "kind": "identifier", "maxLength": 64}])"),
                                         "test");
    EXPECT_TRUE(fields) << fields.error().message;
    t.fields = *fields;
    return t;
}

CatalogPluginType kanbanType()
{
    CatalogPluginType t;
    t.pluginId = "io.tessera.kanban";
    t.type = "io.tessera.kanban";
    t.name = "Kanban board";
    t.widgetUrl = "https://tessera.invalid/plugin-widget";
    return t;
}

std::vector<CatalogEntry> everything()
{
    auto entries = builtInEntries(room());
    entries.push_back(pluginEntry(agentPanelType()));
    entries.push_back(pluginEntry(kanbanType()));
    return entries;
}

std::vector<std::string> problemKinds(const CatalogResult &r)
{
    std::vector<std::string> out;
    for (const auto &p : r.problems)
        out.push_back(p.field + ":" + std::string(toString(p.kind)));
    return out;
}

json offerEvent(const std::string &sender, const std::string &stateKey, json widgets)
{
    return json{{"type", "io.tessera.agent.offer"},
                {"sender", sender},
                {"state_key", stateKey},
                {"content", {{"widgets", std::move(widgets)}}}};
}

} // namespace

TEST(WidgetCatalog, OffersCustomJitsiAndCallWithTheirFields)
{
    auto entries = builtInEntries(room());
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entry(entries, "custom").widgetType, "m.custom");
    EXPECT_EQ(entry(entries, "jitsi").widgetType, "m.jitsi");
    EXPECT_EQ(entry(entries, "call").widgetType, "m.call");
    const auto jitsi = entry(entries, "jitsi");
    ASSERT_EQ(jitsi.fields.size(), 3u);
    EXPECT_EQ(jitsi.fields[0].key, "conferenceId");
    EXPECT_EQ(jitsi.fields[0].defaultValue, defaultJitsiConference("!room:example.org"));
    EXPECT_EQ(jitsi.fields[1].defaultValue, "meet.jit.si");
    for (const auto &e : entries)
        for (const auto &f : e.fields)
            EXPECT_FALSE(f.label.empty()) << e.id << "." << f.key;
}

TEST(WidgetCatalog, TheDefaultConferenceIsTheRoomsAndHidesItsId)
{
    const std::string a = defaultJitsiConference("!room:example.org");
    EXPECT_EQ(a, defaultJitsiConference("!room:example.org")); // every member meets in the same one
    EXPECT_NE(a, defaultJitsiConference("!other:example.org"));
    EXPECT_EQ(a.rfind("tessera", 0), 0u);
    EXPECT_EQ(a.size(), 32u);
    EXPECT_EQ(a.find("room"), std::string::npos);
    for (char c : a)
        EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << a;
}

TEST(WidgetCatalog, BuildsACustomWidgetNamedAfterItsHost)
{
    auto r = buildWidget(entry(builtInEntries(room()), "custom"), {{"url", " https://board.example.org/x "}}, room(), "w1");
    ASSERT_TRUE(r.ok()) << problemKinds(r).size();
    EXPECT_EQ(*r.content, (json{{"type", "m.custom"},
                                {"url", "https://board.example.org/x"},
                                {"name", "board.example.org"},
                                {"data", json::object()},
                                {"creatorUserId", "@ana:example.org"},
                                {"id", "w1"}}));
}

TEST(WidgetCatalog, BuildsJitsiAsTheDirectMeetUrlOnItsDomain)
{
    auto r = buildWidget(entry(builtInEntries(room()), "jitsi"), {{"domain", "Jitsi.Example.ORG"}, {"conferenceId", "standup"}},
                         room(), "w2");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r.content)["type"], "m.jitsi");
    EXPECT_EQ((*r.content)["url"], "https://jitsi.example.org/standup");
    EXPECT_EQ((*r.content)["name"], "Jitsi Meet");
    EXPECT_EQ((*r.content)["data"],
              (json{{"domain", "jitsi.example.org"}, {"conferenceId", "standup"}, {"isAudioOnly", false}}));

    // Untouched, the room's own conference on the default server.
    auto d = buildWidget(entry(builtInEntries(room()), "jitsi"), {}, room(), "w3");
    ASSERT_TRUE(d.ok());
    EXPECT_EQ((*d.content)["url"], "https://meet.jit.si/" + defaultJitsiConference("!room:example.org"));
}

TEST(WidgetCatalog, TheUsersJitsiServerIsTheDefault)
{
    CatalogRoom mine = room();
    mine.jitsiDomain = "meet.example.org";
    const auto jitsi = entry(builtInEntries(mine), "jitsi");
    EXPECT_EQ(jitsi.fields[1].defaultValue, "meet.example.org");
    auto d = buildWidget(jitsi, {}, mine, "w4");
    ASSERT_TRUE(d.ok());
    EXPECT_EQ((*d.content)["url"], "https://meet.example.org/" + defaultJitsiConference("!room:example.org"));
    EXPECT_EQ(entry(builtInEntries(room()), "jitsi").fields[1].defaultValue, "meet.jit.si") << "none set: the default";
}

TEST(WidgetCatalog, RefusesEachBadJitsiFieldByName)
{
    const auto jitsi = entry(builtInEntries(room()), "jitsi");
    EXPECT_EQ(problemKinds(buildWidget(jitsi, {{"domain", "evil.example/x"}, {"conferenceId", "a b"}}, room(), "w")),
              (std::vector<std::string>{"conferenceId:bad-identifier", "domain:bad-domain"}));
    EXPECT_EQ(problemKinds(buildWidget(jitsi, {{"domain", ""}, {"conferenceId", std::string(129, 'a')}}, room(), "w")),
              (std::vector<std::string>{"conferenceId:too-long", "domain:missing"}));
    EXPECT_EQ(problemKinds(buildWidget(jitsi, {{"domain", "-bad.example"}}, room(), "w")),
              (std::vector<std::string>{"domain:bad-domain"}));
    EXPECT_EQ(problemKinds(buildWidget(jitsi, {{"name", "a\nb"}}, room(), "w")),
              (std::vector<std::string>{"name:control-characters"}));
}

TEST(WidgetCatalog, BuildsAnElementCallWidgetFromTheServiceAddress)
{
    const auto call = entry(builtInEntries(room()), "call");
    auto r = buildWidget(call, {{"url", "https://call.example.org/"}}, room(), "w");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r.content)["type"], "m.call");
    EXPECT_EQ((*r.content)["name"], "Element Call");
    const std::string url = (*r.content)["url"];
    EXPECT_EQ(url.rfind("https://call.example.org/room#?widgetId=$matrix_widget_id&roomId=$matrix_room_id", 0), 0u) << url;
    EXPECT_NE(url.find("baseUrl=$org.matrix.msc4039.matrix_base_url"), std::string::npos);
    // A complete widget address is kept as written.
    auto full = buildWidget(call, {{"url", "https://call.example.org/room#?widgetId=$matrix_widget_id"}}, room(), "w");
    ASSERT_TRUE(full.ok());
    EXPECT_EQ((*full.content)["url"], "https://call.example.org/room#?widgetId=$matrix_widget_id");
    // The same policy as every widget address.
    auto http = buildWidget(call, {{"url", "http://call.example.org"}}, room(), "w");
    ASSERT_EQ(problemKinds(http), (std::vector<std::string>{"url:bad-url"}));
    EXPECT_FALSE(http.problems[0].detail.empty());
    EXPECT_EQ(problemKinds(buildWidget(call, {}, room(), "w")), (std::vector<std::string>{"url:missing"}));
}

TEST(WidgetCatalog, PluginFieldsGoIntoTheWidgetsDataAndAreChecked)
{
    const auto panel = pluginEntry(agentPanelType());
    EXPECT_EQ(panel.id, "plugin:io.tessera.agent_panel");
    ASSERT_EQ(panel.fields.size(), 3u);
    EXPECT_EQ(panel.fields[2].key, "name");
    auto r = buildWidget(panel, {{"runner_url", "https://runner.example.org"}, {"agent_id", "builder-1"}}, room(), "w");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r.content)["type"], "io.tessera.agent_panel");
    EXPECT_EQ((*r.content)["url"], agentPanelType().widgetUrl);
    EXPECT_EQ((*r.content)["name"], "Agent panel");
    EXPECT_EQ((*r.content)["data"], (json{{"runner_url", "https://runner.example.org"}, {"agent_id", "builder-1"}}));

    EXPECT_EQ(problemKinds(buildWidget(panel, {{"runner_url", "javascript:alert(1)"}, {"agent_id", "a/b"}}, room(), "w")),
              (std::vector<std::string>{"runner_url:bad-url", "agent_id:bad-identifier"}));
    EXPECT_EQ(problemKinds(buildWidget(panel, {}, room(), "w")),
              (std::vector<std::string>{"runner_url:missing", "agent_id:missing"}));
    EXPECT_EQ(problemKinds(buildWidget(panel, {{"runner_url", "https://r.example/" + std::string(600, 'a')}, {"agent_id", "a"}},
                                       room(), "w")),
              (std::vector<std::string>{"runner_url:too-long"}));
    // http: on loopback only with the developer switch, as for any widget.
    CatalogRoom dev = room();
    dev.policy.allowLoopbackHttp = true;
    EXPECT_TRUE(buildWidget(panel, {{"runner_url", "http://127.0.0.1:8080"}, {"agent_id", "a"}}, dev, "w").ok());
    EXPECT_FALSE(buildWidget(panel, {{"runner_url", "http://127.0.0.1:8080"}, {"agent_id", "a"}}, room(), "w").ok());
    // A field the type does not have is refused, not silently dropped.
    EXPECT_EQ(problemKinds(buildWidget(pluginEntry(kanbanType()), {{"board", "x"}}, room(), "w")),
              (std::vector<std::string>{"board:unknown"}));
}

TEST(WidgetCatalog, FieldDeclarationsAreCheckedLikeTheRestOfTheManifest)
{
    const std::pair<const char *, const char *> cases[] = {
        {R"({})", "must be an array of fields"},
        {R"([{"key": "a", "label": "A"}])", "without \"kind\""},
        {R"([{"key": "a", "label": "A", "kind": "colour"}])", "one of text, url, domain, identifier"},
        {R"([{"key": "url", "label": "A", "kind": "url"}])", "reserved key \"url\""},
        {R"([{"key": "a b", "label": "A", "kind": "text"}])", "key that is not"},
        {R"([{"key": "a", "label": "", "kind": "text"}])", "label that is not"},
        {R"([{"key": "a", "label": "A", "kind": "text"}, {"key": "a", "label": "B", "kind": "text"}])", "twice"},
        {R"([{"key": "a", "label": "A", "kind": "text", "maxLength": 0}])", "maxLength"},
        {R"([{"key": "a", "label": "A", "kind": "text", "pattern": "x"}])", "unknown field \"pattern\""},
    };
    for (const auto &[text, expected] : cases) {
        auto r = parseFieldDeclarations(json::parse(text), "provides.widgetFields[\"t\"]");
        ASSERT_FALSE(r) << text;
        EXPECT_NE(r.error().message.find(expected), std::string::npos) << text << " → " << r.error().message;
    }
    json many = json::array();
    for (int i = 0; i < 17; ++i)
        many.push_back({{"key", "k" + std::to_string(i)}, {"label", "K"}, {"kind", "text"}});
    EXPECT_FALSE(parseFieldDeclarations(many, "x"));
}

TEST(WidgetCatalog, AManifestDeclaresTheFieldsOfItsOwnTypesOnly)
{
    const std::string base = R"({"id": "org.example.board", "name": "Board", "version": "1.0.0", "abi": "1.2",
        "library": "board", "license": "MIT", "provides": {"widgetTypes": ["org.example.board"], "widgetFields": )";
    auto ok = tessera::plugins::parseManifest(
        base + R"({"org.example.board": [{"key": "board_id", "label": "Board", "kind": "identifier", "required": false}]}}})");
    ASSERT_TRUE(ok) << ok.error().message;
    ASSERT_EQ(ok->widgetFields.at("org.example.board").size(), 1u);
    EXPECT_FALSE(ok->widgetFields.at("org.example.board")[0].required);
    auto other = tessera::plugins::parseManifest(base + R"({"org.example.other": []}}})");
    ASSERT_FALSE(other);
    EXPECT_NE(other.error().message.find("not in provides.widgetTypes"), std::string::npos) << other.error().message;
}

TEST(WidgetCatalog, TranslationsGiveFieldLabels)
{
    auto t = tessera::plugins::parseTranslation(
        R"({"widgetTypes": {"io.tessera.agent_panel": {"fields": {"agent_id": "Id. del agente"}}}})");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->widgetTypes.at("io.tessera.agent_panel").fields.at("agent_id"), "Id. del agente");
    EXPECT_FALSE(tessera::plugins::parseTranslation(R"({"widgetTypes": {"x": {"fields": {"a": 3}}}})"));
}

TEST(WidgetCatalog, AgentsOfferTheirPanelsWithTheDataFilledIn)
{
    const std::vector<CatalogPluginType> types{agentPanelType(), kanbanType()};
    CatalogRoom dev = room();
    dev.policy.allowLoopbackHttp = true;
    const std::vector<json> events{
        offerEvent("@bot:example.org", "@bot:example.org",
                   json::array({{{"type", "io.tessera.agent_panel"},
                                 {"name", "Builder"},
                                 {"description", "The build agent"},
                                 {"data", {{"runner_url", "http://127.0.0.1:9000"}, {"agent_id", "builder"}}}}})),
        // Speaking for someone else: skipped.
        offerEvent("@mallory:example.org", "@bot:example.org", json::array({{{"type", "io.tessera.kanban"}}})),
        // Not in the room any more: skipped.
        offerEvent("@gone:example.org", "@gone:example.org", json::array({{{"type", "io.tessera.kanban"}}})),
        // A type no local plugin provides, bad data, a non-object: each skipped, the good one kept.
        offerEvent("@two:example.org", "@two:example.org",
                   json::array({{{"type", "org.example.unknown"}},
                                {{"type", "io.tessera.agent_panel"}, {"data", {{"runner_url", "javascript:x"}}}},
                                "nonsense",
                                {{"type", "io.tessera.kanban"}, {"name", "Sprint board"}}})),
    };
    const std::vector<std::string> joined{"@bot:example.org", "@mallory:example.org", "@two:example.org"};
    auto offers = agentOffers(events, types, joined, dev.policy);
    ASSERT_EQ(offers.size(), 2u);
    EXPECT_EQ(offers[0].id, "offer:@bot:example.org:0");
    EXPECT_EQ(offers[0].kind, CatalogKind::AgentOffer);
    EXPECT_EQ(offers[0].offeredBy, "@bot:example.org");
    EXPECT_EQ(offers[0].name, "Builder");
    EXPECT_EQ(offers[0].description, "The build agent");
    ASSERT_EQ(offers[0].fields.size(), 1u); // only the name is left to choose
    EXPECT_EQ(offers[1].id, "offer:@two:example.org:3");
    EXPECT_EQ(offers[1].name, "Sprint board");

    auto r = buildWidget(offers[0], {}, dev, "w");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r.content)["type"], "io.tessera.agent_panel");
    EXPECT_EQ((*r.content)["name"], "Builder");
    EXPECT_EQ((*r.content)["data"], (json{{"runner_url", "http://127.0.0.1:9000"}, {"agent_id", "builder"}}));
    // The person cannot change what the agent offers, only the name.
    EXPECT_EQ(problemKinds(buildWidget(offers[0], {{"agent_id", "other"}}, dev, "w")),
              (std::vector<std::string>{"agent_id:unknown"}));
    // Under a policy that refuses the runner's address, the offer is not listed at all.
    EXPECT_EQ(agentOffers(events, types, joined, room().policy).size(), 1u);
}

TEST(WidgetCatalog, AgentOffersAreBounded)
{
    json many = json::array();
    for (std::size_t i = 0; i < kMaxOffersPerAgent + 4; ++i)
        many.push_back({{"type", "io.tessera.kanban"}});
    std::vector<json> events;
    std::vector<std::string> joined;
    for (int a = 0; a < 10; ++a) {
        const std::string user = "@a" + std::to_string(a) + ":example.org";
        events.push_back(offerEvent(user, user, many));
        joined.push_back(user);
    }
    EXPECT_EQ(agentOffers({events[0]}, {kanbanType()}, joined, {}).size(), kMaxOffersPerAgent);
    EXPECT_EQ(agentOffers(events, {kanbanType()}, joined, {}).size(), kMaxOffersPerRoom);
}

TEST(WidgetCommand, ReadsTheSameKindsAsTheDialog)
{
    const auto entries = everything();
    const auto cmd = [&](std::string_view args) { return std::get<WidgetCommand>(parseWidgetCommand(args, entries)); };
    auto custom = cmd("https://board.example.org/x My board");
    EXPECT_EQ(custom.entryId, "custom");
    EXPECT_EQ(custom.values, (std::map<std::string, std::string>{{"url", "https://board.example.org/x"}, {"name", "My board"}}));
    EXPECT_EQ(cmd("jitsi").entryId, "jitsi");
    EXPECT_TRUE(cmd("jitsi").values.empty());
    EXPECT_EQ(cmd("Jitsi standup meet.example.org").values,
              (std::map<std::string, std::string>{{"conferenceId", "standup"}, {"domain", "meet.example.org"}}));
    EXPECT_EQ(cmd("jitsi domain=meet.example.org").values,
              (std::map<std::string, std::string>{{"domain", "meet.example.org"}}));
    EXPECT_EQ(cmd("call https://call.example.org").values,
              (std::map<std::string, std::string>{{"url", "https://call.example.org"}}));
    EXPECT_EQ(cmd("kanban").entryId, "plugin:io.tessera.kanban");
    EXPECT_EQ(cmd("io.tessera.kanban Sprint board").values,
              (std::map<std::string, std::string>{{"name", "Sprint board"}}));
    auto panel = cmd("agent_panel agent_id=builder https://runner.example.org Build agent");
    EXPECT_EQ(panel.entryId, "plugin:io.tessera.agent_panel");
    EXPECT_EQ(panel.values, (std::map<std::string, std::string>{
                                {"agent_id", "builder"}, {"runner_url", "https://runner.example.org"}, {"name", "Build agent"}}));
    // Refused addresses still reach the URL check, which says why.
    EXPECT_EQ(cmd("javascript:alert(1)").entryId, "custom");
}

TEST(WidgetCommand, SaysWhatItCouldNotRead)
{
    const auto entries = everything();
    const auto error = [&](std::string_view args) { return std::get<WidgetCommandError>(parseWidgetCommand(args, entries)); };
    EXPECT_EQ(error("").kind, WidgetCommandError::Kind::Usage);
    EXPECT_EQ(error("  help ").kind, WidgetCommandError::Kind::Usage);
    EXPECT_EQ(error("whiteboard").kind, WidgetCommandError::Kind::UnknownType);
    EXPECT_EQ(error("whiteboard").detail, "whiteboard");
    auto twice = entries;
    auto other = kanbanType();
    other.type = "org.example.kanban";
    twice.push_back(pluginEntry(other));
    EXPECT_EQ(std::get<WidgetCommandError>(parseWidgetCommand("kanban", twice)).kind, WidgetCommandError::Kind::Ambiguous);
    EXPECT_EQ(std::get<WidgetCommand>(parseWidgetCommand("org.example.kanban", twice)).entryId, "plugin:org.example.kanban");
}
