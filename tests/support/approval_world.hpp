#pragma once

// The storage behind plan approval tests: a memory device store with two
// routers (r1 at site fra, r2 at site ams), its key-value store and a plan
// store whose approvals live a minute; pending plans made in one call, and
// identities in one expression.

#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "protocol/identity.hpp"
#include "storage/device_store.hpp"
#include "storage/plan_store.hpp"

namespace rmcp::test {

struct approval_world {
  approval_world()
    : key(*storage::credential_key::parse(std::string(64, '7'))),
      devices(*storage::open_memory_device_store(key)), kv(devices->kv()) {
    storage::plan_store_options opts;
    opts.approval_ttl_ms = 60'000;
    plan_db = std::make_shared<storage::plan_store>(kv, key, opts);
    for (auto [id, site] : {std::pair{"r1", "fra"}, std::pair{"r2", "ams"}}) {
      device_record rec;
      rec.id = id;
      rec.host = "127.0.0.1";
      rec.username = "admin";
      rec.tags = {{"site", site}};
      EXPECT_FALSE(devices->put_device(rec));
    }
  }

  /// A pending DNS plan of `creator` on `device`; `scoped` false: one
  /// stored before creators' scopes were recorded.
  std::string create(const std::string& creator,
                     const std::string& device = "r1", bool scoped = true,
                     bool hand_to_apply = false) {
    plan_record p;
    p.hand_to_apply = hand_to_apply;
    p.kind = "dns_ntp";
    p.tool = "plan_dns_ntp_rollout";
    p.apply_tool = "apply_dns_ntp_rollout";
    p.created_by = creator;
    p.environment = "lab";
    p.params = {{"dns_servers", {"1.1.1.1"}}};
    p.batches = {{device}};
    p.creator_scope_known = scoped;
    plan_device d;
    d.id = device;
    p.devices.push_back(d);
    auto made = plan_db->create(p);
    EXPECT_TRUE(made) << error_message(made.error());
    return made ? made->id : std::string{};
  }

  static identity as(std::string subject, std::string role,
                     std::string transport = "cli") {
    identity who;
    who.subject = std::move(subject);
    who.role = std::move(role);
    who.transport = std::move(transport);
    return who;
  }

  storage::credential_key key;
  std::shared_ptr<storage::device_store> devices;
  std::shared_ptr<storage::kv_store> kv;
  std::shared_ptr<storage::plan_store> plan_db;
};

} // namespace rmcp::test
