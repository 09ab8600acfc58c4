// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string>

namespace tessera::test {

/** PEM files of a throw-away CA and a server certificate it signed for 127.0.0.1 and localhost. */
struct TlsFiles {
    std::filesystem::path caCert;
    std::filesystem::path serverCert;
    std::filesystem::path serverKey;
};

/**
 * Generates fresh keys and certificates into @p dir; the server certificate names
 * @p subjectAltNames (OpenSSL syntax). Returns false if OpenSSL failed.
 */
bool makeTestCertificates(const std::filesystem::path &dir, TlsFiles &out,
                          const std::string &subjectAltNames = "IP:127.0.0.1,DNS:localhost");

} // namespace tessera::test
