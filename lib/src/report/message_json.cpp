#include "mqtk/report/message_json.hpp"

#include "json_text_writer.hpp"
#include "json_tree_writer.hpp"
#include "message_record.hpp"

namespace mqtk::report {
namespace {

// {"ts", then the message fields of message_record.hpp}: one description for both writers.
template <class W>
void write_message_line(W& w, const message_view& m, message_json_options options, std::string& scratch) {
  w.obj_begin();
  w.key("ts");
  scratch.clear();
  append_rfc3339_us(scratch, std::chrono::duration_cast<std::chrono::nanoseconds>(m.timestamp.time_since_epoch()).count());
  w.str(scratch);
  record::write_message_fields(w, m, options.embed_json_payload, scratch);
  w.obj_end();
}

}  // namespace

nlohmann::ordered_json message_json(const message_view& m, message_json_options options) {
  nlohmann::ordered_json root;
  json_tree_writer w(root);
  std::string scratch;
  write_message_line(w, m, options, scratch);
  return root;
}

std::string_view message_json_line(const message_view& m, message_json_options options) {
  thread_local json_text_writer w;
  thread_local std::string scratch;
  w.start();
  write_message_line(w, m, options, scratch);
  return w.view();
}

void append_message_json(std::string& out, const message_view& m, message_json_options options) {
  out.append(message_json_line(m, options));
}

}  // namespace mqtk::report
