#include "mqtk/bench/topic_template.hpp"

#include <charconv>
#include <stdexcept>

namespace mqtk::bench {

topic_template::topic_template(std::string_view text) {
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) parts_.push_back({.what = kind::text, .text = std::move(literal)});
    literal.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      literal += text[i];
      continue;
    }
    const std::string_view rest = text.substr(i + 1);
    if (rest.starts_with('%')) {
      literal += '%';
      ++i;
    } else if (rest.starts_with('i') || rest.starts_with('c') || rest.starts_with('s')) {
      flush();
      const kind k = rest[0] == 'i' ? kind::index : rest[0] == 'c' ? kind::client_id : kind::sequence;
      parts_.push_back({.what = k});
      per_message_ |= k == kind::sequence;
      uses_index_ |= k == kind::index || k == kind::client_id;
      ++i;
    } else if (rest.starts_with("rand_")) {
      std::size_t digits = 5;
      while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
      std::uint64_t n = 0;
      const auto [end, ec] = std::from_chars(rest.data() + 5, rest.data() + digits, n);
      if (ec != std::errc() || n == 0) {
        throw std::invalid_argument("%rand_N needs a number N >= 1 in '" + std::string(text) + "'");
      }
      flush();
      parts_.push_back({.what = kind::random, .range = n});
      per_message_ = true;
      i += digits;
    } else {
      throw std::invalid_argument("unknown placeholder '%" + std::string(rest.substr(0, 1)) + "' in '" + std::string(text) +
                                  "' (known: %i %c %s %rand_N %%)");
    }
  }
  flush();
}

void topic_template::expand(std::string& out, std::uint64_t index, std::string_view client_id, std::uint64_t sequence,
                            std::mt19937_64& rng) const {
  out.clear();
  for (const part& p : parts_) {
    switch (p.what) {
      case kind::text: out += p.text; break;
      case kind::index: out += std::to_string(index); break;
      case kind::client_id: out += client_id; break;
      case kind::sequence: out += std::to_string(sequence); break;
      case kind::random: out += std::to_string(std::uniform_int_distribution<std::uint64_t>(1, p.range)(rng)); break;
    }
  }
}

}  // namespace mqtk::bench
