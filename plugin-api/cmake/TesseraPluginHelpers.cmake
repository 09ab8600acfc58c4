# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# tessera_add_plugin(<target>
#     SOURCES <file>...
#     [MANIFEST <plugin.json>]      default: plugin.json in the current source directory
#     [OUTPUT_DIR <dir>]            default: ${CMAKE_BINARY_DIR}/lib/tessera/plugins
#     [INSTALL_DIR <dir>]           default: ${CMAKE_INSTALL_LIBDIR}/tessera/plugins
#     [SDK_ABI <major.minor>]       default: this SDK's ABI
#     [SKIP_INSTALL])
#
# Builds a Tessera plugin the way the host expects to find it:
#   <OUTPUT_DIR>/<library>/<library>.so     (no "lib" prefix; <library> is the manifest's "library")
#   <OUTPUT_DIR>/<library>/plugin.json
#   <OUTPUT_DIR>/<library>/<assets>/...     (when the manifest names an "assets" directory, copied
#                                           from the directory of the manifest, together with the
#                                           SDK's page helper tessera-widget.js)
#   <OUTPUT_DIR>/<library>/translations/<lang>.json   (when the manifest's directory has them)
# and installs the same folder under INSTALL_DIR (component "plugins") unless SKIP_INSTALL is given.
#
# tessera_add_node_test(<name> <file>)
#
# Registers the CTest test <name>: Node's test runner on <file> (relative to the current source
# directory), for a plugin's page logic written as plain JavaScript. Only when tests are built:
# TESSERA_BUILD_TESTS decides in Tessera's tree, a plugin built on its own always has its tests.
# Without node the test is registered as one that fails, with a warning, never silently skipped.
# The library is a MODULE linked to Tessera::PluginApi with hidden symbol visibility, so it exports
# only the entry points plugin_abi.h declares. The manifest's id, abi and library fields are
# checked when CMake configures, so a typo fails the build instead of the host's load; so is its
# "abi" against the SDK's (the library reports the SDK's, and the host refuses a plugin whose
# manifest and library disagree).
include_guard(GLOBAL)
include(GNUInstallDirs)


function(tessera_add_plugin target)
    cmake_parse_arguments(P "SKIP_INSTALL" "MANIFEST;OUTPUT_DIR;INSTALL_DIR;SDK_ABI" "SOURCES" ${ARGN})
    # The page helper shipped with the SDK: next to this file when installed, in plugin-api/web in
    # Tessera's tree.
    set(TESSERA_PLUGIN_WIDGET_JS "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/tessera-widget.js")
    if(NOT EXISTS "${TESSERA_PLUGIN_WIDGET_JS}")
        set(TESSERA_PLUGIN_WIDGET_JS "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../web/tessera-widget.js")
    endif()
    if(P_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "tessera_add_plugin(${target}): unknown arguments: ${P_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT P_SOURCES)
        message(FATAL_ERROR "tessera_add_plugin(${target}): SOURCES is required")
    endif()
    if(NOT P_MANIFEST)
        set(P_MANIFEST "${CMAKE_CURRENT_SOURCE_DIR}/plugin.json")
    endif()
    get_filename_component(P_MANIFEST "${P_MANIFEST}" ABSOLUTE)
    if(NOT EXISTS "${P_MANIFEST}")
        message(FATAL_ERROR "tessera_add_plugin(${target}): manifest ${P_MANIFEST} does not exist")
    endif()
    if(NOT P_OUTPUT_DIR)
        set(P_OUTPUT_DIR "${CMAKE_BINARY_DIR}/lib/tessera/plugins")
    endif()
    if(NOT P_INSTALL_DIR)
        set(P_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/tessera/plugins")
    endif()

    file(READ "${P_MANIFEST}" _json)
    foreach(_field id abi library)
        string(JSON _value ERROR_VARIABLE _err GET "${_json}" "${_field}")
        if(_err)
            message(FATAL_ERROR "tessera_add_plugin(${target}): ${P_MANIFEST}: field \"${_field}\": ${_err}")
        endif()
        set(_manifest_${_field} "${_value}")
    endforeach()
    if(NOT _manifest_abi MATCHES "^[0-9]+\\.[0-9]+$")
        message(FATAL_ERROR "tessera_add_plugin(${target}): ${P_MANIFEST}: \"abi\" must look like \"1.0\", "
                            "not \"${_manifest_abi}\"")
    endif()
    # The SDK's ABI: the installed package's version, or plugin-api/CMakeLists.txt's in Tessera's
    # tree; SDK_ABI names another when the sources compile against an older SDK's frozen headers.
    if(P_SDK_ABI)
        set(_sdk_abi "${P_SDK_ABI}")
    elseif(DEFINED TesseraPluginApi_ABI_VERSION)
        set(_sdk_abi "${TesseraPluginApi_ABI_VERSION}")
    else()
        set(_sdk_abi "${TESSERA_PLUGIN_ABI_VERSION}")
    endif()
    string(REGEX MATCH "^[0-9]+\\.[0-9]+" _sdk_abi "${_sdk_abi}")
    if(_sdk_abi AND NOT _manifest_abi STREQUAL _sdk_abi)
        message(FATAL_ERROR "tessera_add_plugin(${target}): ${P_MANIFEST} says \"abi\": \"${_manifest_abi}\", "
                            "but this SDK is ABI ${_sdk_abi}: the library will report ${_sdk_abi}, and Tessera "
                            "refuses a plugin whose manifest and library disagree. Set \"abi\": \"${_sdk_abi}\" "
                            "(plugin-api/ABI.md, \"Versioning and compatibility\").")
    endif()
    if(NOT _manifest_library MATCHES "^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
        message(FATAL_ERROR "tessera_add_plugin(${target}): ${P_MANIFEST}: \"library\" must be a file name "
                            "without directory, prefix or suffix, not \"${_manifest_library}\"")
    endif()
    string(JSON _assets ERROR_VARIABLE _no_assets GET "${_json}" assets)

    set(_folder "${P_OUTPUT_DIR}/${_manifest_library}")
    add_library(${target} MODULE ${P_SOURCES})
    target_link_libraries(${target} PRIVATE Tessera::PluginApi)
    set_target_properties(${target} PROPERTIES
        PREFIX ""
        OUTPUT_NAME "${_manifest_library}"
        LIBRARY_OUTPUT_DIRECTORY "${_folder}"
        C_VISIBILITY_PRESET hidden
        CXX_VISIBILITY_PRESET hidden
        VISIBILITY_INLINES_HIDDEN ON)
    if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
        # A missing symbol fails the link here rather than the host's dlopen later.
        target_link_options(${target} PRIVATE "LINKER:--no-undefined")
    endif()

    configure_file("${P_MANIFEST}" "${_folder}/plugin.json" COPYONLY)
    get_filename_component(_manifest_dir "${P_MANIFEST}" DIRECTORY)
    # Assets and translations are copied whenever one of them changes, not only when the library
    # is linked again.
    set(_copies "")
    if(NOT _no_assets)
        file(GLOB_RECURSE _asset_files CONFIGURE_DEPENDS "${_manifest_dir}/${_assets}/*")
        set(_stamp "${CMAKE_CURRENT_BINARY_DIR}/${target}-assets.stamp")
        add_custom_command(OUTPUT "${_stamp}"
            COMMAND "${CMAKE_COMMAND}" -E copy_directory "${_manifest_dir}/${_assets}" "${_folder}/${_assets}"
            COMMAND "${CMAKE_COMMAND}" -E copy "${TESSERA_PLUGIN_WIDGET_JS}" "${_folder}/${_assets}/tessera-widget.js"
            COMMAND "${CMAKE_COMMAND}" -E touch "${_stamp}"
            DEPENDS ${_asset_files} "${TESSERA_PLUGIN_WIDGET_JS}"
            COMMENT "Copying the assets of ${_manifest_id}"
            VERBATIM)
        list(APPEND _copies "${_stamp}")
    endif()
    set(_has_translations FALSE)
    if(IS_DIRECTORY "${_manifest_dir}/translations")
        set(_has_translations TRUE)
        file(GLOB _translation_files CONFIGURE_DEPENDS "${_manifest_dir}/translations/*.json")
        set(_stamp "${CMAKE_CURRENT_BINARY_DIR}/${target}-translations.stamp")
        add_custom_command(OUTPUT "${_stamp}"
            COMMAND "${CMAKE_COMMAND}" -E copy_directory "${_manifest_dir}/translations" "${_folder}/translations"
            COMMAND "${CMAKE_COMMAND}" -E touch "${_stamp}"
            DEPENDS ${_translation_files}
            COMMENT "Copying the translations of ${_manifest_id}"
            VERBATIM)
        list(APPEND _copies "${_stamp}")
    endif()
    if(_copies)
        add_custom_target(${target}-files DEPENDS ${_copies})
        add_dependencies(${target} ${target}-files)
    endif()

    if(NOT P_SKIP_INSTALL)
        install(TARGETS ${target}
            LIBRARY DESTINATION "${P_INSTALL_DIR}/${_manifest_library}" COMPONENT plugins)
        install(FILES "${P_MANIFEST}" RENAME plugin.json
            DESTINATION "${P_INSTALL_DIR}/${_manifest_library}" COMPONENT plugins)
        if(NOT _no_assets)
            install(DIRECTORY "${_manifest_dir}/${_assets}/"
                DESTINATION "${P_INSTALL_DIR}/${_manifest_library}/${_assets}" COMPONENT plugins)
            install(FILES "${TESSERA_PLUGIN_WIDGET_JS}"
                DESTINATION "${P_INSTALL_DIR}/${_manifest_library}/${_assets}" COMPONENT plugins)
        endif()
        if(_has_translations)
            install(DIRECTORY "${_manifest_dir}/translations/"
                DESTINATION "${P_INSTALL_DIR}/${_manifest_library}/translations" COMPONENT plugins)
        endif()
    endif()
    set_property(TARGET ${target} PROPERTY TESSERA_PLUGIN_ID "${_manifest_id}")
    set_property(TARGET ${target} PROPERTY TESSERA_PLUGIN_FOLDER "${_folder}")
endfunction()


function(tessera_add_node_test name file)
    if(DEFINED TESSERA_BUILD_TESTS AND NOT TESSERA_BUILD_TESTS)
        return()
    endif()
    enable_testing()
    find_program(TESSERA_NODE NAMES node nodejs)
    if(TESSERA_NODE)
        add_test(NAME ${name} COMMAND "${TESSERA_NODE}" --test "${CMAKE_CURRENT_SOURCE_DIR}/${file}")
        set_tests_properties(${name} PROPERTIES TIMEOUT 60)
    else()
        message(WARNING "The test ${name} cannot run: node not found (Debian: nodejs)")
        add_test(NAME ${name} COMMAND "${CMAKE_COMMAND}" -E false)
    endif()
endfunction()
