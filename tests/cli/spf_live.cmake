# SPF over live loopback DNS: the fixtures of fixtures/spf/ run through authscope-spf against a
# private nsd (tests/live/with-nsd) serving fixtures/spf/common.zone, with no snapshot, and must
# give the same results as offline. Not run live (the zone cannot express them, nsd serves no
# ";; authscope:" directive): 007-temperror-dns-timeout (a recorded TIMEOUT), and 026 (an input
# error, no DNS). Time-outs are tested live against the harness's blackhole port instead.
# Also the usage errors of the tool (exit 2, no JSON to compare).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_program(AUTHSCOPE_NSD nsd PATHS /usr/sbin NO_DEFAULT_PATH)
if(TARGET authscope-spf)
  if(AUTHSCOPE_NSD)
    file(GLOB spf_live_expected CONFIGURE_DEPENDS ${AUTHSCOPE_SOURCE_DIR}/fixtures/spf/*.expected.json)
    foreach(exp ${spf_live_expected})
      get_filename_component(fname ${exp} NAME)
      string(REGEX REPLACE "\\.expected\\.json$" "" name ${fname})
      if(name MATCHES "^(007|026)-")
        continue()
      endif()
      add_test(NAME "live: spf/${name}"
               COMMAND ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd
                       ${AUTHSCOPE_SOURCE_DIR}/fixtures/spf/common.zone --
                       ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/spf_live.py
                       ${CMAKE_BINARY_DIR}/bin ${AUTHSCOPE_SOURCE_DIR}/fixtures ${name})
      set_tests_properties("live: spf/${name}" PROPERTIES LABELS "live;spf" TIMEOUT 120)
    endforeach()
    add_test(NAME "live: spf/temperror-unanswered-server"
             COMMAND ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd --blackhole
                     ${AUTHSCOPE_SOURCE_DIR}/fixtures/spf/common.zone --
                     ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/spf_live.py
                     ${CMAKE_BINARY_DIR}/bin ${AUTHSCOPE_SOURCE_DIR}/fixtures 001-pass-flags --blackhole temperror 4)
    set_tests_properties("live: spf/temperror-unanswered-server" PROPERTIES LABELS "live;spf" TIMEOUT 120)
  else()
    message(STATUS "live SPF tests not registered: nsd (/usr/sbin/nsd) not found")
  endif()
  # Usage errors: exit status 2 and a one-line message naming what to give.
  add_test(NAME "cli: spf/usage-ip-without-identity"
           COMMAND sh -c "$0 --ip 192.0.2.1 2>&1 | grep -q 'give --mail-from or --helo'; s=$?; $0 --ip 192.0.2.1 >/dev/null 2>&1; [ $? -eq 2 ] && [ $s -eq 0 ]"
                   $<TARGET_FILE:authscope-spf>)
  add_test(NAME "cli: spf/usage-unknown-option"
           COMMAND sh -c "$0 --no-such-option >/dev/null 2>&1; [ $? -eq 2 ]" $<TARGET_FILE:authscope-spf>)
endif()
