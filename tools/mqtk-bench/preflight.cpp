#include "mqtk-bench/preflight.hpp"

#include <sys/resource.h>

#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace mqtk::tools {

bench::system_limits read_system_limits(std::uint64_t wanted_fds) {
  bench::system_limits l;
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0) {
    if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < wanted_fds + bench::spare_fds) {
      rlimit raised = r;
      raised.rlim_cur = r.rlim_max == RLIM_INFINITY ? wanted_fds + bench::spare_fds
                                                    : std::min<rlim_t>(r.rlim_max, wanted_fds + bench::spare_fds);
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) r = raised;
    }
    l.nofile_soft = r.rlim_cur == RLIM_INFINITY ? UINT64_MAX : r.rlim_cur;
    l.nofile_hard = r.rlim_max == RLIM_INFINITY ? UINT64_MAX : r.rlim_max;
  }
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  if (range >> l.port_low >> l.port_high) l.ports_known = true;
  return l;
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
