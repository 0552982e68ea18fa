#pragma once
// The lean connection of mqtk-bench: one plain TCP socket driving a proto::session directly,
// used for mqtt:// targets without a proxy (the load-test case); TLS, WebSocket, SOCKS5 and Unix
// sockets go through the general client. The general client carries what any tool needs for any
// transport (the TLS and WebSocket layers, five timers, reconnects, a fixed read buffer, a
// type-erased completion posted per operation). Ten thousand idle connections and a hundred
// thousand acknowledgements a second need less (BENCHMARKS.md has the figures):
//  - the read buffer starts small and doubles only when a read fills it;
//  - no timer of its own: the owner calls check_timers() from one tick for all its links and
//    the session's deadlines (keep alive, PINGRESP, CONNACK) and the TCP connect limit are
//    compared there;
//  - events are direct calls into the owner (bench_link_events), in the order the session
//    produced them, never posted;
//  - whatever the session (or the owner, from an event) sends while one read is processed
//    goes out in one write.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "mqtk/client/failure_details.hpp"
#include "mqtk/proto/session.hpp"

namespace mqtk::tools {

class bench_link;

// What a link reports to its owner. Every call comes from inside the link (its I/O completion
// or a call the owner made); the owner may call the link back (publish from on_complete).
class bench_link_events {
 public:
  virtual void on_tcp_connected(bench_link& link) = 0;
  // CONNACK accepted (failure == nullptr), or the connect failed: TCP, CONNACK refused or
  // missing, the connection dropped before CONNACK.
  virtual void on_connect_done(bench_link& link, const client::failure_details* failure) = 0;
  virtual void on_complete(bench_link& link, const proto::complete_action& done) = 0;
  virtual void on_message(bench_link& link, const proto::publish& message) = 0;
  // The connection ended after CONNACK without our DISCONNECT.
  virtual void on_lost(bench_link& link, const client::failure_details& why) = 0;
  // Our DISCONNECT was written (or the connection was gone): the link is closed.
  virtual void on_closed(bench_link& link) = 0;

 protected:
  ~bench_link_events() = default;
};

class bench_link {
 public:
  using clock = proto::session_clock;
  struct target {
    boost::asio::ip::tcp::endpoint broker;
    std::optional<boost::asio::ip::address> source;  // --ifaddr / -A
    std::string subject;                              // "host:port" for messages
    std::string host;                                 // as given
  };

  bench_link(boost::asio::any_io_executor ex, bench_link_events& events, std::size_t tag,
             proto::session_options options);
  bench_link(const bench_link&) = delete;
  bench_link& operator=(const bench_link&) = delete;

  // The owner's index of this link.
  std::size_t tag() const noexcept { return tag_; }
  bool connected() const noexcept { return phase_ == phase::connected; }
  const proto::session& session() const noexcept { return session_; }

  // TCP connect within `connect_timeout`, then CONNECT `c` (copied) and wait for CONNACK.
  void connect(const target& t, const proto::connect& c, std::chrono::milliseconds connect_timeout);
  proto::operation_id publish(const proto::publish& m);
  proto::operation_id subscribe(const proto::subscribe& s);
  // DISCONNECT, flush, close; on_closed follows (at once when not connected).
  void disconnect();
  // Expires whatever deadline has passed; call at least every few hundred milliseconds.
  void check_timers(clock::time_point now);

 private:
  enum class phase : std::uint8_t { idle, tcp, connecting, connected, closing, closed };

  template <class Input>
  void process(Input&& input);
  void carry_out();
  void flush();
  void start_read();
  void fail_connect(client::failure_details f);
  // `receiving`: the broker's packet still arriving when a session deadline closed the link.
  void drop(boost::system::error_code ec, proto::reason_code reason_code, std::string_view message,
            std::optional<proto::packet_in_progress> receiving = std::nullopt);
  void close_socket() noexcept;
  client::failure_details failure(boost::system::error_code ec) const;

  boost::asio::ip::tcp::socket socket_;
  bench_link_events& events_;
  std::size_t tag_;
  // The CONNECT this link sends: the session views it (proto::session::connect), so the link
  // owns it for as long as the session may send it.
  proto::connect_config connect_;
  proto::session session_;
  proto::action_list actions_;
  std::vector<std::uint8_t> read_buffer_;
  std::vector<std::uint8_t> pending_;  // to write after the write under way
  std::vector<std::uint8_t> writing_;
  const target* target_ = nullptr;
  // The session's deadlines by timer_kind, and the TCP connect's; max() when none.
  std::array<clock::time_point, proto::timer_kind_count> deadlines_{};
  clock::time_point connect_deadline_ = clock::time_point::max();
  phase phase_ = phase::idle;
  bool processing_ = false;
  bool write_outstanding_ = false;
  bool close_after_write_ = false;
  proto::reason_code server_reason_;  // from a server DISCONNECT or a CONNACK refusal
};

}  // namespace mqtk::tools
