#include "escrow/simln/tls_material.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace escrow::simln {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// LND: "defaultTLSCertDuration is the default validity of a self-signed certificate. The
// value corresponds to 14 months (14 months * 30 days * 24 hours)".
constexpr long kValiditySeconds = 14L * 30 * 24 * 3600;

std::string SslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

base::Expected<std::string, std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::Err("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

base::Expected<void, std::string> MakeDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return base::Err("cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return {};
}

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// True if the pair at the paths loads, matches and is valid for at least another day.
bool Reusable(const TlsMaterial& m) {
  if (!Exists(m.cert_path) || !Exists(m.key_path)) return false;
  BioPtr cb(BIO_new_file(m.cert_path.c_str(), "r"));
  BioPtr kb(BIO_new_file(m.key_path.c_str(), "r"));
  if (!cb || !kb) return false;
  X509Ptr cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
  PkeyPtr key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!cert || !key) return false;
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  time_t soon = ::time(nullptr) + 24 * 3600;
  return X509_cmp_time(X509_get0_notAfter(cert.get()), &soon) > 0;
}

base::Expected<void, std::string> Generate(const TlsMaterial& m, const std::string& organization) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return base::Err("EC key generation failed: " + SslError());
  X509Ptr cert(X509_new());
  if (!cert) return base::Err("X509_new failed");
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return base::Err(std::string("RAND_bytes failed"));
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  if (sn == nullptr) return base::Err(std::string("serial number failed"));
  // LND back-dates notBefore by a week to tolerate clock skew.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -7L * 24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(organization.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("localhost"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment,keyCertSign") ||
      !AddExtension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !AddExtension(cert.get(), NID_subject_key_identifier, "hash") ||
      !AddExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1")) {
    return base::Err("certificate extensions failed: " + SslError());
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return base::Err("certificate signing failed: " + SslError());
  }

  BioPtr kb(BIO_new(BIO_s_mem()));
  BioPtr cb(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_X509(cb.get(), cert.get()) != 1) {
    return base::Err("PEM encoding failed: " + SslError());
  }
  auto pem = [](BIO* b) {
    char* data = nullptr;
    long len = BIO_get_mem_data(b, &data);
    return std::string(data, static_cast<size_t>(len));
  };
  std::string key_pem = pem(kb.get());
  auto wk = WriteFileAtomic(m.key_path, key_pem, 0600);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (!wk) return wk;
  return WriteFileAtomic(m.cert_path, pem(cb.get()), 0644);
}

}  // namespace

base::Expected<void, std::string> WriteFileAtomic(const std::string& path, const std::string& content,
                                                  unsigned mode) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return base::Err("cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, mode);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string err = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return base::Err("cannot write " + tmp + ": " + err);
    }
    off += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return base::Err("cannot rename " + tmp + " to " + path + ": " + err);
  }
  return {};
}

base::Expected<TlsMaterial, std::string> EnsureTlsMaterial(const std::string& dir,
                                                           const std::string& organization) {
  if (auto made = MakeDir(dir); !made) return base::Err(made.error());
  TlsMaterial m{dir + "/tls.cert", dir + "/tls.key"};
  if (Reusable(m)) return m;
  if (auto g = Generate(m, organization); !g) return base::Err(g.error());
  return m;
}

base::Expected<base::Bytes, std::string> EnsureMacaroon(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (!dir.empty()) {
    if (auto made = MakeDir(dir); !made) return base::Err(made.error());
  }
  if (!Exists(path)) {
    std::string bytes(64, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) != 1) {
      return base::Err(std::string("RAND_bytes failed"));
    }
    auto w = WriteFileAtomic(path, bytes, 0600);
    OPENSSL_cleanse(bytes.data(), bytes.size());
    if (!w) return base::Err(w.error());
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return base::Err("cannot stat " + path);
  if ((st.st_mode & 077) != 0) return base::Err("macaroon file " + path + " is readable by group or others");
  auto content = ReadAll(path);
  if (!content) return base::Err(content.error());
  if (content->empty()) return base::Err("macaroon file " + path + " is empty");
  return base::Bytes(content->begin(), content->end());
}

base::Expected<std::string, std::string> EnsureToken(const std::string& path) {
  if (!Exists(path)) {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) return base::Err(std::string("RAND_bytes failed"));
    std::string hex = base::HexEncode(bytes, sizeof(bytes));
    OPENSSL_cleanse(bytes, sizeof(bytes));
    if (auto w = WriteFileAtomic(path, hex + "\n", 0600); !w) return base::Err(w.error());
  }
  auto content = ReadAll(path);
  if (!content) return base::Err(content.error());
  std::string token = *content;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.empty()) return base::Err("token file " + path + " is empty");
  return token;
}

}  // namespace escrow::simln
