# authscope report, written and read back (issue 6): for each explain, sample and DKIM fixture,
# Python's email package and our own reader must read the report with every field intact; for
# explain and sample fixtures also headers-only + redaction, and the evidence bundle re-verifying
# offline (authscope explain --dns-from DIR/dns.zone DIR/original.eml) to the same verdict.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(_rp_script ${CMAKE_CURRENT_LIST_DIR}/report_python.py)
foreach(_rp_dir explain sample dkim)
  file(GLOB _rp_samples CONFIGURE_DEPENDS "${AUTHSCOPE_SOURCE_DIR}/fixtures/${_rp_dir}/*.eml")
  foreach(_rp_eml ${_rp_samples})
    get_filename_component(_rp_name ${_rp_eml} NAME_WE)
    get_filename_component(_rp_parent ${_rp_eml} DIRECTORY)
    if(EXISTS "${_rp_parent}/${_rp_name}.zone")
      set(_rp_zone "${_rp_parent}/${_rp_name}.zone")
    elseif(EXISTS "${_rp_parent}/common.zone")
      set(_rp_zone "${_rp_parent}/common.zone")
    else()
      continue()
    endif()
    set(_rp_modes roundtrip)
    if(NOT _rp_dir STREQUAL "dkim")
      list(APPEND _rp_modes headers-redact bundle)
    endif()
    foreach(_rp_mode ${_rp_modes})
      add_test(NAME "cli: report/${_rp_mode}/${_rp_dir}/${_rp_name}"
               COMMAND ${Python3_EXECUTABLE} ${_rp_script} ${CMAKE_BINARY_DIR}/bin ${_rp_mode} ${_rp_eml} ${_rp_zone}
                       ${CMAKE_BINARY_DIR}/report-python/${_rp_dir}-${_rp_name}-${_rp_mode})
    endforeach()
  endforeach()
endforeach()
