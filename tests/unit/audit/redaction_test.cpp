// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/redaction.h"

#include <random>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "audit/auditschema.h"
#include "auditfixture.h"
#include "util/text.h"

using namespace tessera;
using namespace tessera::audit;
using namespace tessera::test;

namespace {

constexpr const char *kToken = "syt_dXNlcg_SECRETSECRETSECRET_0a1b2c";

std::string sha256Hex(const std::string &bytes)
{
    Sha256 sha;
    auto digest = sha.digest(bytes);
    EXPECT_TRUE(digest);
    return text::hexEncode(*digest);
}

// Bodies in which a Matrix access token appears in every place we know of.
std::vector<std::pair<std::string, std::string>> bodiesCarryingTokens()
{
    const std::string t = kToken;
    return {
        {"get_openid", R"({"api":"fromWidget","action":"get_openid","requestId":"1","widgetId":"w","data":{},)"
                       R"("response":{"state":"allowed","access_token":")" + t
             + R"(","token_type":"Bearer","matrix_server_name":"example.org","expires_in":3600}})"},
        {"send_event", R"({"action":"send_event","data":{"type":"m.room.message","content":{"body":"x",)"
                       R"("access_token":")" + t + R"("}}})"},
        {"navigate", R"({"action":"org.matrix.msc2931.navigate","data":{"uri":"https://hs.example.org/x?a=1&access_token=)"
                         + t + R"(&b=2"}})"},
        {"custom", R"({"action":"io.example.login","data":{"nested":[{"Password":")" + t + R"("},)"
                   R"({"deep":{"REFRESH_TOKEN":")" + t + R"(","x-api-key":")" + t + R"("}}]}})"},
        {"custom", R"({"action":"io.example.call","data":{"headers":"Authorization: Bearer )" + t + R"("}})"},
        {"custom", R"({"action":"io.example.call","data":{"client_secret":")" + t + R"(","token":")" + t + R"("}})"},
        {"send_to_device", R"({"action":"send_to_device","data":{"type":"m.room_key","encrypted":false,)"
                           R"("messages":{"@a:b":{"DEV":{"session_key":")" + t + R"("}}}}})"},
        {"update_state", R"({"api":"toWidget","action":"update_state","data":{"state":[{"type":"m.room.topic",)"
                         R"("state_key":"","content":{"topic":")" + t + R"("},"unsigned":{"prev_content":)"
                         R"({"topic":")" + t + R"("}}}]}})"},
    };
}

} // namespace

TEST(Redaction, RecognisesSecretKeys)
{
    for (const char *key : {"access_token", "Access-Token", "refresh_token", "token", "password", "PASSWORD",
                            "new_password", "passphrase", "client_secret", "Authorization", "cookie", "x-api-key",
                            "apikey", "private_key", "session_key", "login_token", "id_token"})
        EXPECT_TRUE(isSecretKey(key)) << key;
    for (const char *key : {"body", "type", "content", "state_key", "room_id", "msgtype", "key", "sender"})
        EXPECT_FALSE(isSecretKey(key)) << key;
}

TEST(Redaction, ScrubsCredentialsInFreeText)
{
    EXPECT_EQ(scrubSecretsInText("https://hs/_matrix?access_token=abc123&x=1"), "https://hs/_matrix?access_token=REDACTED&x=1");
    EXPECT_EQ(scrubSecretsInText("GET /x?TOKEN=abc#frag"), "GET /x?TOKEN=REDACTED#frag");
    EXPECT_EQ(scrubSecretsInText("password=hunter2 and secret=s3"), "password=REDACTED and secret=REDACTED");
    EXPECT_EQ(scrubSecretsInText("Authorization: Bearer abc.def.ghi, next"), "Authorization: Bearer REDACTED, next");
    EXPECT_EQ(scrubSecretsInText("nothing to see = here"), "nothing to see = here");
    EXPECT_EQ(scrubSecretsInText("token="), "token=");
    EXPECT_EQ(scrubSecretsInText("my token is syt_dXNlcg_abcdefghijklmnop_0a1b2c, ok"),
              "my token is syt_REDACTED, ok");
    EXPECT_EQ(scrubSecretsInText("mat_0123456789abcdefXYZ"), "mat_REDACTED");
    EXPECT_EQ(scrubSecretsInText("format_short and xsyt_abcdefghijklmnopqrstu"),
              "format_short and xsyt_abcdefghijklmnopqrstu");
}

TEST(Redaction, NoAccessTokenSurvivesInEitherMode)
{
    Redactor redactor;
    for (BodyMode mode : {BodyMode::Redacted, BodyMode::Full}) {
        for (const auto &[action, body] : bodiesCarryingTokens()) {
            const std::string stored = redactor.redact(body, action, mode);
            EXPECT_EQ(stored.find(kToken), std::string::npos)
                << "mode " << int(mode) << " action " << action << ": " << stored;
            EXPECT_EQ(stored.find("SECRETSECRET"), std::string::npos) << stored;
            EXPECT_FALSE(nlohmann::json::parse(stored, nullptr, false).is_discarded()) << stored;
        }
    }
}

TEST(Redaction, HashesEventContentByDefault)
{
    Redactor redactor;
    const std::string body = sendEventBody(7, "a private message");
    const auto stored = nlohmann::json::parse(redactor.redact(body, "send_event", BodyMode::Redacted));
    const std::string canonicalContent = R"({"body":"a private message","msgtype":"m.text"})";
    EXPECT_EQ(stored["data"]["content"], (nlohmann::json{{"sha256", sha256Hex(canonicalContent)},
                                                         {"bytes", canonicalContent.size()}}));
    EXPECT_EQ(stored["data"]["type"], "m.room.message");
    EXPECT_EQ(stored["requestId"], "req-7");
    EXPECT_EQ(stored.dump().find("a private message"), std::string::npos);
}

TEST(Redaction, HashesContentAtAnyDepthAndActionPayloads)
{
    Redactor redactor;
    const std::string readEvents = R"({"action":"org.matrix.msc2876.read_events","response":{"events":[)"
                                   R"({"type":"m.room.message","content":{"body":"one"}},)"
                                   R"({"type":"m.room.message","content":{"body":"two"},"unsigned":{"prev_content":{"body":"zero"}}}]}})";
    const std::string stored = redactor.redact(readEvents, "org.matrix.msc2876.read_events", BodyMode::Redacted);
    for (const char *word : {"\"one\"", "\"two\"", "\"zero\""})
        EXPECT_EQ(stored.find(word), std::string::npos) << stored;
    const auto j = nlohmann::json::parse(stored);
    EXPECT_TRUE(j["response"]["events"][1]["unsigned"]["prev_content"].contains("sha256"));

    const std::string toDevice = R"({"action":"send_to_device","data":{"type":"io.example","encrypted":false,)"
                                 R"("messages":{"@u:example.org":{"DEVICE":{"note":"private"}}}}})";
    const auto device = nlohmann::json::parse(redactor.redact(toDevice, "send_to_device", BodyMode::Redacted));
    EXPECT_TRUE(device["data"]["messages"].contains("sha256")) << device.dump();
    EXPECT_EQ(device["data"]["type"], "io.example");

    const std::string upload = R"({"action":"org.matrix.msc4039.upload_file","data":{"file":"aGVsbG8="}})";
    const auto file = nlohmann::json::parse(redactor.redact(upload, "org.matrix.msc4039.upload_file", BodyMode::Redacted));
    EXPECT_TRUE(file["data"]["file"].contains("sha256")) << file.dump();
}

TEST(Redaction, FullModeKeepsContentButNotSecrets)
{
    Redactor redactor;
    const std::string body = R"({"action":"send_event","data":{"type":"m.room.message","content":{"body":"kept",)"
                              R"("password":"hunter2"}}})";
    const auto stored = nlohmann::json::parse(redactor.redact(body, "send_event", BodyMode::Full));
    EXPECT_EQ(stored["data"]["content"], (nlohmann::json{{"body", "kept"}}));
}

TEST(Redaction, BodiesThatCannotBeSearchedAreReplacedByTheirHash)
{
    Redactor redactor;
    const std::string notJson = std::string("access_token: ") + kToken;
    const auto stored = nlohmann::json::parse(redactor.redact(notJson, "x", BodyMode::Full));
    EXPECT_EQ(stored, (nlohmann::json{{"omitted", "not JSON"}, {"sha256", sha256Hex(notJson)}, {"bytes", notJson.size()}}));

    std::string deep;
    for (int i = 0; i < kMaxBodyDepth + 1; ++i)
        deep += "[";
    deep += "1";
    for (int i = 0; i < kMaxBodyDepth + 1; ++i)
        deep += "]";
    EXPECT_NE(redactor.redact(deep, "x", BodyMode::Full).find(R"("omitted":"too deep")"), std::string::npos);

    std::string justDeepEnough;
    for (int i = 0; i < kMaxBodyDepth; ++i)
        justDeepEnough += "[";
    justDeepEnough += "1";
    for (int i = 0; i < kMaxBodyDepth; ++i)
        justDeepEnough += "]";
    EXPECT_EQ(redactor.redact(justDeepEnough, "x", BodyMode::Full), justDeepEnough);

    // Far deeper than any stack would survive if walked recursively.
    const std::string abyss = std::string(200'000, '[') + std::string(200'000, ']');
    EXPECT_NE(redactor.redact(abyss, "x", BodyMode::Full).find(R"("omitted":"too deep")"), std::string::npos);

    const std::string large = R"({"blob":")" + std::string(kMaxStoredBodyBytes, 'a') + R"("})";
    EXPECT_NE(redactor.redact(large, "x", BodyMode::Full).find(R"("omitted":"too large")"), std::string::npos);
    EXPECT_EQ(redactor.redact("", "x", BodyMode::Redacted), "");
    const std::string invalidUtf8 = "{\"a\":\"\xff\"}";
    EXPECT_NE(redactor.redact(invalidUtf8, "x", BodyMode::Full).find(R"("omitted":"not JSON")"), std::string::npos);
}

TEST(Redaction, NoAccessTokenReachesTheAuditFileInEitherMode)
{
    for (BodyMode mode : {BodyMode::Redacted, BodyMode::Full}) {
        TempDir dir;
        AuditLogOptions options;
        options.bodyMode = mode;
        {
            auto log = openLog(dir.path(), options);
            ASSERT_TRUE(log);
            int i = 0;
            for (const auto &[action, body] : bodiesCarryingTokens()) {
                OwnedRecord r = messageRecord(++i);
                r.action = action;
                r.body = body;
                r.reason = "GET https://hs.example.org/_matrix/client/v3/sync?access_token=" + std::string(kToken);
                ASSERT_GT(log->submit(r.view()), 0);
            }
            ASSERT_TRUE(log->flush(kWaitMs));
        }
        // Every byte on disk: the database, and its WAL if one is left.
        std::string bytes = readFileBytes(dir / "audit.db");
        if (std::filesystem::exists(dir / "audit.db-wal"))
            bytes += readFileBytes(dir / "audit.db-wal");
        ASSERT_GT(bytes.size(), 0u);
        EXPECT_EQ(bytes.find("SECRETSECRET"), std::string::npos) << "mode " << int(mode);
        const auto rows = readAll(dir.path());
        ASSERT_EQ(rows.size(), bodiesCarryingTokens().size());
        EXPECT_NE(rows[0].reason.find("access_token=REDACTED"), std::string::npos) << rows[0].reason;
        if (mode == BodyMode::Full) {
            EXPECT_NE(rows[7].body.find("\"topic\""), std::string::npos) << rows[7].body;
        }
    }
}

TEST(Redaction, TheBodyModeCanChangeWhileTheLogRuns)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    EXPECT_EQ(log->bodyMode(), BodyMode::Redacted);
    log->submit(messageRecord(1).view());
    log->setBodyMode(BodyMode::Full);
    EXPECT_EQ(log->bodyMode(), BodyMode::Full);
    log->submit(messageRecord(2).view());
    ASSERT_TRUE(log->flush(kWaitMs));
    const auto rows = readAll(dir.path());
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].body.find("hello"), std::string::npos);
    EXPECT_NE(rows[1].body.find("hello"), std::string::npos);
}

TEST(Redaction, SeesSecretsBehindJsonEscapes)
{
    Redactor redactor;
    const std::string body = R"({"acc\u0065ss_token":"abc","url":"https://x/?access\u005ftoken=abc&b=1","ok":"\u00e9"})";
    const std::string stored = redactor.redact(body, "x", BodyMode::Full);
    const auto j = nlohmann::json::parse(stored);
    EXPECT_FALSE(j.contains("access_token")) << stored;
    EXPECT_EQ(j["url"], "https://x/?access_token=REDACTED&b=1");
    EXPECT_EQ(j["ok"], "\u00e9"); // é, untouched
    EXPECT_EQ(stored.find("abc"), std::string::npos);
}

TEST(Redaction, KeepsMemberOrderAndNumbersAsWritten)
{
    Redactor redactor;
    const std::string body = R"( { "z" : 1.50 , "a" : [ -0 , 2e+10 , true , false , null ] , "token":"t", "m" : {} } )";
    EXPECT_EQ(redactor.redact(body, "x", BodyMode::Full), R"({"z":1.50,"a":[-0,2e+10,true,false,null],"m":{}})");
    EXPECT_EQ(redactor.redact(R"({"token":"t"})", "x", BodyMode::Full), "{}");
    EXPECT_EQ(redactor.redact(R"({"a":1,"password":"p"})", "x", BodyMode::Full), R"({"a":1})");
    EXPECT_EQ(redactor.redact(R"({"password":"p","a":1})", "x", BodyMode::Full), R"({"a":1})");
    EXPECT_EQ(redactor.redact(R"("just a string")", "x", BodyMode::Full), R"("just a string")");
}

// The redactor parses JSON itself (one pass, no DOM); it must accept exactly what a strict
// parser accepts, and keep the meaning of everything it keeps.
TEST(Redaction, AgreesWithNlohmannOnWhatIsJson)
{
    std::vector<std::string> corpus = {
        "{}", "[]", "0", "-0", "1.5e3", "01", "1.", ".5", "-", "1e", "1e+", "+1", "[1,]", "{\"a\":1,}", "{\"a\" 1}",
        "{'a':1}", "[1 2]", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\ud83d\\ude00\"", "\"\\x\"",
        "\"tab\there\"", "\"a\\/b\"", "nul", "truex", "[true,false,null]", "{\"a\":{\"b\":[{\"c\":\"d\"}]}}",
        "  {  }  ", "{} {}", "", " ", "\"\\u0000\"", "[1e400]", "{\"a\":1,\"a\":2}", "\"unterminated",
    };
    for (int i = 1; i <= 30; ++i)
        corpus.push_back(sendEventBody(i, "words \\\" and \\\\ " + std::to_string(i)));
    // Random single-character mutations of real bodies, from a fixed seed.
    std::mt19937 random(20240501);
    const std::string punctuation = "{}[]\",:\\ 0-e.tfnu";
    for (int i = 0; i < 3000; ++i) {
        std::string body = sendEventBody(i);
        const std::size_t at = std::uniform_int_distribution<std::size_t>(0, body.size() - 1)(random);
        switch (i % 3) {
        case 0: body.erase(at, 1); break;
        case 1: body.insert(at, 1, punctuation[std::size_t(i) % punctuation.size()]); break;
        default: body[at] = punctuation[std::size_t(i / 3) % punctuation.size()]; break;
        }
        corpus.push_back(body);
    }
    Redactor redactor;
    int invalid = 0;
    for (const std::string &body : corpus) {
        const bool isJson = nlohmann::json::accept(body);
        const std::string stored = redactor.redact(body, "x", BodyMode::Full);
        if (body.empty()) {
            EXPECT_EQ(stored, "");
            continue;
        }
        const auto parsed = nlohmann::json::parse(stored, nullptr, false);
        ASSERT_FALSE(parsed.is_discarded()) << body << " -> " << stored;
        if (!isJson) {
            ++invalid;
            EXPECT_TRUE(parsed.is_object() && parsed.value("omitted", "") == "not JSON") << body << " -> " << stored;
            continue;
        }
        // Same meaning: compare as parsed values (nothing here is a secret or a token).
        EXPECT_EQ(parsed, nlohmann::json::parse(body)) << body << " -> " << stored;
    }
    EXPECT_GT(invalid, 500); // the mutations really produced broken JSON
}
