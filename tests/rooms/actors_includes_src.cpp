// Compiled with the flags of rmcp_actors by tests/rooms: must NOT compile,
// since src/ sits above actors/.
#include "src/config/options_table.hpp"
