// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The kanban board: one widget type served from the plugin's web/ folder. The room is where the
// board lives (io.tessera.kanban.board for the columns, one io.tessera.kanban.card state event
// per card), read and written by the page through the Widget API itself.
//
// The plugin keeps the kanban's database (boardstore.h): a mirror of each board in an SQLite
// file in its data directory, and the edits made while the room could not be written. The page
// reaches it through the plugin's own capability io.tessera.kanban.store, and only its own
// board: the board is keyed by the room and widget the host says the call comes from.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <tessera/plugin.hpp>

#include "boardstore.h"

namespace {

using nlohmann::json;

const std::string kType = "io.tessera.kanban";
const std::string kBoardEvent = "io.tessera.kanban.board";
const std::string kCardEvent = "io.tessera.kanban.card";
const std::string kStore = "io.tessera.kanban.store";

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
             "Shows the board's columns (and a board saved in the older single-event format)"},
            {"org.matrix.msc2762.send.state_event:" + kBoardEvent,
             "Saves the board's columns to the room, and moves an older board to one event per card"},
            {"org.matrix.msc2762.receive.state_event:" + kCardEvent, "Shows the board's cards, and the changes other members make to them"},
            {"org.matrix.msc2762.send.state_event:" + kCardEvent, "Saves the cards you add, edit, move or delete to the room, so the others see them"},
            {kStore, "Keeps a copy of the board on this device, so it opens at once and your changes made offline are "
                     "sent when the server is back"},
        };
        if (tessera::sdk::Status s = registrar.registerWidgetType(widget); !s)
            return s;

        tessera::sdk::CapabilityHandler store;
        store.capability = kStore;
        store.description = "The kanban's database on this device: a copy of each board and the changes waiting to be sent";
        for (const char *action : {"load", "mirror", "enqueue", "settle"})
            store.actions.push_back(kStore + "." + action);
        store.handle = [this](const tessera::sdk::Call &call) { handle(call); };
        return registrar.registerCapabilityHandler(std::move(store));
    }

private:
    void handle(const tessera::sdk::Call &call)
    {
        try {
            host().reply(call.id, answer(call).dump());
        } catch (const kanban::StoreError &e) {
            host().replyError(call.id, e.code + ": " + e.what());
        } catch (const json::exception &e) {
            host().replyError(call.id, std::string("bad-request: ") + e.what());
        }
    }

    json answer(const tessera::sdk::Call &call)
    {
        const json data = json::parse(call.dataJson, nullptr, false);
        if (!data.is_object())
            throw kanban::StoreError("bad-request", "the request's data is not a JSON object");
        const json widget = json::parse(call.widgetJson, nullptr, false);
        const std::string room = widget.is_object() ? widget.value("room_id", std::string()) : std::string();
        const std::string board = widget.is_object() ? widget.value("id", std::string()) : std::string();
        kanban::BoardStore &db = store();
        const std::string action(call.action.substr(call.action.rfind('.') + 1));
        const std::int64_t now = host().wallClockMs();
        if (action == "load") {
            const json offset = data.value("offset", json(0));
            if (!offset.is_number_unsigned() && !(offset.is_number_integer() && offset.get<std::int64_t>() == 0))
                throw kanban::StoreError("bad-request", "offset must be a number of cards");
            json out = db.load(room, board, offset.get<std::size_t>(), now);
            out["limits"] = {{"cards", kanban::kMaxCardRows}, {"queue", kanban::kMaxQueuedEdits}};
            return out;
        }
        if (action == "mirror") {
            const std::size_t n = db.mirror(room, board, data.value("columns", json()), data.value("cards", json::array()), now);
            return {{"stored", n}};
        }
        if (action == "enqueue") {
            const json card = data.value("card", json());
            const json base = data.value("base", json(""));
            if (!card.is_string() || !base.is_string())
                throw kanban::StoreError("bad-request", "card and base must be strings");
            const std::int64_t seq = db.enqueue(room, board, card.get<std::string>(), data.value("content", json()),
                                                base.get<std::string>(), now);
            return {{"seq", seq}};
        }
        if (action == "settle") {
            const json seq = data.value("seq", json());
            if (!seq.is_number_integer())
                throw kanban::StoreError("bad-request", "seq must be a number");
            return {{"settled", db.settle(room, board, seq.get<std::int64_t>())}};
        }
        throw kanban::StoreError("bad-request", "unknown action " + action);
    }

    /** The store, opened at the first call; a store that cannot be opened is tried again next time. */
    kanban::BoardStore &store()
    {
        if (!m_store)
            m_store = std::make_unique<kanban::BoardStore>(host().dataDirectory() + "/boards.sqlite3");
        return *m_store;
    }

    std::unique_ptr<kanban::BoardStore> m_store;
};

} // namespace

TESSERA_PLUGIN(Kanban)
