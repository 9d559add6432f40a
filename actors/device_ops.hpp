#pragma once

// The device-access service: the one way an actor reaches a router. Tools
// (src/tools/device_access.hpp wraps it for a tool call) and the rollout
// coordinator use the same functions, so finding a device, reading state
// and writing under a lease are written once.
//
//   with_device  ONE fleet round trip, `(get, device_id, handle)`: record,
//                last health and device actor together; fails when the
//                device has no actor here (another environment, restarting).
//   read_all     parallel GETs through the device actor, bodies joined in
//                order; the first failure fails the read (optionally a
//                missing package's menu reads as null).
//   read_state   read_all of a change kind's `reads`, then its `state`.
//   write_all    requests in order under one write lease, released on
//                success and on failure (or under a lease the caller holds).
//
// Every function works from any event-based actor, typed or not (`Self` is
// the actor's pointer type: `caf::event_based_actor`, a typed actor's
// `pointer` or `stateful_pointer`). Results and errors arrive through
// callbacks run by that actor, never exceptions; every request has a finite
// timeout, except that `find`, `with_device`, `exec`, `read_all`,
// `read_state`, `write_all`, `acquire` and `ask` take `caf::infinite` from
// a tool call whose lifetime the MCP session bounds (tool_call::wait: every
// request of the read and write tools, so a call sets no timer in CAF's
// timer thread).
// When the actor quits, pending callbacks are dropped with it.
//
// The rollout coordinator calls them like this (`self` is its actor):
//
//   device_ops::with_device(self, deps.fleet, id,
//     [this](device_handle dev) { ... dev.view.record, dev.actor ... },
//     [this](caf::error err) { ... });
//   device_ops::read_state(self, dev.actor, *kind, plan.params,
//     [this](json state) { ... }, fail);     // absent_menus_null honoured
//   device_ops::write_all(self, dev.actor, step.requests,
//     [this](std::vector<rest_response>&) { ... }, fail,
//     device_ops::write_options{0, lease_ttl_ms});

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/duration.hpp>
#include <caf/error.hpp>

#include "actors/change_kind.hpp"
#include "actors/remote_watch.hpp"
#include "protocol/error.hpp"
#include "protocol/fleet_actors.hpp"

namespace rmcp::device_ops {

/// Deadline of a fleet lookup (the fleet answers from memory).
inline constexpr auto fleet_timeout = std::chrono::seconds{5};

/// Upper bound of one request to a device actor (its own request timeout
/// and retries are shorter; this only ends a wait for a dead actor).
inline constexpr auto device_timeout = std::chrono::seconds{120};

/// The answer of a request in flight to a device actor on another node
/// whose connection was lost (`request_watched`): retryable, but a write
/// may have been applied.
inline constexpr std::string_view owner_lost =
  "the connection to the cluster node that owns the device was lost while "
  "the request was on its way; a change may or may not have reached the "
  "router: read its state before retrying";

/// `self->request(dev, timeout, xs...)` that fails at once with
/// `owner_lost` when the device's owning node is lost (remote_watch.hpp).
template <class Self, class... Ts>
auto ask(Self* self, const device_actor& dev, Ts&&... xs) {
  return request_watched(self, dev, owner_lost, std::forward<Ts>(xs)...);
}

/// Write lease of write_all when the caller passes no TTL.
inline constexpr int64_t default_lease_ttl_ms = 30'000;

using fail_fn = std::function<void(caf::error)>;

/// A `(get, device_id, handle)` answer kept for later: the MCP session's
/// authorization lookup of a device-scoped caller, handed to the tool call
/// so that the tool does not ask the fleet again.
struct device_lookup {
  std::string id;
  device_handle handle;
  /// The fleet's error (device_not_found, timeout); none when found.
  caf::error error;
};

/// The error that keeps `h` from being used: `check(record)` first (tools:
/// environment and capability flags), then why it has no actor. None when
/// usable.
caf::error
usable(const device_handle& h,
       const std::function<caf::error(const device_record&)>& check = {});

namespace detail {

/// The join of read_all: bodies in request order, one answer at most.
struct read_join {
  read_join(size_t n, bool absent_null,
            std::function<void(std::vector<json>&)> ok, fail_fn fail);

  void answered(size_t i, json body);
  /// A failed GET; an absent menu is a null body when `absent_null`.
  void failed(size_t i, caf::error err);

  std::vector<json> bodies;
  size_t pending;
  bool absent_null;
  bool over = false;
  std::function<void(std::vector<json>&)> ok;
  fail_fn fail;
};

/// The chain of write_all: one request after the other under `lease`.
template <class Self>
struct write_chain : std::enable_shared_from_this<write_chain<Self>> {
  Self* self = nullptr;
  device_actor dev;
  std::vector<rest_request> reqs;
  std::vector<rest_response> replies;
  uint64_t lease = 0;
  request_context context;
  caf::duration timeout = caf::duration{device_timeout};
  /// Acquired here: released here.
  bool own_lease = false;
  std::function<void(std::vector<rest_response>&)> ok;
  fail_fn fail;

  void next() {
    if (replies.size() == reqs.size()) {
      release();
      ok(replies);
      return;
    }
    auto req = reqs[replies.size()];
    req.lease = lease;
    if (req.context.request_id.empty() && req.context.plan_id.empty())
      req.context = context;
    auto me = this->shared_from_this();
    ask(self, dev, timeout, atom::exec_v, std::move(req))
      .then(
        [me](rest_response& resp) {
          me->replies.push_back(std::move(resp));
          me->next();
        },
        [me](caf::error& err) {
          me->release();
          me->fail(std::move(err));
        });
  }

  void release() {
    if (own_lease && lease != 0)
      self->send(dev, atom::release_v, lease);
    lease = 0;
  }
};

} // namespace detail

// -- finding a device -------------------------------------------------------------

/// One fleet round trip: the device's handle, also when it has no actor
/// here (`h.actor` null, `h.unavailable` says why); device_not_found and
/// fleet failures go to `fail`.
/// `timeout`: `caf::infinite` only for a caller whose own lifetime is
/// bounded (a tool call the session ends at its deadline).
template <class Self>
void find(Self* self, const fleet_actor& fleet, const std::string& id,
          std::function<void(device_handle)> ok, fail_fn fail,
          caf::duration timeout = caf::duration{fleet_timeout}) {
  if (!fleet) {
    fail(make_error(ec::unsupported,
                    "no device registry is configured in this service"));
    return;
  }
  self->request(fleet, timeout, atom::get_v, id, atom::handle_v)
    .then([ok{std::move(ok)}](device_handle& h) { ok(std::move(h)); },
          [fail](caf::error& err) { fail(std::move(err)); });
}

/// `find`, then a device without an actor fails with its reason: `ok`
/// always gets a handle whose actor is set.
template <class Self>
void with_device(Self* self, const fleet_actor& fleet, const std::string& id,
                 std::function<void(device_handle)> ok, fail_fn fail,
                 caf::duration timeout = caf::duration{fleet_timeout}) {
  find(
    self, fleet, id,
    [ok{std::move(ok)}, fail](device_handle h) {
      if (auto err = usable(h))
        fail(std::move(err));
      else
        ok(std::move(h));
    },
    fail, timeout);
}

// -- requests ---------------------------------------------------------------------

/// One request through the device actor (`timeout`: as for `find`).
template <class Self>
void exec(Self* self, const device_actor& dev, rest_request req,
          std::function<void(rest_response&)> ok, fail_fn fail,
          caf::duration timeout = caf::duration{device_timeout}) {
  ask(self, dev, timeout, atom::exec_v, std::move(req))
    .then([ok{std::move(ok)}](rest_response& resp) { ok(resp); },
          [fail{std::move(fail)}](caf::error& err) { fail(std::move(err)); });
}

struct read_options {
  /// A GET that RouterOS answers "no such command or directory" (the menu
  /// of a package the router lacks, `is_absent_menu`) gives a null body
  /// instead of failing (change_kind::absent_menus_null).
  bool absent_menus_null = false;
  /// Lease the reads run under (reads between the writes of one lease:
  /// no other writer changes the state meanwhile); 0 = none.
  uint64_t lease = 0;
  /// What the reads are made for (the device actor's log lines).
  request_context context;
  /// Sees every answer before its body is joined (a tool notes which
  /// transport answered); may be empty.
  std::function<void(const rest_response&)> on_response;
  /// Timeout of each GET (`caf::infinite`: as for `find`).
  caf::duration timeout = caf::duration{device_timeout};
};

/// GETs `paths` in parallel and hands the bodies, in the order of `paths`,
/// to `ok`; the first failure goes to `fail` and nothing else is called.
/// No paths: `ok` at once with no bodies.
template <class Self>
void read_all(Self* self, const device_actor& dev,
              std::vector<std::string> paths,
              std::function<void(std::vector<json>&)> ok, fail_fn fail,
              read_options opts = {}) {
  auto j = std::make_shared<detail::read_join>(
    paths.size(), opts.absent_menus_null, std::move(ok), std::move(fail));
  if (paths.empty()) {
    j->ok(j->bodies);
    return;
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    auto req = get_request(std::move(paths[i]));
    req.lease = opts.lease;
    req.context = opts.context;
    ask(self, dev, opts.timeout, atom::exec_v, std::move(req))
      .then(
        [j, i, seen = opts.on_response](rest_response& resp) {
          if (seen)
            seen(resp);
          j->answered(i, std::move(resp.body));
        },
        [j, i](caf::error& err) { j->failed(i, std::move(err)); });
  }
}

/// Reads what `kind` touches on the device: GET `kind.reads(params)`
/// (absent menus as null when the kind says so), then
/// `kind.state(params, bodies)`. `kind` must outlive the read (the kinds
/// are static tables).
template <class Self>
void read_state(Self* self, const device_actor& dev, const change_kind& kind,
                json params, std::function<void(json)> ok, fail_fn fail,
                uint64_t lease = 0, request_context context = {},
                caf::duration timeout = caf::duration{device_timeout}) {
  auto paths = kind.reads(params);
  auto to_state = [&kind, params, ok{std::move(ok)}](std::vector<json>& b) {
    ok(kind.state(params, b));
  };
  read_all(self, dev, std::move(paths), std::move(to_state), std::move(fail),
           read_options{
             kind.absent_menus_null, lease, std::move(context), {}, timeout});
}

struct write_options {
  /// 0: write_all acquires a lease of `lease_ttl_ms` first and releases it
  /// at the end, on success and on failure. Otherwise the requests run
  /// under this lease, which the caller holds and releases.
  uint64_t lease = 0;
  int64_t lease_ttl_ms = default_lease_ttl_ms;
  /// What the writes are made for; a request with its own context keeps it.
  request_context context;
  /// Timeout of the lease and of each request (`caf::infinite`: as for
  /// `find`).
  caf::duration timeout = caf::duration{device_timeout};
};

/// Runs `reqs` in order under one write lease (no other writer in between);
/// `ok` gets the answers in order. The first failure stops the chain and
/// goes to `fail` (the requests before it were applied). No requests: `ok`
/// at once, without a lease.
template <class Self>
void write_all(Self* self, const device_actor& dev,
               std::vector<rest_request> reqs,
               std::function<void(std::vector<rest_response>&)> ok,
               fail_fn fail, write_options opts = {}) {
  auto c = std::make_shared<detail::write_chain<Self>>();
  c->self = self;
  c->dev = dev;
  c->reqs = std::move(reqs);
  c->ok = std::move(ok);
  c->fail = std::move(fail);
  c->context = std::move(opts.context);
  c->timeout = opts.timeout;
  if (c->reqs.empty()) {
    c->ok(c->replies);
    return;
  }
  if (opts.lease != 0) {
    c->lease = opts.lease;
    c->next();
    return;
  }
  ask(self, dev, opts.timeout, atom::acquire_v, opts.lease_ttl_ms)
    .then(
      [c](uint64_t lease) {
        c->lease = lease;
        c->own_lease = true;
        c->next();
      },
      [c](caf::error& err) { c->fail(std::move(err)); });
}

/// Takes the device's write lock for `ttl_ms` (it expires on its own if
/// the caller dies); `ok` gets the lease id (`timeout`: as for `find`).
template <class Self>
void acquire(Self* self, const device_actor& dev, int64_t ttl_ms,
             std::function<void(uint64_t)> ok, fail_fn fail,
             caf::duration timeout = caf::duration{device_timeout}) {
  ask(self, dev, timeout, atom::acquire_v, ttl_ms)
    .then([ok{std::move(ok)}](uint64_t lease) { ok(lease); },
          [fail{std::move(fail)}](caf::error& err) { fail(std::move(err)); });
}

/// Gives a lease back (0: nothing to do).
template <class Self>
void release(Self* self, const device_actor& dev, uint64_t lease) {
  if (lease != 0)
    self->send(dev, atom::release_v, lease);
}

} // namespace rmcp::device_ops
