# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
# The encryption engine's page (engine.html, engine.js) and the WebAssembly build of
# matrix-sdk-crypto it runs (@matrix-org/matrix-sdk-crypto-wasm from package-lock.json, installed
# here by `npm ci` at build time and never committed), embedded in the application as Qt
# resources under :/tessera/crypto/. host/ui's CryptoEngine serves them on tessera-crypto://engine.
# Included from host/ui/CMakeLists.txt (rcc's outputs must be made in the directory that uses them).

find_program(TESSERA_NPM NAMES npm)
if(NOT TESSERA_NPM)
    tessera_missing("npm (the encryption engine's WebAssembly package is installed at build time)" npm)
endif()

set(_crypto_src "${CMAKE_SOURCE_DIR}/host/crypto")
set(_node "${CMAKE_BINARY_DIR}/host/crypto/node")
set(_package "${_node}/node_modules/@matrix-org/matrix-sdk-crypto-wasm")
set(_wasm_files
    "${_package}/index.mjs"
    "${_package}/pkg/matrix_sdk_crypto_wasm_bg.js"
    "${_package}/pkg/matrix_sdk_crypto_wasm_bg.wasm"
    "${_package}/LICENSE")
add_custom_command(
    OUTPUT ${_wasm_files}
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_node}"
    COMMAND "${CMAKE_COMMAND}" -E copy "${_crypto_src}/package.json"
            "${_crypto_src}/package-lock.json" "${_node}/"
    COMMAND "${TESSERA_NPM}" ci --no-audit --no-fund --ignore-scripts --loglevel=error --cache "${_node}/npm-cache"
    COMMAND "${CMAKE_COMMAND}" -E touch ${_wasm_files}
    WORKING_DIRECTORY "${_node}"
    DEPENDS "${_crypto_src}/package.json" "${_crypto_src}/package-lock.json"
    COMMENT "Installing the encryption engine's WebAssembly package (npm ci)"
    VERBATIM)

# A .qrc naming the source and installed files by absolute path; rcc's two-pass "big resources"
# mode writes the 8 MB module straight into an object file instead of a C++ array.
set(_qrc "${CMAKE_CURRENT_BINARY_DIR}/tessera_crypto_engine.qrc")
set(TESSERA_CRYPTO_SOURCE "${_crypto_src}")
set(TESSERA_CRYPTO_PACKAGE "${_package}")
configure_file("${_crypto_src}/engine.qrc.in" "${_qrc}" @ONLY)
add_custom_target(tessera_crypto_package DEPENDS ${_wasm_files})
qt_add_big_resources(TESSERA_CRYPTO_OBJECTS "${_qrc}" OPTIONS --no-compress)
add_dependencies(big_resources_tessera_crypto_engine tessera_crypto_package)

# The package's licence travels with the application.
install(FILES "${_package}/LICENSE" DESTINATION share/doc/tessera
        RENAME matrix-sdk-crypto-wasm.LICENSE OPTIONAL)
