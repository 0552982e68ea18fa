#pragma once
// Topic and filter templates with emqtt-bench's placeholders: %i the client's global index,
// %c its client id, %s the message's sequence number, %rand_N a random number in [1, N] per
// message, %% a literal percent sign. Parsed once; expanding a template without per-message
// placeholders gives the same string every time, so callers expand it once per client.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace mqtk::bench {

class topic_template {
 public:
  // Throws std::invalid_argument for an unknown placeholder or a %rand_ without a number >= 1.
  explicit topic_template(std::string_view text);

  // True when %s or %rand_N appear: the topic differs from message to message.
  bool per_message() const noexcept { return per_message_; }
  bool uses_index() const noexcept { return uses_index_; }

  void expand(std::string& out, std::uint64_t index, std::string_view client_id, std::uint64_t sequence,
              std::mt19937_64& rng) const;
  std::string expand(std::uint64_t index, std::string_view client_id, std::uint64_t sequence, std::mt19937_64& rng) const {
    std::string out;
    expand(out, index, client_id, sequence, rng);
    return out;
  }

 private:
  enum class kind : std::uint8_t { text, index, client_id, sequence, random };
  struct part {
    kind what = kind::text;
    std::string text;
    std::uint64_t range = 0;
  };
  std::vector<part> parts_;
  bool per_message_ = false;
  bool uses_index_ = false;
};

}  // namespace mqtk::bench
