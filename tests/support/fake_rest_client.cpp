#include "tests/support/fake_rest_client.hpp"

#include <stdexcept>

namespace rmcp::test {

fake_rest_client::fake_rest_client(rest_endpoint endpoint, responder answer)
  : endpoint_(std::move(endpoint)), answer_(std::move(answer)) {
  // nop
}

uint64_t fake_rest_client::async_request(const rest_request& req,
                                         std::chrono::milliseconds timeout,
                                         callback done) {
  auto id = next_id_++;
  if (closed_) {
    done(make_error(ec::cancelled, "client closed"));
    return id;
  }
  calls_.push_back(call{id, req, timeout, std::move(done)});
  if (answer_) {
    if (auto result = answer_(req)) {
      auto& c = calls_.back();
      c.finished = true;
      auto cb = std::move(c.done);
      cb(std::move(*result));
    }
  }
  return id;
}

void fake_rest_client::cancel(uint64_t id) {
  for (auto& c : calls_) {
    if (c.id == id && !c.finished) {
      c.finished = true;
      c.cancelled = true;
      auto cb = std::move(c.done);
      cb(make_error(ec::cancelled, "request cancelled"));
    }
  }
}

void fake_rest_client::close() {
  closed_ = true;
  for (auto& c : calls_)
    cancel(c.id);
}

size_t fake_rest_client::open_calls() const {
  size_t n = 0;
  for (auto& c : calls_)
    n += c.finished ? 0 : 1;
  return n;
}

size_t fake_rest_client::count(const std::string& prefix) const {
  size_t n = 0;
  for (auto& c : calls_)
    n += c.req.path.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

fake_rest_client::call& fake_rest_client::open_call(size_t n) {
  for (auto& c : calls_)
    if (!c.finished && n-- == 0)
      return c;
  throw std::out_of_range("fake_rest_client: no such open call");
}

void fake_rest_client::reply(size_t n, rest_response resp) {
  auto& c = open_call(n);
  c.finished = true;
  auto cb = std::move(c.done);
  cb(std::move(resp));
}

void fake_rest_client::fail(size_t n, caf::error err) {
  auto& c = open_call(n);
  c.finished = true;
  auto cb = std::move(c.done);
  cb(std::move(err));
}

std::shared_ptr<rest_client>
fake_rest_factory::make(const rest_endpoint& endpoint) {
  auto i = per_device.find(endpoint.device_id);
  auto client = std::make_shared<fake_rest_client>(
    endpoint, i != per_device.end() ? i->second : answer);
  clients.push_back(client);
  return client;
}

std::shared_ptr<fake_rest_client>
fake_rest_factory::client(const std::string& device_id) const {
  for (auto i = clients.rbegin(); i != clients.rend(); ++i)
    if ((*i)->endpoint().device_id == device_id)
      return *i;
  return nullptr;
}

size_t fake_rest_factory::made(const std::string& device_id) const {
  size_t n = 0;
  for (auto& c : clients)
    n += c->endpoint().device_id == device_id ? 1 : 0;
  return n;
}

device_record test_device(const std::string& id, const std::string& environment,
                          std::map<std::string, std::string> tags) {
  device_record r;
  r.id = id;
  r.name = "Router " + id;
  r.host = "127.0.0.1";
  r.port = 8443;
  r.username = "api";
  r.environment = environment;
  r.tags = std::move(tags);
  return r;
}

rest_response ok_response(json body) {
  rest_response resp;
  resp.status = 200;
  resp.body = std::move(body);
  resp.latency_us = 1500;
  return resp;
}

responder router_responder(std::shared_ptr<fake_router> router) {
  return
    [router](
      const rest_request& req) -> std::optional<caf::expected<rest_response>> {
      if (req.method == "GET" && req.path == "/system/resource")
        return ok_response(
          {{"cpu-load", std::to_string(router->cpu_load)},
           {"total-memory", std::to_string(router->total_memory)},
           {"free-memory", std::to_string(router->free_memory)},
           {"uptime", router->uptime},
           {"version", router->version},
           {"board-name", router->board},
           {"architecture-name", "arm64"},
           {"platform", "MikroTik"},
           {"cpu", "ARM64"},
           {"cpu-count", "4"},
           {"cpu-frequency", "1400"},
           {"total-hdd-space", "1073741824"},
           {"free-hdd-space", "876052480"}});
      if (req.method == "GET" && req.path == "/system/identity")
        return ok_response({{"name", router->identity}});
      return std::nullopt;
    };
}

responder failing_responder(ec code) {
  return
    [code](
      const rest_request& req) -> std::optional<caf::expected<rest_response>> {
      return caf::expected<rest_response>{
        make_error(code, "fake failure of " + req.method + " " + req.path)};
    };
}

} // namespace rmcp::test
