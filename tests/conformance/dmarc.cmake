# DMARC conformance (issue 4), one ctest case each, run by tests/conformance/dmarc_conformance.cpp
# (which lists the known deviations with their reasons):
#   conformance: dmarc/manifest/<test>/<rfc9989|rfc7489>  ValiMail authheaders' 11 cases, both discovery modes
#   conformance: dmarc/vector/<suite>/<no>                 OpenDMARC's record, alignment, From-domain, org-domain vectors
if(NOT TARGET dmarc_conformance)
  add_executable(dmarc_conformance ${CMAKE_CURRENT_LIST_DIR}/dmarc_conformance.cpp)
  target_link_libraries(dmarc_conformance PRIVATE auth)
endif()
set(_dmarc_dir "${AUTHSCOPE_SHARED_DIR}/conformance/dmarc")
set(_dmarc_psl "${AUTHSCOPE_SHARED_DIR}/conformance/psl/public_suffix_list.dat")
if(NOT EXISTS "${_dmarc_dir}/dmarc-manifest.json")
  message(WARNING "DMARC conformance data not found in ${_dmarc_dir}: cases not registered")
else()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               "${_dmarc_dir}/dmarc-manifest.json" "${_dmarc_dir}/opendmarc-vectors.tsv")
  file(READ "${_dmarc_dir}/dmarc-manifest.json" _dm_json)
  string(JSON _dm_n LENGTH "${_dm_json}" tests)
  math(EXPR _dm_last "${_dm_n} - 1")
  foreach(i RANGE ${_dm_last})
    string(JSON _dm_name GET "${_dm_json}" tests ${i} test)
    foreach(mode rfc9989 rfc7489)
      set(_case "conformance: dmarc/manifest/${_dm_name}/${mode}")
      add_test(NAME "${_case}" COMMAND dmarc_conformance manifest "${_dmarc_dir}/dmarc-manifest.json"
               "${_dm_name}" ${mode} "${_dmarc_psl}")
      set_tests_properties("${_case}" PROPERTIES LABELS "conformance;dmarc" TIMEOUT 60)
    endforeach()
  endforeach()
  file(STRINGS "${_dmarc_dir}/opendmarc-vectors.tsv" _dv_lines)
  foreach(line ${_dv_lines})
    string(REGEX MATCH "^([a-z_]+)\t([0-9]+)\t" _m "${line}")
    if(NOT _m)
      continue()
    endif()
    set(_case "conformance: dmarc/vector/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}")
    add_test(NAME "${_case}" COMMAND dmarc_conformance vector "${_dmarc_dir}/opendmarc-vectors.tsv"
             ${CMAKE_MATCH_1} ${CMAKE_MATCH_2} "${_dmarc_psl}")
    set_tests_properties("${_case}" PROPERTIES LABELS "conformance;dmarc" TIMEOUT 60)
  endforeach()
endif()
