#include "src/tools/write_flow.hpp"

#include <chrono>
#include <memory>

#include "actors/device_ops.hpp"

#include "protocol/audit.hpp"
#include "protocol/error.hpp"
#include "protocol/redact.hpp"

namespace rmcp::tools {

namespace {

/// How long a write may hold the device's write lock; the lease expires on
/// its own if the call dies (cancelled, deadline) before releasing it.
constexpr int64_t lease_ttl_ms = 30'000;

/// Deadline of the audit append when the call's spawner does not bound the
/// call (tool_call::wait).
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
    json out{{"device_id", id()},  {"dry_run", dry_run},
             {"changed", changed}, {"planned_changes", plan.changes},
             {"before", before},   {"warnings", plan.warnings}};
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
    text = std::string{out["dry_run"].get<bool>()   ? "Dry run on "
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
    auto self = shared_from_this();
    device_ops::read_all(
      call.self(), dev.actor, spec.reads,
      [self, next](std::vector<json>& bodies) {
        next(self->spec.state(bodies));
      },
      [self](caf::error err) {
        self->release();
        self->call.fail(std::move(err));
      },
      device_ops::read_options{
        false, lease, call.context(),
        [self](const rest_response& r) { self->call.note_transport(r); },
        wait()});
  }

  void release() {
    device_ops::release(call.self(), dev.actor, lease);
    lease = 0;
  }

  /// The timeout of a request to the device actor (tool_call::wait).
  caf::duration wait() const {
    return call.wait(device_ops::device_timeout);
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
    device_ops::acquire(
      call.self(), dev.actor, lease_ttl_ms,
      [self](uint64_t lease_id) {
        self->lease = lease_id;
        self->read_state(
          [self](json state) { self->planned(std::move(state)); });
      },
      [self](caf::error err) { self->call.fail(std::move(err)); }, wait());
  }

  /// Under the lease, with the state before: plan, then apply or answer.
  void planned(json state) {
    before = std::move(state);
    if (!make_plan())
      return;
    if (plan.requests.empty()) {
      release();
      finish(result(false, false));
      return;
    }
    record_intent();
  }

  /// Before the first write: a durable "started" record, so that a daemon
  /// killed between the router's answer and the final record leaves a trail
  /// that names the change the router may hold. No record, no write.
  void record_intent() {
    auto rec = base_record();
    rec.outcome = "started";
    auto self = shared_from_this();
    call.self()
      ->request(call.svc().store, call.wait(audit_timeout), atom::put_v,
                std::move(rec))
      .then([self](uint64_t) { self->apply(); },
            [self](caf::error& err) {
              self->release();
              self->call.fail(ec::store_failure,
                              "nothing was written to device " + self->id()
                                + ": the audit trail did not record the "
                                  "change before it: "
                                + error_message(err));
            });
  }

  /// The plan's requests in order, under the lease the flow holds.
  void apply() {
    auto self = shared_from_this();
    device_ops::write_all(
      call.self(), dev.actor, plan.requests,
      [self](std::vector<rest_response>& replies) {
        for (auto& r : replies)
          self->call.note_transport(r);
        self->replies = std::move(replies);
        self->read_after(caf::none);
      },
      [self](caf::error err) { self->read_after(std::move(err)); },
      device_ops::write_options{lease, device_ops::default_lease_ttl_ms,
                                call.context(), wait()});
  }

  /// Reads the state after the writes (also after a failed one: RouterOS
  /// may have applied it anyway), then records and answers. A failed read
  /// leaves `after` null.
  void read_after(caf::error failure) {
    auto self = shared_from_this();
    device_ops::read_all(
      call.self(), dev.actor, spec.reads,
      [self, failure](std::vector<json>& bodies) {
        self->release();
        self->after = self->spec.state(bodies);
        self->record(failure);
      },
      [self, failure](caf::error) {
        self->release();
        self->record(failure);
      },
      device_ops::read_options{
        false, lease, call.context(),
        [self](const rest_response& r) { self->call.note_transport(r); },
        wait()});
  }

  /// The change record of this call, without outcome and result.
  audit_record base_record() const {
    audit_record rec;
    rec.kind = audit_kind::change;
    rec.actor = call.caller().subject;
    rec.role = call.caller().role;
    rec.transport = call.caller().transport;
    rec.tool = call.tool().spec.name;
    rec.device_id = id();
    rec.request_id = call.setup().request_id;
    rec.devices = {id()};
    rec.arguments = redact_json(call.args());
    rec.before = before;
    return rec;
  }

  void record(caf::error failure) {
    auto rec = base_record();
    rec.outcome = failure ? "failed" : "applied";
    rec.after = after;
    if (failure)
      rec.error =
        to_string(error_code_of(failure)) + ": " + error_message(failure);
    auto self = shared_from_this();
    call.self()
      ->request(call.svc().store, call.wait(audit_timeout), atom::put_v,
                std::move(rec))
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
          self->call.fail(ec::store_failure,
                          std::string{"the write "}
                            + (failure
                                 ? "failed (" + error_message(failure) + ")"
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

json change(json from, json to) {
  return {{"from", std::move(from)}, {"to", std::move(to)}};
}

} // namespace rmcp::tools
