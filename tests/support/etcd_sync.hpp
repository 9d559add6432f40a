#pragma once

// Calls an `etcd_client` and waits for its answer (tests only; every wait
// has a deadline, after which the answer is a timeout error).

#include <chrono>
#include <future>
#include <memory>

#include <caf/expected.hpp>

#include "actors/etcd_client.hpp"
#include "protocol/error.hpp"

namespace rmcp::test {

/// `await<T>([&](auto cb) { client->put(..., cb); })`.
template <class T, class Call>
caf::expected<T>
await(Call call, std::chrono::milliseconds limit = std::chrono::seconds{15}) {
  auto p = std::make_shared<std::promise<caf::expected<T>>>();
  auto f = p->get_future();
  call([p](caf::expected<T> r) { p->set_value(std::move(r)); });
  if (f.wait_for(limit) != std::future_status::ready)
    return make_error(ec::tool_timeout, "the etcd call did not answer");
  return f.get();
}

} // namespace rmcp::test
