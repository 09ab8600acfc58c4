// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The kanban board: one widget type served from the plugin's web/ folder. The board lives in the
// room as one state event (io.tessera.kanban.board, state key = the widget id) that the page
// reads and writes through the Widget API itself, so the plugin needs no handler and keeps no
// copy: the room is the only store, and every member with the widget sees the same board.
#include <string>

#include <tessera/plugin.hpp>

namespace {

const std::string kType = "io.tessera.kanban";
const std::string kBoardEvent = "io.tessera.kanban.board";

class Kanban final : public tessera::sdk::Plugin {
public:
    tessera::sdk::Status load(tessera::sdk::Registrar &registrar) override
    {
        tessera::sdk::WidgetType widget;
        widget.type = kType;
        widget.displayName = "Kanban board";
        widget.description = "Cards in To do, Doing and Done, kept in this room for everyone in it";
        widget.icon = "icon.svg";
        widget.assetEntry = "index.html";
        // The reasons are what the consent dialog shows next to each capability.
        widget.capabilities = {
            {"org.matrix.msc2762.receive.state_event:" + kBoardEvent,
             "Shows the board's cards, and the changes other members make to them"},
            {"org.matrix.msc2762.send.state_event:" + kBoardEvent,
             "Saves the cards you add, edit, move or delete to the room, so the others see them"},
        };
        return registrar.registerWidgetType(widget);
    }
};

} // namespace

TESSERA_PLUGIN(Kanban)
