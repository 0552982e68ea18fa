#include "mqtk-bench/bench_link.hpp"

#include <algorithm>
#include <variant>

#include <netinet/in.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include "mqtk/diag/session_close.hpp"
#include "mqtk/proto/overloaded.hpp"
#include "mqtk/net/net_error.hpp"
#include "mqtk/proto/session_error.hpp"

namespace asio = boost::asio;
using boost::system::error_code;

namespace mqtk::tools {

namespace {

using proto::overloaded;

// Enough for a CONNACK, a burst of acknowledgements or a small message; doubled whenever one
// read fills it, up to the most one read usefully takes.
constexpr std::size_t initial_read_buffer = 256;
constexpr std::size_t max_read_buffer = 64 * 1024;

// The same kinds as the general transport's, so that exit codes and explanations agree.
net::net_error tcp_error(const error_code& ec) {
  if (ec == asio::error::connection_refused) return net::net_error::connect_refused;
  if (ec == asio::error::timed_out) return net::net_error::connect_timeout;
  if (ec == asio::error::network_unreachable || ec == asio::error::host_unreachable) return net::net_error::network_unreachable;
  return net::net_error::connect_failed;
}

}  // namespace

bench_link::bench_link(asio::any_io_executor ex, bench_link_events& events, std::size_t tag, proto::session_options options)
    : socket_(std::move(ex)), events_(events), tag_(tag), session_(options) {
  deadlines_.fill(clock::time_point::max());
}

void bench_link::connect(const target& t, const proto::connect& c, std::chrono::milliseconds connect_timeout) {
  target_ = &t;
  connect_ = c;
  process([&](proto::action_list& out) { session_.connect(connect_, clock::now(), out); });  // down: only stored
  error_code ec;
  socket_.open(t.broker.protocol(), ec);
  if (!ec && t.source) {
    // Let connect() pick the source port per destination, not bind() per address: otherwise
    // each source address is limited to one ephemeral port range for every broker together.
    socket_.set_option(asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>(true), ec);
    ec = {};
    socket_.bind(asio::ip::tcp::endpoint(*t.source, 0), ec);
  }
  if (ec) {
    client::failure_details f = failure(tcp_error(ec));
    f.connect = net::connect_failure{.phase = net::connect_phase::tcp_connect, .error = f.error, .detail = ec, .host = t.host,
                                     .address = t.subject};
    fail_connect(std::move(f));
    return;
  }
  phase_ = phase::tcp;
  connect_deadline_ = clock::now() + connect_timeout;
  socket_.async_connect(t.broker, [this](error_code e) {
    if (phase_ != phase::tcp) return;  // timed out (check_timers) or closed meanwhile
    connect_deadline_ = clock::time_point::max();
    if (e) {
      client::failure_details f = failure(tcp_error(e));
      f.connect = net::connect_failure{.phase = net::connect_phase::tcp_connect, .error = f.error, .detail = e,
                                       .host = target_->host, .address = target_->subject,
                                       .attempts = {target_->subject + ": " + e.message()}};
      fail_connect(std::move(f));
      return;
    }
    error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    phase_ = phase::connecting;
    events_.on_tcp_connected(*this);
    read_buffer_.resize(initial_read_buffer);
    process([this](proto::action_list& out) { session_.transport_up(clock::now(), out); });
    start_read();
  });
}

proto::operation_id bench_link::publish(const proto::publish& m) {
  proto::operation_id id = 0;
  process([&](proto::action_list& out) { id = session_.publish(m, clock::now(), out); });
  return id;
}

proto::operation_id bench_link::subscribe(const proto::subscribe& s) {
  proto::operation_id id = 0;
  process([&](proto::action_list& out) { id = session_.subscribe(s, clock::now(), out); });
  return id;
}

void bench_link::disconnect() {
  if (phase_ != phase::connected) {
    close_socket();
    events_.on_closed(*this);
    return;
  }
  process([this](proto::action_list& out) { session_.disconnect({}, clock::now(), out); });
}

void bench_link::check_timers(clock::time_point now) {
  if (phase_ == phase::tcp && now >= connect_deadline_) {
    connect_deadline_ = clock::time_point::max();
    client::failure_details f = failure(net::net_error::connect_timeout);
    f.connect = net::connect_failure{.phase = net::connect_phase::tcp_connect, .error = f.error, .detail = asio::error::timed_out,
                                     .host = target_->host, .address = target_->subject};
    close_socket();
    fail_connect(std::move(f));
    return;
  }
  for (std::size_t k = 0; k < deadlines_.size(); ++k) {
    if (now < deadlines_[k]) continue;
    deadlines_[k] = clock::time_point::max();
    process([&](proto::action_list& out) { session_.timer_expired(static_cast<proto::timer_kind>(k), now, out); });
  }
}

template <class Input>
void bench_link::process(Input&& input) {
  input(actions_);
  if (processing_) return;  // called from an event: the outer process() carries it out
  processing_ = true;
  carry_out();
  processing_ = false;
}

void bench_link::carry_out() {
  // By index, on a copy: an event may append to the list (a publish from on_complete), and
  // what it appends is carried out in this same pass.
  for (std::size_t i = 0; i < actions_.size(); ++i) {
    const proto::action a = actions_[i];
    std::visit(overloaded{
                   [](const proto::send_action&) {},  // gathered below, in order, into one write
                   [this](const proto::arm_timer_action& t) { deadlines_[static_cast<std::size_t>(t.kind)] = t.deadline; },
                   [this](const proto::cancel_timer_action& t) {
                     deadlines_[static_cast<std::size_t>(t.kind)] = clock::time_point::max();
                   },
                   [this](const proto::deliver_action& d) { events_.on_message(*this, d.message); },
                   [this](const proto::complete_action& c) { events_.on_complete(*this, c); },
                   [this](const proto::connack_action& c) {
                     if (phase_ != phase::connecting) return;
                     if (c.packet.reason_code == proto::reason_code::success) {
                       phase_ = phase::connected;
                       events_.on_connect_done(*this, nullptr);
                     } else {
                       server_reason_ = c.packet.reason_code;  // the close_action that follows ends it
                     }
                   },
                   [this](const proto::server_disconnect_action& d) { server_reason_ = d.packet.reason_code; },
                   [this](const proto::close_action& c) {
                     close_after_write_ = true;
                     if (!c.error) {
                       phase_ = phase::closing;
                       return;
                     }
                     drop(c.error, c.reason_code != proto::reason_code{} ? c.reason_code : server_reason_,
                          diag::close_message(c.cause, session_.version()), proto::receiving_at_deadline(c.cause));
                   },
                   [](const proto::auth_action&) {},  // the bench has no enhanced authentication
                   [](const proto::packet_received_action&) {},
               },
               a);
  }
  // Sends are byte ranges in the list's arena; the session may have grown the last one after
  // it was visited (adjacent sends merge), so they are gathered only now.
  for (const proto::action& a : actions_) {
    if (const auto* s = std::get_if<proto::send_action>(&a)) pending_.insert(pending_.end(), s->bytes.begin(), s->bytes.end());
  }
  actions_.clear();
  flush();
}

void bench_link::flush() {
  if (phase_ == phase::closed) pending_.clear();
  if (write_outstanding_ || phase_ == phase::closed || phase_ == phase::idle || phase_ == phase::tcp) return;
  if (pending_.empty()) {
    if (close_after_write_) {
      const bool ours = phase_ == phase::closing;
      close_socket();
      if (ours) events_.on_closed(*this);
    }
    return;
  }
  std::swap(pending_, writing_);
  write_outstanding_ = true;
  asio::async_write(socket_, asio::buffer(writing_), [this](error_code ec, std::size_t) {
    write_outstanding_ = false;
    writing_.clear();
    if (ec) {
      if (phase_ == phase::closing) {
        close_socket();
        events_.on_closed(*this);
      } else if (phase_ == phase::connecting || phase_ == phase::connected) {
        drop(ec, proto::reason_code{}, {});
      }
      return;
    }
    flush();
  });
}

void bench_link::start_read() {
  socket_.async_read_some(asio::buffer(read_buffer_), [this](error_code ec, std::size_t n) {
    if (phase_ == phase::closed) return;
    if (ec) {
      if (phase_ == phase::closing) return;  // the broker closed after our DISCONNECT
      drop(ec, server_reason_, {});
      return;
    }
    process([&](proto::action_list& out) { session_.received({read_buffer_.data(), n}, clock::now(), out); });
    if (phase_ == phase::closed) return;
    if (n == read_buffer_.size() && read_buffer_.size() < max_read_buffer) read_buffer_.resize(read_buffer_.size() * 2);
    start_read();
  });
}

void bench_link::fail_connect(client::failure_details f) {
  phase_ = phase::closed;
  close_socket();
  events_.on_connect_done(*this, &f);
}

// The connection ended without our DISCONNECT: a connect that had not got its CONNACK failed;
// a connected one is lost, and its unacknowledged requests complete with the loss.
void bench_link::drop(error_code ec, proto::reason_code reason_code, std::string_view message,
                      std::optional<proto::packet_in_progress> receiving) {
  const phase was = phase_;
  if (was == phase::closed || was == phase::closing) return;
  client::failure_details f = failure(ec);
  f.reason_code = reason_code;
  f.where = was == phase::connecting && reason_code != proto::reason_code{} && ec == proto::session_error::connection_refused
                ? proto::packet_type::connack
                : proto::packet_type::disconnect;
  f.message = std::string(message);
  f.before_connack = was == phase::connecting;
  // The broker's packet that had partly arrived: a close in its middle is named as such
  // (client::failure_details::cut_short), as the client does. Read before transport_down().
  f.cut_short = session_.receiving();
  f.receiving = receiving;
  // Closed first, so that the owner sees the connection gone before the completions below
  // (it must not publish into a session that is down).
  close_socket();
  if (was == phase::connecting) {
    events_.on_connect_done(*this, &f);
  } else {
    events_.on_lost(*this, f);
  }
  // The failure keeps the EOF (it tells a close from a reset); the requests it ends complete
  // with the session's "connection lost", as they always did.
  const error_code ended = ec == asio::error::eof ? error_code(proto::session_error::connection_lost) : ec;
  process([&](proto::action_list& out) {
    session_.transport_down(clock::now(), out);
    session_.cancel_all(ended, out);
  });
}

void bench_link::close_socket() noexcept {
  error_code ignored;
  socket_.close(ignored);
  pending_.clear();
  if (phase_ != phase::closed) phase_ = phase::closed;
  deadlines_.fill(clock::time_point::max());
  connect_deadline_ = clock::time_point::max();
}

client::failure_details bench_link::failure(error_code ec) const {
  client::failure_details f;
  f.error = ec;
  f.version = session_.version();
  if (target_ != nullptr) f.subject = target_->subject;
  f.scheme = net::scheme::mqtt;
  return f;
}

}  // namespace mqtk::tools
