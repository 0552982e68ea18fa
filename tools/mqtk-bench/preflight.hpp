#pragma once
// The facts the pre-flight rules (mqtk/bench/preflight.hpp) are applied to, read from this
// machine, and the check that each --ifaddr address can be bound here.
#include <cstdint>
#include <string>
#include <vector>

#include "mqtk/bench/preflight.hpp"

namespace mqtk::tools {

// The process's limits; raises the soft RLIMIT_NOFILE towards the hard one when `wanted`
// descriptors need it (what a user would do with ulimit -n, done for them when allowed).
bench::system_limits read_system_limits(std::uint64_t wanted_fds);

// The --ifaddr addresses that cannot be bound on this machine, each with the reason.
std::vector<std::string> unusable_source_addresses(const std::vector<std::string>& addresses);

}  // namespace mqtk::tools
