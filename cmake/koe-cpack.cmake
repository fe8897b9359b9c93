# `cpack -G DEB` in a build folder configured with -DCMAKE_INSTALL_PREFIX=/usr (scripts/package.sh)
# makes koe_<version>_amd64.deb: the CLI, libkoe, headers, CMake package, koe.pc, data, manual
# page, bash completion and the Python module.
# The default names a reserved, undeliverable domain (RFC 2606's .invalid): a release build sets
# the real address with -DKOE_PACKAGE_MAINTAINER="Name <address>".
set(KOE_PACKAGE_MAINTAINER "koe maintainers <maintainers@koe.invalid>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_NAME koe)
set(CPACK_PACKAGE_VENDOR koe)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
# The long description: lines under 80 columns, as Debian's control file wants them.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
       "koe reads customer voices written in Japanese (CSV, TSV, JSON Lines"
       "or text), tokenizes them with MeCab, groups them with spherical"
       "k-means on TF-IDF vectors, labels each group and ranks the groups as"
       "adoption candidates. This package holds the koe command, the libkoe"
       "shared library with its headers, CMake package and pkg-config file,"
       "and the Python module.")
set(CPACK_PACKAGE_CONTACT "${KOE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps finds the shared libraries (MeCab, ICU, TBB, toml++, jemalloc, libstdc++); the
# dictionary and the Python module's own imports are named here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libkoe.so.0, which the command and the Python module need, comes with the package itself.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR})
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# The dynamic linker's cache is refreshed through dpkg's ldconfig trigger.
file(WRITE ${PROJECT_BINARY_DIR}/debian/triggers "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/debian/triggers)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "mecab-ipadic-utf8, python3, python3-numpy")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3-scipy, python3-pandas")
# Building against libkoe: the headers use Eigen; pkg-config and a static link want the rest.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
    "libeigen3-dev, pkg-config, libicu-dev, libtbb-dev, libmecab-dev, libtomlplusplus-dev, libxxhash-dev")
include(CPack)
