# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# Runs one libFuzzer target for SECONDS seconds on a fresh copy of its seed corpus plus its
# regression inputs (the committed folders never change), and fails on anything it finds.
# cmake -DFUZZER=… -DNAME=… -DCORPUS=… -DREGRESSIONS=… -DDICT=… -DWORK=… -DSECONDS=… -P runfuzzer.cmake
foreach(var FUZZER NAME CORPUS WORK SECONDS)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "runfuzzer.cmake: ${var} is not set")
    endif()
endforeach()
if(NOT EXISTS "${FUZZER}")
    message(FATAL_ERROR "${FUZZER} does not exist: build the project first (the fuzzers are the tessera_fuzzers target)")
endif()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(GLOB seeds LIST_DIRECTORIES false "${CORPUS}/*")
if(NOT seeds)
    message(FATAL_ERROR "no seed corpus in ${CORPUS}")
endif()
foreach(seed ${seeds})
    get_filename_component(leaf "${seed}" NAME)
    file(COPY_FILE "${seed}" "${WORK}/corpus/${leaf}")
endforeach()
if(REGRESSIONS AND IS_DIRECTORY "${REGRESSIONS}")
    file(GLOB regressions LIST_DIRECTORIES false "${REGRESSIONS}/*")
    foreach(input ${regressions})
        get_filename_component(leaf "${input}" NAME)
        if(NOT leaf STREQUAL "README.md")
            file(COPY_FILE "${input}" "${WORK}/corpus/regression-${leaf}")
        endif()
    endforeach()
endif()

set(args
    -max_total_time=${SECONDS}
    -rss_limit_mb=2048
    -malloc_limit_mb=2048
    -timeout=10
    -max_len=8192
    -error_exitcode=77
    -timeout_exitcode=78
    -print_final_stats=1
    "-artifact_prefix=${WORK}/artifacts/")
if(DICT)
    list(APPEND args "-dict=${DICT}")
endif()
message(STATUS "fuzz.${NAME}: ${SECONDS} s")
execute_process(COMMAND "${FUZZER}" ${args} "${WORK}/corpus"
    WORKING_DIRECTORY "${WORK}"
    RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    file(GLOB found "${WORK}/artifacts/*")
    message(FATAL_ERROR "fuzz.${NAME} failed (exit ${rc}). Inputs that broke it: ${found}\n"
        "Reproduce: ${FUZZER} <input>; add the input to tests/fuzz/regressions/${NAME}/ once understood.")
endif()
