// Compiled with the flags of rmcp_storage by tests/rooms: must NOT compile,
// since actors/ sits above storage/.
#include "actors/plan_actor.hpp"
