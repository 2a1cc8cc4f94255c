#include "server/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <fstream>

namespace castellan::server {
namespace {

// OpenSSL's reason for the last failure, e.g. "no start line".
std::string OpenSslReason() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  return reason ? reason : "unknown error";
}

}  // namespace

std::shared_ptr<TlsContext> LoadTlsContext(const std::filesystem::path& cert,
                                           const std::filesystem::path& key, std::string* error) {
  for (const auto& [flag, file] : {std::pair{"--tls-cert", cert}, std::pair{"--tls-key", key}}) {
    if (!std::ifstream(file)) {
      *error = std::string(flag) + ": cannot read " + file.string();
      return nullptr;
    }
  }
  auto context = std::make_shared<TlsContext>(TlsContext::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    *error = "--tls-cert: " + cert.string() + " is not a PEM certificate (" + OpenSslReason() + ")";
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    *error = "--tls-key: " + key.string() + " is not a PEM private key (" + OpenSslReason() + ")";
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    *error = "--tls-key: " + key.string() + " is not the key of " + cert.string();
    return nullptr;
  }
  return context;
}

}  // namespace castellan::server
