#include "support/capture_streams.hpp"

#include <arpa/inet.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <tuple>

namespace mqtk::test {
namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

std::string ipv4_text(const std::uint8_t* p) {
  return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) + "." +
         std::to_string(p[3]);
}

std::string ipv6_text(const std::uint8_t* p) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET6, p, text, sizeof text);  // the RFC 5952 form: "::1"
  return "[" + std::string(text) + "]";
}

}  // namespace

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("MQTK_DATA_DIR"); env && *env) return env;
  return MQTK_DATA_DIR;
}

std::filesystem::path capture_path(const std::string& name) {
  return data_dir() / "captures" / (name + ".pcapng");
}

bool is_websocket_capture(const std::string& name) { return name.starts_with("websocket"); }

std::vector<std::string> plain_tcp_capture_names() {
  auto names = capture_names();
  std::erase_if(names, is_websocket_capture);
  return names;
}

std::vector<std::string> capture_names() {
  std::vector<std::string> names;
  // Called while tests are being listed: a missing directory must not abort the listing
  // (a test asserts that it is there).
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir() / "captures", ec)) return names;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir() / "captures"))
    if (entry.path().extension() == ".pcapng") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<tcp_direction> read_tcp_directions(const std::filesystem::path& capture) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* handle = pcap_open_offline(capture.c_str(), err);
  if (!handle) throw std::runtime_error(std::string("cannot read ") + capture.string() + ": " + err);
  const int link = pcap_datalink(handle);

  std::vector<tcp_direction> out;
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  std::map<std::pair<std::string, std::string>, std::uint32_t> next_seq;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(handle, &hdr, &data) == 1) {
    const std::uint8_t* p = data;
    std::size_t n = hdr->caplen;
    std::uint16_t ethertype = 0;
    if (link == DLT_EN10MB) {
      if (n < 14) continue;
      ethertype = be16(p + 12);
      p += 14, n -= 14;
    } else if (link == DLT_LINUX_SLL) {
      if (n < 16) continue;
      ethertype = be16(p + 14);
      p += 16, n -= 16;
    } else if (link == DLT_NULL) {
      if (n < 4) continue;
      ethertype = (p[0] == 2 || p[3] == 2) ? 0x0800 : 0x86DD;
      p += 4, n -= 4;
    } else if (link == DLT_RAW) {
      ethertype = (n && (p[0] >> 4) == 6) ? 0x86DD : 0x0800;
    } else {
      pcap_close(handle);
      throw std::runtime_error("unsupported link type in test capture");
    }
    std::string src, dst;
    std::size_t ip_payload = 0;
    if (ethertype == 0x0800) {
      if (n < 20 || p[9] != 6) continue;
      const std::size_t ihl = (p[0] & 15u) * 4u;
      const std::size_t total = be16(p + 2);
      src = ipv4_text(p + 12), dst = ipv4_text(p + 16);
      ip_payload = total - ihl;
      p += ihl, n -= ihl;
    } else if (ethertype == 0x86DD) {
      if (n < 40 || p[6] != 6) continue;  // extension headers do not occur on loopback tests
      src = ipv6_text(p + 8), dst = ipv6_text(p + 24);
      ip_payload = be16(p + 4);
      p += 40, n -= 40;
    } else {
      continue;
    }
    if (n < 20) continue;
    const std::size_t tcp_header = (p[12] >> 4) * 4u;
    const std::size_t payload = std::min(ip_payload, n) - tcp_header;
    src += ":" + std::to_string(be16(p));
    dst += ":" + std::to_string(be16(p + 2));
    if (ip_payload <= tcp_header || payload == 0) continue;
    auto key = std::make_pair(src, dst);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, out.size()).first;
      out.push_back({src, dst, {}, {}});
    }
    auto& dir = out[it->second];
    // Loopback captures still hold retransmissions: keep only bytes past what was seen.
    const std::uint32_t seq = static_cast<std::uint32_t>(be16(p + 4)) << 16 | be16(p + 6);
    std::uint32_t& next = next_seq[key];
    std::size_t skip = 0;
    if (!dir.bytes.empty()) {
      const auto behind = static_cast<std::int32_t>(next - seq);
      if (behind > 0) skip = std::min<std::size_t>(static_cast<std::size_t>(behind), payload);
    }
    if (skip == payload) continue;
    dir.bytes.insert(dir.bytes.end(), p + tcp_header + skip, p + tcp_header + payload);
    dir.segment_sizes.push_back(payload - skip);
    next = seq + static_cast<std::uint32_t>(payload);
  }
  pcap_close(handle);
  return out;
}

}  // namespace mqtk::test
