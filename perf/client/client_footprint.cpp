// The client's cost at scale: memory per connected client with many clients on one io_context
// (what mqtk-bench will run), and heap allocations per message on the publish and receive paths
// in steady state (counted with a replaced operator new; the target is none per message).
//
//   cmake --preset perf && cmake --build --preset perf --target mqtk_client_footprint
//   perf/client/run_footprint.sh            # starts its own mosquitto on a free loopback port
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "mqtk/client/client.hpp"
#include "support/allocation_counter.hpp"


namespace asio = boost::asio;
using namespace mqtk;

namespace {

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

client::client_options options_for(const std::string& url, std::string& id_storage, int n) {
  client::client_options o;
  o.target = *net::parse_url(url);
  id_storage = "footprint-" + std::to_string(n);
  o.connect = proto::connect{.client_id = id_storage, .keep_alive = 600};
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: mqtk_client_footprint URL CLIENTS [MESSAGES]\n";
    return 64;
  }
  const std::string url = argv[1];
  const int clients = std::atoi(argv[2]);
  const int messages = argc > 3 ? std::atoi(argv[3]) : 20000;
  asio::io_context io(1);

  // 1. Memory per connected client.
  const long rss_before = rss_kib();
  std::vector<std::unique_ptr<client::client>> pool;
  std::vector<std::string> ids(static_cast<std::size_t>(clients));
  int connected = 0;
  int finished = 0;
  for (int i = 0; i < clients; ++i) {
    pool.push_back(std::make_unique<client::client>(io.get_executor(), options_for(url, ids[static_cast<std::size_t>(i)], i)));
    pool.back()->async_connect([&](boost::system::error_code ec, client::connect_result) {
      if (!ec) ++connected;
      ++finished;
    });
  }
  // Connected clients keep reading, so the io_context never runs out of work: step it until
  // every connect has completed.
  while (finished < clients) io.run_one();
  const long rss_after = rss_kib();
  std::printf("clients: %d connected of %d, RSS %+ld KiB, %.1f KiB per connected client\n", connected, clients,
              rss_after - rss_before, connected ? static_cast<double>(rss_after - rss_before) / connected : 0.0);

  // 2. Allocations per message: one client publishes QoS 1 to a topic another one receives.
  std::string pub_id, sub_id;
  client::client publisher(io.get_executor(), options_for(url, pub_id, -1));
  client::client subscriber(io.get_executor(), options_for(url, sub_id, -2));
  std::size_t received = 0;
  subscriber.on_message([&](const proto::publish&) { ++received; });
  std::size_t publish_allocations = 0, receive_window_allocations = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await publisher.async_connect(asio::as_tuple(asio::use_awaitable));
        co_await subscriber.async_connect(asio::as_tuple(asio::use_awaitable));
        const std::vector<proto::subscription> subs{{.filter = "footprint/t", .max_qos = proto::qos::at_least_once}};
        co_await subscriber.async_subscribe(proto::subscribe{.subscriptions = proto::list_view<proto::subscription>(subs)},
                                            asio::as_tuple(asio::use_awaitable));
        const std::string payload(64, 'p');
        const proto::publish message{.topic = "footprint/t", .payload = payload, .qos = proto::qos::at_least_once};
        // Warm-up: buffers, slots and Asio's handler memory grow here.
        for (int i = 0; i < 2000; ++i) co_await publisher.async_publish(message, asio::as_tuple(asio::use_awaitable));
        const std::size_t before = mqtk::test::allocation_count();
        for (int i = 0; i < messages; ++i) co_await publisher.async_publish(message, asio::as_tuple(asio::use_awaitable));
        publish_allocations = mqtk::test::allocation_count() - before;
        receive_window_allocations = publish_allocations;
        co_await publisher.async_disconnect(asio::as_tuple(asio::use_awaitable));
        co_await subscriber.async_disconnect(asio::as_tuple(asio::use_awaitable));
        for (auto& c : pool) c->close();
        io.stop();
      },
      asio::detached);
  io.run();
  std::printf("publish+receive: %d QoS 1 messages of 64 bytes, %zu received, %.3f allocations per message "
              "(publisher and subscriber together, co_await per message)\n",
              messages, received, static_cast<double>(receive_window_allocations) / messages);
  (void)publish_allocations;
  return 0;
}
