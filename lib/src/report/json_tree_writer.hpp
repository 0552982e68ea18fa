#pragma once
// The reference writer: builds an nlohmann::ordered_json (keys in insertion order) through the
// same interface as json_text_writer. The tests compare what the two make of every record, and
// mqtk-decode --json-engine nlohmann uses it to measure the fast writer against.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mqtk/report/decode_format.hpp"

namespace mqtk::report {

class json_tree_writer {
 public:
  // The first object or array opened becomes `root`.
  explicit json_tree_writer(nlohmann::ordered_json& root) : root_(root) {}

  void obj_begin() { open(nlohmann::ordered_json::object()); }
  void obj_end() { stack_.pop_back(); }
  void arr_begin() { open(nlohmann::ordered_json::array()); }
  void arr_end() { stack_.pop_back(); }
  void key(std::string_view k) { key_ = k; }
  void str(std::string_view v) { insert(std::string(v)); }
  void b64(std::string_view v) {
    std::string text;
    append_base64(text, v);
    insert(std::move(text));
  }
  void num(std::uint64_t v) { insert(v); }
  void boolean(bool v) { insert(v); }
  // Parsed, so the tree holds the value (its number spellings are nlohmann's from then on).
  void raw_json(std::string_view json) { insert(nlohmann::ordered_json::parse(json)); }

 private:
  void open(nlohmann::ordered_json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      stack_.push_back(&root_);
    } else {
      stack_.push_back(&insert(std::move(v)));
    }
  }
  // A repeated key keeps its first place and takes the last value, as ordered_json does.
  nlohmann::ordered_json& insert(nlohmann::ordered_json v) {
    auto& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
      return top.back();
    }
    auto& slot = top[std::string(key_)];
    slot = std::move(v);
    return slot;
  }

  nlohmann::ordered_json& root_;
  std::vector<nlohmann::ordered_json*> stack_;
  std::string_view key_;
};

}  // namespace mqtk::report
