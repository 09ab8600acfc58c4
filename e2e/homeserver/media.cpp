// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "homeserverimpl.h"

#include <algorithm>
#include <cctype>

namespace tessera::e2e {

using namespace detail;

namespace {

// Content-Disposition as Synapse sends it: inline for safe types, the name RFC 5987-encoded.
std::string contentDisposition(const std::string &fileName)
{
    if (fileName.empty()) {
        return "inline";
    }
    std::string encoded;
    for (unsigned char c : fileName) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~') {
            encoded.push_back(static_cast<char>(c));
        } else {
            static const char *hex = "0123456789ABCDEF";
            encoded.push_back('%');
            encoded.push_back(hex[c >> 4]);
            encoded.push_back(hex[c & 0xF]);
        }
    }
    return "inline; filename*=utf-8''" + encoded;
}

} // namespace

TestHomeserver::Impl::Reply TestHomeserver::Impl::getMediaConfig(Call &)
{
    std::lock_guard lock(m_mutex);
    return okReply(Json{{"m.upload.size", m_options.maxUploadBytes}});
}

// The v1 (authenticated) media endpoints: on a server configured as legacy-only the router
// answers them 404 M_UNRECOGNIZED before they get here.

TestHomeserver::Impl::Reply TestHomeserver::Impl::getMediaConfigV1(Call &call)
{
    return getMediaConfig(call);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postUpload(Call &call)
{
    const httplib::Request &req = *call.http;
    if (!req.has_header("Content-Length")) {
        return errorReply(400, "M_UNKNOWN", "Request must specify a Content-Length");
    }
    // Larger declared lengths were refused before the body was read; this catches chunked bodies.
    if (req.body.size() > m_options.maxUploadBytes) {
        return errorReply(413, "M_TOO_LARGE", "Upload request body is too large");
    }
    Media media;
    media.bytes = req.body;
    media.contentType = req.has_header("Content-Type") ? req.get_header_value("Content-Type")
                                                       : std::string("application/octet-stream");
    media.fileName = call.query("filename").value_or("");
    std::lock_guard lock(m_mutex);
    const std::string mediaId = newId(24);
    m_media[mediaId] = std::move(media);
    return okReply(Json{{"content_uri", "mxc://" + m_options.serverName + "/" + mediaId}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::download(Call &call, bool)
{
    std::lock_guard lock(m_mutex);
    const std::string &server = call.params[0];
    const std::string &mediaId = call.params[1];
    auto it = m_media.find(mediaId);
    if (server != m_options.serverName || it == m_media.end()) {
        return errorReply(404, "M_NOT_FOUND", "Not found");
    }
    Reply reply;
    reply.raw = it->second.bytes;
    reply.contentType = it->second.contentType;
    const std::string fileName = call.params.size() > 2 ? call.params[2] : it->second.fileName;
    reply.headers.emplace_back("Content-Disposition", contentDisposition(fileName));
    reply.headers.emplace_back("Content-Security-Policy",
                               "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; "
                               "style-src 'unsafe-inline'; media-src 'self'; object-src 'self';");
    reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return reply;
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getDownloadV1(Call &call)
{
    return download(call, true);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getDownloadLegacy(Call &call)
{
    return download(call, false);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::thumbnail(Call &call)
{
    // width and height are required positive integers; method is crop or scale (Synapse's 400s).
    for (const char *name : {"width", "height"}) {
        const auto v = call.query(name);
        const bool digits = v && !v->empty() && v->size() <= 5 &&
                            std::all_of(v->begin(), v->end(), [](unsigned char c) { return std::isdigit(c) != 0; });
        if (!digits || std::stoi(*v) < 1) {
            return errorReply(400, "M_MISSING_PARAM",
                              std::string("Missing or invalid integer query parameter '") + name + "'");
        }
    }
    if (const auto m = call.query("method"); m && *m != "crop" && *m != "scale") {
        return errorReply(400, "M_UNKNOWN", "Unknown thumbnail method");
    }
    {
        std::lock_guard lock(m_mutex);
        auto it = m_media.find(call.params[1]);
        if (call.params[0] != m_options.serverName || it == m_media.end()) {
            return errorReply(404, "M_NOT_FOUND", "Not found");
        }
        if (it->second.contentType.rfind("image/", 0) != 0) {
            return errorReply(404, "M_NOT_FOUND", "Not found");
        }
    }
    // A server that does not scale: the image itself stands for its thumbnail.
    return download(call, true);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getThumbnailV1(Call &call)
{
    return thumbnail(call);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getThumbnailLegacy(Call &call)
{
    return thumbnail(call);
}

} // namespace tessera::e2e
