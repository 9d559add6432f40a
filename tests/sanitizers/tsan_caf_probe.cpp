// Shows why ThreadSanitizer needs a CAF built with -fsanitize=thread (see
// docs/reliability.md#sanitizers). Correct code: a function-based actor
// reads a vector that the main thread wrote before sending the request.
// With Debian's uninstrumented libcaf_core, TSan sees no ordering between
// the write and the read, because the mailbox that provides it runs in the
// library. Not part of the build. Against Debian's CAF (reports):
//
//   g++ -std=c++17 -O1 -g1 -fsanitize=thread tests/sanitizers/tsan_caf_probe.cpp \
//     -o /tmp/tsan_caf_probe -lcaf_core -pthread && /tmp/tsan_caf_probe
//
// Against the instrumented CAF that scripts/test --sanitize=thread builds
// (scripts/caf-tsan; no report):
//
//   caf=$PWD/build-tsan/caf-tsan; g++ -std=c++17 -O1 -g1 -fsanitize=thread \
//     tests/sanitizers/tsan_caf_probe.cpp -o /tmp/tsan_caf_probe \
//     -isystem $caf/include -L$caf/lib -Wl,-rpath,$caf/lib -lcaf_core \
//     -pthread && /tmp/tsan_caf_probe
//
// Either way, `/tmp/tsan_caf_probe race` must report the race it makes.

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

// With the argument `race`, the main thread also writes the vector after
// sending it, while the actor may be reading it: a real race, which TSan
// must report against either CAF (the control that the probe can fail).
int main(int argc, char** argv) {
  bool race = argc > 1 && std::string_view{argv[1]} == "race";
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
        self->quit();
        return sum;
      }};
    });
    (*v)[0] = 7;
    caf::scoped_actor self{sys};
    auto answer = self->request(reader, std::chrono::seconds(10),
                                reinterpret_cast<uint64_t>(v));
    if (race)
      for (auto& x : *v)
        x = round + 1;
    std::move(answer).receive([](long) {}, [](caf::error&) {});
    delete v;
  }
}
