#include "mqtk/capture/carriage_detector.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "mqtk/capture/websocket_deframer.hpp"

namespace mqtk::capture {
namespace {

enum class mode {
  undecided,  // no byte seen yet, or the first few are still ambiguous
  pass,       // plain MQTT over TCP
  tls_hello,  // a TLS handshake record is being gathered to read its hello
  tls,        // encrypted: nothing to pass on
  http,       // an HTTP request or response header is being gathered
  ws_wait,    // upgrade requested; holding the client's bytes until the 101 answer
  websocket,  // de-framing
  drop,       // not MQTT (plain HTTP, a rejected upgrade, a broken WebSocket stream)
};

int index_of(flow f) { return f == flow::client_to_server ? 0 : 1; }
flow flow_of(int d) { return d == 0 ? flow::client_to_server : flow::server_to_client; }

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

std::string tls_version_name(std::uint16_t v) {
  switch (v) {
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: return "TLS";
  }
}

bool is_grease(std::uint16_t v) { return (v & 0x0F0F) == 0x0A0A; }

// Reads the version (highest offered, or the one chosen) and the server name from a
// ClientHello or ServerHello at the start of a TLS handshake record. Returns false when the
// bytes are not a hello; reads as far as the bytes go when the hello is cut short.
bool read_hello(std::span<const std::uint8_t> rec, std::uint16_t& version, std::string& sni) {
  if (rec.size() < 9 || rec[0] != 0x16) return false;
  const std::size_t rec_len = be16(rec.data() + 3);
  const auto hs = rec.subspan(5, std::min(rec_len, rec.size() - 5));
  if (hs.size() < 6 || (hs[0] != 1 && hs[0] != 2)) return false;
  const bool client = hs[0] == 1;
  const auto body = hs.subspan(4);
  version = be16(body.data());
  std::size_t p = 2 + 32;
  const auto need = [&](std::size_t n) { return p + n <= body.size(); };
  if (!need(1)) return true;
  p += 1 + body[p];  // session id
  if (client) {
    if (!need(2)) return true;
    p += 2 + be16(body.data() + p);  // cipher suites
    if (!need(1)) return true;
    p += 1 + body[p];  // compression methods
  } else {
    p += 2 + 1;  // chosen cipher suite and compression
  }
  if (!need(2)) return true;
  const std::size_t ext_end = std::min(body.size(), p + 2 + be16(body.data() + p));
  p += 2;
  while (p + 4 <= ext_end) {
    const std::uint16_t type = be16(body.data() + p);
    const std::size_t len = be16(body.data() + p + 2);
    p += 4;
    if (p + len > ext_end) break;
    const std::uint8_t* e = body.data() + p;
    if (type == 0 && client && len >= 5 && e[2] == 0) {  // server_name, host_name entry
      const std::size_t name_len = std::min<std::size_t>(be16(e + 3), len - 5);
      sni.assign(reinterpret_cast<const char*>(e + 5), name_len);
    } else if (type == 43 && client && len >= 1) {  // supported_versions: the highest offered
      const std::size_t list = std::min<std::size_t>(e[0], len - 1);
      for (std::size_t i = 0; i + 1 < list; i += 2) {
        const std::uint16_t v = be16(e + 1 + i);
        if (!is_grease(v) && v > version && v <= 0x0304) version = v;
      }
    } else if (type == 43 && !client && len >= 2) {  // supported_versions: the one chosen
      version = be16(e);
    }
    p += len;
  }
  return true;
}

char lower(char ch) { return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

struct http_header_block {
  std::string_view first_line;
  bool upgrade_websocket = false;
  std::string_view protocol;  // Sec-WebSocket-Protocol
};

http_header_block parse_http(std::string_view head) {
  http_header_block out;
  std::size_t eol = head.find("\r\n");
  out.first_line = head.substr(0, eol);
  std::size_t at = eol == std::string_view::npos ? head.size() : eol + 2;
  while (at < head.size()) {
    eol = head.find("\r\n", at);
    const std::string_view line = head.substr(at, eol == std::string_view::npos ? std::string_view::npos : eol - at);
    at = eol == std::string_view::npos ? head.size() : eol + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "upgrade") && icontains(value, "websocket")) out.upgrade_websocket = true;
    if (iequals(name, "sec-websocket-protocol")) out.protocol = value;
  }
  return out;
}

}  // namespace

struct carriage_detector::direction {
  mode m = mode::undecided;
  std::vector<std::uint8_t> held;
  websocket_deframer ws;

  void release() { std::vector<std::uint8_t>().swap(held); }
};

struct carriage_detector::connection {
  std::uint64_t stream = 0;
  direction dirs[2];
  bool closed[2] = {false, false};
  bool reported = false;  // a carriage was reported
  bool websocket = false;
  bool upgrade_requested = false;
  std::string path;
  std::string request_protocol;
  std::string response_protocol;
};

struct carriage_detector::ws_forwarder final : websocket_events {
  stream_sink& next;
  std::uint64_t stream;
  flow dir;
  std::uint64_t frame;
  capture_time ts;

  ws_forwarder(stream_sink& n, std::uint64_t s, flow d, std::uint64_t f, capture_time t)
      : next(n), stream(s), dir(d), frame(f), ts(t) {}
  void on_ws_payload(std::span<const std::uint8_t> bytes) override { next.on_data(stream, dir, bytes, frame, ts); }
  void on_ws_control(std::uint8_t, std::span<const std::uint8_t>) override {}
  void on_ws_problem(const char* what, bool) override { next.on_anomaly(stream, dir, what, frame, ts); }
};

carriage_detector::carriage_detector(stream_sink& next, carriage_limits limits) : next_(next), limits_(limits) {}
carriage_detector::~carriage_detector() = default;

void carriage_detector::on_stream_open(const stream_info& info) {
  auto c = std::make_unique<connection>();
  c->stream = info.stream;
  cached_ = c.get();
  cached_stream_ = info.stream;
  connections_[info.stream] = std::move(c);
  next_.on_stream_open(info);
}

void carriage_detector::on_data(std::uint64_t stream, flow dir, std::span<const std::uint8_t> bytes,
                                std::uint64_t frame, capture_time ts) {
  connection* c = cached_;
  if (stream != cached_stream_) {
    auto it = connections_.find(stream);
    if (it == connections_.end()) {
      next_.on_data(stream, dir, bytes, frame, ts);
      return;
    }
    c = it->second.get();
    cached_ = c;
    cached_stream_ = stream;
  }
  const int d = index_of(dir);
  if (c->dirs[d].m == mode::pass) {  // the hot path: plain MQTT
    next_.on_data(stream, dir, bytes, frame, ts);
    return;
  }
  consume(*c, d, bytes, frame, ts);
}

void carriage_detector::consume(connection& c, int d, std::span<const std::uint8_t> bytes, std::uint64_t frame,
                                capture_time ts) {
  direction& D = c.dirs[d];
  switch (D.m) {
    case mode::pass:
      next_.on_data(c.stream, flow_of(d), bytes, frame, ts);
      return;
    case mode::tls:
    case mode::drop:
      return;
    case mode::websocket:
      deframe(c, d, bytes, frame, ts);
      return;
    case mode::undecided:
      if (bytes.empty()) return;
      if (c.websocket) {
        D.m = mode::websocket;
        deframe(c, d, bytes, frame, ts);
        return;
      }
      if (D.held.empty()) {
        const std::uint8_t b0 = bytes[0];
        if (b0 != 'G' && b0 != 'H' && (b0 < 0x14 || b0 > 0x17)) {
          D.m = mode::pass;
          next_.on_data(c.stream, flow_of(d), bytes, frame, ts);
          return;
        }
      }
      D.held.insert(D.held.end(), bytes.begin(), bytes.end());
      classify(c, d, frame, ts);
      return;
    case mode::tls_hello:
    case mode::http:
    case mode::ws_wait:
      if (D.held.size() + bytes.size() > limits_.max_handshake) {
        if (D.m == mode::tls_hello) {
          read_client_hello(c, d, true, frame, ts);
        } else {
          D.m = mode::drop;
          D.release();
          next_.on_anomaly(c.stream, flow_of(d), "HTTP header or early WebSocket data too long: direction ignored",
                           frame, ts);
        }
        return;
      }
      D.held.insert(D.held.end(), bytes.begin(), bytes.end());
      if (D.m == mode::tls_hello) read_client_hello(c, d, false, frame, ts);
      if (D.m == mode::http) read_http(c, d, frame, ts);
      return;
  }
}

void carriage_detector::classify(connection& c, int d, std::uint64_t frame, capture_time ts) {
  direction& D = c.dirs[d];
  const auto& h = D.held;
  const auto starts = [&](std::string_view s) {
    return std::memcmp(h.data(), s.data(), std::min(s.size(), h.size())) == 0;
  };
  std::size_t need = 0;
  bool matched = false;
  if (h[0] >= 0x14 && h[0] <= 0x17) {
    // A record header: content type, version 3.x, and a length TLS allows (2^14 + 2048).
    need = 5;
    matched = (h.size() < 2 || h[1] == 3) && (h.size() < 3 || h[2] <= 4) &&
              (h.size() < 5 || (be16(h.data() + 3) > 0 && be16(h.data() + 3) <= 18432));
  } else if (h[0] == 'G') {
    need = 4;
    matched = starts("GET ");
  } else {
    need = 5;
    matched = starts("HTTP/");
  }
  if (!matched) {
    D.m = mode::pass;
    std::vector<std::uint8_t> held;
    held.swap(D.held);
    next_.on_data(c.stream, flow_of(d), held, frame, ts);
    return;
  }
  if (h.size() < need) return;
  if (h[0] == 0x16) {
    D.m = mode::tls_hello;
    read_client_hello(c, d, false, frame, ts);
  } else if (h[0] >= 0x14 && h[0] <= 0x17) {
    D.m = mode::tls;
    D.release();
    if (!c.reported) {
      c.reported = true;
      next_.on_carriage(c.stream, carriage::tls, "TLS (handshake not captured)", frame, ts);
    }
  } else {
    D.m = mode::http;
    read_http(c, d, frame, ts);
  }
}

void carriage_detector::read_client_hello(connection& c, int d, bool at_end, std::uint64_t frame, capture_time ts) {
  direction& D = c.dirs[d];
  const auto& h = D.held;
  if (!at_end && (h.size() < 5 || h.size() < 5u + be16(h.data() + 3))) return;
  std::uint16_t version = 0;
  std::string sni;
  std::string detail;
  if (read_hello(h, version, sni)) {
    detail = tls_version_name(version);
    if (!sni.empty()) detail += ", SNI=" + sni;
  } else {
    detail = "TLS (handshake not captured)";
  }
  D.m = mode::tls;
  D.release();
  if (!c.reported) {
    c.reported = true;
    next_.on_carriage(c.stream, carriage::tls, detail, frame, ts);
  }
  // Once one side speaks TLS, so does the other, whatever its first bytes look like.
  direction& other = c.dirs[1 - d];
  if (other.m == mode::undecided || other.m == mode::pass) {
    other.m = mode::tls;
    other.release();
  }
}

void carriage_detector::read_http(connection& c, int d, std::uint64_t frame, capture_time ts) {
  direction& D = c.dirs[d];
  const std::string_view text(reinterpret_cast<const char*>(D.held.data()), D.held.size());
  const std::size_t end = text.find("\r\n\r\n");
  if (end == std::string_view::npos) return;
  const http_header_block head = parse_http(text.substr(0, end + 2));
  std::vector<std::uint8_t> rest(D.held.begin() + static_cast<std::ptrdiff_t>(end + 4), D.held.end());
  const std::string_view line = head.first_line;
  if (line.starts_with("GET ")) {
    if (!head.upgrade_websocket) {
      D.m = mode::drop;
      D.release();
      next_.on_anomaly(c.stream, flow_of(d), "HTTP request without a WebSocket upgrade: not MQTT", frame, ts);
      return;
    }
    const std::size_t sp = line.find(' ', 4);
    c.path = std::string(line.substr(4, sp == std::string_view::npos ? std::string_view::npos : sp - 4));
    c.request_protocol = std::string(head.protocol);
    c.upgrade_requested = true;
    D.held.swap(rest);
    D.m = mode::ws_wait;
    if (c.websocket) {  // the answer came first (capture order): de-frame at once
      D.m = mode::websocket;
      std::vector<std::uint8_t> held;
      held.swap(D.held);
      deframe(c, d, held, frame, ts);
    }
    return;
  }
  // A status line: "HTTP/1.1 101 Switching Protocols".
  const std::size_t sp = line.find(' ');
  const std::string_view status = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1, 3);
  if (status != "101") {
    const std::string status_line(line);  // `line` points into the bytes released below
    D.m = mode::drop;
    D.release();
    if (c.dirs[1 - d].m == mode::ws_wait) {
      c.dirs[1 - d].m = mode::drop;
      c.dirs[1 - d].release();
    }
    next_.on_anomaly(c.stream, flow_of(d),
                     c.upgrade_requested ? "WebSocket upgrade rejected: " + status_line
                                         : "HTTP response, not MQTT: " + status_line,
                     frame, ts);
    return;
  }
  c.response_protocol = std::string(head.protocol);
  D.held.swap(rest);
  start_websocket(c, frame, ts);
}

void carriage_detector::start_websocket(connection& c, std::uint64_t frame, capture_time ts) {
  c.websocket = true;
  if (!c.reported) {
    c.reported = true;
    std::string protocol = c.response_protocol;
    if (protocol.empty()) protocol = c.request_protocol.substr(0, c.request_protocol.find(','));
    next_.on_carriage(c.stream, carriage::websocket,
                      "path=" + (c.path.empty() ? std::string("?") : c.path) +
                          " subprotocol=" + (protocol.empty() ? std::string("none") : protocol),
                      frame, ts);
  }
  for (int d = 0; d < 2; ++d) {
    direction& D = c.dirs[d];
    if (D.m != mode::ws_wait && D.m != mode::http && D.m != mode::undecided) continue;
    if (D.m == mode::http && D.held.size() >= 4 && std::memcmp(D.held.data(), "GET ", 4) == 0) continue;
    D.m = mode::websocket;
    std::vector<std::uint8_t> held;
    held.swap(D.held);
    deframe(c, d, held, frame, ts);
  }
}

void carriage_detector::deframe(connection& c, int d, std::span<const std::uint8_t> bytes, std::uint64_t frame,
                                capture_time ts) {
  if (bytes.empty()) return;
  ws_forwarder out(next_, c.stream, flow_of(d), frame, ts);
  c.dirs[d].ws.feed(bytes, out);
  if (c.dirs[d].ws.failed()) c.dirs[d].m = mode::drop;
}

void carriage_detector::on_gap(std::uint64_t stream, flow dir, std::uint64_t missing, std::uint64_t frame,
                               capture_time ts) {
  auto it = connections_.find(stream);
  if (it == connections_.end()) {
    next_.on_gap(stream, dir, missing, frame, ts);
    return;
  }
  connection& c = *it->second;
  direction& D = c.dirs[index_of(dir)];
  switch (D.m) {
    case mode::undecided:
      if (!D.held.empty()) {
        D.m = mode::pass;
        std::vector<std::uint8_t> held;
        held.swap(D.held);
        next_.on_data(stream, dir, held, frame, ts);
      }
      next_.on_gap(stream, dir, missing, frame, ts);
      return;
    case mode::pass:
      next_.on_gap(stream, dir, missing, frame, ts);
      return;
    case mode::websocket:
      next_.on_gap(stream, dir, missing, frame, ts);
      next_.on_anomaly(stream, dir, "bytes lost inside a WebSocket stream: the rest of this direction cannot be de-framed",
                       frame, ts);
      D.m = mode::drop;
      return;
    case mode::tls_hello:
      read_client_hello(c, index_of(dir), true, frame, ts);
      return;
    case mode::http:
    case mode::ws_wait:
      D.m = mode::drop;
      D.release();
      return;
    case mode::tls:
    case mode::drop:
      return;
  }
}

void carriage_detector::on_carriage(std::uint64_t stream, carriage how, const std::string& detail,
                                    std::uint64_t frame, capture_time ts) {
  next_.on_carriage(stream, how, detail, frame, ts);
}

void carriage_detector::on_anomaly(std::uint64_t stream, flow dir, const std::string& what, std::uint64_t frame,
                                   capture_time ts) {
  next_.on_anomaly(stream, dir, what, frame, ts);
}

void carriage_detector::on_close(std::uint64_t stream, flow dir, close_kind how, std::uint64_t frame,
                                 capture_time ts) {
  auto it = connections_.find(stream);
  if (it != connections_.end()) {
    connection& c = *it->second;
    const int d = index_of(dir);
    direction& D = c.dirs[d];
    if (D.m == mode::undecided && !D.held.empty()) {
      // Too few bytes to tell: whatever they are, the analyzer should see them.
      D.m = mode::pass;
      std::vector<std::uint8_t> held;
      held.swap(D.held);
      next_.on_data(stream, dir, held, frame, ts);
    } else if (D.m == mode::tls_hello) {
      read_client_hello(c, d, true, frame, ts);
    }
    c.closed[d] = true;
    if (c.closed[0] && c.closed[1]) {
      connections_.erase(it);
      cached_ = nullptr;
      cached_stream_ = ~std::uint64_t{0};
    }
  }
  next_.on_close(stream, dir, how, frame, ts);
}

}  // namespace mqtk::capture
