#include "common/payload_source.hpp"

#include <fstream>
#include <iterator>

#include "common/connection_options.hpp"
#include "common/line_block_reader.hpp"

namespace mqtk::tools {

payload_source::payload_source(payload_kind kind, std::string message_or_file, std::istream& in)
    : payload_source(kind, std::move(message_or_file), -1) {
  in_ = &in;
}

payload_source::payload_source(payload_kind kind, std::string message_or_file, int stdin_fd) : kind_(kind) {
  if (kind_ == payload_kind::stdin_whole && stdin_fd >= 0) {
    text_ = read_to_end(stdin_fd);
  } else if (kind_ == payload_kind::file) {
    std::ifstream f(message_or_file, std::ios::binary);
    if (!f) throw options_file_error("-f: cannot open '" + message_or_file + "'");
    text_.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  } else if (kind_ == payload_kind::message) {
    text_ = std::move(message_or_file);
  }
}

bool payload_source::next(std::string& out) {
  if (done_) return false;
  switch (kind_) {
    case payload_kind::none:
      done_ = true;
      return false;
    case payload_kind::message:
    case payload_kind::file:
      out.assign(text_);
      done_ = true;
      return true;
    case payload_kind::null_message:
      out.clear();
      done_ = true;
      return true;
    case payload_kind::stdin_whole:
      if (in_ != nullptr) {
        out.assign(std::istreambuf_iterator<char>(*in_), std::istreambuf_iterator<char>());
      } else {
        out.assign(text_);
      }
      done_ = true;
      return true;
    case payload_kind::stdin_lines:  // -l reads its lines in blocks: line_block_reader
      done_ = true;
      return false;
  }
  return false;
}

}  // namespace mqtk::tools
