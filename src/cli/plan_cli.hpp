#pragma once

// `routeros-mcp plan list|show|trace|approve|reject|cancel`: human approval
// out of band, and a rollout's timeline (src/cli/plan_trace.hpp).
// A plan tool only ever returns a plan id; a person inspects the plan here
// and approves it, which prints the one approval token the apply tool
// accepts (HMAC-bound to the plan, its parameters, the approver and an
// expiry; single use). The approver is `cli:<login name>` (or --as NAME)
// with role `cli.role`, which must be approver or admin; it must differ
// from the plan's creator unless plans.allow_self_approval
// (storage/plan_approvals.hpp). Every decision is audited.
//
// Exit codes (as device_cli): 0 ok, 1 runtime failure, 2 usage, 3 no such
// plan, 6 refused (illegal state change, self-approval).

#include <memory>

#include <CLI/CLI.hpp>

#include "src/config/server_options.hpp"

namespace rmcp::cli {

class plan_cli {
public:
  explicit plan_cli(CLI::App& app);
  ~plan_cli();

  bool parsed() const;

  int run(const config::server_options& opts);

  struct state;

private:
  std::unique_ptr<state> state_;
};

} // namespace rmcp::cli
