// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "consent/capabilitytext.h"

#include <array>

#include "util/text.h"

namespace tessera::consent {

namespace {

using bridge::Capability;
using bridge::CapabilityKind;
using bridge::CapabilityVerdict;

/** One sentence in every language; %1 and %2 are replaced by values. */
struct Phrase {
    std::string_view en;
    std::string_view es;
};

std::string fill(const Phrase &phrase, Language language, std::string_view a = {}, std::string_view b = {})
{
    const std::string_view pattern = language == Language::Spanish ? phrase.es : phrase.en;
    std::string out;
    out.reserve(pattern.size() + a.size() + b.size());
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%' && i + 1 < pattern.size() && (pattern[i + 1] == '1' || pattern[i + 1] == '2')) {
            out += pattern[i + 1] == '1' ? a : b;
            ++i;
        } else {
            out += pattern[i];
        }
    }
    return out;
}

struct Entry {
    std::string_view key;
    Phrase phrase;
    RiskLevel risk;
};

template<std::size_t N>
const Entry *find(const std::array<Entry, N> &table, std::string_view key)
{
    for (const auto &e : table) {
        if (e.key == key)
            return &e;
    }
    return nullptr;
}

const std::array kSimple{
    Entry{"m.always_on_screen",
          {"Stay on screen while you use other parts of the app",
           "Permanecer en pantalla mientras usas otras partes de la aplicación"},
          RiskLevel::Medium},
    Entry{"m.sticker", {"Send stickers as you in this room", "Enviar stickers en tu nombre en esta sala"}, RiskLevel::Medium},
    Entry{"m.capability.screenshot",
          {"Let you take screenshots of it", "Permitir que hagas capturas de pantalla del widget"},
          RiskLevel::Low},
    Entry{"io.element.requires_client",
          {"Ask to stay inside this app instead of opening in a browser",
           "Pedir quedarse dentro de esta aplicación en lugar de abrirse en un navegador"},
          RiskLevel::Low},
    Entry{"visibility", {"Know whether it is visible on screen", "Saber si está visible en pantalla"}, RiskLevel::Low},
    Entry{"org.matrix.msc2931.navigate",
          {"Open Matrix links (rooms, people, messages) in this app",
           "Abrir enlaces de Matrix (salas, personas, mensajes) en esta aplicación"},
          RiskLevel::Medium},
    Entry{"town.robin.msc3846.turn_servers",
          {"Use your homeserver's TURN servers for calls", "Usar los servidores TURN de tu servidor para llamadas"},
          RiskLevel::Medium},
    Entry{"org.matrix.msc3973.user_directory_search",
          {"Search your homeserver's user directory", "Buscar en el directorio de usuarios de tu servidor"},
          RiskLevel::Medium},
    Entry{"org.matrix.msc4039.upload_file",
          {"Upload files to your homeserver as you", "Subir archivos a tu servidor en tu nombre"},
          RiskLevel::Medium},
    Entry{"org.matrix.msc4039.download_file",
          {"Download files from your homeserver", "Descargar archivos de tu servidor"},
          RiskLevel::Medium},
    Entry{"org.matrix.msc4157.send.delayed_event",
          {"Schedule events to be sent as you later", "Programar eventos para enviarlos más tarde en tu nombre"},
          RiskLevel::Medium},
    Entry{"org.matrix.msc4157.update_delayed_event",
          {"Cancel, restart or send the events it scheduled", "Cancelar, reiniciar o enviar los eventos que programó"},
          RiskLevel::Medium},
    Entry{"org.matrix.msc4407.send.sticky_event",
          {"Send sticky events as you in this room", "Enviar eventos fijos en tu nombre en esta sala"},
          RiskLevel::Medium},
    Entry{"org.matrix.msc4407.receive.sticky_event",
          {"See sticky events in this room", "Ver los eventos fijos de esta sala"},
          RiskLevel::Low},
};

// m.room.message by msgtype: sending (as you) and reading.
const std::array kSendMsgtype{
    Entry{"m.text", {"Send text messages as you in this room", "Enviar mensajes de texto en tu nombre en esta sala"}, RiskLevel::High},
    Entry{"m.emote", {"Send emotes as you in this room", "Enviar emotes en tu nombre en esta sala"}, RiskLevel::High},
    Entry{"m.notice", {"Send notices as you in this room", "Enviar avisos en tu nombre en esta sala"}, RiskLevel::High},
    Entry{"m.image", {"Send images as you in this room", "Enviar imágenes en tu nombre en esta sala"}, RiskLevel::High},
    Entry{"m.file", {"Send files as you in this room", "Enviar archivos en tu nombre en esta sala"}, RiskLevel::High},
    Entry{"m.audio", {"Send audio as you in this room", "Enviar audio en tu nombre en esta sala"}, RiskLevel::High},
    Entry{"m.video", {"Send videos as you in this room", "Enviar vídeos en tu nombre en esta sala"}, RiskLevel::High},
    Entry{"m.location", {"Send locations as you in this room", "Enviar ubicaciones en tu nombre en esta sala"}, RiskLevel::High},
};
const std::array kReceiveMsgtype{
    Entry{"m.text", {"Read text messages in this room", "Leer los mensajes de texto de esta sala"}, RiskLevel::Medium},
    Entry{"m.emote", {"Read emotes in this room", "Leer los emotes de esta sala"}, RiskLevel::Medium},
    Entry{"m.notice", {"Read notices in this room", "Leer los avisos de esta sala"}, RiskLevel::Medium},
    Entry{"m.image", {"See images posted in this room", "Ver las imágenes publicadas en esta sala"}, RiskLevel::Medium},
    Entry{"m.file", {"See files posted in this room", "Ver los archivos publicados en esta sala"}, RiskLevel::Medium},
    Entry{"m.audio", {"Get audio posted in this room", "Obtener el audio publicado en esta sala"}, RiskLevel::Medium},
    Entry{"m.video", {"See videos posted in this room", "Ver los vídeos publicados en esta sala"}, RiskLevel::Medium},
    Entry{"m.location", {"See locations shared in this room", "Ver las ubicaciones compartidas en esta sala"}, RiskLevel::Medium},
};

const std::array kSendEvent{
    Entry{"m.reaction", {"React to messages as you in this room", "Reaccionar a mensajes en tu nombre en esta sala"}, RiskLevel::Medium},
    Entry{"m.room.redaction", {"Remove messages as you in this room", "Eliminar mensajes en tu nombre en esta sala"}, RiskLevel::High},
    Entry{"m.sticker", {"Send stickers as you in this room", "Enviar stickers en tu nombre en esta sala"}, RiskLevel::Medium},
};
const std::array kReceiveEvent{
    Entry{"m.reaction", {"See reactions in this room", "Ver las reacciones de esta sala"}, RiskLevel::Low},
    Entry{"m.room.redaction",
          {"See when messages are removed in this room", "Ver cuándo se eliminan mensajes en esta sala"},
          RiskLevel::Low},
    Entry{"m.sticker", {"See stickers posted in this room", "Ver los stickers publicados en esta sala"}, RiskLevel::Low},
};

const std::array kSendState{
    Entry{"m.room.topic", {"Change the room's topic", "Cambiar el tema de la sala"}, RiskLevel::Medium},
    Entry{"m.room.name", {"Change the room's name", "Cambiar el nombre de la sala"}, RiskLevel::Medium},
    Entry{"m.room.avatar", {"Change the room's avatar", "Cambiar el avatar de la sala"}, RiskLevel::Medium},
    Entry{"m.room.pinned_events", {"Pin and unpin messages in this room", "Fijar y desfijar mensajes en esta sala"}, RiskLevel::Medium},
    Entry{"io.element.widgets.layout",
          {"Change the widget layout of this room", "Cambiar la disposición de los widgets de esta sala"},
          RiskLevel::Medium},
    Entry{"m.room.power_levels",
          {"Change who may do what in this room (power levels)", "Cambiar quién puede hacer qué en esta sala (niveles de poder)"},
          RiskLevel::High},
    Entry{"m.room.join_rules", {"Change who may join this room", "Cambiar quién puede unirse a esta sala"}, RiskLevel::High},
    Entry{"m.room.history_visibility",
          {"Change who may read this room's history", "Cambiar quién puede leer el historial de esta sala"},
          RiskLevel::High},
    Entry{"m.room.encryption",
          {"Change this room's encryption settings", "Cambiar la configuración de cifrado de esta sala"},
          RiskLevel::High},
    Entry{"m.room.guest_access",
          {"Change whether guests may join this room", "Cambiar si los invitados pueden unirse a esta sala"},
          RiskLevel::High},
    Entry{"m.room.server_acl",
          {"Change which servers may take part in this room", "Cambiar qué servidores pueden participar en esta sala"},
          RiskLevel::High},
    Entry{"m.room.canonical_alias", {"Change the room's address", "Cambiar la dirección de la sala"}, RiskLevel::High},
    Entry{"m.room.aliases", {"Change the room's addresses", "Cambiar las direcciones de la sala"}, RiskLevel::High},
    Entry{"m.room.tombstone",
          {"Replace this room with another one (upgrade it)", "Sustituir esta sala por otra (actualizarla)"},
          RiskLevel::High},
    Entry{"m.room.create", {"Change how this room was created", "Cambiar cómo se creó esta sala"}, RiskLevel::High},
    Entry{"m.room.third_party_invite",
          {"Invite people to this room by email or phone", "Invitar a personas a esta sala por correo o teléfono"},
          RiskLevel::High},
    Entry{"m.widget", {"Add, change or remove widgets in this room", "Añadir, cambiar o quitar widgets de esta sala"}, RiskLevel::High},
    Entry{"im.vector.modular.widgets",
          {"Add, change or remove widgets in this room", "Añadir, cambiar o quitar widgets de esta sala"},
          RiskLevel::High},
    Entry{"m.space.child", {"Change the rooms listed in this space", "Cambiar las salas de este espacio"}, RiskLevel::High},
    Entry{"m.space.parent", {"Change the spaces this room belongs to", "Cambiar los espacios a los que pertenece esta sala"}, RiskLevel::High},
};
const std::array kReceiveState{
    Entry{"m.room.topic", {"Read the room's topic", "Leer el tema de la sala"}, RiskLevel::Low},
    Entry{"m.room.name", {"Read the room's name", "Leer el nombre de la sala"}, RiskLevel::Low},
    Entry{"m.room.avatar", {"See the room's avatar", "Ver el avatar de la sala"}, RiskLevel::Low},
    Entry{"m.room.pinned_events", {"See the pinned messages of this room", "Ver los mensajes fijados de esta sala"}, RiskLevel::Low},
    Entry{"io.element.widgets.layout",
          {"See the widget layout of this room", "Ver la disposición de los widgets de esta sala"},
          RiskLevel::Low},
    Entry{"m.room.power_levels", {"See who may do what in this room", "Ver quién puede hacer qué en esta sala"}, RiskLevel::Low},
    Entry{"m.room.join_rules", {"See who may join this room", "Ver quién puede unirse a esta sala"}, RiskLevel::Low},
    Entry{"m.room.history_visibility",
          {"See who may read this room's history", "Ver quién puede leer el historial de esta sala"},
          RiskLevel::Low},
    Entry{"m.room.encryption", {"See whether this room is encrypted", "Ver si esta sala está cifrada"}, RiskLevel::Low},
    Entry{"m.room.guest_access", {"See whether guests may join this room", "Ver si los invitados pueden unirse a esta sala"}, RiskLevel::Low},
    Entry{"m.room.server_acl",
          {"See which servers may take part in this room", "Ver qué servidores pueden participar en esta sala"},
          RiskLevel::Low},
    Entry{"m.room.canonical_alias", {"See the room's address", "Ver la dirección de la sala"}, RiskLevel::Low},
    Entry{"m.room.aliases", {"See the room's addresses", "Ver las direcciones de la sala"}, RiskLevel::Low},
    Entry{"m.room.tombstone", {"See whether this room was replaced", "Ver si esta sala fue sustituida"}, RiskLevel::Low},
    Entry{"m.room.create", {"See how this room was created", "Ver cómo se creó esta sala"}, RiskLevel::Low},
    Entry{"m.room.third_party_invite",
          {"See invitations sent by email or phone in this room", "Ver las invitaciones por correo o teléfono de esta sala"},
          RiskLevel::Medium},
    Entry{"m.widget", {"See the widgets of this room", "Ver los widgets de esta sala"}, RiskLevel::Low},
    Entry{"im.vector.modular.widgets", {"See the widgets of this room", "Ver los widgets de esta sala"}, RiskLevel::Low},
    Entry{"m.space.child", {"See the rooms listed in this space", "Ver las salas de este espacio"}, RiskLevel::Low},
    Entry{"m.space.parent", {"See the spaces this room belongs to", "Ver los espacios a los que pertenece esta sala"}, RiskLevel::Low},
};

constexpr Phrase kStateKeySuffix{" (state key %1)", " (clave de estado %1)"};
constexpr Phrase kAnyStateKeySuffix{" (any state key)", " (cualquier clave de estado)"};

std::string describeMessage(const Capability &c, bool sending, Language lang, RiskLevel &risk)
{
    if (!c.key) {
        risk = RiskLevel::High;
        return sending ? fill({"Send messages of any kind as you in this room",
                               "Enviar mensajes de cualquier tipo en tu nombre en esta sala"},
                              lang)
                       : fill({"Read all messages in this room", "Leer todos los mensajes de esta sala"}, lang);
    }
    if (c.key->empty()) {
        risk = sending ? RiskLevel::High : RiskLevel::Medium;
        return sending ? fill({"Send messages without a message type as you in this room",
                               "Enviar mensajes sin tipo de mensaje en tu nombre en esta sala"},
                              lang)
                       : fill({"Read messages without a message type in this room",
                               "Leer los mensajes sin tipo de mensaje de esta sala"},
                              lang);
    }
    if (const Entry *e = find(sending ? kSendMsgtype : kReceiveMsgtype, *c.key)) {
        risk = e->risk;
        return fill(e->phrase, lang);
    }
    risk = sending ? RiskLevel::High : RiskLevel::Medium;
    return sending ? fill({"Send %1 messages as you in this room", "Enviar mensajes %1 en tu nombre en esta sala"}, lang, *c.key)
                   : fill({"Read %1 messages in this room", "Leer los mensajes %1 de esta sala"}, lang, *c.key);
}

std::string describeRoomEvent(const Capability &c, bool sending, Language lang, RiskLevel &risk)
{
    if (c.eventType == "m.room.message")
        return describeMessage(c, sending, lang, risk);
    if (const Entry *e = find(sending ? kSendEvent : kReceiveEvent, c.eventType)) {
        risk = e->risk;
        return fill(e->phrase, lang);
    }
    // Custom event types: visible to the room as you when sent; their content is unknown when read.
    risk = RiskLevel::Medium;
    return sending ? fill({"Send %1 events as you in this room", "Enviar eventos %1 en tu nombre en esta sala"}, lang, c.eventType)
                   : fill({"See %1 events in this room", "Ver los eventos %1 de esta sala"}, lang, c.eventType);
}

std::string describeState(const Capability &c, bool sending, Language lang, RiskLevel &risk)
{
    if (c.eventType == "m.room.member") {
        if (sending) {
            risk = RiskLevel::High;
            if (!c.key)
                return fill({"Invite, remove or ban people in this room, and make you leave it",
                             "Invitar, expulsar o vetar a personas en esta sala, y hacer que la abandones"},
                            lang);
            return fill({"Change the membership of %1 in this room", "Cambiar la pertenencia de %1 a esta sala"}, lang,
                        *c.key);
        }
        if (!c.key) {
            risk = RiskLevel::Medium;
            return fill({"See who is in this room and who joins, leaves or is invited",
                         "Ver quién está en esta sala y quién entra, sale o es invitado"},
                        lang);
        }
        risk = RiskLevel::Low;
        return fill({"See the membership of %1 in this room", "Ver la pertenencia de %1 a esta sala"}, lang, *c.key);
    }
    std::string out;
    if (const Entry *e = find(sending ? kSendState : kReceiveState, c.eventType)) {
        risk = e->risk;
        out = fill(e->phrase, lang);
        if (c.key && !c.key->empty())
            out += fill(kStateKeySuffix, lang, *c.key);
        return out;
    }
    risk = sending ? RiskLevel::Medium : RiskLevel::Low;
    out = sending ? fill({"Change %1 state in this room", "Cambiar el estado %1 de esta sala"}, lang, c.eventType)
                  : fill({"Read %1 state in this room", "Leer el estado %1 de esta sala"}, lang, c.eventType);
    if (!c.key)
        out += fill(kAnyStateKeySuffix, lang);
    else if (!c.key->empty())
        out += fill(kStateKeySuffix, lang, *c.key);
    return out;
}

std::string describeParsed(const Capability &c, Language lang, RiskLevel &risk,
                           const CustomCapabilityDirectory *custom = nullptr)
{
    switch (c.kind) {
    case CapabilityKind::SendEvent:
        return describeRoomEvent(c, true, lang, risk);
    case CapabilityKind::ReceiveEvent:
        return describeRoomEvent(c, false, lang, risk);
    case CapabilityKind::SendStateEvent:
        return describeState(c, true, lang, risk);
    case CapabilityKind::ReceiveStateEvent:
        return describeState(c, false, lang, risk);
    case CapabilityKind::SendToDevice:
        risk = RiskLevel::High;
        return fill({"Send %1 messages directly to people's devices as you",
                     "Enviar mensajes %1 directamente a los dispositivos de otras personas en tu nombre"},
                    lang, c.eventType);
    case CapabilityKind::ReceiveToDevice:
        risk = RiskLevel::Medium;
        return fill({"Receive %1 messages sent directly to your devices",
                     "Recibir mensajes %1 enviados directamente a tus dispositivos"},
                    lang, c.eventType);
    case CapabilityKind::ReceiveRoomAccountData:
        risk = RiskLevel::Medium;
        return fill({"Read your private %1 settings for this room", "Leer tu configuración privada %1 de esta sala"},
                    lang, c.eventType);
    case CapabilityKind::Timeline:
        risk = RiskLevel::High;
        if (c.roomId == "*")
            return fill({"See the timeline of all your rooms", "Ver la cronología de todas tus salas"}, lang);
        return fill({"See the timeline of the room %1", "Ver la cronología de la sala %1"}, lang, c.roomId);
    case CapabilityKind::Simple:
        if (const Entry *e = find(kSimple, c.eventType)) {
            risk = e->risk;
            return fill(e->phrase, lang);
        }
        break;
    case CapabilityKind::Custom: {
        risk = RiskLevel::Medium;
        const auto info = custom ? custom->findCustomCapability(c.raw) : std::nullopt;
        if (info && !info->pluginName.empty() && !info->description.empty())
            return fill({"Handled by the plugin %1: %2", "Lo gestiona el complemento %1: %2"}, lang,
                        text::truncateUtf8(info->pluginName, 200), text::truncateUtf8(info->description, 600));
        if (info && !info->pluginName.empty())
            return fill({"Use \"%1\", a permission handled by the plugin %2",
                         "Usar «%1», un permiso que gestiona el complemento %2"},
                        lang, c.raw, text::truncateUtf8(info->pluginName, 200));
        return fill({"Use \"%1\", a permission handled by an installed plugin",
                     "Usar «%1», un permiso que gestiona un complemento instalado"},
                    lang, c.raw);
    }
    case CapabilityKind::Invalid:
        break;
    }
    risk = RiskLevel::High;
    return fill({"An unrecognised permission (%1): Tessera cannot say what it allows, so it is always refused",
                 "Un permiso no reconocido (%1): Tessera no puede decir qué permite, así que siempre se deniega"},
                lang, c.raw);
}

} // namespace

CapabilityDescription describeCapability(std::string_view capability, Language language,
                                         const CustomCapabilityDirectory *custom)
{
    const Language lang = language == Language::Spanish ? Language::Spanish : Language::English;
    CapabilityDescription out;
    out.capability = std::string(capability);
    const bridge::CapabilityCheck check = bridge::checkCapability(capability, custom);
    out.verdict = check.verdict;
    // Never echo more than a line of an arbitrary string into a sentence; the raw string is there in full.
    const std::string shown = text::isValidUtf8(capability) ? text::truncateUtf8(capability, 200) : "?";
    switch (check.verdict) {
    case CapabilityVerdict::Recognised:
        out.text = describeParsed(*check.parsed, lang, out.risk, custom);
        return out;
    case CapabilityVerdict::Forbidden: {
        RiskLevel ignored = RiskLevel::Invalid;
        const auto parsed = bridge::parseCapability(capability);
        const std::string what = parsed ? describeParsed(*parsed, lang, ignored) : shown;
        out.text = fill({"%1. Tessera never allows this", "%1. Tessera nunca permite esto"}, lang, what);
        out.risk = RiskLevel::High;
        return out;
    }
    case CapabilityVerdict::Malformed:
        out.text = fill({"A malformed permission (%1): it is always refused",
                         "Un permiso mal formado (%1): siempre se deniega"},
                        lang, shown);
        out.risk = RiskLevel::High;
        return out;
    case CapabilityVerdict::Unknown:
        if (capability == "org.matrix.msc4515.rtc_transports") {
            out.text = fill({"Find the media servers that carry calls (MatrixRTC transports, MSC4515)",
                             "Buscar los servidores de medios que transportan las llamadas (transportes MatrixRTC, MSC4515)"},
                            lang);
            out.risk = RiskLevel::Low;
            return out;
        }
        if (capability == "org.matrix.msc4533.rtc_livekit_get_token") {
            out.text = fill({"Get a token for the call's LiveKit media server in your name (MSC4533)",
                             "Obtener en tu nombre un token para el servidor de medios LiveKit de la llamada (MSC4533)"},
                            lang);
            out.risk = RiskLevel::Medium;
            return out;
        }
        if (capability == "org.matrix.msc4533.rtc_livekit_delegate_delayed_leave") {
            out.text = fill({"Let the call's media server announce that you left the call (MSC4533)",
                             "Dejar que el servidor de medios de la llamada anuncie que saliste de ella (MSC4533)"},
                            lang);
            out.risk = RiskLevel::Medium;
            return out;
        }
        break;
    case CapabilityVerdict::Invalid:
        break;
    }
    out.text = fill({"An unrecognised permission (%1): Tessera cannot say what it allows, so it is always refused",
                     "Un permiso no reconocido (%1): Tessera no puede decir qué permite, así que siempre se deniega"},
                    lang, shown);
    out.risk = RiskLevel::High;
    return out;
}

std::string describeRefusal(bridge::RefusalReason reason, Language language)
{
    using bridge::RefusalReason;
    switch (reason) {
    case RefusalReason::EmptyOrTooLong:
        return fill({"it is empty or longer than 1024 bytes", "está vacío o tiene más de 1024 bytes"}, language);
    case RefusalReason::ControlCharacters:
        return fill({"it contains control characters", "contiene caracteres de control"}, language);
    case RefusalReason::Unsupported:
        return fill({"Tessera does not support this permission", "Tessera no admite este permiso"}, language);
    case RefusalReason::TimelineRoomId:
        return fill({"it names no room (a room id starting with ! or *)",
                     "no indica ninguna sala (un ID de sala que empiece por ! o *)"},
                    language);
    case RefusalReason::EventTypeLength:
        return fill({"its event type is empty or longer than 255 bytes",
                     "su tipo de evento está vacío o tiene más de 255 bytes"},
                    language);
    case RefusalReason::KeyLength:
        return fill({"its state key or message type is longer than 255 bytes",
                     "su clave de estado o tipo de mensaje tiene más de 255 bytes"},
                    language);
    case RefusalReason::EncryptionToDevice:
        return fill({"end-to-end encryption uses these messages; widgets never get them",
                     "el cifrado de extremo a extremo usa estos mensajes; los widgets nunca los obtienen"},
                    language);
    case RefusalReason::StateTypeAsEvent:
        return fill({"this is a room setting (a state event); it cannot be sent as a message",
                     "es un ajuste de la sala (un evento de estado); no se puede enviar como mensaje"},
                    language);
    case RefusalReason::MessageTypeAsState:
        return fill({"this is a message type; it cannot be sent as a room setting (a state event)",
                     "es un tipo de mensaje; no se puede enviar como ajuste de la sala (un evento de estado)"},
                    language);
    case RefusalReason::PreEncrypted:
        return fill({"widgets cannot send events that are already encrypted",
                     "los widgets no pueden enviar eventos ya cifrados"},
                    language);
    case RefusalReason::NotImplemented:
        return fill({"not supported by Tessera", "Tessera no lo admite"}, language);
    case RefusalReason::Invalid:
        break;
    }
    return fill({"Tessera refuses it", "Tessera lo deniega"}, language);
}

std::string describeOpenIdRequest(Language language)
{
    return fill({"Confirm your identity (your Matrix ID) to the widget's server",
                 "Confirmar tu identidad (tu ID de Matrix) ante el servidor del widget"},
                language);
}

std::string describeLoadRequest(std::string_view creatorUserId, std::string_view origin, Language language)
{
    return fill({"Load a widget added by %1. Using it may share data with %2",
                 "Cargar un widget añadido por %1. Usarlo puede compartir datos con %2"},
                language, creatorUserId, origin);
}

std::string describeBrowserPermission(BrowserPermission permission, Language language)
{
    switch (permission) {
    case BrowserPermission::Camera:
        return fill({"Use your camera", "Usar tu cámara"}, language);
    case BrowserPermission::Microphone:
        return fill({"Use your microphone", "Usar tu micrófono"}, language);
    case BrowserPermission::ScreenShare:
        return fill({"Share your screen", "Compartir tu pantalla"}, language);
    case BrowserPermission::ClipboardRead:
        return fill({"Read your clipboard", "Leer tu portapapeles"}, language);
    case BrowserPermission::ClipboardWrite:
        return fill({"Write to your clipboard", "Escribir en tu portapapeles"}, language);
    case BrowserPermission::Invalid:
        break;
    }
    return fill({"An unknown browser permission", "Un permiso del navegador desconocido"}, language);
}

RiskLevel browserPermissionRisk(BrowserPermission permission)
{
    return permission == BrowserPermission::ClipboardWrite ? RiskLevel::Low : RiskLevel::High;
}

std::string describeRisk(RiskLevel risk, Language language)
{
    switch (risk) {
    case RiskLevel::Low:
        return fill({"Low risk", "Riesgo bajo"}, language);
    case RiskLevel::Medium:
        return fill({"Medium risk", "Riesgo medio"}, language);
    case RiskLevel::High:
    case RiskLevel::Invalid:
        break;
    }
    return fill({"High risk", "Riesgo alto"}, language);
}

std::optional<Language> languageFromTag(std::string_view tag)
{
    const std::string lower = text::toLowerAscii(tag.substr(0, tag.find_first_of("-_.@")));
    if (lower == "en")
        return Language::English;
    if (lower == "es")
        return Language::Spanish;
    return std::nullopt;
}

const char *toString(RiskLevel risk) noexcept
{
    switch (risk) {
    case RiskLevel::Low: return "low";
    case RiskLevel::Medium: return "medium";
    case RiskLevel::High: return "high";
    case RiskLevel::Invalid: break;
    }
    return "invalid";
}

const char *toString(BrowserPermission permission) noexcept
{
    switch (permission) {
    case BrowserPermission::Camera: return "camera";
    case BrowserPermission::Microphone: return "microphone";
    case BrowserPermission::ScreenShare: return "screen_share";
    case BrowserPermission::ClipboardRead: return "clipboard_read";
    case BrowserPermission::ClipboardWrite: return "clipboard_write";
    case BrowserPermission::Invalid: break;
    }
    return "invalid";
}

std::optional<BrowserPermission> browserPermissionFromString(std::string_view name) noexcept
{
    for (auto p : {BrowserPermission::Camera, BrowserPermission::Microphone, BrowserPermission::ScreenShare,
                   BrowserPermission::ClipboardRead, BrowserPermission::ClipboardWrite}) {
        if (name == toString(p))
            return p;
    }
    return std::nullopt;
}

} // namespace tessera::consent
