#pragma once

// MCP resources: the table of resource templates (filled at start-up from
// src/resources/, then frozen) and the short-lived actor that runs one
// resources/read.
//
// URI templates are RFC 6570 level 1 with whole-segment variables
// ("device://{device_id}/health"); a template without variables is a
// concrete resource (listed by resources/list), the others are listed by
// resources/templates/list. A read handler runs inside its own actor like a
// tool handler: it may request other actors and finish later.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>

#include "actors/services.hpp"
#include "protocol/identity.hpp"
#include "protocol/json.hpp"

namespace rmcp {

struct resource_spec {
  std::string uri_template;
  /// Identifier (resources and templates have a name).
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type = "application/json";
  /// resources/subscribe accepts it; resources/updated follows health
  /// changes of the device it names (or of any device for fleet URIs).
  bool subscribable = false;
};

class resource_read;

/// Reads one resource. Must eventually call `read.finish(...)` or
/// `read.fail(...)`.
using resource_handler = std::function<void(resource_read& read)>;

struct resource_entry {
  resource_spec spec;
  resource_handler handler;

  bool concrete() const {
    return spec.uri_template.find('{') == std::string::npos;
  }
};

class resource_registry {
public:
  /// Adds a template; fails (internal_error) for a duplicate, a malformed
  /// template, a missing name, description or handler, or when frozen.
  caf::error add(resource_spec spec, resource_handler handler);

  void freeze() noexcept {
    frozen_ = true;
  }

  struct match {
    const resource_entry* entry = nullptr;
    std::map<std::string, std::string> params;
  };

  /// The entry whose template matches `uri` (variables bind one non-empty
  /// segment without '/'), or nullopt.
  std::optional<match> find(std::string_view uri) const;

  const std::vector<resource_entry>& all() const noexcept {
    return entries_;
  }

private:
  bool frozen_ = false;
  std::vector<resource_entry> entries_;
};

/// The context of one resources/read.
class resource_read {
public:
  resource_read(caf::event_based_actor* self, services_ptr svc, std::string uri,
                std::map<std::string, std::string> params,
                caf::response_promise promise, identity caller = {});

  caf::event_based_actor* self() const noexcept {
    return self_;
  }

  const services& svc() const noexcept {
    return *svc_;
  }

  /// The shared handle (for nested tool calls).
  const services_ptr& svc_ptr() const noexcept {
    return svc_;
  }

  const std::string& uri() const noexcept {
    return uri_;
  }

  /// Who reads: handlers listing devices show only the caller's scope.
  const identity& caller() const noexcept {
    return caller_;
  }

  /// The value bound to a template variable ("" when absent).
  std::string param(const std::string& name) const;

  /// Every template variable and its value.
  const std::map<std::string, std::string>& params() const noexcept {
    return params_;
  }

  /// Delivers the content (serialised as the resource's text).
  void finish(const json& content);

  /// Delivers a failure (device_not_found and resource_not_found become
  /// -32002 for the client).
  void fail(caf::error err);

  bool finished() const noexcept {
    return finished_;
  }

  /// Delivers `err` if nothing was delivered yet, without stopping the
  /// actor (used when the hosting actor terminates).
  void abandon(caf::error err);

private:
  caf::event_based_actor* self_;
  services_ptr svc_;
  std::string uri_;
  std::map<std::string, std::string> params_;
  caf::response_promise promise_;
  identity caller_;
  bool finished_ = false;
};

/// Spawns the actor of one read; `(run)` answers the content text.
caf::actor spawn_resource_read(caf::local_actor* parent,
                               resource_handler handler, std::string uri,
                               std::map<std::string, std::string> params,
                               services_ptr svc, identity caller = {});

} // namespace rmcp
