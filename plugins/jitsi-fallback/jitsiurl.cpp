// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "jitsiurl.h"

#include <array>
#include <cstdint>
#include <vector>

namespace tessera::jitsi {

namespace {

using nlohmann::json;

/** A string member of @p object, or "" (absent, not a string, or @p object not an object). */
std::string stringOf(const json &object, const char *key)
{
    if (!object.is_object())
        return {};
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/** %XX decoded and '+' as a space (a query); nullopt for a broken escape. */
std::optional<std::string> percentDecode(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%') {
            if (i + 2 >= text.size())
                return std::nullopt;
            const int hi = hexValue(text[i + 1]);
            const int lo = hexValue(text[i + 2]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (text[i] == '+') {
            out.push_back(' ');
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

/**
 * The value of @p key among the `name=value` pairs of the widget URL's query and fragment
 * (Element's wrapper puts its parameters in the fragment, older wrappers in the query). A value
 * that is still a template variable ("$conferenceId") counts as absent.
 */
std::string urlParameter(std::string_view url, std::string_view key)
{
    const std::size_t start = url.find_first_of("?#");
    if (start == std::string_view::npos)
        return {};
    std::string_view rest = url.substr(start + 1);
    while (!rest.empty()) {
        const std::size_t end = rest.find_first_of("&?#");
        const std::string_view pair = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        const std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos || pair.substr(0, eq) != key)
            continue;
        auto value = percentDecode(pair.substr(eq + 1));
        if (!value || value->empty() || value->front() == '$')
            continue;
        return *value;
    }
    return {};
}

/** @p text cut to at most @p maxBytes without splitting a UTF-8 sequence. */
std::string cutUtf8(std::string text, std::size_t maxBytes)
{
    if (text.size() <= maxBytes)
        return text;
    std::size_t end = maxBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    text.resize(end);
    return text;
}

/** A JSON string literal, percent-encoded: a value of Jitsi Meet's fragment config. */
std::string fragmentValue(const std::string &text)
{
    return percentEncode(json(text).dump(-1, ' ', false, json::error_handler_t::replace));
}

/** Why @p conference cannot name a Jitsi room, or "". */
std::string conferenceProblem(const std::string &conference)
{
    if (conference.size() > kMaxConferenceBytes)
        return "The conference name is longer than " + std::to_string(kMaxConferenceBytes) + " bytes.";
    for (const char c : conference) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || c == '/' || c == '\\')
            return "The conference name has a character a Jitsi room name cannot have (a control character, / or "
                   "\\).";
    }
    return {};
}

// SHA-256 (FIPS 180-4).
constexpr std::array<std::uint32_t, 64> kRound = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

constexpr std::uint32_t rotr(std::uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

std::string base32Lower(std::string_view bytes)
{
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 5) {
            out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0)
        out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

} // namespace

std::string sha256(std::string_view data)
{
    std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::vector<unsigned char> message(data.begin(), data.end());
    const std::uint64_t bitLength = static_cast<std::uint64_t>(data.size()) * 8;
    message.push_back(0x80);
    while (message.size() % 64 != 56)
        message.push_back(0);
    for (int i = 7; i >= 0; --i)
        message.push_back(static_cast<unsigned char>(bitLength >> (8 * i)));

    for (std::size_t block = 0; block < message.size(); block += 64) {
        std::array<std::uint32_t, 64> w{};
        for (std::size_t i = 0; i < 16; ++i)
            w[i] = (std::uint32_t(message[block + 4 * i]) << 24) | (std::uint32_t(message[block + 4 * i + 1]) << 16)
                   | (std::uint32_t(message[block + 4 * i + 2]) << 8) | std::uint32_t(message[block + 4 * i + 3]);
        for (std::size_t i = 16; i < 64; ++i) {
            const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
        for (std::size_t i = 0; i < 64; ++i) {
            const std::uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[i] + w[i];
            const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            k = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += k;
    }
    std::string out;
    for (const std::uint32_t word : h)
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((word >> shift) & 0xFF));
    return out;
}

std::string conferenceForRoom(std::string_view roomId)
{
    return "tessera" + base32Lower(sha256(roomId)).substr(0, 25);
}

std::string percentEncode(std::string_view text)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
            || c == '_' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 15]);
        }
    }
    return out;
}

std::optional<std::string> normaliseDomain(std::string_view raw)
{
    std::string_view host = raw;
    std::string port;
    if (const std::size_t colon = raw.rfind(':'); colon != std::string_view::npos) {
        host = raw.substr(0, colon);
        const std::string_view digits = raw.substr(colon + 1);
        if (digits.empty() || digits.size() > 5 || digits.front() == '0')
            return std::nullopt;
        unsigned value = 0;
        for (const char c : digits) {
            if (c < '0' || c > '9')
                return std::nullopt;
            value = value * 10 + unsigned(c - '0');
        }
        if (value == 0 || value > 65535)
            return std::nullopt;
        port = ":" + std::string(digits);
    }
    if (host.empty() || host.size() > kMaxDomainBytes)
        return std::nullopt;
    std::string out;
    std::size_t labelStart = 0;
    for (std::size_t i = 0; i <= host.size(); ++i) {
        if (i == host.size() || host[i] == '.') {
            const std::size_t length = i - labelStart;
            if (length == 0 || length > 63 || host[labelStart] == '-' || host[i - 1] == '-')
                return std::nullopt;
            if (i < host.size())
                out.push_back('.');
            labelStart = i + 1;
            continue;
        }
        char c = host[i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return std::nullopt;
        out.push_back(c);
    }
    return out + port;
}

MeetUrl buildMeetUrl(const json &widget, const json &settings)
{
    MeetUrl result;
    auto fail = [&](std::string problem) {
        result.problem = std::move(problem);
        return result;
    };
    if (!widget.is_object())
        return fail("The widget is not a JSON object.");
    const json data = widget.contains("data") && widget["data"].is_object() ? widget["data"] : json::object();
    const json config = widget.contains("config") && widget["config"].is_object() ? widget["config"] : json::object();
    const std::string widgetUrl = stringOf(widget, "url");

    // The server: the widget's own choice first, so every member (whatever their client) meets
    // on the same one; the room's and the user's settings only for widgets that name none.
    struct Source {
        std::string value;
        const char *whose;
    };
    const Source servers[] = {
        {stringOf(data, "domain"), "The widget's Jitsi server"},
        {urlParameter(widgetUrl, "conferenceDomain"), "The Jitsi server in the widget's address"},
        {stringOf(config, "domain"), "The Jitsi server in this room's settings of the plugin"},
        {stringOf(settings, "domain"), "The Jitsi server in your settings of the plugin"},
    };
    std::string domain;
    for (const Source &s : servers) {
        if (s.value.empty())
            continue;
        auto normal = normaliseDomain(s.value);
        if (!normal)
            return fail(std::string(s.whose) + " \""
                        + cutUtf8(s.value, kMaxDomainBytes) + "\" is not a server name (like meet.example.org).");
        domain = std::move(*normal);
        break;
    }
    if (domain.empty())
        return fail("The widget names no Jitsi server, and neither this room's settings of the plugin nor yours "
                    "name one.");

    std::string conference = stringOf(data, "conferenceId");
    if (conference.empty())
        conference = urlParameter(widgetUrl, "conferenceId");
    if (conference.empty())
        conference = urlParameter(widgetUrl, "confId");
    if (conference.empty()) {
        const std::string roomId = stringOf(widget, "room_id");
        if (roomId.empty())
            return fail("The widget names no conference, and it has no room to derive one from.");
        conference = conferenceForRoom(roomId);
    }
    if (std::string problem = conferenceProblem(conference); !problem.empty())
        return fail(std::move(problem));

    result.url = "https://" + domain + "/" + percentEncode(conference);

    // Jitsi Meet reads these from the fragment, which the browser never sends to the server.
    std::string fragment;
    auto add = [&](const std::string &pair) {
        fragment += fragment.empty() ? "#" : "&";
        fragment += pair;
    };
    std::string subject = stringOf(data, "roomName");
    if (subject.empty())
        subject = stringOf(widget, "name");
    if (!subject.empty())
        add("config.subject=" + fragmentValue(cutUtf8(subject, kMaxFragmentTextBytes)));
    if (auto audio = data.find("isAudioOnly"); audio != data.end() && audio->is_boolean() && audio->get<bool>())
        add("config.startAudioOnly=true");
    const json user = widget.contains("user") && widget["user"].is_object() ? widget["user"] : json::object();
    std::string displayName = stringOf(user, "display_name");
    if (displayName.empty())
        displayName = stringOf(user, "id");
    if (!displayName.empty())
        add("userInfo.displayName=" + fragmentValue(cutUtf8(displayName, kMaxFragmentTextBytes)));
    result.url += fragment;
    return result;
}

} // namespace tessera::jitsi
