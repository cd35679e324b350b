# No internal error anywhere (issue 13): each tool that takes samples runs over every fixture
# message, tests/cli/data/hostile/ and the real-mail corpus (AUTHSCOPE_SHARED_DIR; skipped with a
# note when absent), offline, as "cli: no internal error/<tool>". authscope-dns takes domain names,
# not samples, so it is not among them. `report` repeats explain's analysis before writing, so it
# takes every 4th corpus sample (explain takes them all); a sanitizer build, several times slower,
# takes every 10th (report every 40th). Each subset is fixed, never random.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
foreach(_nie_spec dkim:1 spf:1 dmarc:1 explain:1 report:4 report-read:1)
  string(REPLACE ":" ";" _nie_pair ${_nie_spec})
  list(GET _nie_pair 0 _nie_tool)
  list(GET _nie_pair 1 _nie_stride)
  if(AUTHSCOPE_SANITIZE)
    math(EXPR _nie_stride "${_nie_stride} * 10")
  endif()
  add_test(NAME "cli: no internal error/${_nie_tool}"
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/no_internal_error.py ${CMAKE_BINARY_DIR}/bin
                   ${AUTHSCOPE_SOURCE_DIR} ${AUTHSCOPE_SHARED_DIR} ${_nie_tool} ${_nie_stride})
  set_tests_properties("cli: no internal error/${_nie_tool}" PROPERTIES TIMEOUT 600)
endforeach()
