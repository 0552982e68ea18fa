#include "mqtk/bench/payload_header.hpp"

#include <algorithm>

namespace mqtk::bench {
namespace {

template <class T>
void put(std::uint8_t* p, T v) {
  auto u = static_cast<std::uint64_t>(v);
  for (std::size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<std::uint8_t>(u >> (8 * i));
}

template <class T>
T get(const std::uint8_t* p) {
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) u |= std::uint64_t{p[i]} << (8 * i);
  return static_cast<T>(u);
}

}  // namespace

void payload_header::write(std::span<std::uint8_t> out) const noexcept {
  std::copy(magic.begin(), magic.end(), out.data());
  put<std::uint32_t>(out.data() + 4, publisher);
  put<std::uint64_t>(out.data() + 8, sequence);
  put<std::int64_t>(out.data() + 16, intended_ns);
  put<std::int64_t>(out.data() + 24, sent_ns);
}

std::optional<payload_header> payload_header::read(std::span<const std::uint8_t> payload) noexcept {
  if (payload.size() < size || !std::equal(magic.begin(), magic.end(), payload.data())) return std::nullopt;
  return payload_header{.publisher = get<std::uint32_t>(payload.data() + 4),
                        .sequence = get<std::uint64_t>(payload.data() + 8),
                        .intended_ns = get<std::int64_t>(payload.data() + 16),
                        .sent_ns = get<std::int64_t>(payload.data() + 24)};
}

}  // namespace mqtk::bench
