# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# Builds plugins/example-hello the way a third party would and has the host load it:
#   1. `cmake --install` the plugin-sdk component of this build into a scratch prefix;
#   2. copy the example's sources out of Tessera's tree and configure them as their own project
#      with find_package(TesseraPluginApi 1.0), then build;
#   3. check that the SDK's package refuses a request for another major version;
#   4. run the host-side check (CHECK) on the plugin folder that was built.
# Inputs (-D): BUILD_DIR, EXAMPLE_DIR, WORK_DIR, GENERATOR, CXX_COMPILER, CHECK.
foreach(var BUILD_DIR EXAMPLE_DIR WORK_DIR GENERATOR CXX_COMPILER CHECK)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "installedsdk.cmake needs -D ${var}=...")
    endif()
endforeach()

function(run what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
    endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/src")

run("installing the SDK" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --component plugin-sdk --prefix "${WORK_DIR}/sdk")
file(GLOB_RECURSE _installed RELATIVE "${WORK_DIR}/sdk" "${WORK_DIR}/sdk/*")
foreach(file ${_installed})
    if(NOT file MATCHES "^(include/tessera/|share/cmake/TesseraPluginApi/|share/doc/)")
        message(FATAL_ERROR "the plugin-sdk component installed more than the SDK: ${file}")
    endif()
endforeach()

file(COPY "${EXAMPLE_DIR}" DESTINATION "${WORK_DIR}/src")
run("configuring the example against the installed SDK"
    "${CMAKE_COMMAND}" -S "${WORK_DIR}/src/example-hello" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_PREFIX_PATH=${WORK_DIR}/sdk" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
run("building the example" "${CMAKE_COMMAND}" --build "${WORK_DIR}/build")

set(_folder "${WORK_DIR}/build/lib/tessera/plugins/example-hello")
# The page helper comes from the installed SDK into the plugin's assets.
foreach(file example-hello.so plugin.json web/index.html web/tessera-widget.js)
    if(NOT EXISTS "${_folder}/${file}")
        message(FATAL_ERROR "the out-of-tree build did not produce ${_folder}/${file}")
    endif()
endforeach()

# A manifest whose "abi" is not the SDK's fails the plugin's configure, naming both versions.
file(READ "${WORK_DIR}/sdk/share/cmake/TesseraPluginApi/TesseraPluginApiConfigVersion.cmake" _version_file)
string(REGEX MATCH "PACKAGE_VERSION \"([0-9]+)\\.([0-9]+)" _m "${_version_file}")
set(_sdk_abi "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
math(EXPR _other_major "${CMAKE_MATCH_1} + 1")
file(COPY "${EXAMPLE_DIR}/" DESTINATION "${WORK_DIR}/mismatch")
file(READ "${WORK_DIR}/mismatch/plugin.json" _manifest)
string(REGEX REPLACE "\"abi\": \"[0-9.]+\"" "\"abi\": \"${_other_major}.0\"" _manifest "${_manifest}")
file(WRITE "${WORK_DIR}/mismatch/plugin.json" "${_manifest}")
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${WORK_DIR}/mismatch" -B "${WORK_DIR}/mismatch/build" -G "${GENERATOR}"
                        "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_PREFIX_PATH=${WORK_DIR}/sdk"
                        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
string(REGEX REPLACE "[ \n]+" " " err "${err}")
if(rc EQUAL 0 OR NOT err MATCHES "says \"abi\": \"${_other_major}\\.0\", but this SDK is ABI ${_sdk_abi}")
    message(FATAL_ERROR "a manifest with \"abi\": \"${_other_major}.0\" should fail against SDK ${_sdk_abi}:\n${err}")
endif()

file(MAKE_DIRECTORY "${WORK_DIR}/major2")
file(WRITE "${WORK_DIR}/major2/CMakeLists.txt"
    "cmake_minimum_required(VERSION 3.19)\nproject(major2 LANGUAGES NONE)\nfind_package(TesseraPluginApi 2.0 REQUIRED)\n")
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${WORK_DIR}/major2" -B "${WORK_DIR}/major2/build"
                        "-DCMAKE_PREFIX_PATH=${WORK_DIR}/sdk" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "TesseraPluginApi")
    message(FATAL_ERROR "find_package(TesseraPluginApi 2.0) should have failed against a 1.x SDK:\n${err}")
endif()

execute_process(COMMAND "${CMAKE_COMMAND}" -E env "TESSERA_OUT_OF_TREE_PLUGIN_DIR=${_folder}" "${CHECK}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the host did not load the out-of-tree plugin as expected (see above)")
endif()
