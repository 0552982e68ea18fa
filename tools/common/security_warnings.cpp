#include "common/security_warnings.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include <iostream>

namespace mqtk::tools {

namespace {

// ssh refuses a private key that group or others can access; a password file is still read (a
// script may depend on it), with the same advice. Only regular files: /dev/stdin on a terminal
// or a pipe from `<(...)` has the permissions of the terminal or the pipe, not of a secret.
void check_secret_file(std::vector<std::string>& out, std::string_view option, const std::string& path) {
  if (path.empty()) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  const unsigned mode = st.st_mode & 07777;
  if ((mode & 077) == 0) return;
  out.push_back(fmt::format("{} '{}' can be accessed by other users (permissions {:04o}); chmod 600 '{}' keeps the "
                            "secret yours",
                            option, path, mode, path));
}

}  // namespace

std::vector<std::string> security_warnings(const connection_options& o) {
  std::vector<std::string> out;
  if (o.tls.insecure) {
    out.emplace_back("--insecure: the broker certificate's host name is not checked, so any server with a "
                     "certificate from a trusted CA can pose as the broker");
  }
  check_secret_file(out, "--password-file", o.password_file);
  check_secret_file(out, "--psk-file", o.tls.psk_file);
  return out;
}

void print_security_warnings(std::string_view tool, const connection_options& o) {
  if (o.quiet) return;
  for (const auto& w : security_warnings(o)) std::cerr << tool << ": warning: " << w << '\n';
}

}  // namespace mqtk::tools
