// The server's TLS settings, loaded once at start: a certificate chain and
// its private key (PEM), TLS 1.2 and 1.3 only. AuthZEN's HTTPS binding says
// the connection MUST be TLS-protected; plain HTTP stays for loopback.
//
// The context is immutable once loaded and shared by every connection.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace castellan::server {

using TlsContext = boost::asio::ssl::context;

// Reads and checks `cert` and `key` (that each parses, and that the key is
// the certificate's). On failure returns null and sets `error` to a sentence
// naming the file.
std::shared_ptr<TlsContext> LoadTlsContext(const std::filesystem::path& cert,
                                           const std::filesystem::path& key, std::string* error);

}  // namespace castellan::server
