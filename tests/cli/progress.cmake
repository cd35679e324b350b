# The progress line: on a (pseudo-)terminal only, never in stdout.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME "cli: progress line on a terminal only"
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/progress_tty.py
                 ${CMAKE_BINARY_DIR}/bin ${AUTHSCOPE_SOURCE_DIR}/fixtures)
