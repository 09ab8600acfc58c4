# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# Installs matrix-widget-api (pinned by package-lock.json) into WORK_DIR/node unless the same
# lock file was installed there already, then runs widget_side_test.mjs against BRIDGE.
foreach(tool NODE NPM)
    if(NOT ${tool} OR ${tool} MATCHES "-NOTFOUND$")
        message(FATAL_ERROR "The widget-side conformance test needs Node.js and npm, and ${tool} was not found.\n"
            "Install them (Debian: sudo apt-get install nodejs npm, or run scripts/install-deps) and reconfigure.")
    endif()
endforeach()
if(NOT EXISTS "${BRIDGE}")
    message(FATAL_ERROR "${BRIDGE} does not exist: build the tessera-bridge target first")
endif()

set(prefix "${WORK_DIR}/node")
set(installed "${prefix}/installed-package-lock.json")
set(need_install TRUE)
if(EXISTS "${installed}" AND EXISTS "${prefix}/node_modules/matrix-widget-api/package.json")
    file(SHA256 "${installed}" have)
    file(SHA256 "${SOURCE_DIR}/package-lock.json" want)
    if(have STREQUAL want)
        set(need_install FALSE)
    endif()
endif()
if(need_install)
    file(MAKE_DIRECTORY "${prefix}")
    file(COPY_FILE "${SOURCE_DIR}/package.json" "${prefix}/package.json")
    file(COPY_FILE "${SOURCE_DIR}/package-lock.json" "${prefix}/package-lock.json")
    message(STATUS "Installing matrix-widget-api into ${prefix}")
    execute_process(
        COMMAND "${NPM}" ci --no-audit --no-fund --loglevel=error --cache "${WORK_DIR}/npm-cache"
        WORKING_DIRECTORY "${prefix}"
        RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "npm ci failed (exit ${rc}): the npm registry must be reachable the first time")
    endif()
    file(COPY_FILE "${SOURCE_DIR}/package-lock.json" "${installed}")
endif()

execute_process(
    COMMAND "${NODE}" "${SOURCE_DIR}/widget_side_test.mjs"
        --bridge "${BRIDGE}" --modules "${prefix}" --work "${WORK_DIR}/run"
    RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "widget-side conformance failed (exit ${rc})")
endif()
