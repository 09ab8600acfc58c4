# Warnings for Tessera's own targets: call tessera_set_warnings(<target>).
function(tessera_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(TESSERA_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

find_program(TESSERA_CCACHE ccache)
if(TESSERA_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_C_COMPILER_LAUNCHER "${TESSERA_CCACHE}" CACHE STRING "")
    set(CMAKE_CXX_COMPILER_LAUNCHER "${TESSERA_CCACHE}" CACHE STRING "")
endif()
