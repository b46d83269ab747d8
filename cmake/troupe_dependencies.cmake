# Finds every third-party library as an imported target. All come from Debian
# packages that scripts/install-deps.sh installs.

find_package(Threads REQUIRED)

# CAF 0.17.6: Debian ships no CMake package, so build one imported target by hand.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
find_library(CAF_OPENSSL_LIBRARY caf_openssl REQUIRED)
add_library(troupe_caf INTERFACE IMPORTED)
target_include_directories(troupe_caf SYSTEM INTERFACE ${CAF_INCLUDE_DIR})
target_link_libraries(troupe_caf INTERFACE
  ${CAF_OPENSSL_LIBRARY} ${CAF_IO_LIBRARY} ${CAF_CORE_LIBRARY} Threads::Threads)
add_library(troupe::caf ALIAS troupe_caf)

find_package(Protobuf REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(Boost REQUIRED COMPONENTS unit_test_framework)

find_path(LMDB_INCLUDE_DIR lmdb.h REQUIRED)
find_library(LMDB_LIBRARY lmdb REQUIRED)
add_library(troupe_lmdb INTERFACE IMPORTED)
target_include_directories(troupe_lmdb SYSTEM INTERFACE ${LMDB_INCLUDE_DIR})
target_link_libraries(troupe_lmdb INTERFACE ${LMDB_LIBRARY})
add_library(troupe::lmdb ALIAS troupe_lmdb)
