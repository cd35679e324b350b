# DMARC and dns over loopback DNS (a private nsd serving fixtures/dmarc/common.zone, via
# tests/live/with-nsd), and the --format ar round trip: the Authentication-Results that dkim, spf
# and dmarc print must parse back with our own RFC 8601 parser (libauth authres).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
if(NOT TARGET dmarc_conformance)  # tests/cli/*.cmake are read before tests/conformance/*.cmake
  add_executable(dmarc_conformance ${AUTHSCOPE_SOURCE_DIR}/tests/conformance/dmarc_conformance.cpp)
  target_link_libraries(dmarc_conformance PRIVATE auth)
endif()
find_program(AUTHSCOPE_NSD nsd PATHS /usr/sbin NO_DEFAULT_PATH)
find_program(AUTHSCOPE_LDNS_READ_ZONE ldns-read-zone)
set(_dm_fx "${AUTHSCOPE_SOURCE_DIR}/fixtures/dmarc")
set(_with_nsd ${Python3_EXECUTABLE} ${AUTHSCOPE_SOURCE_DIR}/tests/live/with-nsd)

# name, fixture, text that must appear in the one-line JSON output, expected exit status
set(_dm_live
  "001-pass-dkim-aligned|\"result\":\"pass\"|0"
  "006-fail-subdomain-policy-sp|\"tag\":\"sp\"|1"
  "007-fail-nonexistent-subdomain-np|\"tag\":\"np\"|1"
  "009-none-no-policy|\"result\":\"none\"|1"
  "012-fail-psd-tree-walk|\"org_domain\":\"brand.psdtld\"|1"
  "024-pass-external-rua-authorization|\"status\":\"authorized\"|0")
if(AUTHSCOPE_NSD AND AUTHSCOPE_LDNS_READ_ZONE AND TARGET authscope-dmarc)
  foreach(spec ${_dm_live})
    string(REPLACE "|" ";" parts "${spec}")
    list(GET parts 0 n)
    list(GET parts 1 want)
    list(GET parts 2 code)
    add_test(NAME "live: dmarc/${n}"
             COMMAND ${_with_nsd} ${_dm_fx}/common.zone -- /bin/sh -c
                     "out=$(\"$0\" --resolver \"$AUTHSCOPE_TEST_RESOLVER\" --json \"$1\"); rc=$?; echo \"$out\"; test $rc -eq $2 && printf '%s' \"$out\" | grep -qF -- \"$3\""
                     $<TARGET_FILE:authscope-dmarc> ${_dm_fx}/${n}.eml ${code} ${want})
    set_tests_properties("live: dmarc/${n}" PROPERTIES LABELS live TIMEOUT 120)
  endforeach()
  if(TARGET authscope-dns)
    # dns lint over nsd, recording the evidence; the recording replayed gives the same findings.
    add_test(NAME "live: dns/example.com recorded and replayed"
             COMMAND ${_with_nsd} ${_dm_fx}/common.zone -- /bin/sh -c
                     "set -e; d=$(mktemp -d); trap 'rm -rf $d' EXIT; \"$0\" --resolver \"$AUTHSCOPE_TEST_RESOLVER\" --dns-record $d/ev.zone -s sel --json example.com | sed 's/,\"dns\":.*//' > $d/live.json; \"$0\" --dns-from $d/ev.zone -s sel --json example.com | sed 's/,\"dns\":.*//' > $d/replay.json; cat $d/live.json; cmp $d/live.json $d/replay.json; grep -qF '\"errors\":0' $d/live.json"
                     $<TARGET_FILE:authscope-dns>)
    set_tests_properties("live: dns/example.com recorded and replayed" PROPERTIES LABELS live TIMEOUT 120)
  endif()
endif()

# --format ar parses back (offline, replay DNS).
if(TARGET authscope-dmarc AND TARGET dmarc_conformance)
  foreach(n 001-pass-dkim-aligned 007-fail-nonexistent-subdomain-np 010-permerror-record-syntax 014-permerror-no-from 021-pass-trust-ar)
    add_test(NAME "cli: ar round trip dmarc/${n}"
             COMMAND /bin/sh -c "\"$0\" --format ar --dns-from \"$1\" $3 \"$2\"; \"$0\" --format ar --dns-from \"$1\" $3 \"$2\" | \"$4\" ar-parse dmarc"
                     $<TARGET_FILE:authscope-dmarc> ${_dm_fx}/common.zone ${_dm_fx}/${n}.eml
                     "$<IF:$<STREQUAL:${n},021-pass-trust-ar>,--trust-ar mx.receiver.example,>" $<TARGET_FILE:dmarc_conformance>)
  endforeach()
endif()
if(TARGET authscope-dkim AND TARGET dmarc_conformance)
  foreach(n 001-pass-rsa2048 010-body-hash-mismatch 020-key-not-found)
    if(EXISTS "${AUTHSCOPE_SOURCE_DIR}/fixtures/dkim/${n}.eml")
      add_test(NAME "cli: ar round trip dkim/${n}"
               COMMAND /bin/sh -c "\"$0\" --format ar --dns-from \"$1\" \"$2\" | \"$3\" ar-parse dkim"
                       $<TARGET_FILE:authscope-dkim> ${AUTHSCOPE_SOURCE_DIR}/fixtures/dkim/${n}.zone
                       ${AUTHSCOPE_SOURCE_DIR}/fixtures/dkim/${n}.eml $<TARGET_FILE:dmarc_conformance>)
    endif()
  endforeach()
endif()
if(TARGET authscope-spf AND TARGET dmarc_conformance)
  add_test(NAME "cli: ar round trip spf/flags"
           COMMAND /bin/sh -c "\"$0\" --format ar --dns-from \"$1\" --ip 192.0.2.10 --mail-from bounce@example.com --helo mail.example.com | \"$2\" ar-parse spf"
                   $<TARGET_FILE:authscope-spf> ${_dm_fx}/common.zone $<TARGET_FILE:dmarc_conformance>)
  add_test(NAME "cli: ar round trip spf/dmarc-fixture"
           COMMAND /bin/sh -c "\"$0\" --format ar --dns-from \"$1\" \"$2\" | \"$3\" ar-parse spf"
                   $<TARGET_FILE:authscope-spf> ${_dm_fx}/common.zone ${_dm_fx}/003-pass-spf-aligned.eml $<TARGET_FILE:dmarc_conformance>)
endif()
