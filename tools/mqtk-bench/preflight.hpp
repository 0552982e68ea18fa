#pragma once
// Checks made before a run opens thousands of sockets: enough file descriptors, enough
// ephemeral ports per source address, source addresses that exist. Each failing check says
// what to change. The facts are passed in (read by read_system_limits), so the rules are
// unit-testable.
#include <cstdint>
#include <string>
#include <vector>

namespace mqtk::tools {

struct system_limits {
  std::uint64_t nofile_soft = 0;
  std::uint64_t nofile_hard = 0;
  std::uint64_t port_low = 32768;   // /proc/sys/net/ipv4/ip_local_port_range
  std::uint64_t port_high = 60999;
  bool ports_known = false;
};

// The process's limits; raises the soft RLIMIT_NOFILE towards the hard one when `wanted`
// descriptors need it (what a user would do with ulimit -n, done for them when allowed).
system_limits read_system_limits(std::uint64_t wanted_fds);

// Errors (the run cannot work: exit 64 with the first) for `connections` sockets to
// `destinations` distinct broker addresses from `sources` source addresses (0: the OS's).
std::vector<std::string> preflight_errors(const system_limits& l, std::uint64_t connections, std::uint64_t destinations,
                                          std::uint64_t sources);

// The --ifaddr addresses that cannot be bound on this machine, each with the reason.
std::vector<std::string> unusable_source_addresses(const std::vector<std::string>& addresses);

}  // namespace mqtk::tools
