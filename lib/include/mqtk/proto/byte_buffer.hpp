#pragma once
// Bytes that grow as they arrive, for a packet assembled across reads. Its memory comes from
// malloc and grows with realloc: for a large buffer (glibc serves it with mmap) realloc moves
// the pages instead of copying them, so growing never holds the old and the new block at once
// and a 256 MB packet costs 256 MB, not the 384-512 MB of a std::vector's copy-on-grow. Moved,
// never copied: a packet's bytes change owner (decoder -> action_list) without a copy.
#include <cstddef>
#include <cstdint>
#include <span>

namespace mqtk::proto {

class byte_buffer {
 public:
  byte_buffer() noexcept = default;
  ~byte_buffer();
  byte_buffer(byte_buffer&& other) noexcept;
  byte_buffer& operator=(byte_buffer&& other) noexcept;
  byte_buffer(const byte_buffer&) = delete;
  byte_buffer& operator=(const byte_buffer&) = delete;

  const std::uint8_t* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return size_ == 0; }
  std::uint8_t operator[](std::size_t i) const noexcept { return data_[i]; }
  std::span<const std::uint8_t> bytes() const noexcept { return {data_, size_}; }
  operator std::span<const std::uint8_t>() const noexcept { return bytes(); }

  // Makes room for `n` bytes in all; throws std::bad_alloc when there is none.
  void reserve(std::size_t n);
  void append(std::span<const std::uint8_t> bytes);
  void push_back(std::uint8_t b) { append({&b, 1}); }
  // Keeps the memory.
  void clear() noexcept { size_ = 0; }
  // Gives the memory back.
  void release() noexcept;

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace mqtk::proto
