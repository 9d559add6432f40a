#include "protocol/caf_setup.hpp"

#include "protocol/error.hpp"
#include "protocol/fleet_actors.hpp"
#include "protocol/type_ids.hpp"

namespace rmcp {

void add_rmcp_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::rmcp>();
  // (The templated add_error_category of CAF 0.17.6 does not compile.)
  cfg.add_error_category(caf::atom("rmcp"), [](uint8_t code, caf::atom_value,
                                               const caf::message& ctx) {
    auto text = "rmcp::" + to_string(static_cast<ec>(code));
    if (ctx.size() == 1 && ctx.match_element<std::string>(0))
      text += ": " + ctx.get_as<std::string>(0);
    return text;
  });
}

} // namespace rmcp
