// HTTPS connections (see http_connection_plain.cpp).

#include "src/transport/detail/http_connection.ipp"

namespace rmcp::transport::detail {

void start_tls_connection(tcp::socket&& socket,
                          std::shared_ptr<http_core> core) {
  start_connection<beast::ssl_stream<beast::tcp_stream>>(std::move(socket),
                                                         std::move(core));
}

} // namespace rmcp::transport::detail
