# issue 14: dmarc, explain and report agree (one authentication pipeline) on every fixture message,
# each judged against its own snapshot (<name>.zone) or its folder's common.zone.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
file(GLOB _ag_samples CONFIGURE_DEPENDS "${AUTHSCOPE_SOURCE_DIR}/fixtures/*/*.eml")
foreach(_ag_eml ${_ag_samples})
  get_filename_component(_ag_name ${_ag_eml} NAME_WE)
  get_filename_component(_ag_parent ${_ag_eml} DIRECTORY)
  get_filename_component(_ag_dir ${_ag_parent} NAME)
  set(_ag_zone "")
  if(EXISTS "${_ag_parent}/${_ag_name}.zone")
    set(_ag_zone "${_ag_parent}/${_ag_name}.zone")
  elseif(EXISTS "${_ag_parent}/common.zone")
    set(_ag_zone "${_ag_parent}/common.zone")
  endif()
  add_test(NAME "cli: agree/${_ag_dir}/${_ag_name}"
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/agree.py ${CMAKE_BINARY_DIR}/bin ${_ag_eml} ${_ag_zone})
endforeach()
