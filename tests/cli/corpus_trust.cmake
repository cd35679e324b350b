# issue 11: explain --trust-ar auto over the real corpus judges >= 99% on a receiver's results, one
# JSON line per sample, never a signal; an mbox of the same messages gives the same lines.
# The whole corpus, so the release build only: under the sanitizers (several times slower) the corpus
# is covered by the fixed subsets of "cli: no internal error/*".
find_package(Python3 REQUIRED COMPONENTS Interpreter)
if(NOT AUTHSCOPE_SANITIZE)
add_test(NAME "cli: corpus/trust-ar-auto"
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/corpus_trust.py ${CMAKE_BINARY_DIR}/bin
                 ${AUTHSCOPE_SHARED_DIR}/corpora/phishing-pot/mail
                 ${AUTHSCOPE_SOURCE_DIR}/fixtures/explain/empty.zone ${CMAKE_BINARY_DIR}/corpus-trust)
set_tests_properties("cli: corpus/trust-ar-auto" PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 240)
endif()
