// Shows why ThreadSanitizer needs a CAF built with -fsanitize=thread (see
// docs/reliability.md#sanitizers). Correct code: a function-based actor
// reads a vector that the main thread wrote before sending the request.
// With Debian's uninstrumented libcaf_core, TSan sees no ordering between
// the write and the read, because the mailbox that provides it runs in the
// library. Not part of the build:
//
//   g++ -std=c++17 -O1 -g1 -fsanitize=thread tests/sanitizers/tsan_caf_probe.cpp \
//     -o /tmp/tsan_caf_probe -lcaf_core -pthread && /tmp/tsan_caf_probe

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

int main() {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 4);
  caf::actor_system sys{cfg};
  for (int round = 0; round < 50; ++round) {
    auto* v = new std::vector<int>(100, round);
    auto reader = sys.spawn([](caf::event_based_actor* self) -> caf::behavior {
      return {[=](uint64_t p) {
        auto* xs = reinterpret_cast<std::vector<int>*>(p);
        long sum = 0;
        for (int x : *xs)
          sum += x;
        delete xs;
        self->quit();
        return sum;
      }};
    });
    (*v)[0] = 7;
    caf::scoped_actor self{sys};
    self
      ->request(reader, std::chrono::seconds(10), reinterpret_cast<uint64_t>(v))
      .receive([](long) {}, [](caf::error&) {});
  }
}
