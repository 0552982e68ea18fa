#include "mqtk-bench/preflight.hpp"

#include <sys/resource.h>

#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace mqtk::tools {

// Sockets beyond the connections: the broker address lookups, timers' fds, stdio, the
// report file. Generous, since running out mid-run is worse than a refusal up front.
constexpr std::uint64_t spare_fds = 64;

system_limits read_system_limits(std::uint64_t wanted_fds) {
  system_limits l;
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0) {
    if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < wanted_fds + spare_fds) {
      rlimit raised = r;
      raised.rlim_cur = r.rlim_max == RLIM_INFINITY ? wanted_fds + spare_fds
                                                    : std::min<rlim_t>(r.rlim_max, wanted_fds + spare_fds);
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) r = raised;
    }
    l.nofile_soft = r.rlim_cur == RLIM_INFINITY ? UINT64_MAX : r.rlim_cur;
    l.nofile_hard = r.rlim_max == RLIM_INFINITY ? UINT64_MAX : r.rlim_max;
  }
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  if (range >> l.port_low >> l.port_high) l.ports_known = true;
  return l;
}

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

std::vector<std::string> unusable_source_addresses(const std::vector<std::string>& addresses) {
  std::vector<std::string> out;
  boost::asio::io_context io;
  for (const auto& a : addresses) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(a, ec);
    if (ec) {
      out.push_back("--ifaddr " + a + ": not an IP address");
      continue;
    }
    boost::asio::ip::tcp::socket s(io);
    s.open(address.is_v4() ? boost::asio::ip::tcp::v4() : boost::asio::ip::tcp::v6(), ec);
    if (!ec) s.bind({address, 0}, ec);
    if (ec) out.push_back("--ifaddr " + a + ": cannot bind (" + ec.message() + "); is it an address of this machine?");
  }
  return out;
}

}  // namespace mqtk::tools
