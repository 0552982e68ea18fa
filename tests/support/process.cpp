#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace mqtk::test {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void close_fd(int& fd) noexcept {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

std::string sh_quote(const std::vector<std::string>& args) {
  std::string line;
  for (const auto& a : args) {
    if (!line.empty()) line += ' ';
    line += a;
  }
  return line;
}

}  // namespace

// ---- temp_dir ----------------------------------------------------------------------------

temp_dir::temp_dir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/" + std::string(prefix) + "-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) throw_errno("mkdtemp " + templ);
  // Readable by others so that a broker that drops privileges can still read what is here.
  ::chmod(templ.c_str(), 0755);
  path_ = templ;
}

temp_dir::~temp_dir() {
  if (!path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

temp_dir::temp_dir(temp_dir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

temp_dir& temp_dir::operator=(temp_dir&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

void write_file(const std::filesystem::path& file, std::string_view text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- status ------------------------------------------------------------------------------

std::string process_status::to_string() const {
  if (exited) return "exit " + std::to_string(exit_code);
  if (term_signal != 0) return "signal " + std::to_string(term_signal) + " (" + ::strsignal(term_signal) + ")";
  return "running";
}

std::string run_result::describe() const {
  std::string s = status.to_string();
  if (timed_out) s += " (timed out)";
  s += "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
  return s;
}

// ---- process -----------------------------------------------------------------------------

process::process(process_options options) {
  if (options.args.empty()) throw std::invalid_argument("process: no program");
  const auto program = find_program(options.args.front());
  if (program.empty()) throw std::runtime_error("process: program not found: " + options.args.front());

  if (options.stdout_file.empty() || options.stderr_file.empty()) dir_.emplace("mqtk-proc");
  stdout_path_ = options.stdout_file.empty() ? dir_->path() / "stdout" : options.stdout_file;
  stderr_path_ = options.stderr_file.empty() ? dir_->path() / "stderr" : options.stderr_file;

  // Everything the child needs is prepared before fork: after fork in a threaded test only
  // async-signal-safe calls are allowed.
  std::map<std::string, std::string> env_map;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env_map[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& name : options.unset_env) env_map.erase(name);
  for (const auto& [k, v] : options.env) env_map[k] = v;
  std::vector<std::string> env_strings;
  env_strings.reserve(env_map.size());
  for (const auto& [k, v] : env_map) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> arg_strings = options.args;
  std::vector<char*> argv;
  for (auto& s : arg_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const std::string program_str = program.string();
  const std::string workdir = options.working_dir.string();

  int out_fd = ::open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0) throw_errno("open " + stdout_path_.string());
  int err_fd = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (err_fd < 0) {
    close_fd(out_fd);
    throw_errno("open " + stderr_path_.string());
  }
  int in_fd = -1;
  int parent_in_fd = -1;
  if (options.input == stdin_mode::null) {
    in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  } else if (options.input == stdin_mode::data) {
    // A file, not a pipe: the child reads at its own pace and the test never blocks.
    const auto in_path = (dir_ ? dir_->path() : stdout_path_.parent_path()) /
                         ("stdin-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    write_file(in_path, options.stdin_data);
    in_fd = ::open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
    ::unlink(in_path.c_str());
  } else {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw_errno("pipe");
    in_fd = p[0];
    parent_in_fd = p[1];
  }
  int exec_pipe[2];  // the child reports an exec failure's errno through it
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) throw_errno("pipe");

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    // Own process group, so that kill() also reaches whatever the child starts.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    // Signals ignored or blocked by the test runner must not leak into the child.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (!workdir.empty() && ::chdir(workdir.c_str()) != 0) {
      int e = errno;
      (void)!::write(exec_pipe[1], &e, sizeof e);
      ::_exit(127);
    }
    ::execve(program_str.c_str(), argv.data(), envp.data());
    int e = errno;
    (void)!::write(exec_pipe[1], &e, sizeof e);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent, so signal() works even before the child runs
  pid_ = pid;
  close_fd(in_fd);
  close_fd(out_fd);
  close_fd(err_fd);
  stdin_fd_ = parent_in_fd;
  ::close(exec_pipe[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    kill();
    errno = child_errno;
    throw_errno("exec " + sh_quote(options.args));
  }
}

process::~process() { release(); }

void process::release() noexcept {
  close_fd(stdin_fd_);
  if (pid_ > 0 && !status_) {
    try {
      kill();
    } catch (...) {
    }
  }
  pid_ = -1;
}

process::process(process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdin_fd_(std::exchange(other.stdin_fd_, -1)),
      status_(std::move(other.status_)),
      dir_(std::move(other.dir_)),
      stdout_path_(std::move(other.stdout_path_)),
      stderr_path_(std::move(other.stderr_path_)) {}

process& process::operator=(process&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    stdin_fd_ = std::exchange(other.stdin_fd_, -1);
    status_ = std::move(other.status_);
    dir_ = std::move(other.dir_);
    stdout_path_ = std::move(other.stdout_path_);
    stderr_path_ = std::move(other.stderr_path_);
  }
  return *this;
}

void process::reap(int wait_status, const struct rusage& usage) {
  process_status s;
  s.peak_rss_kb = usage.ru_maxrss;
  if (WIFEXITED(wait_status)) {
    s.exited = true;
    s.exit_code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    s.term_signal = WTERMSIG(wait_status);
  }
  status_ = s;
  // Grandchildren left in the group (a shell's children) go with it.
  ::kill(-pid_, SIGKILL);
}

bool process::running() {
  if (pid_ <= 0 || status_) return false;
  int ws = 0;
  struct rusage usage {};
  pid_t r;
  do {
    r = ::wait4(pid_, &ws, WNOHANG, &usage);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    reap(ws, usage);
    return false;
  }
  return r == 0;
}

std::optional<process_status> process::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = 1ms;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return status_;
}

process_status process::wait_or_kill(std::chrono::milliseconds timeout, std::chrono::milliseconds grace) {
  if (auto s = wait_for(timeout)) return *s;
  terminate();
  if (auto s = wait_for(grace)) return *s;
  kill();
  return status_.value_or(process_status{});
}

void process::signal(int sig) {
  if (pid_ > 0 && !status_) ::kill(-pid_, sig);
}

void process::terminate() { signal(SIGTERM); }

void process::kill() {
  if (pid_ <= 0 || status_) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  // SIGKILL cannot be caught, so the reap below is quick; the bound guards against a child
  // stuck in uninterruptible sleep.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
}

void process::write_stdin(std::string_view bytes) {
  if (stdin_fd_ < 0) throw std::logic_error("process: stdin is not an open pipe");
  // A child that stops reading must not hang the test: SIGPIPE is turned into EPIPE.
  struct sigaction ignore {};
  struct sigaction old {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  while (!bytes.empty()) {
    const ssize_t n = ::write(stdin_fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::sigaction(SIGPIPE, &old, nullptr);
      errno = e;
      throw_errno("write to child stdin");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  ::sigaction(SIGPIPE, &old, nullptr);
}

void process::close_stdin() { close_fd(stdin_fd_); }

std::string process::out() const { return read_file(stdout_path_); }
std::string process::err() const { return read_file(stderr_path_); }

bool process::wait_for_output(std::string_view needle, std::chrono::milliseconds timeout, bool on_stderr) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const bool alive = running();
    const auto text = on_stderr ? err() : out();
    if (text.find(needle) != std::string::npos) return true;
    if (!alive || std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
}

// ---- helpers -----------------------------------------------------------------------------

run_result run(process_options options, std::chrono::milliseconds timeout) {
  process p(std::move(options));
  run_result r;
  if (auto s = p.wait_for(timeout)) {
    r.status = *s;
  } else {
    r.timed_out = true;
    p.kill();
    r.status = p.status().value_or(process_status{});
  }
  r.out = p.out();
  r.err = p.err();
  return r;
}

run_result run(std::vector<std::string> args, std::chrono::milliseconds timeout, std::string input) {
  process_options o;
  o.args = std::move(args);
  if (!input.empty()) {
    o.input = stdin_mode::data;
    o.stdin_data = std::move(input);
  }
  return run(std::move(o), timeout);
}

std::filesystem::path find_program(std::string_view name) {
  if (name.find('/') != std::string_view::npos) return std::filesystem::path(name);
  const char* path_env = std::getenv("PATH");
  std::string_view dirs = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::vector<std::string> search;
  while (true) {
    const auto colon = dirs.find(':');
    search.emplace_back(dirs.substr(0, colon));
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  // Debian keeps the broker in sbin, which a non-root PATH often lacks.
  search.emplace_back("/usr/sbin");
  search.emplace_back("/sbin");
  for (const auto& d : search) {
    if (d.empty()) continue;
    const auto candidate = std::filesystem::path(d) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::filesystem::path tool_path(std::string_view name) {
  const char* env = std::getenv("MQTK_TOOLS_DIR");
  const std::filesystem::path dir = env && *env ? env : MQTK_TOOLS_DIR;
  for (const auto& candidate : {dir / name / name, dir / name}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return dir / name;
}

}  // namespace mqtk::test
