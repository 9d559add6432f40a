// Plain-HTTP connections (one instantiation of the connection template per
// translation unit keeps Beast's compile cost split across files).

#include "src/transport/detail/http_connection.ipp"

namespace rmcp::transport::detail {

void start_plain_connection(tcp::socket&& socket,
                            std::shared_ptr<http_core> core) {
  start_connection<beast::tcp_stream>(std::move(socket), std::move(core));
}

} // namespace rmcp::transport::detail
