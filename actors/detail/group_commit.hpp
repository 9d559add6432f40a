#pragma once

// Group commit for the store actors (store_actor.cpp: health samples and
// audit records; plan_actor.cpp: rollout steps). Every LMDB commit waits
// for the disk, so writes that arrive together are buffered and written in
// one transaction; each caller is answered only after that commit, so what
// it was told is durable. The owning actor flushes when it reaches the
// `(flush)` it sent itself behind every message already queued, before any
// other request (so every request observes the writes before it), when the
// buffer is full, and on a regular exit.

#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/typed_response_promise.hpp>

#include "protocol/error.hpp"
#include "protocol/type_ids.hpp"

namespace rmcp::detail {

/// Buffered writes of `Item`, each answered with a `Reply`.
template <class Item, class Reply>
class group_commit {
public:
  using promise_type = caf::typed_response_promise<Reply>;

  /// Writes in one transaction at most.
  static constexpr size_t max_batch = 1000;

  /// Buffers `item`, to be answered through `promise`; true when the
  /// buffer is now full and the owner should flush at once.
  bool add(Item item, promise_type promise) {
    pending_.push_back({std::move(item), std::move(promise)});
    return pending_.size() >= max_batch;
  }

  /// Writes the buffered items with `write(std::vector<Item>)`, which
  /// returns either an error for all of them or one result per item in
  /// order (a Reply, a caf::expected<Reply>, or for Reply = atom::ok a
  /// caf::error), and answers every caller.
  template <class Write>
  void flush(Write&& write) {
    if (pending_.empty())
      return;
    auto batch = std::move(pending_);
    pending_.clear();
    std::vector<Item> items;
    items.reserve(batch.size());
    for (auto& p : batch)
      items.push_back(std::move(p.item));
    auto results = write(std::move(items));
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!results)
        batch[i].promise.deliver(results.error());
      else if (i >= results->size())
        batch[i].promise.deliver(make_error(ec::store_failure,
                                            "store answered fewer results than "
                                            "writes"));
      else
        answer(batch[i].promise, std::move((*results)[i]));
    }
  }

private:
  struct pending {
    Item item;
    promise_type promise;
  };

  static void answer(promise_type& p, Reply&& x) {
    p.deliver(std::move(x));
  }

  static void answer(promise_type& p, caf::expected<Reply>&& x) {
    if (x)
      p.deliver(std::move(*x));
    else
      p.deliver(std::move(x.error()));
  }

  /// An error-or-nothing result of a write answered with `ok`.
  template <class R = Reply>
  static auto answer(promise_type& p, caf::error&& err)
    -> std::enable_if_t<std::is_same<R, atom::ok>::value> {
    if (err)
      p.deliver(std::move(err));
    else
      p.deliver(atom::ok_v);
  }

  std::vector<pending> pending_;
};

} // namespace rmcp::detail
