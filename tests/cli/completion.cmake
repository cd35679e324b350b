# Shell completion: every tool and every option of every tool (read from its --help) completes.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME "cli: shell completion offers every tool and option"
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/completion.py ${AUTHSCOPE_SOURCE_DIR}
                 ${CMAKE_BINARY_DIR}/bin ${CMAKE_BINARY_DIR}/share/bash-completion/completions/authscope)
