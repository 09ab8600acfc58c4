// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "bridge/widgetdriver.h"

namespace tessera::bridge {

Error driverUnsupported(const char *what)
{
    return Error(ErrorCode::Unsupported, std::string(what) + " is not supported by this client");
}

void WidgetDriver::validateCapabilities(const WidgetContext &, const CapabilityRequest &,
                                        Callback<std::vector<std::string>> done)
{
    done(std::vector<std::string>{});
}

void WidgetDriver::requestOpenId(const WidgetContext &, std::function<void(OpenIdUpdate)> update)
{
    OpenIdUpdate blocked;
    blocked.state = OpenIdUpdate::State::Blocked;
    update(blocked);
}

void WidgetDriver::sendEvent(const WidgetContext &, const SendEventRequest &, Callback<SendEventResult> done)
{
    done(driverUnsupported("sending events"));
}

SendWithdrawal WidgetDriver::withdrawSend(const WidgetContext &, const std::string &)
{
    return SendWithdrawal::Unknown;
}

void WidgetDriver::updateDelayedEvent(const WidgetContext &, const std::string &, DelayedEventAction,
                                      Callback<bool> done)
{
    done(driverUnsupported("delayed events"));
}

void WidgetDriver::sendToDevice(const WidgetContext &, const std::string &, bool, const nlohmann::json &,
                                Callback<bool> done)
{
    done(driverUnsupported("to-device messages"));
}

void WidgetDriver::readEvents(const WidgetContext &, const ReadEventsRequest &,
                              Callback<std::vector<SerializedEvent>> done)
{
    done(driverUnsupported("reading events"));
}

void WidgetDriver::readState(const WidgetContext &, const std::string &, const std::string &,
                             const std::optional<std::string> &, Callback<std::vector<nlohmann::json>> done)
{
    done(driverUnsupported("reading room state"));
}

void WidgetDriver::readRelations(const WidgetContext &, const RelationsRequest &, Callback<RelationsResult> done)
{
    done(driverUnsupported("reading relations"));
}

void WidgetDriver::readRoomAccountData(const WidgetContext &, const std::string &, const std::string &,
                                       Callback<std::vector<nlohmann::json>> done)
{
    done(driverUnsupported("reading room account data"));
}

void WidgetDriver::searchUserDirectory(const WidgetContext &, const std::string &, std::optional<int>,
                                       Callback<UserDirectoryResult> done)
{
    done(driverUnsupported("the user directory"));
}

void WidgetDriver::getMediaConfig(const WidgetContext &, Callback<nlohmann::json> done)
{
    done(driverUnsupported("media"));
}

void WidgetDriver::uploadFile(const WidgetContext &, const MediaUpload &, Callback<std::string> done)
{
    done(driverUnsupported("media upload"));
}

void WidgetDriver::downloadFile(const WidgetContext &, const std::string &, Callback<MediaDownload> done)
{
    done(driverUnsupported("media download"));
}

std::unique_ptr<Subscription> WidgetDriver::watchTurnServers(const WidgetContext &,
                                                             std::function<void(Result<TurnServer>)> update)
{
    update(driverUnsupported("TURN"));
    return nullptr;
}

void WidgetDriver::navigate(const WidgetContext &, const std::string &, Callback<bool> done)
{
    done(driverUnsupported("navigation"));
}

void WidgetDriver::setAlwaysOnScreen(const WidgetContext &, bool, Callback<bool> done)
{
    done(driverUnsupported("always-on-screen"));
}

void WidgetDriver::openModal(const WidgetContext &, const OpenModalRequest &, Callback<bool> done)
{
    done(driverUnsupported("modal widgets"));
}

void WidgetDriver::closeModal(const WidgetContext &, const nlohmann::json &, Callback<bool> done)
{
    done(driverUnsupported("modal widgets"));
}

void WidgetDriver::setModalButtonEnabled(const WidgetContext &, const std::string &, bool, Callback<bool> done)
{
    done(driverUnsupported("modal widgets"));
}

bool WidgetDriver::supportsCapability(const WidgetContext &, const Capability &)
{
    return true;
}

std::vector<std::string> WidgetDriver::knownRooms(const WidgetContext &)
{
    return {};
}

bool WidgetDriver::isRoomEncrypted(const WidgetContext &, const std::string &)
{
    return false;
}

} // namespace tessera::bridge
