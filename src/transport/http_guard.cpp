#include "src/transport/http_guard.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "protocol/routeros_value.hpp"

namespace rmcp::transport {

namespace {

std::string lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty()
         && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

bool contains_star(const std::vector<std::string>& xs) {
  return std::find(xs.begin(), xs.end(), "*") != xs.end();
}

} // namespace

std::vector<std::string> split_list(std::string_view text) {
  return ros::to_list(text);
}

void split_host_port(std::string_view text, std::string& name,
                     std::string& port) {
  text = trim(text);
  port.clear();
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      name = lower(text);
      return;
    }
    name = lower(text.substr(0, close + 1));
    auto rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() == ':')
      port = std::string{rest.substr(1)};
    return;
  }
  auto colon = text.rfind(':');
  if (colon != std::string_view::npos
      && text.find(':') == colon) { // exactly one colon: name:port
    name = lower(text.substr(0, colon));
    port = std::string{text.substr(colon + 1)};
    return;
  }
  name = lower(text);
}

bool is_loopback_name(std::string_view name) {
  if (name == "localhost" || name == "[::1]" || name == "::1")
    return true;
  return name.rfind("127.", 0) == 0
         && name.find_first_not_of("0123456789.") == std::string_view::npos;
}

origin_policy::origin_policy(std::vector<std::string> hosts,
                             std::vector<std::string> origins) {
  any_host_ = contains_star(hosts);
  any_origin_ = contains_star(origins);
  for (auto& h : hosts)
    hosts_.push_back(lower(h));
  for (auto& o : origins) {
    auto x = lower(o);
    while (!x.empty() && x.back() == '/')
      x.pop_back();
    origins_.push_back(std::move(x));
  }
}

origin_policy origin_policy::from_lists(std::string_view hosts,
                                        std::string_view origins) {
  return origin_policy{split_list(hosts), split_list(origins)};
}

void origin_policy::allow_host(std::string name) {
  hosts_.push_back(lower(name));
}

std::string origin_policy::check_host(std::string_view host) const {
  if (any_host_)
    return {};
  if (trim(host).empty())
    return "the request has no Host header";
  std::string name;
  std::string port;
  split_host_port(host, name, port);
  if (is_loopback_name(name))
    return {};
  for (auto& allowed : hosts_) {
    std::string a_name;
    std::string a_port;
    split_host_port(allowed, a_name, a_port);
    if (a_name == name && (a_port.empty() || a_port == port))
      return {};
  }
  return "Host '" + std::string{host}
         + "' is not allowed (DNS-rebinding protection); add it to "
           "http.allowed_hosts";
}

std::string origin_policy::check_origin(std::string_view origin) const {
  origin = trim(origin);
  if (origin.empty() || any_origin_)
    return {};
  auto x = lower(origin);
  while (!x.empty() && x.back() == '/')
    x.pop_back();
  auto scheme_end = x.find("://");
  if (scheme_end != std::string::npos) {
    auto scheme = x.substr(0, scheme_end);
    std::string name;
    std::string port;
    split_host_port(std::string_view{x}.substr(scheme_end + 3), name, port);
    if ((scheme == "http" || scheme == "https") && is_loopback_name(name))
      return {};
  }
  if (std::find(origins_.begin(), origins_.end(), x) != origins_.end())
    return {};
  return "Origin '" + std::string{origin}
         + "' is not allowed (DNS-rebinding protection); add it to "
           "http.allowed_origins";
}

accept_set parse_accept(std::string_view accept) {
  accept_set out;
  if (trim(accept).empty())
    return {true, true};
  for (auto& item : split_list(accept)) {
    std::string_view range{item};
    auto semi = range.find(';');
    auto params =
      semi == std::string_view::npos ? std::string_view{} : range.substr(semi);
    range = trim(range.substr(0, semi));
    // "q=0" means "not acceptable".
    auto q = lower(params);
    auto qpos = q.find("q=");
    if (qpos != std::string::npos) {
      auto value = q.substr(qpos + 2);
      if (std::strtod(value.c_str(), nullptr) <= 0)
        continue;
    }
    auto type = lower(range);
    if (type == "*/*") {
      out.json = out.event_stream = true;
    } else if (type == "application/json" || type == "application/*") {
      out.json = true;
    } else if (type == "text/event-stream" || type == "text/*") {
      out.event_stream = true;
    }
  }
  return out;
}

bool media_type_is(std::string_view content_type, std::string_view type) {
  auto semi = content_type.find(';');
  return lower(trim(content_type.substr(0, semi))) == lower(type);
}

token_bucket::token_bucket(double rate, double burst, clock::time_point now)
  : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {
  // nop
}

bool token_bucket::take(clock::time_point now) {
  if (now > last_) {
    std::chrono::duration<double> elapsed = now - last_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    last_ = now;
  }
  if (tokens_ < 1.0)
    return false;
  tokens_ -= 1.0;
  return true;
}

int token_bucket::retry_after_seconds() const {
  if (rate_ <= 0)
    return 60;
  return std::max(1, static_cast<int>(std::ceil((1.0 - tokens_) / rate_)));
}

} // namespace rmcp::transport
