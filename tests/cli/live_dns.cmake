# Live DNS: the hidden Catch2 tests tagged [.live] in tests/unit/dns_test.cpp run against a private
# nsd on 127.0.0.1 (tests/live/with-nsd) serving fixtures/dns-layer/live.zone, plus a blackhole
# port for time-outs. Other suites register their live cases the same way, e.g.
#   add_test(NAME "live: <tool>/<case>" COMMAND ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd
#            ZONE... -- $<TARGET_FILE:authscope-<tool>> --resolver {resolver} ...)
#   set_tests_properties("live: <tool>/<case>" PROPERTIES LABELS live)
# Each run picks its own free ports, so live tests may run in parallel.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_program(AUTHSCOPE_NSD nsd PATHS /usr/sbin NO_DEFAULT_PATH)
find_program(AUTHSCOPE_LDNS_READ_ZONE ldns-read-zone)
if(AUTHSCOPE_NSD AND AUTHSCOPE_LDNS_READ_ZONE)
  add_test(NAME "live: dns layer against nsd"
           COMMAND ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd --blackhole
                   ${AUTHSCOPE_SOURCE_DIR}/fixtures/dns-layer/live.zone -- $<TARGET_FILE:unit_tests> "[.live]")
  set_tests_properties("live: dns layer against nsd" PROPERTIES LABELS live TIMEOUT 120)
  # The harness itself: {resolver} substitution, environment and exit status pass through.
  add_test(NAME "live: with-nsd passes the exit status through"
           COMMAND ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd_test.py
                   ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd ${AUTHSCOPE_SOURCE_DIR}/fixtures/dns-layer/live.zone)
  set_tests_properties("live: with-nsd passes the exit status through" PROPERTIES LABELS live TIMEOUT 60)
else()
  message(STATUS "live DNS tests not registered: nsd (/usr/sbin/nsd) or ldns-read-zone not found")
endif()
