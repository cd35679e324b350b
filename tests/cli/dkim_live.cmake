# DKIM over live loopback DNS: the fixtures of fixtures/dkim/ run through authscope-dkim against a
# private nsd (tests/live/with-nsd) serving the fixture's own .zone, with no snapshot, and must give
# the same results as offline (tests/cli/dkim_live.py, golden.py's subset comparison). Among them a
# pass (001), the key-not-found NXDOMAIN case (020) and every other key/signature outcome. Not run
# live: a fixture whose zone holds ";; authscope:" directives (recorded SERVFAIL/TIMEOUT answers,
# e.g. 060-dns-temperror), which nsd cannot serve. The time-out is tested live against the
# harness's blackhole port instead: temperror, exit status 4.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_program(AUTHSCOPE_NSD nsd PATHS /usr/sbin NO_DEFAULT_PATH)
if(TARGET authscope-dkim)
  if(AUTHSCOPE_NSD)
    set(_dk_fx ${AUTHSCOPE_SOURCE_DIR}/fixtures/dkim)
    set(_dk_run ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/dkim_live.py ${CMAKE_BINARY_DIR}/bin ${AUTHSCOPE_SOURCE_DIR}/fixtures)
    file(GLOB _dk_live_expected CONFIGURE_DEPENDS ${_dk_fx}/*.expected.json)
    foreach(exp ${_dk_live_expected})
      get_filename_component(fname ${exp} NAME)
      string(REGEX REPLACE "\\.expected\\.json$" "" name ${fname})
      if(NOT EXISTS ${_dk_fx}/${name}.eml OR NOT EXISTS ${_dk_fx}/${name}.zone)
        continue()
      endif()
      file(STRINGS ${_dk_fx}/${name}.zone _dk_directives REGEX "^;; authscope:")
      if(_dk_directives)
        continue()
      endif()
      add_test(NAME "live: dkim/${name}"
               COMMAND ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd ${_dk_fx}/${name}.zone --
                       ${_dk_run} ${name})
      set_tests_properties("live: dkim/${name}" PROPERTIES LABELS "live;dkim" TIMEOUT 120)
    endforeach()
    add_test(NAME "live: dkim/temperror-unanswered-server"
             COMMAND ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd --blackhole
                     ${_dk_fx}/001-pass-rsa2048.zone -- ${_dk_run} 001-pass-rsa2048 --blackhole)
    set_tests_properties("live: dkim/temperror-unanswered-server" PROPERTIES LABELS "live;dkim" TIMEOUT 120)
    # --dns-record with worker processes: the same snapshot as --jobs 1, replayable.
    add_test(NAME "live: dkim/record-with-worker-processes"
             COMMAND ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd
                     ${_dk_fx}/001-pass-rsa2048.zone ${_dk_fx}/004-pass-two-signatures.zone --
                     ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/record_jobs_live.py ${CMAKE_BINARY_DIR}/bin
                     ${AUTHSCOPE_SOURCE_DIR}/fixtures)
    set_tests_properties("live: dkim/record-with-worker-processes" PROPERTIES LABELS "live;dkim" TIMEOUT 120)
  else()
    message(STATUS "live DKIM tests not registered: nsd (/usr/sbin/nsd) not found")
  endif()
endif()
