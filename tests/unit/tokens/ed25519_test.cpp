// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "tokens/ed25519.h"
#include "tokens/scopedtoken.h"
#include "util/text.h"

namespace tessera::tokens {
namespace {

// RFC 8037 appendix A.1 and A.2: the example Ed25519 key.
constexpr std::string_view kRfcPrivate = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr std::string_view kRfcPublic = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

TEST(Ed25519Key, DerivesThePublicKeyOfRfc8037Example)
{
    auto key = Ed25519Key::fromPrivateSeed(*text::base64UrlDecode(kRfcPrivate));
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(text::base64UrlEncode(key->publicBytes()), kRfcPublic);
    EXPECT_TRUE(key->canSign());
}

TEST(Ed25519Key, ProducesTheSignatureOfRfc8037Example)
{
    // RFC 8037 A.4: JWS over the payload "Example of Ed25519 signing" with header {"alg":"EdDSA"}.
    auto key = Ed25519Key::fromPrivateSeed(*text::base64UrlDecode(kRfcPrivate));
    ASSERT_TRUE(key);
    const std::string input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    auto sig = key->sign(input);
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_EQ(text::base64UrlEncode(*sig),
              "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");

    auto verifyOnly = Ed25519Key::fromPublicBytes(*text::base64UrlDecode(kRfcPublic));
    ASSERT_TRUE(verifyOnly);
    EXPECT_TRUE(verifyOnly->verify(input, *sig));
    EXPECT_FALSE(verifyOnly->verify(input + "x", *sig));
}

TEST(Ed25519Key, ComputesTheRfc8037Thumbprint)
{
    // RFC 8037 A.3: the RFC 7638 thumbprint of the example public key.
    EXPECT_EQ(keyIdFor(*text::base64UrlDecode(kRfcPublic)), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

TEST(Ed25519Key, VerifyOnlyKeyCannotSign)
{
    auto key = Ed25519Key::fromPublicBytes(*text::base64UrlDecode(kRfcPublic));
    ASSERT_TRUE(key);
    EXPECT_FALSE(key->canSign());
    EXPECT_TRUE(key->privateSeed().empty());
    auto sig = key->sign("anything");
    ASSERT_FALSE(sig);
    EXPECT_EQ(sig.error().message, "this Ed25519 key can only verify");
}

TEST(Ed25519Key, RefusesKeysOfTheWrongLength)
{
    auto priv = Ed25519Key::fromPrivateSeed(std::string(31, 'a'));
    ASSERT_FALSE(priv);
    EXPECT_EQ(priv.error().message, "an Ed25519 private key is 32 bytes, not 31");
    auto pub = Ed25519Key::fromPublicBytes(std::string(33, 'a'));
    ASSERT_FALSE(pub);
    EXPECT_EQ(pub.error().message, "an Ed25519 public key is 32 bytes, not 33");
}

TEST(Ed25519Key, GeneratesDistinctKeysThatSignAndVerify)
{
    auto a = Ed25519Key::generate();
    auto b = Ed25519Key::generate();
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->publicBytes(), b->publicBytes());
    auto sig = a->sign("message");
    ASSERT_TRUE(sig);
    EXPECT_TRUE(a->verify("message", *sig));
    EXPECT_FALSE(b->verify("message", *sig));
    EXPECT_FALSE(a->verify("message", sig->substr(0, 63)));
}

} // namespace
} // namespace tessera::tokens
