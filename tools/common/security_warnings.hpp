#pragma once
// Warnings about options that weaken security but are still obeyed: --insecure, and a
// --password-file or --psk-file that other users can read (ssh's check on private keys). One
// line each on stderr once the options are loaded, as "<tool>: warning: ...".
#include <string>
#include <string_view>
#include <vector>

#include "common/connection_options.hpp"

namespace mqtk::tools {

// The warnings `o` deserves, one line of text each (without the tool's name). Looks at the
// permissions of the secret files `o` names.
std::vector<std::string> security_warnings(const connection_options& o);

// Prints security_warnings(o) to std::cerr, unless --quiet.
void print_security_warnings(std::string_view tool, const connection_options& o);

}  // namespace mqtk::tools
