// Compiled with the flags of rmcp_protocol by tests/rooms: must compile
// (the control: the room sees itself).
#include "protocol/error.hpp"
