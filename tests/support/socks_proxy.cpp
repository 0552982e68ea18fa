#include "support/socks_proxy.hpp"

#include <stdexcept>
#include <thread>

#include "support/broker.hpp"

namespace mqtk::test {

namespace {

using clock = std::chrono::steady_clock;

}  // namespace

socks_proxy::socks_proxy(socks_proxy_options options) : options_(std::move(options)), dir_("mqtk-socks") {
  if (find_program("microsocks").empty()) {
    throw std::runtime_error("socks_proxy: microsocks is not installed (apt-get install microsocks; scripts/setup does)");
  }
  // Another process may take the port between our pick and microsocks' bind: pick again.
  std::string why;
  for (int attempt = 0; attempt < 4; ++attempt) {
    port_ = free_port(loopback::v4);
    if (launch(why)) return;
  }
  throw std::runtime_error("socks_proxy did not start: " + why);
}

socks_proxy::~socks_proxy() {
  try {
    stop();
  } catch (...) {
  }
}

std::string socks_proxy::url() const { return url_with(options_.username, options_.password); }

std::string socks_proxy::url_with(std::string_view username, std::string_view password) const {
  std::string out = "socks5h://";
  if (!username.empty()) {
    out += username;
    out += ':';
    out += password;
    out += '@';
  }
  return out + host_ + ":" + std::to_string(port_);
}

bool socks_proxy::launch(std::string& why) {
  ++runs_;
  process_options po;
  po.args = {"microsocks", "-i", host_, "-p", std::to_string(port_)};
  if (!options_.username.empty()) {
    po.args.insert(po.args.end(), {"-u", options_.username, "-P", options_.password});
  }
  po.stdout_file = dir_ / ("microsocks-run" + std::to_string(runs_) + ".log");
  po.stderr_file = dir_ / ("microsocks-run" + std::to_string(runs_) + ".stderr");
  proc_.emplace(std::move(po));
  const auto deadline = clock::now() + options_.start_timeout;
  // Accepting connections is microsocks' only sign of being ready (it prints nothing).
  while (!wait_for_port(host_, port_, std::chrono::milliseconds(50))) {
    if (!proc_->running() || clock::now() >= deadline) {
      const bool exited = !proc_->running();
      proc_.reset();
      why = std::string(exited ? "microsocks exited" : "timed out waiting") + " (port " + std::to_string(port_) +
            ")\n" + log();
      return false;
    }
  }
  return true;
}

bool socks_proxy::running() { return proc_ && proc_->running(); }

void socks_proxy::stop() {
  if (proc_) proc_->kill();
  proc_.reset();
}

void socks_proxy::start() {
  if (running()) return;
  std::string why;
  // Same port as before: it may be in TIME_WAIT for a moment after the kill.
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (launch(why)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("socks_proxy did not restart: " + why);
}

std::string socks_proxy::log() const {
  std::string all;
  for (int i = 1; i <= runs_; ++i) {
    all += read_file(dir_ / ("microsocks-run" + std::to_string(i) + ".log"));
    all += read_file(dir_ / ("microsocks-run" + std::to_string(i) + ".stderr"));
  }
  return all;
}

}  // namespace mqtk::test
