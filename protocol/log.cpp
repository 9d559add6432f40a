#include "protocol/log.hpp"

#include <sys/stat.h>
#include <sys/uio.h>

#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <systemd/sd-journal.h>

#include "protocol/redact.hpp"

namespace rmcp::log {

namespace {

/// The fields of the event being written on this thread. spdlog's loggers
/// are synchronous: every sink formats inside `logger::log`, on the thread
/// that called `event`, while this points at the caller's fields.
thread_local const fields* current_fields = nullptr;

/// An empty string field is left out of every format: call sites pass
/// optional values (no device, no error) without branching.
bool skipped(const field& f) {
  return f.type() == field::kind::string && f.str().empty();
}

/// A string value as it may appear in a log: secrets redacted.
std::string safe_value(const field& f) {
  if (is_secret_key(f.key()))
    return std::string{redacted_value};
  return redact_text(f.str());
}

void append_json_string(spdlog::memory_buf_t& dest, std::string_view text) {
  for (char c : text) {
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

/// The value of a number or boolean field as text (JSON and `key=value`
/// alike).
std::string scalar_text(const field& f) {
  switch (f.type()) {
    case field::kind::integer:
      return std::to_string(f.integer());
    case field::kind::unsigned_integer:
      return std::to_string(f.unsigned_integer());
    case field::kind::floating:
      return fmt::format("{}", f.floating());
    case field::kind::boolean:
      return f.boolean() ? "true" : "false";
    case field::kind::string:
      break;
  }
  return {};
}

/// `%*`: the payload (the event id) as a JSON string body.
class json_payload_flag : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    append_json_string(
      dest, std::string_view{msg.payload.data(), msg.payload.size()});
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<json_payload_flag>();
  }
};

/// `%&` in the JSON format: `,"key":value` per field of the event.
class json_fields_flag : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (current_fields == nullptr)
      return;
    for (auto& f : *current_fields) {
      if (skipped(f))
        continue;
      dest.append(std::string_view{",\""});
      append_json_string(dest, f.key());
      dest.append(std::string_view{"\":"});
      if (f.type() == field::kind::string) {
        dest.push_back('"');
        append_json_string(dest, safe_value(f));
        dest.push_back('"');
      } else if (f.type() == field::kind::floating
                 && !std::isfinite(f.floating())) {
        dest.append(std::string_view{"null"});
      } else {
        auto text = scalar_text(f);
        dest.append(std::string_view{text});
      }
    }
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<json_fields_flag>();
  }
};

/// `%&` in the text format: ` key=value` per field of the event.
class text_fields_flag : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (current_fields == nullptr)
      return;
    std::string line;
    for (auto& f : *current_fields) {
      if (skipped(f))
        continue;
      line += ' ';
      append_text_field(line, f);
    }
    dest.append(std::string_view{line});
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<text_fields_flag>();
  }
};

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
    if (!fn)
      return;
    spdlog::memory_buf_t text;
    formatter_->format(msg, text);
    fn(msg.level, std::string{msg.logger_name.begin(), msg.logger_name.end()},
       std::string{text.data(), text.size()});
  }

  void flush_() override {
    // nop
  }

private:
  std::mutex fn_mtx_;
  forward_fn fn_;
};

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return 7;
    case spdlog::level::info:
      return 6;
    case spdlog::level::warn:
      return 4;
    case spdlog::level::err:
      return 3;
    case spdlog::level::critical:
      return 2;
    case spdlog::level::off:
    case spdlog::level::n_levels:
      break;
  }
  return 6;
}

/// Writes events to journald over its native protocol, one journal field
/// per event field (see journal_record).
class journal_sink : public spdlog::sinks::base_sink<std::mutex> {
protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto entries = journal_record(
      msg.level,
      std::string_view{msg.logger_name.data(), msg.logger_name.size()},
      std::string_view{msg.payload.data(), msg.payload.size()},
      current_fields == nullptr ? fields{} : *current_fields);
    std::vector<iovec> iov;
    iov.reserve(entries.size());
    for (auto& e : entries)
      iov.push_back(iovec{e.data(), e.size()});
    sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
  }

  void flush_() override {
    // nop: every entry is a datagram of its own
  }
};

/// True when stderr is the stream systemd connected to the journal
/// (JOURNAL_STREAM = "<device>:<inode>" of that stream).
bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr)
    return false;
  uintmax_t dev = 0;
  uintmax_t ino = 0;
  if (std::sscanf(stream, "%" SCNuMAX ":%" SCNuMAX, &dev, &ino) != 2)
    return false;
  struct stat st {};
  if (fstat(2, &st) != 0)
    return false;
  return static_cast<uintmax_t>(st.st_dev) == dev
         && static_cast<uintmax_t>(st.st_ino) == ino;
}

struct registry {
  std::mutex mtx;
  std::shared_ptr<spdlog::sinks::stderr_sink_mt> console =
    std::make_shared<spdlog::sinks::stderr_sink_mt>();
  std::shared_ptr<journal_sink> journal = std::make_shared<journal_sink>();
  std::shared_ptr<forward_sink> forward = std::make_shared<forward_sink>();
  settings cfg;

  registry() {
    forward->set_level(spdlog::level::off);
    apply_format();
  }

  void apply_format() {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    if (cfg.output == format::json) {
      f->add_flag<json_payload_flag>('*')
        .add_flag<json_fields_flag>('&')
        .set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l",)"
                     R"("component":"%n","msg":"%*"%&})");
    } else {
      f->add_flag<text_fields_flag>('&').set_pattern(
        "%Y-%m-%dT%H:%M:%S.%e%z %-5l %-7n %v%&");
    }
    console->set_formatter(std::move(f));
    // No line end: a forwarded record becomes one notification's text.
    auto fwd = std::make_unique<spdlog::pattern_formatter>(
      spdlog::pattern_time_type::local, std::string{});
    fwd->add_flag<text_fields_flag>('&').set_pattern("%v%&");
    forward->set_formatter(std::move(fwd));
    bool to_journal = cfg.journal && stderr_is_journal();
    journal->set_level(to_journal ? spdlog::level::trace : spdlog::level::off);
    console->set_level(to_journal ? spdlog::level::off : spdlog::level::trace);
  }

  std::shared_ptr<spdlog::logger> get(const std::string& name) {
    std::lock_guard<std::mutex> guard{mtx};
    if (auto existing = spdlog::get(name))
      return existing;
    auto logger = std::make_shared<spdlog::logger>(
      name, spdlog::sinks_init_list{console, journal, forward});
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

void event(spdlog::logger& lg, spdlog::level::level_enum level,
           std::string_view id, fields fs) {
  if (!lg.should_log(level))
    return;
  auto* before = current_fields;
  current_fields = &fs;
  lg.log(level, spdlog::string_view_t{id.data(), id.size()});
  current_fields = before;
}

void append_text_field(std::string& out, const field& f) {
  out.append(f.key());
  out += '=';
  if (f.type() != field::kind::string) {
    out += scalar_text(f);
    return;
  }
  auto value = safe_value(f);
  bool plain = !value.empty();
  for (char c : value)
    if (c == ' ' || c == '"' || c == '=' || c == '\\'
        || static_cast<unsigned char>(c) < 0x20)
      plain = false;
  if (plain) {
    out += value;
    return;
  }
  spdlog::memory_buf_t quoted;
  append_json_string(quoted, value);
  out += '"';
  out.append(quoted.data(), quoted.size());
  out += '"';
}

std::vector<std::string> journal_record(spdlog::level::level_enum level,
                                        std::string_view component,
                                        std::string_view id, fields fs) {
  std::vector<std::string> out;
  std::string message{id};
  for (auto& f : fs) {
    if (skipped(f))
      continue;
    message += ' ';
    append_text_field(message, f);
  }
  out.push_back("MESSAGE=" + message);
  out.push_back("PRIORITY=" + std::to_string(syslog_priority(level)));
  out.push_back("SYSLOG_IDENTIFIER=routeros-mcp");
  out.push_back("RMCP_COMPONENT=" + std::string{component});
  out.push_back("RMCP_EVENT=" + std::string{id});
  for (auto& f : fs) {
    if (skipped(f))
      continue;
    // Journal field names: upper-case letters, digits and '_', not
    // starting with '_' (those are trusted fields journald sets itself).
    std::string name;
    for (char c : f.key())
      name += std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                : '_';
    if (name.empty() || name.front() == '_' || std::isdigit(name.front()))
      name.insert(0, "F");
    auto value =
      f.type() == field::kind::string ? safe_value(f) : scalar_text(f);
    out.push_back(name + "=" + value);
  }
  return out;
}

void set_forwarder(forward_fn fn) {
  reg().forward->set(std::move(fn));
}

void set_forward_level(spdlog::level::level_enum level) {
  reg().forward->set_level(level);
}

} // namespace rmcp::log
