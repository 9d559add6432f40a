// Compiled with the flags of rmcp_actors by tests/rooms: must compile (the
// control: the room sees itself, storage/ and protocol/).
#include "actors/plan_actor.hpp"
#include "protocol/error.hpp"
#include "storage/kv.hpp"
