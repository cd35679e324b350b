# Golden fixtures: every fixtures/<tool>/<name>.expected.json is a ctest case "cli: <tool>/<name>".
find_package(Python3 REQUIRED COMPONENTS Interpreter)
file(GLOB golden_expected CONFIGURE_DEPENDS ${AUTHSCOPE_SOURCE_DIR}/fixtures/*/*.expected.json)
foreach(exp ${golden_expected})
  get_filename_component(dir ${exp} DIRECTORY)
  get_filename_component(tool ${dir} NAME)
  get_filename_component(fname ${exp} NAME)
  string(REGEX REPLACE "\\.expected\\.json$" "" name ${fname})
  add_test(NAME "cli: ${tool}/${name}"
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/golden.py
                   ${CMAKE_BINARY_DIR}/bin ${AUTHSCOPE_SOURCE_DIR}/fixtures ${tool} ${name})
endforeach()
