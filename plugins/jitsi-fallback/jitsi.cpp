// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The Jitsi fallback. Jitsi widgets (`m.jitsi`, and `jitsi`, the name older clients publish)
// are shown as the Jitsi Meet page itself on the conference's server (jitsiurl.h), never as the
// widget's own URL: that is usually a wrapper page (Element's jitsi.html, an integration
// manager's) that would be handed the user's name and ids. Rooms do not need to enable the
// plugin for this: other clients add these widgets to rooms that never heard of Tessera.
// The room's io.tessera.plugin config may name the Jitsi server for widgets that name none,
// and so may the user's settings of the plugin. The capability io.tessera.jitsi.probe checks
// whether the room's LiveKit call service answers (callprobe.h).
#include <string>

#include <nlohmann/json.hpp>
#include <tessera/plugin.hpp>

#include "callprobe.h"
#include "jitsiurl.h"

namespace {

using nlohmann::json;

const std::string kProbe = "io.tessera.jitsi.probe";

class JitsiFallback final : public tessera::sdk::Plugin {
public:
    tessera::sdk::Status load(tessera::sdk::Registrar &registrar) override
    {
        for (const char *type : {"m.jitsi", "jitsi"}) {
            tessera::sdk::WidgetType widget;
            widget.type = type;
            widget.displayName = "Jitsi Meet";
            widget.description = "A Jitsi Meet video conference, opened directly on the Jitsi server";
            widget.enabledByDefault = true;
            widget.buildUrl = [this](std::string_view widgetJson) { return build(widgetJson); };
            if (tessera::sdk::Status s = registrar.registerWidgetType(widget); !s)
                return s;
        }
        // The call service's health, for the page that offers Jitsi when LiveKit fails.
        tessera::sdk::CapabilityHandler probe;
        probe.capability = kProbe;
        probe.description = "Check whether this room's call service (LiveKit) answers: the server's call transports, "
                            "its token service and its media server";
        probe.actions = {kProbe + ".livekit"};
        probe.handle = [this](const tessera::sdk::Call &call) {
            const json data = json::parse(call.dataJson, nullptr, false);
            const json widget = json::parse(call.widgetJson, nullptr, false);
            tessera::jitsi::ProbeRequest request;
            if (std::string problem = tessera::jitsi::parseProbeRequest(data, widget, request); !problem.empty()) {
                host().replyError(call.id, problem);
                return;
            }
            tessera::jitsi::runProbe(host(), call.id, call.sessionId, std::move(request));
        };
        return registrar.registerCapabilityHandler(std::move(probe));
    }

private:
    std::string build(std::string_view widgetJson)
    {
        const json widget = json::parse(widgetJson, nullptr, false);
        json settings = json::parse(host().settingsJson(), nullptr, false);
        if (settings.is_discarded() || !settings.is_object())
            settings = json::object();
        const tessera::jitsi::MeetUrl url = tessera::jitsi::buildMeetUrl(widget, settings);
        if (!url.ok())
            throw tessera::sdk::BadWidget(url.problem);
        return url.url;
    }
};

} // namespace

TESSERA_PLUGIN(JitsiFallback)
