#pragma once
// Decoding MQTT bytes into packets: one whole packet, or an incremental stream decoder in the
// style of Beast's basic_parser::put that gives identical results for any fragmentation.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "mqtk/proto/byte_buffer.hpp"
#include "mqtk/proto/decode_error.hpp"
#include "mqtk/proto/packet.hpp"

namespace mqtk::proto {

// Lists decoded out of a packet (properties, subscriptions, filters, reason codes) are kept here so that a
// steady stream of packets costs no heap allocation once the vectors have grown.
struct decode_scratch {
  std::vector<property> properties;
  std::vector<property> will_properties;
  std::vector<subscription> subscriptions;
  std::vector<std::string_view> filters;
  std::vector<reason_code> reason_codes;  // of a SUBACK or UNSUBACK
  // Leniency, for tools that read what others sent (mqtk-decode) rather than talk to them: a
  // rule broken in a way that leaves every field readable (a property value out of range, a
  // property not allowed on the packet or repeated, reserved bits in CONNECT or CONNACK flags
  // or in subscription options, packet identifier 0, a wildcard or empty topic name) is
  // recorded in `violations` (offsets from the packet's first byte) and decoding goes on.
  // Off by default: a client (proto::session) must treat each as a protocol error.
  bool lenient = false;
  std::vector<decode_failure> violations;  // of the last packet decoded with this scratch
};

struct fixed_header {
  std::uint8_t first_byte = 0;
  std::uint32_t remaining_length = 0;
  std::uint8_t header_size = 0;  // 2 to 5 bytes
};

// A packet of which only the start has arrived, or that was refused from its fixed header as
// too large: what the peer was sending when the stream ended, stalled or was cut.
struct partial_packet {
  std::uint8_t first_byte = 0;  // type and flags
  std::uint64_t size = 0;       // the whole packet as its fixed header announces it
  std::size_t received = 0;     // bytes of it that arrived

  friend bool operator==(const partial_packet&, const partial_packet&) = default;
};
// "65541 bytes into a 268435460-byte PUBLISH".
std::string to_string(const partial_packet& p);

// Parses a fixed header from the start of `bytes`. Returns nullopt while more bytes are needed.
// Checks type and flags, the remaining-length encoding, and that the whole packet (fixed header
// included) is at most `max_packet_size`; `offset` of a failure is relative to `bytes`.
std::variant<std::nullopt_t, fixed_header, decode_failure> parse_fixed_header(
    std::span<const std::uint8_t> bytes, std::uint32_t max_packet_size);

// Decodes one whole packet (fixed header included, nothing after it). CONNECT carries its own
// version; every other packet is read as `version`. Views point into `bytes` and `scratch`.
std::variant<packet, decode_failure> decode_packet(std::span<const std::uint8_t> bytes,
                                                   protocol_version version,
                                                   decode_scratch& scratch);

struct stream_decoder_options {
  // Largest whole packet accepted (fixed header included); checked from the fixed header
  // alone, before any of the body is buffered. MQTT's own limit is 268,435,460 bytes.
  std::uint32_t max_packet_size = 268'435'460;
  // Version for packets before a CONNECT is seen; a decoded CONNECT sets it.
  std::optional<protocol_version> version;
  // See decode_scratch::lenient; the rules broken by a ready packet are in violations().
  bool lenient = false;
};

class stream_decoder {
 public:
  enum class status { ready, need_more, error };

  struct result {
    status state = status::need_more;
    std::size_t consumed = 0;          // bytes of the input used by this call
    const packet* value = nullptr;     // with status::ready; valid until the next call
    std::span<const std::uint8_t> raw; // the packet's bytes, with status::ready
    decode_failure failure;            // with status::error
    std::size_t packet_offset = 0;     // stream offset of the packet's first byte
  };

  explicit stream_decoder(stream_decoder_options options = {});

  // Consumes bytes from `input` until one packet is complete (status::ready), the input is
  // used up (status::need_more), or the stream is found malformed (status::error; the decoder
  // then stays in error until reset()). Call again with the rest of the input.
  result put(std::span<const std::uint8_t> input);

  void set_version(protocol_version v) noexcept { version_ = v; }
  std::optional<protocol_version> version() const noexcept { return version_; }
  void set_max_packet_size(std::uint32_t n) noexcept { max_packet_size_ = n; }
  void set_lenient(bool on) noexcept { scratch_.lenient = on; }
  // With the lenient option: the rules the last ready packet broke (offsets from its first
  // byte); valid until the next call.
  std::span<const decode_failure> violations() const noexcept { return scratch_.violations; }
  // Bytes consumed since construction or reset().
  std::size_t stream_offset() const noexcept { return stream_offset_; }
  // Bytes held while waiting for the rest of a packet.
  std::size_t buffered() const noexcept { return buffer_.size(); }
  // The packet being assembled once its fixed header is read, or the one refused as too large
  // (until reset()); nullopt between packets.
  std::optional<partial_packet> partial() const noexcept;
  void reset() noexcept;

  // Whether `p` points into the bytes of the last packet assembled across calls (rather than
  // into the caller's input, where a packet that arrived whole is decoded in place).
  bool assembled(const void* p) const noexcept;
  // Hands over the bytes of the last packet assembled across calls, which the packet of the
  // last ready result views: moved, not copied, so that a large message can outlive the next
  // call without a second copy. The decoder then assembles the next one in fresh memory.
  byte_buffer take_assembled() noexcept;

 private:
  result finish_packet(std::span<const std::uint8_t> whole, std::size_t header_size, std::size_t consumed,
                       std::size_t start);
  result fail(decode_failure f, std::size_t consumed);
  // Notes the header of a packet refused as too large, for partial().
  void note_refused(std::span<const std::uint8_t> start);

  std::uint32_t max_packet_size_;
  std::optional<protocol_version> version_;
  byte_buffer buffer_;     // a packet being assembled across calls
  byte_buffer completed_;  // the last assembled packet, which `current_` may view
  std::size_t needed_ = 0;  // whole-packet size once the fixed header is known, else 0
  std::size_t header_size_ = 0;
  std::size_t stream_offset_ = 0;
  bool failed_ = false;
  decode_failure failure_;
  std::optional<partial_packet> refused_;
  decode_scratch scratch_;
  packet current_;
};

}  // namespace mqtk::proto
