// Compiled with the flags of rmcp_protocol by tests/rooms: must NOT compile,
// since protocol/ is the lowest room and storage/ sits above it.
#include "storage/kv.hpp"
