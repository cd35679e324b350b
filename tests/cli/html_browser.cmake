# explain --format html in headless chromium (skipped, exit 77, where chromium is absent).
# Release build only: under the sanitizers the page generation it drives is covered by every report
# bundle's index.html (cli: report/bundle/*) and fuzz_html; the browser run cost two minutes there.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
if(NOT AUTHSCOPE_SANITIZE)
  add_test(NAME "cli: explain html pages in a browser"
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/html_browser.py ${CMAKE_BINARY_DIR}/bin
                   ${AUTHSCOPE_SOURCE_DIR}/fixtures ${CMAKE_BINARY_DIR}/html-browser)
  set_tests_properties("cli: explain html pages in a browser" PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
