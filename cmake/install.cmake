# SPDX-License-Identifier: MIT
# Installing and packaging (included last by CMakeLists.txt).
#
#   cmake --install build --prefix P     the tools, the libraries (static and
#                                        shared), headers, pkg-config files,
#                                        the CMake package, data and docs
#   (cd build && cpack -G DEB)           the same as a Debian package
#
# The version comes from project() alone: cfc/version.h (generated), the
# libraries' VERSION/SOVERSION, the .pc files, the CMake package and the
# Debian package all read PROJECT_VERSION.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
# `cmake --install` and cpack install what was built, without building
# first: the package test runs cpack beside the other tests.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

option(CFC_BUILD_SHARED "Also build the libraries as shared libraries (installed, with SONAME)" ON)

# Before 1.0 any minor release may change the ABI, so the SONAME carries
# major.minor: libcfc_checker.so.0.2.
set(CFC_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
set(CFC_INSTALL_INCLUDE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

# ---- the shared libraries: the static targets' sources, built again as PIC.
# The static targets stay what the tools and tests link (no RPATH to manage);
# the shared ones are what find_package(cfconform) and pkg-config hand out.
set(CFC_LIBS "")
if(CFC_BUILD_SHARED)
  function(cfc_shared_variant lib export_name)
    get_target_property(srcs ${lib} SOURCES)
    add_library(${lib}_shared SHARED ${srcs})
    set_target_properties(${lib}_shared PROPERTIES OUTPUT_NAME ${lib} EXPORT_NAME ${export_name}
      VERSION ${PROJECT_VERSION} SOVERSION ${CFC_SOVERSION})
    target_link_libraries(${lib}_shared PRIVATE cfc_warnings)
    add_library(cfconform::${export_name} ALIAS ${lib}_shared)
  endfunction()

  cfc_shared_variant(cfc_reference reference)
  target_include_directories(cfc_reference_shared PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/reference/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include> ${CFC_INSTALL_INCLUDE})
  target_link_libraries(cfc_reference_shared PRIVATE PkgConfig::CJSON m)

  cfc_shared_variant(cfc_reference_ws reference_ws)
  target_link_libraries(cfc_reference_ws_shared PUBLIC cfc_reference_shared
    PRIVATE PkgConfig::LWS Threads::Threads)

  cfc_shared_variant(cfc_checker checker)
  target_include_directories(cfc_checker_shared PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/conformance/include> ${CFC_INSTALL_INCLUDE}
    PRIVATE ${CFC_CORE_DIR})
  target_link_libraries(cfc_checker_shared PUBLIC cfc_reference_shared PRIVATE PkgConfig::CJSON m)

  cfc_shared_variant(cfc_conformance conformance)
  target_include_directories(cfc_conformance_shared PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/conformance/include> ${CFC_INSTALL_INCLUDE}
    PRIVATE ${CFC_INTERNAL_DIRS})
  target_link_libraries(cfc_conformance_shared PUBLIC cfc_checker_shared
    PRIVATE PkgConfig::CJSON m)

  set(CFC_LIBS cfc_reference_shared cfc_reference_ws_shared cfc_checker_shared
    cfc_conformance_shared)
  install(TARGETS ${CFC_LIBS} EXPORT cfconformTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT cfconformTargets NAMESPACE cfconform::
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cfconform)
  configure_package_config_file(cmake/cfconformConfig.cmake.in
    ${PROJECT_BINARY_DIR}/cfconformConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cfconform)
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/cfconformConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/cfconformConfig.cmake
    ${PROJECT_BINARY_DIR}/cfconformConfigVersion.cmake
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cfconform)
endif()

# The static archives, for `pkg-config --static` (not in the CMake package).
install(TARGETS cfc_reference cfc_reference_ws cfc_checker cfc_conformance
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

# ---- pkg-config: one file per library, relocatable (${pcfiledir}) --------
file(RELATIVE_PATH CFC_PC_UP ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig
  ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" CFC_PC_UP "${CFC_PC_UP}")
function(cfc_pkgconfig file lib description requires requires_private libs_private)
  set(PC_NAME ${file})
  set(PC_LIB ${lib})
  set(PC_DESCRIPTION ${description})
  set(PC_REQUIRES ${requires})
  set(PC_REQUIRES_PRIVATE ${requires_private})
  set(PC_LIBS_PRIVATE ${libs_private})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/cfconform.pc.in
    ${PROJECT_BINARY_DIR}/pkgconfig/${file}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${file}.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endfunction()
cfc_pkgconfig(cfconform-reference cfc_reference
  "CodeFRAME event contract table and reference broadcasters" "" "libcjson" "-lm")
cfc_pkgconfig(cfconform-reference-ws cfc_reference_ws
  "Reference CodeFRAME producer over a WebSocket (libwebsockets)" "cfconform-reference"
  "libwebsockets" "-lpthread")
cfc_pkgconfig(cfconform-checker cfc_checker
  "Conformance checker for CodeFRAME WebSocket events (no libwebsockets)" "cfconform-reference"
  "libcjson" "-lm")
cfc_pkgconfig(cfconform cfc_conformance
  "cfconform certification, typed decoder and event generator" "cfconform-checker"
  "libcjson" "-lm")

# ---- the tools, headers, data and docs -----------------------------------
install(TARGETS cfconform cfc-demo cfc-adapter-reference cfc-consumer-reference
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY reference/include/cfc conformance/include/cfc
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/cfc/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cfc)
# certify finds the catalogue relative to its own executable (CFC_DATA_FROM_BIN).
install(FILES corpus/certification/catalogue.json corpus/certification/README.md
  DESTINATION ${CMAKE_INSTALL_DATADIR}/cfconform/certification)
# certify --consumer finds its samples the same way.
install(FILES corpus/consumer/samples.json
  DESTINATION ${CMAKE_INSTALL_DATADIR}/cfconform/consumer)
install(FILES adapters/python/cfc_adapter.py
  DESTINATION ${CMAKE_INSTALL_DATADIR}/cfconform/adapters/python)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/cfconform/docs
  FILES_MATCHING PATTERN "*.md")
install(FILES README.md CHANGELOG.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Man pages (generated from --help by scripts/gen-man, kept current by the
# man_pages test) and bash completion (reads --help when completing).
install(DIRECTORY docs/man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1")
install(FILES tools/completion/cfconform.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME cfconform)

# ---- the Debian package --------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cfconform)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "cfconform")
set(CPACK_PACKAGE_CONTACT "cfconform maintainers <cfconform@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Conformance checker, certifier and fuzzer for CodeFRAME WebSocket events")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# For `pkg-config --static` and find_package users who link statically.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libcjson-dev, pkg-config")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
