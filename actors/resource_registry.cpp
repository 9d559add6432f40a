#include "actors/resource_registry.hpp"

#include <memory>

#include <caf/stateful_actor.hpp>

#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

namespace {

/// Splits a template into literal text and variable names; false when
/// braces are unbalanced or a variable is not a whole path segment.
bool parse_template(const std::string& tpl,
                    std::vector<std::pair<bool, std::string>>& parts) {
  size_t pos = 0;
  while (pos < tpl.size()) {
    auto open = tpl.find('{', pos);
    if (open == std::string::npos) {
      parts.emplace_back(false, tpl.substr(pos));
      break;
    }
    if (open > pos)
      parts.emplace_back(false, tpl.substr(pos, open - pos));
    auto close = tpl.find('}', open);
    if (close == std::string::npos || close == open + 1)
      return false;
    auto name = tpl.substr(open + 1, close - open - 1);
    if (name.find_first_of("{/") != std::string::npos)
      return false;
    if (!parts.empty() && parts.back().first)
      return false; // two variables in a row cannot be split
    parts.emplace_back(true, std::move(name));
    pos = close + 1;
  }
  return true;
}

} // namespace

caf::error resource_registry::add(resource_spec spec,
                                  resource_handler handler) {
  auto bad = [&](const std::string& why) {
    return make_error(ec::internal_error,
                      "resource '" + spec.uri_template + "': " + why);
  };
  if (frozen_)
    return bad("the registry is frozen");
  std::vector<std::pair<bool, std::string>> parts;
  if (spec.uri_template.find("://") == std::string::npos
      || !parse_template(spec.uri_template, parts))
    return bad("malformed URI template");
  if (spec.name.empty() || spec.description.empty() || !handler)
    return bad("name, description and handler are required");
  for (auto& e : entries_)
    if (e.spec.uri_template == spec.uri_template || e.spec.name == spec.name)
      return bad("duplicate template or name");
  entries_.push_back({std::move(spec), std::move(handler)});
  return caf::none;
}

std::optional<resource_registry::match>
resource_registry::find(std::string_view uri) const {
  for (auto& e : entries_) {
    std::vector<std::pair<bool, std::string>> parts;
    parse_template(e.spec.uri_template, parts);
    match m{&e, {}};
    size_t pos = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < parts.size(); ++i) {
      auto& [variable, text] = parts[i];
      if (!variable) {
        ok = uri.substr(pos, text.size()) == text;
        pos += text.size();
        continue;
      }
      // A variable runs to the next literal (or the end), within a segment.
      auto end = uri.size();
      if (i + 1 < parts.size()) {
        end = uri.find(parts[i + 1].second, pos);
        if (end == std::string_view::npos)
          end = uri.size() + 1;
      }
      if (end > uri.size() || end == pos) {
        ok = false;
        break;
      }
      auto value = uri.substr(pos, end - pos);
      if (value.find('/') != std::string_view::npos) {
        ok = false;
        break;
      }
      m.params[text] = std::string{value};
      pos = end;
    }
    if (ok && pos == uri.size())
      return m;
  }
  return std::nullopt;
}

// -- resource_read ------------------------------------------------------------------

resource_read::resource_read(caf::event_based_actor* self, services_ptr svc,
                             std::string uri,
                             std::map<std::string, std::string> params,
                             caf::response_promise promise, identity caller)
  : self_(self), svc_(std::move(svc)), uri_(std::move(uri)),
    params_(std::move(params)), promise_(std::move(promise)),
    caller_(std::move(caller)) {
  // nop
}

std::string resource_read::param(const std::string& name) const {
  auto i = params_.find(name);
  return i == params_.end() ? std::string{} : i->second;
}

void resource_read::finish(const json& content) {
  if (finished_)
    return;
  finished_ = true;
  promise_.deliver(json(dump_json(content)));
  self_->quit();
}

void resource_read::fail(caf::error err) {
  if (finished_)
    return;
  finished_ = true;
  promise_.deliver(std::move(err));
  self_->quit();
}

void resource_read::abandon(caf::error err) {
  if (finished_)
    return;
  finished_ = true;
  promise_.deliver(std::move(err));
}

namespace {

struct read_state {
  static inline const char* name = "rmcp.resource-read";
  std::unique_ptr<resource_read> read;

  ~read_state() {
    if (read)
      read->abandon(make_error(ec::internal_error,
                               "the resource read stopped without a result"));
  }
};

caf::behavior read_actor(caf::stateful_actor<read_state>* self,
                         resource_handler handler, std::string uri,
                         std::map<std::string, std::string> params,
                         services_ptr svc, identity caller) {
  return {
    [=](atom::run) mutable -> caf::result<json> {
      auto promise = self->make_response_promise();
      self->state.read = std::make_unique<resource_read>(
        self, std::move(svc), std::move(uri), std::move(params), promise,
        std::move(caller));
      try {
        handler(*self->state.read);
      } catch (const std::exception& e) {
        log::error(log::mcp(), "resource-exception",
                   {{"uri", self->state.read->uri()}, {"what", e.what()}});
        self->state.read->fail(
          make_error(ec::internal_error,
                     std::string{"reading the resource failed unexpectedly: "}
                       + e.what()));
      }
      return caf::delegated<json>{};
    },
  };
}

} // namespace

caf::actor spawn_resource_read(caf::local_actor* parent,
                               resource_handler handler, std::string uri,
                               std::map<std::string, std::string> params,
                               services_ptr svc, identity caller) {
  return parent->spawn(read_actor, std::move(handler), std::move(uri),
                       std::move(params), std::move(svc), std::move(caller));
}

} // namespace rmcp
