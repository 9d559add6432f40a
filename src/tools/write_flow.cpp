#include "src/tools/write_flow.hpp"

#include <chrono>
#include <memory>

#include "protocol/audit.hpp"
#include "protocol/redact.hpp"
#include "protocol/error.hpp"

namespace rmcp::tools {

namespace {

/// How long a write may hold the device's write lock; the lease expires on
/// its own if the call dies (cancelled, deadline) before releasing it.
constexpr int64_t lease_ttl_ms = 30'000;

/// Deadline of the audit append.
constexpr auto audit_timeout = std::chrono::seconds{10};

struct flow : std::enable_shared_from_this<flow> {
  flow(tool_call& c, device_handle d, write_spec s)
    : call(c), dev(std::move(d)), spec(std::move(s)) {
    // nop
  }

  tool_call& call;
  device_handle dev;
  write_spec spec;
  uint64_t lease = 0;
  json before;
  json after;
  write_plan plan;
  std::vector<rest_response> replies;

  const std::string& id() const {
    return dev.view.record.id;
  }

  json result(bool dry_run, bool changed) const {
    json out{{"device_id", id()},
             {"dry_run", dry_run},
             {"changed", changed},
             {"planned_changes", plan.changes},
             {"before", before},
             {"warnings", plan.warnings}};
    if (dry_run)
      out["would_change"] = !plan.requests.empty();
    if (!after.is_null())
      out["after"] = after;
    return out;
  }

  void finish(json out) {
    std::string text;
    if (spec.summary)
      text = spec.summary(out);
    text = std::string{out["dry_run"].get<bool>() ? "Dry run on "
                       : out["changed"].get<bool>() ? "Changed on "
                                                    : "No change needed on "}
           + id() + ": " + text;
    for (auto& w : plan.warnings)
      text += "\nwarning: " + w;
    call.finish({std::move(out), std::move(text), false});
  }

  // -- steps ------------------------------------------------------------------

  /// GETs `spec.reads` (under the lease, if any) and hands the typed state
  /// to `next`; a failure fails the call (after releasing).
  void read_state(std::function<void(json)> next) {
    struct join {
      std::vector<json> bodies;
      size_t pending = 0;
      bool failed = false;
    };
    auto j = std::make_shared<join>();
    j->bodies.resize(spec.reads.size());
    j->pending = spec.reads.size();
    auto self = shared_from_this();
    if (spec.reads.empty()) {
      next(spec.state(j->bodies));
      return;
    }
    for (size_t i = 0; i < spec.reads.size(); ++i) {
      auto req = get_request(spec.reads[i]);
      req.lease = lease;
      call.self()
        ->request(dev.actor, device_timeout, atom::exec_v, std::move(req))
        .then(
          [self, j, i, next](rest_response& resp) {
            if (j->failed)
              return;
            j->bodies[i] = std::move(resp.body);
            if (--j->pending == 0)
              next(self->spec.state(j->bodies));
          },
          [self, j](caf::error& err) {
            if (j->failed)
              return;
            j->failed = true;
            self->release();
            self->call.fail(std::move(err));
          });
    }
  }

  void release() {
    if (lease != 0)
      call.self()->send(dev.actor, atom::release_v, lease);
    lease = 0;
  }

  bool make_plan() {
    auto planned = spec.plan(before);
    if (!planned) {
      release();
      call.fail(std::move(planned.error()));
      return false;
    }
    plan = std::move(*planned);
    return true;
  }

  void dry_run() {
    auto self = shared_from_this();
    read_state([self](json state) {
      self->before = std::move(state);
      if (self->make_plan())
        self->finish(self->result(true, false));
    });
  }

  void start() {
    if (!call.svc().store) {
      call.fail(ec::unsupported, "writes need the audit trail, and this "
                                 "service has no store configured");
      return;
    }
    auto self = shared_from_this();
    call.self()
      ->request(dev.actor, device_timeout, atom::acquire_v, lease_ttl_ms)
      .then(
        [self](uint64_t lease_id) {
          self->lease = lease_id;
          self->read_state([self](json state) {
            self->before = std::move(state);
            if (!self->make_plan())
              return;
            if (self->plan.requests.empty()) {
              self->release();
              self->finish(self->result(false, false));
              return;
            }
            self->apply(0);
          });
        },
        [self](caf::error& err) { self->call.fail(std::move(err)); });
  }

  void apply(size_t index) {
    if (index == plan.requests.size()) {
      read_after(caf::none);
      return;
    }
    auto req = plan.requests[index];
    req.lease = lease;
    auto self = shared_from_this();
    call.self()
      ->request(dev.actor, device_timeout, atom::exec_v, std::move(req))
      .then(
        [self, index](rest_response& resp) {
          self->replies.push_back(std::move(resp));
          self->apply(index + 1);
        },
        [self](caf::error& err) { self->read_after(std::move(err)); });
  }

  /// Reads the state after the writes (also after a failed one: RouterOS
  /// may have applied it anyway), then records and answers.
  void read_after(caf::error failure) {
    auto self = shared_from_this();
    auto j = std::make_shared<size_t>(spec.reads.size());
    auto bodies = std::make_shared<std::vector<json>>(spec.reads.size());
    auto done = [self, failure, bodies](bool ok) mutable {
      self->release();
      if (ok)
        self->after = self->spec.state(*bodies);
      self->record(std::move(failure));
    };
    if (spec.reads.empty()) {
      done(true);
      return;
    }
    for (size_t i = 0; i < spec.reads.size(); ++i) {
      auto req = get_request(spec.reads[i]);
      req.lease = lease;
      call.self()
        ->request(dev.actor, device_timeout, atom::exec_v, std::move(req))
        .then(
          [j, i, bodies, done](rest_response& resp) mutable {
            (*bodies)[i] = std::move(resp.body);
            if (*j > 0 && --*j == 0)
              done(true);
          },
          [j, done](caf::error&) mutable {
            if (*j > 0) {
              *j = 0;
              done(false);
            }
          });
    }
  }

  void record(caf::error failure) {
    audit_record rec;
    rec.kind = audit_kind::change;
    rec.actor = call.caller().subject;
    rec.role = call.caller().role;
    rec.transport = call.caller().transport;
    rec.tool = call.tool().spec.name;
    rec.device_id = id();
    rec.devices = {id()};
    rec.outcome = failure ? "failed" : "applied";
    rec.arguments = redact_json(call.args());
    rec.before = before;
    rec.after = after;
    if (failure)
      rec.error = to_string(error_code_of(failure)) + ": "
                  + error_message(failure);
    auto self = shared_from_this();
    call.self()
      ->request(call.svc().store, audit_timeout, atom::put_v, std::move(rec))
      .then(
        [self, failure](uint64_t seq) {
          if (failure) {
            self->call.fail(failure);
            return;
          }
          auto out = self->result(false, true);
          out["audit_seq"] = seq;
          if (self->spec.report)
            self->spec.report(self->replies, out);
          self->finish(std::move(out));
        },
        [self, failure](caf::error& err) {
          // The change is on the router but not in the trail: say so
          // loudly instead of pretending either way.
          self->call.fail(
            ec::store_failure,
            std::string{"the write "}
              + (failure ? "failed (" + error_message(failure) + ")"
                         : "was applied")
              + " on device " + self->id()
              + " but could not be recorded in the audit trail: "
              + error_message(err));
        });
  }
};

} // namespace

void run_write(tool_call& call, const device_handle& dev, write_spec spec) {
  auto f = std::make_shared<flow>(call, dev, std::move(spec));
  if (call.arg<bool>("dry_run", false))
    f->dry_run();
  else
    f->start();
}

json write_output_schema(json extra) {
  json any_object{{"type", "object"}};
  json props{{"device_id", {{"type", "string"}}},
             {"dry_run", {{"type", "boolean"}}},
             {"changed", {{"type", "boolean"}}},
             {"would_change", {{"type", "boolean"}}},
             {"planned_changes", any_object},
             {"before", any_object},
             {"after", any_object},
             {"warnings", {{"type", "array"}, {"items", {{"type", "string"}}}}},
             {"audit_seq", {{"type", "integer"}}}};
  for (auto& [name, schema] : extra.items())
    props[name] = schema;
  return {{"type", "object"},
          {"properties", std::move(props)},
          {"required", {"device_id", "dry_run", "changed", "planned_changes"}}};
}

namespace {

rest_request make_request(const char* method, std::string path, json body) {
  rest_request req;
  req.method = method;
  req.path = std::move(path);
  req.body = std::move(body);
  return req;
}

} // namespace

rest_request post_request(std::string path, json body) {
  return make_request("POST", std::move(path), std::move(body));
}

rest_request put_request(std::string path, json body) {
  return make_request("PUT", std::move(path), std::move(body));
}

rest_request patch_request(std::string path, json body) {
  return make_request("PATCH", std::move(path), std::move(body));
}

rest_request delete_request(std::string path) {
  return make_request("DELETE", std::move(path), nullptr);
}

json change(json from, json to) {
  return {{"from", std::move(from)}, {"to", std::move(to)}};
}

} // namespace rmcp::tools
