# Install rules and the Debian package (cpack -G DEB; scripts/package runs
# it). The package holds both binaries, the production configuration as a
# conffile, the systemd unit and the operator documentation; its maintainer
# scripts (packaging/) create the system user, the state directory and the
# two keys, and purge removes all of them again.

include(GNUInstallDirs)

# `cmake --install` and cpack install what is built; scripts/package builds
# the two binaries only, not every test (install would otherwise build all).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS routeros-mcp routeros-sim RUNTIME DESTINATION bin)
# Absolute: the conffile and the unit live outside the /usr prefix.
install(FILES packaging/routeros-mcp.yaml DESTINATION /etc/routeros-mcp
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# Debian 12 keeps packaged units in /lib/systemd/system (`pkg-config
# systemd --variable=systemdsystemunitdir`).
install(FILES packaging/routeros-mcp.service
  DESTINATION /lib/systemd/system)
install(FILES packaging/routeros-mcp.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES README.md docs/operations.md docs/configuration.md
  docs/security.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME routeros-mcp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "routeros-mcp maintainers <routeros-mcp@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "MCP server that manages a fleet of MikroTik RouterOS v7 routers")
set(CPACK_PACKAGE_DESCRIPTION
  "routeros-mcp lets Model Context Protocol clients manage RouterOS v7 \
routers safely: typed tools, dry runs, plan/approve/apply with human \
approval, an audit trail. routeros-sim simulates a RouterOS fleet for labs \
and tests.")
# Debian's own file name: routeros-mcp_<version>_amd64.deb.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries' packages (CAF, yaml-cpp, LMDB, OpenSSL, libsystemd,
# ...) come from dpkg-shlibdeps; adduser for the system user.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# A build with RMCP_DEBUG_INFO carries debug info (hundreds of MB); the
# package never does. A sanitizer build's package (the package test of
# `scripts/test --sanitize=...`) keeps its symbols: UBSan's suppressions
# name CAF's frames (tests/sanitizers/ubsan.supp), which a stripped daemon
# cannot match, so its first suppressed report halted it, and every report
# needs them to say where.
if(RMCP_SANITIZE)
  set(CPACK_STRIP_FILES OFF)
else()
  set(CPACK_STRIP_FILES ON)
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/conffiles
  ${PROJECT_SOURCE_DIR}/packaging/postinst
  ${PROJECT_SOURCE_DIR}/packaging/prerm
  ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
