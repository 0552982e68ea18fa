#pragma once
// The CONNECT a client sends on every (re)connection, owned.
//
// proto::connect is a packet of views: right for encoding one packet, wrong for configuration
// that lives as long as a client and is sent again after each reconnect. A connect_config
// copies what a proto::connect views into storage of its own, once, and hands out a
// proto::connect viewing that storage. It is the one owner of the CONNECT configuration: the
// tools build one into client::client_options, the client keeps those options, and the
// session views the client's copy (proto::session::connect).
//
//   proto::connect_config c = proto::connect{.version = protocol_version::v5, .client_id = id};
//   c.edit([&](proto::connect& p) { p.will.reset(); });  // copies again what p views after
#include <vector>

#include "mqtk/proto/packet.hpp"
#include "mqtk/proto/property.hpp"

namespace mqtk::proto {

class connect_config {
 public:
  connect_config() = default;
  // Copies what `c` views. Implicit, so that client_options{.connect = proto::connect{...}}
  // reads like the packet it configures.
  connect_config(const connect& c);  // NOLINT(google-explicit-constructor)
  connect_config(const connect_config& other) : connect_config(other.packet_) {}
  connect_config& operator=(const connect_config& other);
  connect_config(connect_config&& other) noexcept;
  connect_config& operator=(connect_config&& other) noexcept;
  ~connect_config() = default;

  // The CONNECT; its views point into this object and stay valid until it is assigned to,
  // edited or destroyed (a move keeps them: they then belong to the object moved to).
  const connect& packet() const noexcept { return packet_; }

  // Changes the CONNECT: `change` edits a copy of packet(), which is then copied in (it may go
  // on viewing this object's strings, or view new ones that need only outlive the call).
  template <class Change>
  void edit(Change&& change) {
    connect c = packet_;
    static_cast<Change&&>(change)(c);
    *this = connect_config(c);
  }

 private:
  connect packet_;
  // Every string packet_ views, in one buffer sized up front. A vector, not a std::string: a
  // moved vector keeps its buffer (a short string's would not), so a move keeps the views.
  std::vector<char> text_;
  std::vector<property> properties_;
  std::vector<property> will_properties_;
};

}  // namespace mqtk::proto
