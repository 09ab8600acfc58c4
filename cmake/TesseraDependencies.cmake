# Finds every dependency; a missing one stops the configure step and names the Debian package
# that provides it (scripts/debian-packages.txt lists them all; scripts/install-deps installs them).

macro(tessera_missing what package)
    message(FATAL_ERROR
        "Tessera needs ${what}, which was not found.\n"
        "Install the Debian package: sudo apt-get install ${package}\n"
        "(or run scripts/install-deps, which installs everything Tessera needs)")
endmacro()

# Command lines of the Qt-free tools (the app uses QCommandLineParser).
find_package(CLI11 2.1 QUIET)
if(NOT CLI11_FOUND)
    tessera_missing("CLI11 2.1" libcli11-dev)
endif()

find_package(nlohmann_json 3.11 QUIET)
if(NOT nlohmann_json_FOUND)
    tessera_missing("nlohmann/json 3.11" nlohmann-json3-dev)
endif()

find_package(SQLite3 QUIET)
if(NOT SQLite3_FOUND)
    tessera_missing("SQLite 3" libsqlite3-dev)
endif()

find_package(CURL QUIET)
if(NOT CURL_FOUND)
    tessera_missing("libcurl" libcurl4-openssl-dev)
endif()

find_package(OpenSSL 3 QUIET COMPONENTS Crypto)
if(NOT OpenSSL_FOUND)
    tessera_missing("OpenSSL 3 (libcrypto)" libssl-dev)
endif()

find_package(Boost 1.74 QUIET)
if(NOT Boost_FOUND)
    tessera_missing("Boost 1.74 (Boost.DLL)" libboost-dev)
endif()

find_package(Threads REQUIRED)

if(TESSERA_BUILD_TESTS)
    find_package(GTest QUIET)
    if(NOT GTest_FOUND)
        tessera_missing("GoogleTest" "libgtest-dev libgmock-dev")
    endif()
    find_path(TESSERA_HTTPLIB_INCLUDE httplib.h)
    if(NOT TESSERA_HTTPLIB_INCLUDE)
        tessera_missing("cpp-httplib (loopback test servers)" libcpp-httplib-dev)
    endif()
endif()

if(TESSERA_BUILD_BENCH)
    find_package(benchmark QUIET)
    if(NOT benchmark_FOUND)
        tessera_missing("Google Benchmark" libbenchmark-dev)
    endif()
endif()

if(TESSERA_BUILD_UI)
    foreach(component Core Gui Qml Quick QuickControls2 QuickTest Svg WebEngineQuick WebChannel LinguistTools)
        find_package(Qt6 6.4 QUIET COMPONENTS ${component})
        if(NOT Qt6${component}_FOUND)
            set(_pkg qt6-base-dev)
            if(component MATCHES "^(Qml|Quick|QuickControls2|QuickTest)$")
                set(_pkg "qt6-declarative-dev")
            elseif(component STREQUAL "WebEngineQuick")
                set(_pkg "qt6-webengine-dev")
            elseif(component STREQUAL "Svg")
                set(_pkg "qt6-svg-dev")
            elseif(component STREQUAL "WebChannel")
                set(_pkg "qt6-webchannel-dev")
            elseif(component STREQUAL "LinguistTools")
                set(_pkg "qt6-tools-dev qt6-l10n-tools")
            endif()
            tessera_missing("Qt 6.4 ${component}" "${_pkg}")
        endif()
    endforeach()
    find_package(Qt6Keychain QUIET)
    if(NOT Qt6Keychain_FOUND)
        tessera_missing("QtKeychain for Qt 6" qtkeychain-qt6-dev)
    endif()
endif()
