#include "tests/support/sim_rest_client.hpp"

#include "protocol/error.hpp"
#include "sim/fleet.hpp"

namespace rmcp::test {

namespace {

std::string base64(const std::string& in) {
  static const char* alphabet
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8)
                 | uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0})
      out += alphabet[(n >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

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
    in.authorization = "Basic "
                       + base64(ep_.creds.username + ":" + ep_.creds.password);
    auto out = router_->handle(in, "http://127.0.0.1");
    using act = sim::http_out::action;
    if (out.act == act::drop)
      return make_error(ec::router_unreachable,
                        what + ": connection closed without an answer");
    if (out.act == act::hang)
      return make_error(ec::router_timeout, what + ": no answer in time");
    auto body = out.body.empty() ? json{} : parse_json(out.body).value_or(json{});
    auto detail = body.is_object() ? body.value("detail", body.value("message", ""))
                                   : std::string{};
    auto fail = [&](ec code) {
      return make_error(code, what + ": HTTP " + std::to_string(out.status)
                                + (detail.empty() ? "" : ": " + detail));
    };
    if (out.status >= 200 && out.status < 300) {
      rest_response resp;
      resp.status = static_cast<int32_t>(out.status);
      resp.body = std::move(body);
      resp.latency_us
        = std::chrono::duration_cast<std::chrono::microseconds>(out.delay)
            .count();
      return resp;
    }
    if (out.status == 401)
      return fail(ec::router_auth_failed);
    if (out.status == 403
        || (out.status == 500
            && detail.find("not enough permissions") != std::string::npos))
      return fail(ec::router_permission_denied);
    if (out.status == 404)
      return fail(ec::router_not_found);
    if (out.status >= 500)
      return fail(ec::router_server_error);
    return fail(ec::router_bad_request);
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
