// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The example plugin: one widget type served from the plugin's own web/ folder, and one
// capability handler that answers the widget's "greet" request and, a second later, waves at
// the widget with a toWidget push. It uses nothing but the SDK and the standard library.
#include <cstdint>
#include <string>

#include <tessera/plugin.hpp>

namespace {

const std::string kId = "io.tessera.example.hello";
const std::string kGreet = kId + ".greet";
const std::string kWave = kId + ".wave";

class Hello final : public tessera::sdk::Plugin {
public:
    tessera::sdk::Status load(tessera::sdk::Registrar &registrar) override
    {
        tessera::sdk::WidgetType widget;
        widget.type = kId;
        widget.displayName = "Hello";
        widget.description = "Says hello through a plugin";
        widget.assetEntry = "index.html";
        widget.capabilities = {{kId, "Lets the widget ask the Hello plugin for a greeting"}};
        if (tessera::sdk::Status s = registrar.registerWidgetType(widget); !s)
            return s;

        tessera::sdk::CapabilityHandler handler;
        handler.capability = kId;
        handler.description = "Ask the Hello plugin for a greeting";
        handler.actions = {kGreet};
        handler.handle = [this](const tessera::sdk::Call &call) { greet(call); };
        return registrar.registerCapabilityHandler(std::move(handler));
    }

private:
    void greet(const tessera::sdk::Call &call)
    {
        // The reply echoes the request's data as it came: a real plugin would parse it.
        host().reply(call.id, "{\"greeting\":\"Hello from a Tessera plugin!\",\"received\":" + std::string(call.dataJson)
                                  + "}");
        const std::uint64_t session = call.sessionId;
        host().setTimer(1000, [this, session] {
            host().push(session, kId, kWave, "{\"message\":\"waving back\"}");
        });
        host().log(tessera::sdk::LogLevel::Info, "greeted a widget");
    }
};

} // namespace

TESSERA_PLUGIN(Hello)
