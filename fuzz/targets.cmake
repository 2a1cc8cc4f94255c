# The fuzz targets and what each links: read by fuzz/CMakeLists.txt (libFuzzer
# builds) and fuzz/replay.cmake (the same sources replayed in the normal suite).
set(CASTELLAN_FUZZ_TARGETS expression policy_loader entity_file decision_api check_body)
set(CASTELLAN_FUZZ_LIBS_expression castellan_engine castellan_api)
set(CASTELLAN_FUZZ_LIBS_policy_loader castellan_engine)
set(CASTELLAN_FUZZ_LIBS_entity_file castellan_api)
set(CASTELLAN_FUZZ_LIBS_decision_api castellan_server nlohmann_json::nlohmann_json)
set(CASTELLAN_FUZZ_LIBS_check_body castellan_api nlohmann_json::nlohmann_json)
