# authscope campaigns (issue 15): the generated families with known groups, stable output and ids,
# and groups of the real corpus verified by reading the samples (skipped when the corpus is absent).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(_cp_script ${CMAKE_CURRENT_LIST_DIR}/campaigns.py)
foreach(_cp_mode fixtures stable report)
  add_test(NAME "cli: campaigns/${_cp_mode}"
           COMMAND ${Python3_EXECUTABLE} ${_cp_script} ${CMAKE_BINARY_DIR}/bin ${_cp_mode} ${AUTHSCOPE_SOURCE_DIR}/fixtures/campaigns)
endforeach()
# The whole corpus: release build only (under the sanitizers it exceeds its time; the corpus is
# covered there by the subsets of "cli: no internal error/*").
if(NOT AUTHSCOPE_SANITIZE)
add_test(NAME "cli: campaigns/corpus"
         COMMAND ${Python3_EXECUTABLE} ${_cp_script} ${CMAKE_BINARY_DIR}/bin corpus ${AUTHSCOPE_SHARED_DIR}/corpora/phishing-pot/mail)
set_tests_properties("cli: campaigns/corpus" PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
