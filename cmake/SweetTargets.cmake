# What every SWEET target shares, set on the target itself: a global CMAKE_CXX_STANDARD or
# CMAKE_AUTOMOC applies to whatever happens to be created after it, so its effect depended
# on where it sat in the tree. Also the per-layer include roots that make the layering a
# compiler error rather than a convention.

# sweet_target_defaults(<target> [QT]): C++17 without GNU extensions; QT also runs moc on
# the target's files (only targets that link Qt: the Qt-free ones never wait for it).
# A library publishes its C++17 requirement, so whatever links it compiles as C++17 too;
# CXX_EXTENSIONS is not transitive, hence this on every target.
function(sweet_target_defaults target)
  cmake_parse_arguments(ARG "QT" "" "" ${ARGN})
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    target_compile_features(${target} PRIVATE cxx_std_17)
  else()
    target_compile_features(${target} PUBLIC cxx_std_17)
  endif()
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  if(ARG_QT)
    set_target_properties(${target} PROPERTIES AUTOMOC ON)
  endif()
endfunction()

# sweet_layer_includes(<target> <folder>): <target>'s headers are included as
# "<name>/x.h", <name> being <folder>'s last component (analysis, training, cli, ui, tests).
# The include root is a folder of the build tree holding one symbolic link, <name> ->
# <folder>, so a target sees its own layer and, through PUBLIC links, the layers below it,
# and nothing else: an `#include "training/..."` in analysis/ finds no such file. (The
# repository root as the include folder would have let every layer include every other.)
function(sweet_layer_includes target folder)
  get_filename_component(name ${folder} NAME)
  set(root ${CMAKE_BINARY_DIR}/include/${name})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${folder} ${root}/${name} SYMBOLIC)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()
