#include "tests/support/sim_rest_client.hpp"

#include "protocol/error.hpp"
#include "sim/fleet.hpp"

namespace rmcp::test {

namespace {

class sim_rest_client : public rest_client {
public:
  sim_rest_client(sim::router* router, rest_endpoint ep)
    : router_(router), ep_(std::move(ep)) {
    // nop
  }

  uint64_t async_request(const rest_request& req, std::chrono::milliseconds,
                         callback done) override {
    done(answer(req));
    return ++next_id_;
  }

  void cancel(uint64_t) override {
    // Answers are inline: nothing is ever pending.
  }

  void close() override {
    // Nothing to close.
  }

private:
  caf::expected<rest_response> answer(const rest_request& req) {
    auto what = ep_.device_id + ": " + req.method + " " + req.path;
    if (router_ == nullptr || !router_->is_up())
      return make_error(ec::router_unreachable, what + ": connection refused");
    sim::http_in in;
    in.method = req.method;
    in.target = "/rest" + req.path;
    if (!req.body.is_null()) {
      in.body = req.body.dump();
      in.content_type = "application/json";
    }
    in.authorization =
      basic_authorization(ep_.creds.username, ep_.creds.password);
    auto out = router_->handle(in, "http://127.0.0.1");
    using act = sim::http_out::action;
    if (out.act == act::drop)
      return make_error(ec::router_unreachable,
                        what + ": connection closed without an answer");
    if (out.act == act::hang)
      return make_error(ec::router_timeout, what + ": no answer in time");
    auto result = map_rest_answer(what, static_cast<int>(out.status), out.body);
    if (result)
      result->latency_us =
        std::chrono::duration_cast<std::chrono::microseconds>(out.delay)
          .count();
    return result;
  }

  sim::router* router_;
  rest_endpoint ep_;
  uint64_t next_id_ = 0;
};

} // namespace

sim_rest_factory::sim_rest_factory(sim::fleet& routers) : routers_(routers) {
  // nop
}

std::shared_ptr<rest_client>
sim_rest_factory::make(const rest_endpoint& endpoint) {
  sim::router* match = nullptr;
  for (size_t i = 0; i < routers_.size(); ++i)
    if (routers_.port(i) == endpoint.port)
      match = &routers_.router(i);
  return std::make_shared<sim_rest_client>(match, endpoint);
}

} // namespace rmcp::test
