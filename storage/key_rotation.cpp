#include "storage/key_rotation.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include <openssl/crypto.h>

#include "protocol/error.hpp"
#include "storage/schema.hpp"
#include "storage/tables.hpp"

namespace rmcp::storage {

caf::expected<uint64_t> rekey_credentials(kv_store& kv,
                                          const credential_key& from,
                                          const credential_key& to) {
  credential_cipher old_cipher{from};
  credential_cipher new_cipher{to};
  uint64_t count = 0;
  auto err = write_atomically(kv, [&](write_txn& txn) -> caf::error {
    count = 0; // a conflicting commit runs the lambda again
    std::vector<std::pair<std::string, std::string>> rows;
    if (auto e = txn.scan(tables::credentials, "",
                          [&](std::string_view id, std::string_view sealed) {
                            rows.emplace_back(std::string{id},
                                              std::string{sealed});
                            return true;
                          }))
      return e;
    for (auto& [id, sealed] : rows) {
      auto plain = old_cipher.open(id, sealed);
      if (!plain)
        return make_error(ec::store_failure,
                          "the credential of device " + id
                            + " does not open with the current key; "
                              "nothing was changed");
      auto resealed = new_cipher.seal(id, *plain);
      OPENSSL_cleanse(plain->data(), plain->size());
      if (!resealed)
        return resealed.error();
      if (auto e = txn.put(tables::credentials, id, *resealed))
        return e;
      ++count;
    }
    // A shared registry records the id of its key (src/app/store_setup):
    // it follows the key.
    auto recorded = txn.get(tables::meta, "credential_key_id");
    if (!recorded)
      return recorded.error();
    if (*recorded)
      if (auto e = txn.put(tables::meta, "credential_key_id", to.id()))
        return e;
    return bump_generation(txn);
  });
  if (err)
    return err;
  return count;
}

caf::error stage_key_file(const std::string& path, const credential_key& key) {
  auto tmp = path + ".new";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error(ec::store_failure,
                      "cannot write " + tmp + ": " + std::strerror(errno));
  auto text = key.to_hex() + "\n";
  bool ok =
    ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size())
    && ::fsync(fd) == 0;
  OPENSSL_cleanse(text.data(), text.size());
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return make_error(ec::store_failure, "cannot write " + tmp);
  }
  return caf::none;
}

caf::error commit_key_file(const std::string& path) {
  auto tmp = path + ".new";
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return make_error(ec::store_failure,
                      "cannot replace " + path + " with " + tmp + ": "
                        + std::strerror(errno)
                        + " (the store already uses the new key in " + tmp
                        + ": move it into place by hand)");
  return caf::none;
}

} // namespace rmcp::storage
