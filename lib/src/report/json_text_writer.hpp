#pragma once
// The writer behind every per-message and per-packet JSON line (mqtk-sub --json, mqtk-decode
// --json): compact JSON text written with raw pointer writes into a buffer it reuses. It
// obeys the same small interface as json_tree_writer (the nlohmann-backed oracle), so one
// description of a record (message_record.hpp) drives both and the tests compare them.
//
// Why not nlohmann: building an ordered_json per line and dump()ing it costs ~7-12x the CPU
// (BENCHMARKS.md, "JSON lines"); per-character std::string::push_back and strlen on every key
// were, in turn, most of a first hand-written version, hence the pointer and the key lengths
// known at compile time.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace mqtk::report {

class json_text_writer {
 public:
  json_text_writer() { grow(4096); }

  // Starts a new line, discarding the previous one. A large line's memory is not kept for
  // the small ones that follow.
  void start() {
    if (cap_end_ - buf_.get() > std::ptrdiff_t{1} << 20) {
      buf_.reset();
      p_ = nullptr;
      grow(4096);
    }
    p_ = buf_.get();
    first_ = true;
    after_key_ = false;
  }
  std::string_view view() const { return {buf_.get(), static_cast<std::size_t>(p_ - buf_.get())}; }

  void obj_begin() { open('{'); }
  void obj_end() { close('}'); }
  void arr_begin() { open('['); }
  void arr_end() { close(']'); }

  // `k` is one of our own snake_case names: nothing to escape.
  void key(std::string_view k) {
    need(k.size() + 4);
    if (!first_) *p_++ = ',';
    *p_++ = '"';
    std::memcpy(p_, k.data(), k.size());
    p_ += k.size();
    *p_++ = '"';
    *p_++ = ':';
    after_key_ = true;
  }
  // `v` must be valid UTF-8 (the record description sees to it); escaped as nlohmann's dump().
  void str(std::string_view v) {
    sep();
    need(v.size() + 2);
    *p_++ = '"';
    escape(v);
    put('"');
  }
  // `v`'s bytes as a base64 string.
  void b64(std::string_view v);
  void num(std::uint64_t v);
  void boolean(bool v);
  // `json` is valid JSON text (the caller checked): embedded as it is, minus the whitespace
  // between tokens, so its own number spellings (1.10 stays 1.10) and duplicate keys survive
  // and a pretty-printed value still fits on one line.
  void raw_json(std::string_view json);

 private:
  void open(char c) {
    sep();
    put(c);
    first_ = true;
  }
  void close(char c) {
    put(c);
    first_ = false;
  }
  void put(char c) {
    need(1);
    *p_++ = c;
  }
  void need(std::size_t n) {
    if (static_cast<std::size_t>(cap_end_ - p_) < n) grow(n);
  }
  void sep() {
    if (after_key_) {
      after_key_ = false;
    } else if (!first_) {
      put(',');
    }
    first_ = false;
  }
  void grow(std::size_t n);
  void escape(std::string_view v);

  std::unique_ptr<char[]> buf_;
  char* p_ = nullptr;
  char* cap_end_ = nullptr;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace mqtk::report
