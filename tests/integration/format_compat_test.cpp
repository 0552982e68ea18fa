// mqtk-sub's output against the real mosquitto_sub 2.0: the same messages, published
// retained to a real broker, printed by mosquitto_sub in each output mode and by
// report::message_printer; the bytes must be identical (only the receive time in %j/%J's
// "tst" may differ).
#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <memory>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>

#include "mqtk/report/message_printer.hpp"
#include "support/broker.hpp"
#include "support/process.hpp"

namespace mqtk::report {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using proto::property;
using proto::property_id;

struct message_def {
  std::string name;
  std::string topic;
  std::string payload;
  int qos = 0;
  bool v5 = false;
  std::vector<std::string> pub_properties;  // -D words for mosquitto_pub
  std::vector<property> properties;         // what the subscriber receives, in order
};

const std::vector<message_def>& messages() {
  static const std::vector<message_def> all = {
      {.name = "text", .topic = "fmt/text", .payload = "hello world"},
      {.name = "nul_bytes", .topic = "fmt/nul", .payload = "x\0y\x01z"s},
      {.name = "control_chars", .topic = "fmt/ctl", .payload = "tab\there \"q\" back\\slash\nnl \xc3\xa9 \x7f\b\f\r"},
      {.name = "json", .topic = "fmt/json", .payload = R"( {"a": [1, 2.50, true, -0, 1e3], "b": {"c": null, "d": "\u00e9\/"}} )",
       .qos = 1},
      {.name = "qos2", .topic = "fmt/q2/deeper/topic", .payload = "two", .qos = 2},
      {.name = "long", .topic = "fmt/long", .payload = std::string(300, 'L') + "end"},
      {.name = "binary", .topic = "fmt/bin", .payload = "\xff\xfe\x00\x80\x01"s, .qos = 1},
      {.name = "v5_properties",
       .topic = "fmt/props",
       .payload = R"({"t":21.5})",
       .qos = 1,
       .v5 = true,
       .pub_properties = {"-D", "publish", "content-type", "application/json",
                          "-D", "publish", "user-property", "k1", "v1",
                          "-D", "publish", "user-property", "k1", "v2",
                          "-D", "publish", "response-topic", "reply/to",
                          "-D", "publish", "correlation-data", "corr-42",
                          "-D", "publish", "payload-format-indicator", "1"},
       .properties = {property{.id = property_id::content_type, .value = "application/json"},
                      property{.id = property_id::user_property, .key = "k1", .value = "v1"},
                      property{.id = property_id::user_property, .key = "k1", .value = "v2"},
                      property{.id = property_id::response_topic, .value = "reply/to"},
                      property{.id = property_id::correlation_data, .value = "corr-42"},
                      property{.id = property_id::payload_format_indicator, .number = 1}}},
  };
  return all;
}

// Every conversion that does not print the time, with flags, widths and precisions, and the
// escapes (a NUL among them).
const std::string everything_format =
    "%t|%p|%q|%r|%l|%m|%x|%X|%5l|%-5l|%05l|%-05l|%10t|%-10t|%.2t|%8.3t|%.t|%12p|%-12p|%3p|%-p|%012x|%-x|%6X|%12x|"
    "%C|%R|%F|%A|%S|%P|%D|%E|%10C|%-6R|%04F|%3A|%3S|%05E|%.3C|%3m|%03m|%%|@@|\\t|\\e|\\\\|\\0|\\a\\v\\r|end";

struct output_mode_def {
  std::string name;
  std::vector<std::string> sub_args;
  printer_options options;
};

const std::vector<output_mode_def>& modes() {
  static const std::vector<output_mode_def> all = {
      {"payload", {}, {}},
      {"no_eol", {"-N"}, {.eol = false}},
      {"verbose", {"-v"}, {.mode = output_mode::verbose}},
      {"verbose_no_eol", {"-v", "-N"}, {.mode = output_mode::verbose, .eol = false}},
      {"format_everything", {"-F", everything_format}, {.mode = output_mode::format, .format = everything_format}},
      {"format_no_eol", {"-N", "-F", "%t=%p;"}, {.mode = output_mode::format, .eol = false, .format = "%t=%p;"}},
      {"json_escaped", {"-F", "%j"}, {.mode = output_mode::format, .format = "%j"}},
      {"json_embedded", {"-F", "<%J>"}, {.mode = output_mode::format, .format = "<%J>"}},
      {"json_pretty", {"--pretty", "-F", "%j|%J"}, {.mode = output_mode::format, .pretty = true, .format = "%j|%J"}},
  };
  return all;
}

// %j/%J's "tst" is the receive time, the one thing allowed to differ.
std::string without_time(const std::string& s) {
  static const std::regex tst(R"re("tst":(\t?)"[^"]*")re");
  return std::regex_replace(s, tst, R"("tst":$1"T")");
}

// One broker for the whole file, holding the retained messages; created on first use.
struct shared_broker {
  std::unique_ptr<test::broker> broker;
  std::unique_ptr<test::temp_dir> dir;
  std::string failure;

  static shared_broker& get() {
    static shared_broker b = start();
    return b;
  }

 private:
  static shared_broker start() {
    shared_broker b;
    if (test::find_program("mosquitto_sub").empty() || test::find_program("mosquitto_pub").empty()) {
      b.failure = "mosquitto_sub/mosquitto_pub not installed";
      return b;
    }
    // log_type all: the live test waits for the broker to log the subscriber's SUBSCRIBE.
    b.broker = std::make_unique<test::broker>(test::broker_options{.verbose_log = true});
    b.dir = std::make_unique<test::temp_dir>("mqtk-format");
    // Retained, so that every mosquitto_sub run gets the same message with no race.
    for (const auto& m : messages()) {
      const auto file = b.dir->path() / m.name;
      test::write_file(file, m.payload);
      std::vector<std::string> args{"mosquitto_pub", "-h", b.broker->host(), "-p", std::to_string(b.broker->port()),
                                    "-t", m.topic, "-f", file.string(), "-r", "-q", std::to_string(m.qos)};
      if (m.v5) args.insert(args.end(), {"-V", "5"});
      args.insert(args.end(), m.pub_properties.begin(), m.pub_properties.end());
      auto r = test::run(args, 20s);
      if (!r.status.success()) b.failure = "mosquitto_pub failed: " + r.describe();
    }
    return b;
  }
};

std::vector<std::string> sub_command(const std::string& topic, bool v5) {
  auto& b = *shared_broker::get().broker;
  std::vector<std::string> args{"mosquitto_sub", "-h", b.host(), "-p", std::to_string(b.port()), "-t", topic,
                                "-q", "2", "-W", "10"};
  if (v5) args.insert(args.end(), {"-V", "5"});
  return args;
}

void use_utc() {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

class format_compat : public ::testing::TestWithParam<std::tuple<std::size_t, std::size_t>> {
 protected:
  void SetUp() override {
    const auto& b = shared_broker::get();
    if (!b.failure.empty()) GTEST_SKIP() << b.failure;
  }
};

TEST_P(format_compat, same_bytes_as_mosquitto_sub) {
  const message_def& m = messages()[std::get<0>(GetParam())];
  const output_mode_def& mode = modes()[std::get<1>(GetParam())];

  test::process_options p;
  p.args = sub_command(m.topic, m.v5);
  p.args.insert(p.args.end(), {"-C", "1"});
  p.args.insert(p.args.end(), mode.sub_args.begin(), mode.sub_args.end());
  p.env = {{"TZ", "UTC"}};
  const auto theirs = test::run(p, 20s);
  ASSERT_TRUE(theirs.status.exited && !theirs.timed_out) << theirs.describe();

  // A retained message to a fresh subscription: retain 1, QoS as published (the subscription
  // asks for 2), and the session's first packet identifier.
  proto::property_list props{m.properties};
  message_view view{.topic = m.topic,
                    .payload = m.payload,
                    .qos = static_cast<proto::qos>(m.qos),
                    .retain = true,
                    .packet_id = static_cast<std::uint16_t>(m.qos > 0 ? 1 : 0),
                    .properties = m.properties.empty() ? nullptr : &props,
                    .timestamp = std::chrono::system_clock::now()};
  use_utc();
  message_printer printer(mode.options);
  std::string ours, our_err;
  printer.append(ours, view, &our_err);
  EXPECT_EQ(without_time(ours), without_time(theirs.out));
  // mosquitto_sub's only stderr output here is %J's complaint about a payload that is not JSON.
  EXPECT_EQ(our_err, theirs.err);
}

INSTANTIATE_TEST_SUITE_P(
    all, format_compat,
    ::testing::Combine(::testing::Range<std::size_t>(0, messages().size()), ::testing::Range<std::size_t>(0, modes().size())),
    [](const ::testing::TestParamInfo<format_compat::ParamType>& param_info) {
      return messages()[std::get<0>(param_info.param)].name + "__" + modes()[std::get<1>(param_info.param)].name;
    });

// The time conversions print the receive time, which differs between the two; their shape
// (widths, separators, zone offset, nanosecond digits) must not.
TEST(format_compat_time, same_shape_as_mosquitto_sub) {
  const auto& b = shared_broker::get();
  if (!b.failure.empty()) GTEST_SKIP() << b.failure;
  const std::string format = "%U|%I|%30I|%-26I|%.10I|@Y-@m-@dT@H:@M:@S|@N|@j|@s|@@|@z|@a @b|%j";
  test::process_options p;
  p.args = sub_command("fmt/text", false);
  p.args.insert(p.args.end(), {"-C", "1", "-F", format});
  p.env = {{"TZ", "UTC"}};
  const auto theirs = test::run(p, 20s);
  ASSERT_TRUE(theirs.status.success()) << theirs.describe();

  use_utc();
  message_printer printer({.mode = output_mode::format, .format = format});
  message_view view{.topic = "fmt/text", .payload = "hello world", .retain = true,
                    .timestamp = std::chrono::system_clock::now()};
  std::string ours;
  printer.append(ours, view);
  static const std::regex digits("[0-9]");
  static const std::regex names("\\|[A-Z][a-z][a-z] [A-Z][a-z][a-z]\\|");
  auto shape = [](const std::string& s) {
    return std::regex_replace(std::regex_replace(s, digits, "9"), names, "|Day Mon|");
  };
  EXPECT_EQ(shape(ours), shape(theirs.out));
}

// Messages that cannot be retained (an empty payload deletes a retained message) arrive
// live: mosquitto_sub is started, and once the broker has logged its SUBSCRIBE the messages
// are published.
struct live_mode {
  std::string name;
  std::vector<std::string> args;
  printer_options options;
};

class format_compat_live : public ::testing::TestWithParam<live_mode> {
 protected:
  void SetUp() override {
    const auto& b = shared_broker::get();
    if (!b.failure.empty()) GTEST_SKIP() << b.failure;
  }
};

TEST_P(format_compat_live, same_bytes_as_mosquitto_sub) {
  auto& b = *shared_broker::get().broker;
  const live_mode& lm = GetParam();
  const std::string topic = "fmt/live/" + lm.name;
  const std::string id = "fmt-live-" + lm.name;
  // payload, QoS: the empty payloads are the point; QoS 1/2 ones take packet ids in order.
  // The QoS 2 one goes last: libmosquitto hands it over only at PUBREL, so a message sent
  // after it could overtake it.
  const std::vector<std::pair<std::string, int>> sent = {{"", 0}, {"", 1}, {"[1, 2]", 1}, {"z", 0}, {"a", 2}};

  test::process_options p;
  p.args = sub_command(topic, false);
  p.args.insert(p.args.end(), {"-C", std::to_string(sent.size()), "-i", id});
  p.args.insert(p.args.end(), lm.args.begin(), lm.args.end());
  p.env = {{"TZ", "UTC"}};
  test::process sub(p);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (b.log().find("Received SUBSCRIBE from " + id) == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no SUBSCRIBE from mosquitto_sub\n" << b.log();
    std::this_thread::sleep_for(20ms);
  }
  for (const auto& [payload, qos] : sent) {
    std::vector<std::string> args{"mosquitto_pub", "-h", b.host(), "-p", std::to_string(b.port()), "-t", topic,
                                  "-q", std::to_string(qos)};
    if (payload.empty()) {
      args.push_back("-n");
    } else {
      args.insert(args.end(), {"-m", payload});
    }
    auto r = test::run(args, 20s);
    ASSERT_TRUE(r.status.success()) << r.describe();
  }
  auto status = sub.wait_or_kill(20s);
  ASSERT_TRUE(status.success()) << status.to_string() << "\n" << sub.err();

  use_utc();
  message_printer printer(lm.options);
  std::string ours, our_err;
  std::uint16_t mid = 0;
  for (const auto& [payload, qos] : sent) {
    message_view view{.topic = topic,
                      .payload = payload,
                      .qos = static_cast<proto::qos>(qos),
                      .packet_id = static_cast<std::uint16_t>(qos > 0 ? ++mid : 0),
                      .timestamp = std::chrono::system_clock::now()};
    printer.append(ours, view, &our_err);
  }
  EXPECT_EQ(without_time(ours), without_time(sub.out()));
  EXPECT_EQ(our_err, sub.err());
}

INSTANTIATE_TEST_SUITE_P(
    all, format_compat_live,
    ::testing::Values(live_mode{"payload", {}, {}}, live_mode{"verbose", {"-v"}, {.mode = output_mode::verbose}},
                      live_mode{"verbose_no_eol", {"-v", "-N"}, {.mode = output_mode::verbose, .eol = false}},
                      live_mode{"format", {"-F", "[%t][%p][%l][%q][%r][%m][%x][%-3p][%5p]"},
                                {.mode = output_mode::format, .format = "[%t][%p][%l][%q][%r][%m][%x][%-3p][%5p]"}},
                      live_mode{"json", {"-F", "%j"}, {.mode = output_mode::format, .format = "%j"}},
                      live_mode{"json_embedded", {"-F", "%J"}, {.mode = output_mode::format, .format = "%J"}}),
    [](const ::testing::TestParamInfo<live_mode>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mqtk::report
