# DKIM conformance: every case of Stalwart mail-auth's resources/dkim (DNS TXT lines, a blank line,
# the message with LF endings) is one ctest case "conformance: dkim/stalwart/NNN", run by
# dkim_stalwart_runner: every signature must pass, read as LF and as CRLF alike.
# Evaluation times and known deviations are listed, with their reasons, in dkim_stalwart_runner.cpp.
add_executable(dkim_stalwart_runner ${CMAKE_CURRENT_LIST_DIR}/dkim_stalwart_runner.cpp)
target_link_libraries(dkim_stalwart_runner PRIVATE auth)

set(dkim_stalwart_dir "${AUTHSCOPE_SHARED_DIR}/conformance/dkim/stalwart")
file(GLOB dkim_stalwart_cases CONFIGURE_DEPENDS "${dkim_stalwart_dir}/*.txt")
if(NOT dkim_stalwart_cases)
  message(WARNING "DKIM conformance cases not found in ${dkim_stalwart_dir}: none registered")
endif()
foreach(case_file ${dkim_stalwart_cases})
  get_filename_component(case_name ${case_file} NAME_WE)
  set(case "conformance: dkim/stalwart/${case_name}")
  add_test(NAME "${case}" COMMAND dkim_stalwart_runner "${case_file}")
  set_tests_properties("${case}" PROPERTIES LABELS "conformance;dkim" TIMEOUT 60)
endforeach()
