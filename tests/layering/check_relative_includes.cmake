# Run by the layering_no_relative_includes test: a quoted include that climbs with ".."
# resolves against the including file's folder, past every include root, so the layers'
# sources (and the tests, benchmarks and fuzzers) must not use one. Input: SOURCE_DIR.
set(found "")
foreach(folder analysis training app ui tests bench fuzz)
  file(GLOB_RECURSE files ${SOURCE_DIR}/${folder}/*.h ${SOURCE_DIR}/${folder}/*.cpp)
  foreach(f ${files})
    file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"[^\"]*\\.\\./")
    foreach(line ${lines})
      file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
      string(APPEND found "\n  ${rel}: ${line}")
    endforeach()
  endforeach()
endforeach()
if(found)
  message(FATAL_ERROR "includes relative to the including file (write \"layer/x.h\"):${found}")
endif()
