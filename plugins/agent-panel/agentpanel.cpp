// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The agent panel: the widget type io.tessera.agent_panel, a page served from the plugin's web/
// folder that shows one agent of an agent runner (status, current task, runs, a live log tail)
// and lets a person restart, stop or start it. The page never talks to the runner: it asks the
// plugin (capabilities io.tessera.agent.read and io.tessera.agent.control), which makes the
// requests with the host's HTTP client for the widget's session, with a Tessera scoped token.
#include <string>

#include <tessera/plugin.hpp>

#include "runnerclient.h"

namespace {

class AgentPanel final : public tessera::sdk::Plugin {
public:
    tessera::sdk::Status load(tessera::sdk::Registrar &registrar) override
    {
        tessera::sdk::WidgetType widget;
        widget.type = agentpanel::kWidgetType;
        widget.displayName = "Agent panel";
        widget.description = "An agent's status, runs and live log from its runner, with Restart, Stop and Start";
        widget.icon = "icon.svg";
        // runner_url and agent_id come from the widget's data. The page gets them in its URL to
        // show them; the plugin reads them from the data the host passes with each call (never
        // from the page's requests) and checks them before any request.
        widget.urlTemplate = std::string("tessera-plugin://") + agentpanel::kPluginId
                             + "/index.html?runner_url=$runner_url&agent_id=$agent_id"
                               "&theme=$org.matrix.msc2873.client_theme&lang=$org.matrix.msc2873.client_language";
        // The reasons are what the consent dialog shows next to each capability.
        widget.capabilities = {
            {agentpanel::kReadCapability,
             "Shows the agent's status, its recent runs and its live log, read from the agent's runner"},
            {agentpanel::kControlCapability,
             "Lets you restart, stop or start the agent. Its runner is told each time, in your name, and the agent's "
             "current work is interrupted"},
        };
        if (tessera::sdk::Status s = registrar.registerWidgetType(widget); !s)
            return s;

        tessera::sdk::CapabilityHandler read;
        read.capability = agentpanel::kReadCapability;
        read.description = "Reads an agent's status, runs and log from its runner";
        for (const char *a : {"config", "status", "runs", "logs", "tail", "untail"})
            read.actions.push_back(std::string(agentpanel::kReadCapability) + "." + a);
        read.handle = [this](const tessera::sdk::Call &call) { m_client.handle(call); };
        read.sessionClosed = [this](std::uint64_t session) { m_client.sessionClosed(session); };
        if (tessera::sdk::Status s = registrar.registerCapabilityHandler(std::move(read)); !s)
            return s;

        tessera::sdk::CapabilityHandler control;
        control.capability = agentpanel::kControlCapability;
        control.description = "Restarts, stops or starts an agent through its runner";
        for (const char *a : {"restart", "stop", "start"})
            control.actions.push_back(std::string(agentpanel::kControlCapability) + "." + a);
        control.handle = [this](const tessera::sdk::Call &call) { m_client.handle(call); };
        control.sessionClosed = [this](std::uint64_t session) { m_client.sessionClosed(session); };
        return registrar.registerCapabilityHandler(std::move(control));
    }

    void unload() override { m_client.stopAll(); }

private:
    agentpanel::RunnerClient m_client{[this]() -> tessera::sdk::Host & { return host(); }};
};

} // namespace

TESSERA_PLUGIN(AgentPanel)
