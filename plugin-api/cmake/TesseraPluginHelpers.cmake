# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# tessera_add_plugin(<target>
#     SOURCES <file>...
#     [MANIFEST <plugin.json>]      default: plugin.json in the current source directory
#     [OUTPUT_DIR <dir>]            default: ${CMAKE_BINARY_DIR}/lib/tessera/plugins
#     [INSTALL_DIR <dir>]           default: ${CMAKE_INSTALL_LIBDIR}/tessera/plugins
#     [SKIP_INSTALL])
#
# Builds a Tessera plugin the way the host expects to find it:
#   <OUTPUT_DIR>/<library>/<library>.so     (no "lib" prefix; <library> is the manifest's "library")
#   <OUTPUT_DIR>/<library>/plugin.json
#   <OUTPUT_DIR>/<library>/<assets>/...     (when the manifest names an "assets" directory, copied
#                                           from the directory of the manifest)
# and installs the same folder under INSTALL_DIR (component "plugins") unless SKIP_INSTALL is given.
# The library is a MODULE linked to Tessera::PluginApi with hidden symbol visibility, so it exports
# only the entry points plugin_abi.h declares. The manifest's id, abi and library fields are
# checked when CMake configures, so a typo fails the build instead of the host's load.
include_guard(GLOBAL)
include(GNUInstallDirs)

function(tessera_add_plugin target)
    cmake_parse_arguments(P "SKIP_INSTALL" "MANIFEST;OUTPUT_DIR;INSTALL_DIR" "SOURCES" ${ARGN})
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
    if(NOT _no_assets)
        get_filename_component(_manifest_dir "${P_MANIFEST}" DIRECTORY)
        # Copied whenever an asset changes, not only when the library is linked again.
        file(GLOB_RECURSE _asset_files CONFIGURE_DEPENDS "${_manifest_dir}/${_assets}/*")
        set(_stamp "${CMAKE_CURRENT_BINARY_DIR}/${target}-assets.stamp")
        add_custom_command(OUTPUT "${_stamp}"
            COMMAND "${CMAKE_COMMAND}" -E copy_directory "${_manifest_dir}/${_assets}" "${_folder}/${_assets}"
            COMMAND "${CMAKE_COMMAND}" -E touch "${_stamp}"
            DEPENDS ${_asset_files}
            COMMENT "Copying the assets of ${_manifest_id}"
            VERBATIM)
        add_custom_target(${target}-assets DEPENDS "${_stamp}")
        add_dependencies(${target} ${target}-assets)
    endif()

    if(NOT P_SKIP_INSTALL)
        install(TARGETS ${target}
            LIBRARY DESTINATION "${P_INSTALL_DIR}/${_manifest_library}" COMPONENT plugins)
        install(FILES "${P_MANIFEST}" RENAME plugin.json
            DESTINATION "${P_INSTALL_DIR}/${_manifest_library}" COMPONENT plugins)
        if(NOT _no_assets)
            install(DIRECTORY "${_manifest_dir}/${_assets}/"
                DESTINATION "${P_INSTALL_DIR}/${_manifest_library}/${_assets}" COMPONENT plugins)
        endif()
    endif()
    set_property(TARGET ${target} PROPERTY TESSERA_PLUGIN_ID "${_manifest_id}")
    set_property(TARGET ${target} PROPERTY TESSERA_PLUGIN_FOLDER "${_folder}")
endfunction()
