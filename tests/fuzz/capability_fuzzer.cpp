// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The capability grammar and matcher. Input: capability strings, one per line. Every line is
// checked (checkCapability, parseCapability); the Recognised ones form a CapabilitySet, and every
// line is then used as a probe against that set. Invariants:
// - the verdict agrees with the parse: Recognised has a parse, a kind and no reason; everything
//   else has a reason and nothing to grant; Unknown is exactly "no known shape";
// - a parse round-trips: the canonical string (unstable prefix, `\#` escapes) parses back to
//   the same kind, type and key, and the `m.` spelling parses like the unstable one;
// - a held capability grants what it names, and removing everything grants nothing;
// - a Forbidden, Malformed or Unknown capability never matches: no set of Recognised
//   capabilities grants what it asked for (E2EE to-device types, state/message confusion,
//   empty or oversized types).

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bridge/capabilities.h"
#include "fuzztarget.h"
#include "util/text.h"

using namespace tessera::bridge;
using tessera::text::startsWith;

namespace {

class ExampleCustomCapabilities final : public CustomCapabilityLookup {
public:
    bool isCustomCapability(std::string_view capability) const override
    {
        return startsWith(capability, "io.example.");
    }
};

struct PrefixPair {
    std::string_view unstable;
    std::string_view stable;
    CapabilityKind kind;
};

constexpr PrefixPair kPrefixes[] = {
    {cap::kSendEventPrefix, "m.send.event:", CapabilityKind::SendEvent},
    {cap::kSendStatePrefix, "m.send.state_event:", CapabilityKind::SendStateEvent},
    {cap::kReceiveEventPrefix, "m.receive.event:", CapabilityKind::ReceiveEvent},
    {cap::kReceiveStatePrefix, "m.receive.state_event:", CapabilityKind::ReceiveStateEvent},
    {cap::kSendToDevicePrefix, "m.send.to_device:", CapabilityKind::SendToDevice},
    {cap::kReceiveToDevicePrefix, "m.receive.to_device:", CapabilityKind::ReceiveToDevice},
    {cap::kReceiveRoomAccountDataPrefix, {}, CapabilityKind::ReceiveRoomAccountData},
    {cap::kTimelinePrefix, "m.timeline:", CapabilityKind::Timeline},
};

const PrefixPair *prefixOf(CapabilityKind kind)
{
    for (const auto &p : kPrefixes) {
        if (p.kind == kind)
            return &p;
    }
    return nullptr;
}

bool isStateKind(CapabilityKind k)
{
    return k == CapabilityKind::SendStateEvent || k == CapabilityKind::ReceiveStateEvent;
}

// The string matrix-widget-api's WidgetEventCapability builders would produce for a parse:
// `#` in the type escaped as `\#`, then `#key` when there is a key.
std::string canonical(const Capability &c)
{
    const PrefixPair *p = prefixOf(c.kind);
    if (c.kind == CapabilityKind::Timeline)
        return std::string(p->unstable) + c.roomId;
    std::string out(p->unstable);
    if (!c.key) {
        out += c.eventType;
        return out;
    }
    for (char ch : c.eventType) {
        if (ch == '#')
            out += '\\';
        out += ch;
    }
    out += '#';
    out += *c.key;
    return out;
}

bool sameParse(const Capability &a, const Capability &b)
{
    return a.kind == b.kind && a.eventType == b.eventType && a.key == b.key && a.roomId == b.roomId;
}

const std::string *keyPtr(const Capability &c)
{
    return c.key ? &*c.key : nullptr;
}

// Whether the set grants what capability @p c names (its kind, type and key as a request).
bool grants(const CapabilitySet &set, const Capability &c)
{
    switch (c.kind) {
    case CapabilityKind::SendEvent: return set.canSendRoomEvent(c.eventType, keyPtr(c));
    case CapabilityKind::ReceiveEvent: return set.canReceiveRoomEvent(c.eventType, keyPtr(c));
    case CapabilityKind::SendStateEvent: return set.canSendStateEvent(c.eventType, c.key.value_or("any key"));
    case CapabilityKind::ReceiveStateEvent: return set.canReceiveStateEvent(c.eventType, keyPtr(c));
    case CapabilityKind::SendToDevice: return set.canSendToDevice(c.eventType);
    case CapabilityKind::ReceiveToDevice: return set.canReceiveToDevice(c.eventType);
    case CapabilityKind::ReceiveRoomAccountData: return set.canReadRoomAccountData(c.eventType);
    case CapabilityKind::Timeline: return set.canUseRoomTimeline(c.roomId);
    case CapabilityKind::Simple:
    case CapabilityKind::Custom: return set.hasSimple(c.eventType);
    case CapabilityKind::Invalid: return false;
    }
    return false;
}

void checkOne(std::string_view raw, const CapabilityCheck &check, const std::optional<Capability> &parsed, bool custom)
{
    const bool shapeOk = !raw.empty() && raw.size() <= kMaxCapabilityLength
        && std::none_of(raw.begin(), raw.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F; });
    if (check.verdict == CapabilityVerdict::Recognised) {
        FUZZ_CHECK(shapeOk, "recognised a capability with control characters or a bad length");
        FUZZ_CHECK(check.parsed && check.reason.empty(), "Recognised without a parse, or with a reason");
        FUZZ_CHECK(check.parsed->raw == raw, "parsed.raw differs from the input");
        FUZZ_CHECK(check.parsed->kind != CapabilityKind::Invalid, "Recognised with kind Invalid");
        if (check.parsed->kind == CapabilityKind::Custom) {
            FUZZ_CHECK(custom && !parsed, "a Custom capability that parses as a built-in one");
        } else {
            FUZZ_CHECK(parsed && sameParse(*parsed, *check.parsed), "checkCapability and parseCapability disagree");
        }
        const Capability &c = *check.parsed;
        if (c.kind != CapabilityKind::Timeline && c.kind != CapabilityKind::Simple && c.kind != CapabilityKind::Custom) {
            FUZZ_CHECK(!c.eventType.empty() && c.eventType.size() <= kMaxEventTypeLength, "bad event type length");
            FUZZ_CHECK(!c.key || c.key->size() <= kMaxEventTypeLength, "bad key length");
        }
        if (c.kind == CapabilityKind::Timeline)
            FUZZ_CHECK(c.roomId == "*" || isPlausibleRoomId(c.roomId), "timeline room " << c.roomId);
        if (c.kind == CapabilityKind::SendToDevice || c.kind == CapabilityKind::ReceiveToDevice)
            FUZZ_CHECK(!isEncryptionToDeviceType(c.eventType), "granted an E2EE to-device type " << c.eventType);
        if (c.kind == CapabilityKind::SendEvent)
            FUZZ_CHECK(!isKnownStateEventType(c.eventType) && c.eventType != "m.room.encrypted",
                       "send.event of " << c.eventType);
        if (c.kind == CapabilityKind::SendStateEvent)
            FUZZ_CHECK(!isKnownMessageEventType(c.eventType), "send.state_event of " << c.eventType);
    } else {
        FUZZ_CHECK(!check.parsed, "a refused capability carries a parse");
        FUZZ_CHECK(!check.reason.empty(), "a refused capability has no reason");
        if (check.verdict == CapabilityVerdict::Unknown)
            FUZZ_CHECK(shapeOk && !parsed && !custom, "Unknown for a string with a known shape");
        FUZZ_CHECK(check.verdict != CapabilityVerdict::Invalid, "verdict Invalid");
    }
    if (!shapeOk)
        FUZZ_CHECK(check.verdict == CapabilityVerdict::Malformed, "bad shape not reported as Malformed");

    if (!parsed)
        return;
    // The prefix decides the kind.
    const Capability &p = *parsed;
    FUZZ_CHECK(p.raw == raw, "parse keeps a different raw string");
    if (const PrefixPair *pre = prefixOf(p.kind)) {
        FUZZ_CHECK(startsWith(raw, pre->unstable) || (!pre->stable.empty() && startsWith(raw, pre->stable)),
                   "kind does not match the prefix");
        // Round trip through the canonical spelling.
        if (!(p.kind != CapabilityKind::Timeline && p.eventType.empty())) {
            const std::string canon = canonical(p);
            auto again = parseCapability(canon);
            FUZZ_CHECK(again && sameParse(*again, p), "canonical form " << canon << " does not parse back");
        }
        // The m. spelling parses like the unstable one.
        if (!pre->stable.empty() && startsWith(raw, pre->unstable)) {
            auto stable = parseCapability(std::string(pre->stable) + std::string(raw.substr(pre->unstable.size())));
            FUZZ_CHECK(stable && sameParse(*stable, p), "the m. spelling parses differently");
        }
    } else {
        FUZZ_CHECK(p.kind == CapabilityKind::Simple && p.eventType == raw, "unexpected kind for " << raw);
    }
}

} // namespace

TESSERA_FUZZ_TARGET(capability)
{
    const std::string_view text = tessera::fuzz::asText(data, size);
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start <= text.size() && lines.size() < 64;) {
        const std::size_t nl = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }

    const ExampleCustomCapabilities customs;
    struct Line {
        std::string_view raw;
        CapabilityCheck check;
        std::optional<Capability> parsed;
    };
    std::vector<Line> checked;
    CapabilitySet set;
    std::set<std::string, std::less<>> distinct;
    std::vector<std::string> order;
    for (std::string_view raw : lines) {
        Line l{raw, checkCapability(raw, &customs), parseCapability(raw)};
        checkOne(raw, l.check, l.parsed, customs.isCustomCapability(raw));
        // Without a lookup a custom string is Unknown, and nothing else changes.
        const CapabilityCheck plain = checkCapability(raw);
        if (l.check.verdict == CapabilityVerdict::Recognised && l.check.parsed->kind == CapabilityKind::Custom)
            FUZZ_CHECK(plain.verdict == CapabilityVerdict::Unknown, "custom capability known without its lookup");
        else
            FUZZ_CHECK(plain.verdict == l.check.verdict, "the custom lookup changed a built-in verdict");

        if (l.check.verdict == CapabilityVerdict::Recognised) {
            const bool added = set.add(*l.check.parsed);
            const bool fresh = distinct.insert(std::string(raw)).second;
            FUZZ_CHECK(added == fresh, "add() returned " << added << " for a " << (fresh ? "new" : "held") << " string");
            if (fresh)
                order.emplace_back(raw);
        }
        checked.push_back(std::move(l));
    }
    FUZZ_CHECK(set.size() == distinct.size(), "set size " << set.size() << ", distinct " << distinct.size());
    FUZZ_CHECK(set.rawList() == order, "rawList is not the approval order");

    bool anyAllRooms = false;
    for (const auto &l : checked) {
        if (l.check.verdict == CapabilityVerdict::Recognised) {
            const Capability &c = *l.check.parsed;
            FUZZ_CHECK(set.contains(l.raw), "held capability not contained");
            FUZZ_CHECK(grants(set, c), "held capability " << l.raw << " does not grant what it names");
            if (c.kind == CapabilityKind::Timeline && c.roomId == "*")
                anyAllRooms = true;
            if (isStateKind(c.kind) && !c.key) {
                // An any-key capability grants every key, including the empty one.
                Capability probe = c;
                probe.key = std::string();
                FUZZ_CHECK(grants(set, probe), "any-key capability " << l.raw << " refuses the empty key");
            }
        } else {
            FUZZ_CHECK(!set.contains(l.raw), "a refused string is held");
            FUZZ_CHECK(!set.hasSimple(l.raw), "a refused string grants a simple capability");
            // What a refused capability asked for is never granted by the Recognised ones.
            if (l.parsed && l.check.verdict == CapabilityVerdict::Forbidden)
                FUZZ_CHECK(!grants(set, *l.parsed), "Forbidden " << l.raw << " is granted");
            if (l.parsed && l.check.verdict == CapabilityVerdict::Malformed && l.parsed->kind != CapabilityKind::Timeline
                && (l.parsed->eventType.empty() || l.parsed->eventType.size() > kMaxEventTypeLength)) {
                FUZZ_CHECK(!grants(set, *l.parsed), "Malformed " << l.raw << " is granted");
            }
            if (l.parsed && l.check.verdict == CapabilityVerdict::Malformed && l.parsed->kind == CapabilityKind::Timeline
                && !anyAllRooms && !set.hasAllRoomsTimeline()) {
                FUZZ_CHECK(!set.canUseRoomTimeline(l.parsed->roomId), "Malformed timeline " << l.raw << " is granted");
            }
        }
    }
    FUZZ_CHECK(set.hasAllRoomsTimeline() == anyAllRooms, "hasAllRoomsTimeline disagrees");

    // E2EE to-device types are never usable, whatever is held.
    for (const auto &l : checked) {
        if (l.parsed && isEncryptionToDeviceType(l.parsed->eventType)) {
            FUZZ_CHECK(!set.canSendToDevice(l.parsed->eventType) && !set.canReceiveToDevice(l.parsed->eventType),
                       "E2EE type " << l.parsed->eventType << " usable");
        }
    }

    // Removing everything leaves a set that grants nothing.
    for (const auto &raw : order)
        FUZZ_CHECK(set.remove(raw), "remove of a held string failed");
    FUZZ_CHECK(set.empty() && !set.hasAllRoomsTimeline() && !set.hasAnyReceiveState(), "set not empty after removals");
    for (const auto &l : checked) {
        if (l.check.verdict == CapabilityVerdict::Recognised)
            FUZZ_CHECK(!grants(set, *l.check.parsed), "empty set grants " << l.raw);
    }
    return 0;
}
