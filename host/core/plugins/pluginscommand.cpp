// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/pluginscommand.h"

#include <algorithm>
#include <ostream>

#include <nlohmann/json.hpp>

#include "plugins/pluginmanager.h"

namespace tessera::plugins {

namespace {

using json = nlohmann::json;

std::string pad(std::string text, std::size_t width)
{
    if (text.size() < width)
        text.append(width - text.size(), ' ');
    return text;
}

void printTable(const PluginManager &manager, std::ostream &out)
{
    const auto &plugins = manager.plugins();
    if (plugins.empty()) {
        out << "No plugins found.\n";
    } else {
        std::size_t idWidth = 2;
        std::size_t versionWidth = 7;
        std::size_t stateWidth = 8;
        for (const PluginRecord &p : plugins) {
            idWidth = std::max(idWidth, p.id.size());
            stateWidth = std::max(stateWidth, std::string_view(toString(p.state)).size());
            if (p.manifest)
                versionWidth = std::max(versionWidth, p.manifest->version.size());
        }
        out << pad("ID", idWidth) << "  " << pad("VERSION", versionWidth) << "  " << pad("STATE", stateWidth) << "  "
            << pad("SOURCE", 12) << "  NAME\n";
        for (const PluginRecord &p : plugins) {
            out << pad(p.id, idWidth) << "  " << pad(p.manifest ? p.manifest->version : "-", versionWidth) << "  "
                << pad(toString(p.state), stateWidth) << "  " << pad(toString(p.source), 12) << "  " << p.displayName()
                << '\n';
            if (!p.error.empty())
                out << "    " << p.error << '\n';
        }
    }
    out << "Searched:";
    const auto dirs = manager.searchPath();
    if (dirs.empty())
        out << " (no plugin directories configured)";
    out << '\n';
    for (const SearchDirectory &dir : dirs)
        out << "  " << dir.path.string() << " (" << toString(dir.source) << ")\n";
}

void printJson(const PluginManager &manager, std::ostream &out)
{
    json plugins = json::array();
    for (const PluginRecord &p : manager.plugins()) {
        json entry{{"id", p.id},
                   {"name", p.displayName()},
                   {"version", p.manifest ? json(p.manifest->version) : json(nullptr)},
                   {"state", toString(p.state)},
                   {"source", toString(p.source)},
                   {"directory", p.directory.string()},
                   {"error", p.error},
                   {"widgetTypes", p.widgetTypes},
                   {"capabilities", p.capabilities}};
        plugins.push_back(std::move(entry));
    }
    json dirs = json::array();
    for (const SearchDirectory &dir : manager.searchPath())
        dirs.push_back({{"path", dir.path.string()}, {"source", toString(dir.source)}});
    const json doc{{"plugins", plugins}, {"searchPath", dirs}, {"warnings", manager.warnings()}};
    out << doc.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

} // namespace

int runList(const PluginManager &manager, bool asJson, std::ostream &out, std::ostream &err)
{
    for (const std::string &warning : manager.warnings())
        err << "tessera plugins: warning: " << warning << '\n';
    if (asJson)
        printJson(manager, out);
    else
        printTable(manager, out);
    return 0;
}

} // namespace tessera::plugins
