#pragma once
// The rules checked before a run opens thousands of sockets: enough file descriptors, enough
// ephemeral ports per source address and broker address. The facts come in as values (the
// tool reads them from getrlimit and /proc), so the rules are unit-tested.
#include <cstdint>
#include <string>
#include <vector>

namespace mqtk::bench {

struct system_limits {
  std::uint64_t nofile_soft = 0;    // 0: unknown
  std::uint64_t nofile_hard = 0;
  std::uint64_t port_low = 32768;   // /proc/sys/net/ipv4/ip_local_port_range
  std::uint64_t port_high = 60999;
  bool ports_known = false;
};

// Descriptors wanted beyond the connections: stdio, resolver, the report file.
inline constexpr std::uint64_t spare_fds = 64;

// What stops `connections` sockets to `destinations` broker addresses from `sources` source
// addresses (0: the OS picks one) from working, each saying what to change; empty when fine.
std::vector<std::string> preflight_errors(const system_limits& l, std::uint64_t connections, std::uint64_t destinations,
                                          std::uint64_t sources);

}  // namespace mqtk::bench
