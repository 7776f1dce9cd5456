# astacus_layer(NAME DEPS ...): one folder = one layer = one static library astacus::NAME.
# Sources are every *.cc in the calling folder (and sub-folders listed in SUBDIRS);
# unit tests are tests/*_test.cc, built into one gtest binary labelled `unit`.
set(ASTACUS_WARNINGS -Wall -Wextra -Werror -Wno-missing-field-initializers)

function(astacus_layer name)
  cmake_parse_arguments(ARG "" "" "DEPS;SUBDIRS;TEST_DEPS" ${ARGN})
  set(globs ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  foreach(sub ${ARG_SUBDIRS})
    list(APPEND globs ${CMAKE_CURRENT_SOURCE_DIR}/${sub}/*.cc)
  endforeach()
  file(GLOB srcs CONFIGURE_DEPENDS ${globs})
  add_library(astacus_${name} STATIC ${srcs})
  add_library(astacus::${name} ALIAS astacus_${name})
  target_include_directories(astacus_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(astacus_${name} PRIVATE ${ASTACUS_WARNINGS})
  target_link_libraries(astacus_${name} PUBLIC ${ARG_DEPS})
  if(ASTACUS_BUILD_TESTS)
    file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/*_test.cc)
    if(tests)
      string(REPLACE "/" "_" test_name "${name}")
      add_executable(${test_name}_unit_tests ${tests})
      target_compile_options(${test_name}_unit_tests PRIVATE ${ASTACUS_WARNINGS})
      target_link_libraries(${test_name}_unit_tests PRIVATE astacus::${name} ${ARG_TEST_DEPS}
                            GTest::gtest GTest::gtest_main GTest::gmock)
      gtest_discover_tests(${test_name}_unit_tests DISCOVERY_MODE PRE_TEST
                           PROPERTIES LABELS unit TIMEOUT 120)
    endif()
  endif()
endfunction()
