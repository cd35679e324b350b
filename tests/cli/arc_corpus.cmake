# authscope arc over the real phishing corpus: one JSON line per sample, no refusal, no crash
# (tests/cli/arc_corpus.py). Registered only where the corpus is present.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(_arc_corpus "${AUTHSCOPE_SHARED_DIR}/corpora/phishing-pot/mail")
if(EXISTS "${_arc_corpus}")
  add_test(NAME "cli: arc/corpus/phishing-pot"
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/arc_corpus.py ${CMAKE_BINARY_DIR}/bin
                   "${_arc_corpus}" ${CMAKE_BINARY_DIR}/arc-corpus)
  set_tests_properties("cli: arc/corpus/phishing-pot" PROPERTIES LABELS "cli;corpus" TIMEOUT 600)
else()
  message(WARNING "phishing corpus not found in ${_arc_corpus}: cli: arc/corpus not registered")
endif()
