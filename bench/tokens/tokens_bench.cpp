// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Scoped tokens: minting and verifying, against the bare OpenSSL Ed25519 sign and verify of the
// same bytes (the cryptographic floor) in the same process. Prints the ratios at the end.
#include <cstdio>
#include <map>
#include <string>

#include <benchmark/benchmark.h>

#include "ratioreporter.h"
#include <openssl/evp.h>

#include "tokens/scopedtoken.h"

namespace {

using namespace tessera::tokens;

constexpr std::int64_t kNowMs = 1'700'000'000'000;

struct Fixture {
    Fixture()
    {
        key = std::move(Ed25519Key::generate().value());
        kid = keyIdFor(key.publicBytes());
        verifier.addKey(kid, std::move(Ed25519Key::fromPublicBytes(key.publicBytes()).value()));
        request.userId = "@alice:example.org";
        request.roomId = "!room:example.org";
        request.widgetId = "kanban-1";
        request.widgetOrigin = "https://kanban.example.com";
        request.audience = "https://kanban.example.com/api";
        request.scopes = {"org.matrix.msc2762.receive.state_event:io.tessera.card", "board.write"};
        token = mintToken(key, kid, kDefaultIssuer, request, kNowMs).value().token;
        signingInput = token.substr(0, token.rfind('.'));
        signature = key.sign(signingInput).value();
        raw = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char *>(key.privateSeed().data()), 32);
        options.audience = request.audience;
        options.roomId = request.roomId;
        options.widgetId = request.widgetId;
    }
    ~Fixture() { EVP_PKEY_free(raw); }

    Ed25519Key key;
    std::string kid;
    TokenVerifier verifier;
    TokenRequest request;
    VerifyOptions options;
    std::string token;
    std::string signingInput;
    std::string signature;
    EVP_PKEY *raw = nullptr;
};

Fixture &fixture()
{
    static Fixture f;
    return f;
}

void peerOpenSslSign(benchmark::State &state)
{
    Fixture &f = fixture();
    unsigned char sig[64];
    for (auto _ : state) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        std::size_t len = sizeof sig;
        EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, f.raw);
        EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const unsigned char *>(f.signingInput.data()),
                       f.signingInput.size());
        EVP_MD_CTX_free(ctx);
        benchmark::DoNotOptimize(sig);
    }
    state.SetItemsProcessed(state.iterations());
}

void peerOpenSslVerify(benchmark::State &state)
{
    Fixture &f = fixture();
    for (auto _ : state) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, f.raw);
        const int rc = EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char *>(f.signature.data()),
                                        f.signature.size(),
                                        reinterpret_cast<const unsigned char *>(f.signingInput.data()),
                                        f.signingInput.size());
        EVP_MD_CTX_free(ctx);
        benchmark::DoNotOptimize(rc);
    }
    state.SetItemsProcessed(state.iterations());
}

void tesseraMintToken(benchmark::State &state)
{
    Fixture &f = fixture();
    for (auto _ : state) {
        auto minted = mintToken(f.key, f.kid, kDefaultIssuer, f.request, kNowMs);
        benchmark::DoNotOptimize(minted);
    }
    state.SetItemsProcessed(state.iterations());
}

void tesseraVerifyToken(benchmark::State &state)
{
    Fixture &f = fixture();
    for (auto _ : state) {
        auto claims = f.verifier.verify(f.token, f.options, kNowMs);
        if (!claims)
            state.SkipWithError(claims.error().message.c_str());
        benchmark::DoNotOptimize(claims);
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

int main(int argc, char **argv)
{
    benchmark::RegisterBenchmark("peer/openssl_ed25519_sign", peerOpenSslSign);
    benchmark::RegisterBenchmark("tessera/mint_token", tesseraMintToken);
    benchmark::RegisterBenchmark("peer/openssl_ed25519_verify", peerOpenSslVerify);
    benchmark::RegisterBenchmark("tessera/verify_token", tesseraVerifyToken);
    benchmark::Initialize(&argc, argv);
    tessera::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    auto ratio = [&](const char *ours, const char *peer) {
        const double a = reporter.rates[ours];
        const double b = reporter.rates[peer];
        std::printf("%-22s %10.0f tokens/s, %10.0f for %s: ratio %.2f\n", ours, a, b, peer, b > 0 ? a / b : 0.0);
    };
    std::printf("\n");
    ratio("tessera/mint_token", "peer/openssl_ed25519_sign");
    ratio("tessera/verify_token", "peer/openssl_ed25519_verify");
    std::printf("token size: %zu bytes\n", fixture().token.size());
    return 0;
}
