#pragma once
// Test helper: a child process (mosquitto, mosquitto_pub/sub, python paho scripts, the built
// mqtk tools) with its output captured to files, so that a chatty child can never block on a
// full pipe and a test can read what it printed so far while it still runs.
//
// Every wait is bounded. A child never outlives its `process` object (SIGKILL to its process
// group in the destructor) nor the test executable (PR_SET_PDEATHSIG), so a crashed or
// failed test leaves no broker behind holding a port. (PR_SET_PDEATHSIG fires when the
// *thread* that started the child ends, so start long-lived children from the test's thread.)
#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mqtk::test {

using namespace std::chrono_literals;

// A directory under $TMPDIR (or /tmp), removed with its contents by the destructor.
class temp_dir {
 public:
  explicit temp_dir(std::string_view prefix = "mqtk-test");
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  temp_dir(temp_dir&& other) noexcept;
  temp_dir& operator=(temp_dir&& other) noexcept;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes `text` to `file`, replacing it; throws on failure.
void write_file(const std::filesystem::path& file, std::string_view text);
// Whole file contents; empty when the file does not exist.
std::string read_file(const std::filesystem::path& file);

enum class stdin_mode {
  null,  // /dev/null: the child sees EOF at once
  data,  // the bytes of process_options::stdin_data, then EOF
  pipe,  // a pipe the test writes with write_stdin() and ends with close_stdin()
};

struct process_options {
  std::vector<std::string> args;  // args[0] is the program: a path, or a name looked up in PATH
  // Added to (or replacing entries of) the test's own environment.
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> unset_env;  // removed from the child's environment
  stdin_mode input = stdin_mode::null;
  std::string stdin_data;
  // Where output goes; empty: a fresh file in a temp dir owned by the process object.
  std::filesystem::path stdout_file;
  std::filesystem::path stderr_file;
  std::filesystem::path working_dir;  // empty: the test's own
};

// How a child ended.
struct process_status {
  int exit_code = -1;    // valid when exited
  int term_signal = 0;   // non-zero when killed by a signal
  bool exited = false;
  long peak_rss_kb = 0;  // the child's peak resident set size (wait4's ru_maxrss): its VmHWM


  bool success() const { return exited && exit_code == 0; }
  std::string to_string() const;  // "exit 0", "signal 9 (Killed)"
};

// Result of run(): the status plus everything printed.
struct run_result {
  process_status status;
  bool timed_out = false;  // the child was killed because it outlived the timeout
  std::string out;
  std::string err;

  int exit_code() const { return status.exited ? status.exit_code : -1; }
  std::string describe() const;  // status and output, for assertion messages
};

class process {
 public:
  // Starts the child; throws std::runtime_error when it cannot be started (exec failure
  // included, with errno text).
  explicit process(process_options options);
  ~process();  // kills the child's process group if still running, and reaps it
  process(const process&) = delete;
  process& operator=(const process&) = delete;
  process(process&& other) noexcept;
  process& operator=(process&& other) noexcept;

  pid_t pid() const { return pid_; }
  bool running();  // reaps the child if it has ended

  // Waits up to `timeout` for the child to end; nullopt if it still runs.
  std::optional<process_status> wait_for(std::chrono::milliseconds timeout);
  // Waits up to `timeout`, then SIGTERM, `grace` more, then SIGKILL; always returns a status.
  process_status wait_or_kill(std::chrono::milliseconds timeout, std::chrono::milliseconds grace = 2000ms);
  // Status of an ended child (after wait_for/running said so).
  const std::optional<process_status>& status() const { return status_; }

  // Signals the child's process group (the child and anything it started).
  void signal(int sig);
  void terminate();  // SIGTERM
  void kill();       // SIGKILL and reap; never blocks long

  // stdin_mode::pipe only: writes all of `bytes` (throws if the child closed its stdin).
  void write_stdin(std::string_view bytes);
  void close_stdin();

  // What the child printed so far (the whole file).
  std::string out() const;
  std::string err() const;
  const std::filesystem::path& stdout_path() const { return stdout_path_; }
  const std::filesystem::path& stderr_path() const { return stderr_path_; }

  // Polls the output until it contains `needle` or the timeout expires or the child ends;
  // true when found.
  bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout,
                       bool on_stderr = false);

 private:
  void reap(int wait_status, const struct rusage& usage);
  void release() noexcept;

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::optional<process_status> status_;
  std::optional<temp_dir> dir_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
};

// Runs a child to completion: starts it, waits up to `timeout` (then kills it and sets
// timed_out) and returns its status and output.
run_result run(process_options options, std::chrono::milliseconds timeout = 30s);
// Shorthand: args only, stdin from `input` when non-empty.
run_result run(std::vector<std::string> args, std::chrono::milliseconds timeout = 30s,
               std::string input = {});

// Full path of `name` in $PATH (or the name itself if it contains a slash); empty if absent.
std::filesystem::path find_program(std::string_view name);

// The built executable `name` (e.g. "mqtk-pub") in MQTK_TOOLS_DIR/<name>/<name> or
// MQTK_TOOLS_DIR/<name>; $MQTK_TOOLS_DIR overrides the compiled-in directory.
std::filesystem::path tool_path(std::string_view name);

}  // namespace mqtk::test
