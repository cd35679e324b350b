# ARC over live loopback DNS: fixtures of fixtures/arc/ through authscope-arc against a private nsd
# (tests/live/with-nsd) serving the fixture's own .zone, then recorded with --dns-record and replayed
# with --dns-from; all must give the fixture's expected output (tests/cli/arc_live.py). Fixtures whose
# zone holds ";; authscope:" directives (009, a recorded time-out) cannot be served by nsd; the
# time-out is tested live against the harness's blackhole port instead.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_program(AUTHSCOPE_NSD nsd PATHS /usr/sbin NO_DEFAULT_PATH)
if(TARGET authscope-arc AND AUTHSCOPE_NSD)
  set(_arc_fx ${AUTHSCOPE_SOURCE_DIR}/fixtures/arc)
  set(_arc_run ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/arc_live.py ${CMAKE_BINARY_DIR}/bin
               ${AUTHSCOPE_SOURCE_DIR}/fixtures ${CMAKE_BINARY_DIR}/arc-live)
  foreach(name 001-pass-one-hop 003-pass-list-modified 004-fail-body-modified 007-fail-key-not-found 010-pass-ed25519)
    add_test(NAME "live: arc/${name}"
             COMMAND ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd ${_arc_fx}/${name}.zone --
                     ${_arc_run} ${name})
    set_tests_properties("live: arc/${name}" PROPERTIES LABELS "live;arc" TIMEOUT 120)
  endforeach()
  add_test(NAME "live: arc/temperror-unanswered-server"
           COMMAND ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd --blackhole
                   ${_arc_fx}/001-pass-one-hop.zone -- ${_arc_run} 001-pass-one-hop --blackhole)
  set_tests_properties("live: arc/temperror-unanswered-server" PROPERTIES LABELS "live;arc" TIMEOUT 120)
elseif(TARGET authscope-arc)
  message(STATUS "live ARC tests not registered: nsd (/usr/sbin/nsd) not found")
endif()
