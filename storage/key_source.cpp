#include "storage/key_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "storage/encoding.hpp"
#include "storage/files.hpp"

namespace rmcp::storage {

namespace {

/// Largest key file we read (a key is 64 characters plus white space).
constexpr size_t max_key_file = 4096;

enum class source_kind { environment, key_file, lab_file };

struct plan {
  source_kind kind;
  std::string path;
};

std::string generated_path(const key_request& req) {
  auto dir = req.data_dir.empty() ? std::string{"."} : req.data_dir;
  return dir + "/" + req.generated_name;
}

caf::error missing_key(const key_request& req) {
  return make_error(ec::invalid_params,
                    "environment " + req.environment + " needs a " + req.purpose
                      + ": set " + req.env_var
                      + " to 64 hex characters (or base64 of 32 bytes), or set "
                      + req.file_option
                      + " to a file holding one (create it with `umask 077; "
                        "openssl rand -hex 32 > "
                      + req.generated_name + "`)");
}

caf::expected<plan> make_plan(const key_request& req) {
  if (req.env_key && !req.env_key->empty())
    return plan{source_kind::environment, {}};
  if (!req.key_file.empty())
    return plan{source_kind::key_file, req.key_file};
  if (req.environment != "lab")
    return missing_key(req);
  return plan{source_kind::lab_file, generated_path(req)};
}

caf::error file_error(const std::string& path, const std::string& what) {
  return make_error(ec::invalid_params, "key file " + path + ": " + what);
}

/// Reads and parses a key file. nullopt (no error) when it does not exist
/// and `missing_ok`.
caf::expected<std::optional<credential_key>>
read_key_file(const std::string& path, bool missing_ok) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT && missing_ok)
      return std::optional<credential_key>{};
    return file_error(path, std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return file_error(path, "not a regular file");
  }
  if ((st.st_mode & 077) != 0)
    log::warn(log::store(), "key-file-permissions",
              {{"path", path},
               {"mode", fmt::format("{:o}", st.st_mode & 0777)},
               {"hint", "chmod-600"}});
  std::string text(max_key_file, '\0');
  size_t used = 0;
  while (used < text.size()) {
    auto n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(used);
  auto key = credential_key::parse(text);
  OPENSSL_cleanse(text.data(), text.size());
  if (!key)
    return file_error(path, error_message(key.error()));
  return std::optional<credential_key>{std::move(*key)};
}

/// Writes a fresh key to `path` unless another process got there first;
/// returns the key that is in `path` afterwards. The key is written to a
/// private temporary file and linked into place, so a concurrent reader
/// never sees half a key and two racing processes agree on one key.
caf::expected<credential_key> generate_key_file(const std::string& path) {
  auto dir = std::filesystem::path{path}.parent_path().string();
  if (auto why = create_private_directory(dir.empty() ? "." : dir))
    return make_error(ec::invalid_params,
                      "cannot create the data directory " + dir + ": " + *why);
  auto key = credential_key::generate();
  if (!key)
    return key.error();
  unsigned char salt[8];
  RAND_bytes(salt, sizeof(salt));
  auto tmp = path + ".tmp-"
             + to_hex({reinterpret_cast<const char*>(salt), sizeof(salt)});
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return file_error(tmp, std::strerror(errno));
  auto text = key->to_hex() + "\n";
  bool written =
    ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size())
    && ::fsync(fd) == 0;
  OPENSSL_cleanse(text.data(), text.size());
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return file_error(tmp, "cannot write the generated key");
  }
  auto linked = ::link(tmp.c_str(), path.c_str());
  auto link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    if (link_errno != EEXIST)
      return file_error(path, std::strerror(link_errno));
    // Another process generated it first: use theirs.
    auto theirs = read_key_file(path, false);
    if (!theirs)
      return theirs.error();
    return std::move(**theirs);
  }
  if (int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
      dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  log::warn(log::store(), "key-generated",
            {{"path", path},
             {"key_id", key->id()},
             {"note", "lab-only; back up this file or credentials become "
                      "unreadable"}});
  return std::move(*key);
}

/// A resolved source: the key when it exists (a missing lab key file is
/// not an error: it is generated on first use).
struct resolved {
  source_kind kind;
  std::string path;
  std::optional<credential_key> key;
};

caf::expected<resolved> resolve(const key_request& req) {
  auto p = make_plan(req);
  if (!p)
    return p.error();
  if (p->kind == source_kind::environment) {
    auto key = credential_key::parse(*req.env_key);
    if (!key) // the message never repeats the value
      return make_error(ec::invalid_params,
                        req.env_var + ": " + error_message(key.error()));
    return resolved{p->kind, {}, std::move(*key)};
  }
  auto key = read_key_file(p->path, p->kind == source_kind::lab_file);
  if (!key)
    return key.error();
  return resolved{p->kind, p->path, std::move(*key)};
}

} // namespace

key_request approval_key_request(std::string environment, std::string key_file,
                                 std::string data_dir,
                                 std::optional<std::string> env_key) {
  key_request req;
  req.purpose = "plan approval key";
  req.env_var = "ROUTEROS_MCP_APPROVAL_KEY";
  req.file_option = "plans.approval_key_file";
  req.generated_name = generated_approval_key_name;
  req.environment = std::move(environment);
  req.key_file = std::move(key_file);
  req.data_dir = std::move(data_dir);
  req.env_key = std::move(env_key);
  return req;
}

caf::expected<loaded_key> load_credential_key(const key_request& req) {
  auto r = resolve(req);
  if (!r)
    return r.error();
  if (r->kind == source_kind::environment) {
    if (!req.key_file.empty())
      log::info(log::store(), "key-source-environment",
                {{"key_file_ignored", req.key_file}});
    return loaded_key{std::move(*r->key), req.env_var};
  }
  if (r->key)
    return loaded_key{std::move(*r->key), "key file " + r->path};
  auto fresh = generate_key_file(r->path);
  if (!fresh)
    return fresh.error();
  return loaded_key{std::move(*fresh), "generated key file " + r->path};
}

caf::expected<std::string> check_credential_key(const key_request& req) {
  auto r = resolve(req);
  if (!r)
    return r.error();
  auto where =
    r->kind == source_kind::environment ? req.env_var : "key file " + r->path;
  if (!r->key)
    return where + " (will be generated: lab only)";
  return where + " (key id " + r->key->id() + ")";
}

} // namespace rmcp::storage
