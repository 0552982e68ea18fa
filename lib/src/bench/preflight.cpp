#include "mqtk/bench/preflight.hpp"

#include <algorithm>

namespace mqtk::bench {

std::vector<std::string> preflight_errors(const system_limits& l, std::uint64_t connections, std::uint64_t destinations,
                                          std::uint64_t sources) {
  std::vector<std::string> out;
  if (l.nofile_soft != 0 && l.nofile_soft < connections + spare_fds) {
    out.push_back("-c " + std::to_string(connections) + " needs about " + std::to_string(connections + spare_fds) +
                  " file descriptors but ulimit -n is " + std::to_string(l.nofile_soft) + " (hard limit " +
                  std::to_string(l.nofile_hard) + "): raise it, e.g. 'ulimit -n " + std::to_string(connections + spare_fds) +
                  "' (as root: /etc/security/limits.conf nofile)");
  }
  if (l.ports_known && l.port_high >= l.port_low) {
    const std::uint64_t ports = l.port_high - l.port_low + 1;
    const std::uint64_t capacity = ports * std::max<std::uint64_t>(sources, 1) * std::max<std::uint64_t>(destinations, 1);
    if (connections > capacity) {
      out.push_back("-c " + std::to_string(connections) + " connections exceed the " + std::to_string(capacity) +
                    " source ports available (" + std::to_string(ports) + " ephemeral ports " + std::to_string(l.port_low) +
                    "-" + std::to_string(l.port_high) + " x " + std::to_string(std::max<std::uint64_t>(sources, 1)) +
                    " source address(es) x " + std::to_string(std::max<std::uint64_t>(destinations, 1)) +
                    " broker address(es)): add source addresses with --ifaddr (e.g. 127.0.0.2,127.0.0.3 on loopback) or "
                    "widen net.ipv4.ip_local_port_range");
    }
  }
  return out;
}

}  // namespace mqtk::bench
