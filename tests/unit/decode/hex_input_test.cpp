// Hex dumps as people paste them, back to bytes; and those bytes decoded as MQTT.
#include <gtest/gtest.h>

#include "decode_test_support.hpp"
#include "mqtk/capture/hex_input.hpp"
#include "mqtk/capture/hex_packets.hpp"

namespace mqtk::test {
namespace {

using capture::parse_hex_input;
using bytes = std::vector<std::uint8_t>;

// CONNECT, 3.1.1, client id "ab", keepalive 60.
const bytes connect_bytes{0x10, 0x0e, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02,
                          0x00, 0x3c, 0x00, 0x02, 'a', 'b'};

bytes parsed(std::string_view text) {
  auto r = parse_hex_input(text);
  if (auto* e = std::get_if<capture::hex_input_error>(&r)) {
    ADD_FAILURE() << "line " << e->line << " column " << e->column << ": " << e->message;
    return {};
  }
  return std::get<bytes>(r);
}

TEST(hex_input, space_separated_pairs) {
  EXPECT_EQ(parsed("10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 61 62\n"), connect_bytes);
}

TEST(hex_input, c_array_with_0x_and_commas) {
  EXPECT_EQ(parsed("{0x10,0x0E,0x00,0x04,0x4D,0x51,0x54,0x54,\n 0x04, 0x02, 0x00, 0x3C, 0x00, 0x02, 0x61, 0x62};"),
            connect_bytes);
}

TEST(hex_input, continuous_hex_string) {
  EXPECT_EQ(parsed("100e00044d5154540402003c00026162"), connect_bytes);
}

TEST(hex_input, xxd_output_with_offsets_and_ascii_column) {
  const char* dump =
      "00000000: 100e 0004 4d51 5454 0402 003c 0002 6162  ....MQTT...<..ab\n";
  EXPECT_EQ(parsed(dump), connect_bytes);
}

TEST(hex_input, xxd_last_line_short_and_ascii_that_looks_like_hex) {
  const char* dump =
      "00000000: 3007 0003 6162 6364 6566                 0...abcdef\n";
  EXPECT_EQ(parsed(dump), (bytes{0x30, 0x07, 0x00, 0x03, 'a', 'b', 'c', 'd', 'e', 'f'}));
}

TEST(hex_input, hexdump_canonical_output) {
  const char* dump =
      "00000000  10 0e 00 04 4d 51 54 54  04 02 00 3c 00 02 61 62  |....MQTT...<..ab|\n"
      "00000010\n";
  EXPECT_EQ(parsed(dump), connect_bytes);
}

TEST(hex_input, comments_blank_lines_and_crlf_ignored) {
  EXPECT_EQ(parsed("# from the ESP32 log\r\n\r\n// CONNECT\r\nc0 00\r\n"), (bytes{0xc0, 0x00}));
}

TEST(hex_input, bad_token_named_with_line_and_column) {
  auto r = parse_hex_input("10 0e\n00 zz 04\n");
  ASSERT_TRUE(std::holds_alternative<capture::hex_input_error>(r));
  const auto& e = std::get<capture::hex_input_error>(r);
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.column, 4u);
  EXPECT_NE(e.message.find("zz"), std::string::npos);
}

TEST(hex_input, odd_digit_count_is_an_error) {
  auto r = parse_hex_input("10 0e0");
  ASSERT_TRUE(std::holds_alternative<capture::hex_input_error>(r));
  EXPECT_NE(std::get<capture::hex_input_error>(r).message.find("odd"), std::string::npos);
}

TEST(hex_input, empty_input_is_an_error) {
  EXPECT_TRUE(std::holds_alternative<capture::hex_input_error>(parse_hex_input("  \n# nothing\n")));
}

TEST(hex_input, single_digit_after_0x_is_one_byte) {
  EXPECT_EQ(parsed("0xc,0x0"), (bytes{0x0c, 0x00}));
}

TEST(hex_packets, connect_then_publish_decoded_with_version_from_connect) {
  keeping_sink sink;
  auto all = connect_bytes;
  const bytes pub{0x30, 0x07, 0x00, 0x03, 'a', '/', 'b', 'h', 'i'};
  all.insert(all.end(), pub.begin(), pub.end());
  const auto r = capture::decode_hex_packets(all, std::nullopt, sink);
  EXPECT_EQ(r.packets, 2u);
  EXPECT_FALSE(r.version_guessed);
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].type, "CONNECT");
  EXPECT_EQ(sink.records[1].type, "PUBLISH");
  EXPECT_EQ(sink.records[1].topic, "a/b");
  EXPECT_EQ(sink.records[1].frame, 2u);
}

TEST(hex_packets, version_5_from_option_reads_properties) {
  // CONNACK 5.0 with properties: topic alias maximum 10.
  const bytes connack{0x20, 0x06, 0x00, 0x00, 0x03, 0x22, 0x00, 0x0a};
  keeping_sink as5;
  capture::decode_hex_packets(connack, proto::protocol_version::v5, as5);
  ASSERT_EQ(as5.records.size(), 1u);
  EXPECT_EQ(as5.records[0].type, "CONNACK");
  EXPECT_EQ(as5.records[0].dir, capture::flow::server_to_client);
  keeping_sink as311;
  const auto r = capture::decode_hex_packets(connack, std::nullopt, as311);
  EXPECT_TRUE(r.version_guessed);
  ASSERT_FALSE(as311.records.empty());
  EXPECT_EQ(as311.records[0].type, "MALFORMED");
}

TEST(hex_packets, garbage_then_packet_resyncs) {
  keeping_sink sink;
  const bytes data{0x00, 0x00, 0xc0, 0x00, 0xd0, 0x00};
  capture::decode_hex_packets(data, proto::protocol_version::v311, sink);
  ASSERT_EQ(sink.records.size(), 3u);
  EXPECT_EQ(sink.records[0].type, "MALFORMED");
  EXPECT_EQ(sink.records[0].error, "reserved_packet_type");
  EXPECT_EQ(sink.records[1].type, "PINGREQ");
  EXPECT_EQ(sink.records[2].type, "PINGRESP");
}

TEST(hex_packets, truncated_dump_reports_once) {
  keeping_sink sink;
  const bytes data{0xc0, 0x00, 0x30, 0x20, 0x00, 0x03, 'a'};
  const auto r = capture::decode_hex_packets(data, proto::protocol_version::v311, sink);
  EXPECT_EQ(r.malformed, 1u);
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[1].error, "truncated");
}

TEST(hex_line_parser, bad_line_is_reported_and_the_next_line_read) {
  capture::hex_line_parser parser;
  bytes out;
  EXPECT_FALSE(parser.parse_line("10 0e", out));
  const auto e = parser.parse_line("00 04 qq", out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->line, 2u);
  EXPECT_EQ(e->column, 7u);
  EXPECT_EQ(out, (bytes{0x10, 0x0e}));  // nothing of the bad line kept
  EXPECT_FALSE(parser.parse_line("00 04", out));
  EXPECT_EQ(out, (bytes{0x10, 0x0e, 0x00, 0x04}));
  EXPECT_EQ(parser.line_number(), 3u);
}

TEST(hex_line_parser, error_message_escapes_terminal_controls_and_invalid_utf8) {
  capture::hex_line_parser parser;
  bytes out;
  // ESC [ 2 J (clear screen) glued to a C1 CSI byte and a UTF-8 encoded C1 (U+009B).
  const auto e = parser.parse_line("\x1b" "2J\x9b" "31m\xc2\x9b" "x", out);
  ASSERT_TRUE(e);
  for (char c : e->message) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_FALSE(u < 0x20 || u == 0x7f) << e->message;
  }
  EXPECT_EQ(e->message.find('\x9b'), std::string::npos) << e->message;
  EXPECT_EQ(e->message.find("\xc2\x9b"), std::string::npos) << e->message;
  EXPECT_NE(e->message.find("\\x1b2J\\x9b31m\\xc2\\x9bx"), std::string::npos) << e->message;
}

TEST(hex_line_parser, valid_utf8_in_a_bad_token_is_shown_as_is) {
  capture::hex_line_parser parser;
  bytes out;
  const auto e = parser.parse_line("grüße", out);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("\"grüße\""), std::string::npos) << e->message;
}

TEST(hex_packet_stream, byte_by_byte_gives_each_packet_when_its_last_byte_arrives) {
  keeping_sink sink;
  capture::hex_packet_stream stream(std::nullopt, sink);
  for (std::size_t i = 0; i + 1 < connect_bytes.size(); ++i) stream.feed(bytes{connect_bytes[i]});
  EXPECT_TRUE(sink.records.empty());
  stream.feed(bytes{connect_bytes.back()});
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0].type, "CONNECT");
  const bytes pub{0x30, 0x07, 0x00, 0x03, 'a', '/', 'b', 'h', 'i'};
  stream.feed(pub);
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[1].topic, "a/b");
  const auto r = stream.finish();
  EXPECT_EQ(r.packets, 2u);
  EXPECT_EQ(r.malformed, 0u);
}

TEST(hex_packet_stream, garbage_fed_in_pieces_resyncs_with_whole_input_offsets) {
  keeping_sink sink;
  capture::hex_packet_stream stream(proto::protocol_version::v311, sink);
  stream.feed(bytes{0x00, 0x00});
  stream.feed(bytes{0xc0, 0x00});
  stream.feed(bytes{0xd0});
  stream.feed(bytes{0x00});
  stream.finish();
  ASSERT_EQ(sink.records.size(), 3u);
  EXPECT_EQ(sink.records[0].type, "MALFORMED");
  EXPECT_EQ(sink.records[1].type, "PINGREQ");
  EXPECT_EQ(sink.records[2].type, "PINGRESP");
}

TEST(hex_packet_stream, packet_cut_by_the_end_is_reported_at_finish) {
  keeping_sink sink;
  capture::hex_packet_stream stream(proto::protocol_version::v311, sink);
  stream.feed(bytes{0xc0, 0x00, 0x30, 0x20, 0x00});
  ASSERT_EQ(sink.records.size(), 1u);  // PINGREQ; the PUBLISH may still come
  const auto r = stream.finish();
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[1].type, "MALFORMED");
  EXPECT_EQ(sink.records[1].error, "truncated");
  EXPECT_EQ(r.malformed, 1u);
}

}  // namespace
}  // namespace mqtk::test
