#include "protocol/log.hpp"

#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace rmcp::log {

namespace {

/// Hands records to the MCP layer (see set_forwarder).
class forward_sink : public spdlog::sinks::base_sink<std::mutex> {
public:
  void set(forward_fn fn) {
    std::lock_guard<std::mutex> guard{fn_mtx_};
    fn_ = std::move(fn);
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    forward_fn fn;
    {
      std::lock_guard<std::mutex> guard{fn_mtx_};
      fn = fn_;
    }
    if (fn)
      fn(msg.level, std::string{msg.logger_name.begin(), msg.logger_name.end()},
         std::string{msg.payload.begin(), msg.payload.end()});
  }

  void flush_() override {
    // nop
  }

private:
  std::mutex fn_mtx_;
  forward_fn fn_;
};

/// `%*`: the payload as a JSON string body (quotes and control characters
/// escaped), for the json log format.
class json_payload_flag : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (char c : msg.payload) {
      switch (c) {
        case '"':
          dest.append(std::string_view{"\\\""});
          break;
        case '\\':
          dest.append(std::string_view{"\\\\"});
          break;
        case '\n':
          dest.append(std::string_view{"\\n"});
          break;
        case '\r':
          dest.append(std::string_view{"\\r"});
          break;
        case '\t':
          dest.append(std::string_view{"\\t"});
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04x", c);
            dest.append(std::string_view{buf});
          } else {
            dest.push_back(c);
          }
      }
    }
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<json_payload_flag>();
  }
};

struct registry {
  std::mutex mtx;
  std::shared_ptr<spdlog::sinks::stderr_sink_mt> console =
    std::make_shared<spdlog::sinks::stderr_sink_mt>();
  std::shared_ptr<forward_sink> forward = std::make_shared<forward_sink>();
  settings cfg;

  registry() {
    forward->set_level(spdlog::level::off);
    apply_format();
  }

  void apply_format() {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    if (cfg.output == format::json) {
      f->add_flag<json_payload_flag>('*').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","component":"%n","msg":"%*"})");
    } else {
      f->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %-5l %-7n %v");
    }
    console->set_formatter(std::move(f));
    forward->set_pattern("%v");
  }

  std::shared_ptr<spdlog::logger> get(const std::string& name) {
    std::lock_guard<std::mutex> guard{mtx};
    if (auto existing = spdlog::get(name))
      return existing;
    auto logger = std::make_shared<spdlog::logger>(
      name, spdlog::sinks_init_list{console, forward});
    logger->set_level(cfg.level);
    logger->flush_on(spdlog::level::warn);
    spdlog::register_logger(logger);
    return logger;
  }
};

registry& reg() {
  static registry instance;
  return instance;
}

} // namespace

void init(const settings& cfg) {
  auto& r = reg();
  {
    std::lock_guard<std::mutex> guard{r.mtx};
    r.cfg = cfg;
    r.apply_format();
  }
  spdlog::apply_all(
    [&](std::shared_ptr<spdlog::logger> l) { l->set_level(cfg.level); });
}

bool parse_level(const std::string& text, spdlog::level::level_enum& out) {
  static const std::pair<const char*, spdlog::level::level_enum> levels[] = {
    {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
    {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
    {"off", spdlog::level::off}};
  for (auto& [name, level] : levels) {
    if (text == name) {
      out = level;
      return true;
    }
  }
  return false;
}

std::shared_ptr<spdlog::logger> core() {
  return reg().get("core");
}
std::shared_ptr<spdlog::logger> mcp() {
  return reg().get("mcp");
}
std::shared_ptr<spdlog::logger> http() {
  return reg().get("http");
}
std::shared_ptr<spdlog::logger> fleet() {
  return reg().get("fleet");
}
std::shared_ptr<spdlog::logger> router() {
  return reg().get("router");
}
std::shared_ptr<spdlog::logger> store() {
  return reg().get("store");
}
std::shared_ptr<spdlog::logger> rollout() {
  return reg().get("rollout");
}
std::shared_ptr<spdlog::logger> audit() {
  return reg().get("audit");
}
std::shared_ptr<spdlog::logger> cli() {
  return reg().get("cli");
}

void set_forwarder(forward_fn fn) {
  reg().forward->set(std::move(fn));
}

void set_forward_level(spdlog::level::level_enum level) {
  reg().forward->set_level(level);
}

} // namespace rmcp::log
