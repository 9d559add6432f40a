#include "actors/quiet_clock.hpp"

#include <atomic>
#include <mutex>
#include <unordered_set>

#include <caf/detail/thread_safe_actor_clock.hpp>
#include <caf/policy/work_stealing.hpp>
#include <caf/scheduler/coordinator.hpp>

namespace rmcp {

/// CAF's work-stealing policy under a name of its own, so that its workers'
/// loop (below) can be this daemon's.
struct lean_stealing : caf::policy::work_stealing {};

} // namespace rmcp

/// A worker's loop as CAF's (take a job, resume it, requeue or release it),
/// without CAF's logger bookkeeping around each resume: CAF_PUSH_AID costs a
/// dynamic_cast of the resumed job to its actor type (a search of a deep
/// class hierarchy, about 1,200 instructions) and two calls into the
/// logger's thread-local state, at every resume, about six per tool call;
/// the actor id it records only labels CAF's own log lines, which this
/// daemon switches off (logger.verbosity quiet; CAF built with
/// CAF_LOG_LEVEL_QUIET). docs/benchmarks.md, "One GET at 16 in flight,
/// instruction by instruction".
template <>
void caf::scheduler::worker<rmcp::lean_stealing>::run() {
  for (;;) {
    auto job = policy_.dequeue(this);
    policy_.before_resume(this, job);
    auto res = job->resume(this, max_throughput_);
    policy_.after_resume(this, job);
    switch (res) {
      case resumable::resume_later:
        policy_.resume_job_later(this, job);
        break;
      case resumable::done:
        policy_.after_completion(this, job);
        intrusive_ptr_release(job);
        break;
      case resumable::awaiting_message:
        intrusive_ptr_release(job);
        break;
      case resumable::shutdown_execution_unit:
        policy_.after_completion(this, job);
        policy_.before_shutdown(this);
        return;
    }
  }
}

namespace rmcp {

namespace {

/// A thread_safe_actor_clock by type (the coordinator's clock() returns
/// one), forwarding every call to the coordinator's own clock, which its
/// timer thread runs; this object's own queue stays unused.
class quiet_clock : public caf::detail::thread_safe_actor_clock {
public:
  explicit quiet_clock(caf::detail::thread_safe_actor_clock& real)
    : real_(real) {
    // nop
  }

  time_point now() const noexcept override {
    return real_.now();
  }

  duration_type difference(caf::atom_value measurement, long units,
                           time_point t0,
                           time_point t1) const noexcept override {
    return real_.difference(measurement, units, t0, t1);
  }

  void set_ordinary_timeout(time_point t, caf::abstract_actor* self,
                            caf::atom_value type, uint64_t id) override {
    note(self);
    real_.set_ordinary_timeout(t, self, type, id);
  }

  void set_request_timeout(time_point t, caf::abstract_actor* self,
                           caf::message_id id) override {
    note(self);
    real_.set_request_timeout(t, self, id);
  }

  void set_multi_timeout(time_point t, caf::abstract_actor* self,
                         caf::atom_value type, uint64_t id) override {
    note(self);
    real_.set_multi_timeout(t, self, type, id);
  }

  void cancel_ordinary_timeout(caf::abstract_actor* self,
                               caf::atom_value type) override {
    real_.cancel_ordinary_timeout(self, type);
  }

  void cancel_request_timeout(caf::abstract_actor* self,
                              caf::message_id id) override {
    real_.cancel_request_timeout(self, id);
  }

  void cancel_timeouts(caf::abstract_actor* self) override {
    bool timed;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      timed = timed_.erase(self->id()) > 0;
    }
    if (timed) {
      ++passed;
      real_.cancel_timeouts(self);
    } else {
      ++dropped;
    }
  }

  void schedule_message(time_point t, caf::strong_actor_ptr receiver,
                        caf::mailbox_element_ptr content) override {
    real_.schedule_message(t, std::move(receiver), std::move(content));
  }

  void schedule_message(time_point t, caf::group target,
                        caf::strong_actor_ptr sender,
                        caf::message content) override {
    real_.schedule_message(t, std::move(target), std::move(sender),
                           std::move(content));
  }

  void cancel_all() override {
    real_.cancel_all();
  }

  std::atomic<uint64_t> passed{0};
  std::atomic<uint64_t> dropped{0};

private:
  void note(caf::abstract_actor* self) {
    std::lock_guard<std::mutex> guard{mtx_};
    timed_.insert(self->id());
  }

  caf::detail::thread_safe_actor_clock& real_;
  std::mutex mtx_;
  /// Actors that set a timeout and have not ended (an actor sets its own
  /// timeouts and ends once, so an id is added and removed in order).
  std::unordered_set<caf::actor_id> timed_;
};

class quiet_coordinator : public caf::scheduler::coordinator<lean_stealing> {
public:
  using super = caf::scheduler::coordinator<lean_stealing>;

  explicit quiet_coordinator(caf::actor_system& sys)
    : super(sys), quiet_(super::clock()) {
    // nop
  }

  quiet_clock& clock() noexcept override {
    return quiet_;
  }

private:
  quiet_clock quiet_;
};

} // namespace

void use_quiet_clock(caf::actor_system_config& cfg) {
  cfg.module_factories.push_back(
    [](caf::actor_system& sys) -> caf::actor_system::module* {
      return new quiet_coordinator(sys);
    });
}

quiet_clock_counts quiet_clock_counts_of(caf::actor_system& sys) {
  auto* q = dynamic_cast<quiet_clock*>(&sys.clock());
  if (!q)
    return {};
  return {q->passed.load(), q->dropped.load()};
}

} // namespace rmcp
