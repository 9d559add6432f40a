// Compiled with the flags of rmcp_storage by tests/rooms: must compile
// (the control: the room sees itself and protocol/).
#include "protocol/plan_actors.hpp"
#include "storage/plan_store.hpp"
