# Included from tests/CMakeLists.txt: each fuzz target's source built without
# libFuzzer (replay_main.cc supplies main) and run by CTest over its
# regressions (every input that ever crashed it) and its seed corpus. In the
# sanitizer tree these are the fuzzers' checks without the fuzzing.
include(${PROJECT_SOURCE_DIR}/fuzz/targets.cmake)
foreach(target IN LISTS CASTELLAN_FUZZ_TARGETS)
  add_executable(fuzz_${target}_replay ${PROJECT_SOURCE_DIR}/fuzz/${target}_fuzzer.cc
                                       ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
  target_link_libraries(fuzz_${target}_replay PRIVATE ${CASTELLAN_FUZZ_LIBS_${target}})
  target_compile_definitions(fuzz_${target}_replay PRIVATE
    CASTELLAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  # A target that has never crashed has no regressions yet.
  if(EXISTS ${PROJECT_SOURCE_DIR}/fuzz/regressions/${target})
    add_test(NAME fuzz.${target}.regressions
             COMMAND fuzz_${target}_replay ${PROJECT_SOURCE_DIR}/fuzz/regressions/${target})
  endif()
  add_test(NAME fuzz.${target}.corpus
           COMMAND fuzz_${target}_replay ${PROJECT_SOURCE_DIR}/fuzz/corpus/${target})
endforeach()
