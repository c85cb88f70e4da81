# Run by the layering_* tests: builds one probe (tests/layering/CMakeLists.txt) and checks
# the outcome. Inputs: BUILD_DIR, TARGET, HEADER, EXPECT (FAILS or COMPILES).
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
string(REGEX REPLACE "^<(.*)>$" "\\1" file ${HEADER})
string(REGEX REPLACE "([.+])" "\\\\\\1" file_regex ${file})
# gcc: "x.h: No such file or directory"; clang: "'x.h' file not found".
set(not_found "${file_regex}'?:? (No such file or directory|file not found)")
if(EXPECT STREQUAL "FAILS")
  if(status EQUAL 0)
    message(FATAL_ERROR "${TARGET}: including ${HEADER} compiled; the layering does not hold\n${out}")
  elseif(NOT out MATCHES "${not_found}")
    message(FATAL_ERROR "${TARGET}: the build failed, but not for want of ${HEADER}\n${out}")
  endif()
  message(STATUS "${TARGET}: ${HEADER} is out of reach, as it should be:\n${CMAKE_MATCH_0}")
elseif(NOT status EQUAL 0)
  message(FATAL_ERROR "${TARGET}: including ${HEADER} should compile\n${out}")
endif()
