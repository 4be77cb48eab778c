// Child processes for multi-process tests and benchmarks: start with stdout on a pipe and
// stderr appended to a log file, read stdout lines with a deadline, signal and reap. A Process
// only ever signals its own child (by pid), and its destructor SIGKILLs and reaps a child that
// is still running, so a failed test leaves nothing behind.
//
// Safe to use from a multi-threaded test: everything the child needs is prepared before
// fork(), and the child only calls async-signal-safe functions (dup2, open, execv, _exit).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

class Process {
 public:
  // Runs argv[0] (a path, not searched in PATH) with argv. nullptr if pipe/fork failed.
  static std::unique_ptr<Process> Start(const std::vector<std::string>& argv,
                                        const std::string& stderr_path) {
    if (argv.empty()) return nullptr;
    // Built before fork: the child of a multi-threaded parent must not allocate.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const char* err_path = stderr_path.c_str();
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return nullptr;
    pid_t pid = ::fork();
    if (pid < 0) {
      ::close(out[0]);
      ::close(out[1]);
      return nullptr;
    }
    if (pid == 0) {
      ::dup2(out[1], STDOUT_FILENO);  // dup2 clears FD_CLOEXEC on the new descriptor
      int err = ::open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (err >= 0) ::dup2(err, STDERR_FILENO);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out[1]);
    return std::unique_ptr<Process>(new Process(pid, out[0]));
  }

  ~Process() {
    if (!m_exited) {
      ::kill(m_pid, SIGKILL);
      int status = 0;
      ::waitpid(m_pid, &status, 0);
    }
    ::close(m_out);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return m_pid; }

  // The next stdout line, or nullopt at EOF or after `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (size_t nl = m_buffer.find('\n'); nl != std::string::npos) {
        std::string line = m_buffer.substr(0, nl);
        m_buffer.erase(0, nl + 1);
        return line;
      }
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{m_out, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(m_out, buf, sizeof(buf));
      if (n <= 0) {
        if (m_buffer.empty()) return std::nullopt;
        std::string rest = std::move(m_buffer);
        m_buffer.clear();
        return rest;
      }
      m_buffer.append(buf, static_cast<size_t>(n));
    }
  }

  // All remaining stdout until EOF (bounded).
  std::string ReadAll(std::chrono::milliseconds timeout) {
    std::string all;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (auto line = ReadLine(std::chrono::duration_cast<std::chrono::milliseconds>(
               deadline - std::chrono::steady_clock::now()))) {
      all += *line + "\n";
    }
    return all;
  }

  void Signal(int sig) {
    if (!m_exited) ::kill(m_pid, sig);
  }

  // The exit code (or 128 + signal), or nullopt if it is still running after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout) {
    if (m_exited) return m_code;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int status = 0;
      pid_t r = ::waitpid(m_pid, &status, WNOHANG);
      if (r == m_pid) {
        m_exited = true;
        m_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return m_code;
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  Process(pid_t pid, int out) : m_pid(pid), m_out(out) {}
  pid_t m_pid;
  int m_out;
  std::string m_buffer;
  bool m_exited = false;
  int m_code = -1;
};

struct CommandResult {
  int code = -1;  // -1: did not finish in time
  std::string out;
};

// Runs a command to completion (bounded): its stdout and exit code.
inline CommandResult Run(const std::vector<std::string>& argv, const std::string& stderr_path,
                         std::chrono::milliseconds timeout) {
  CommandResult r;
  auto p = Process::Start(argv, stderr_path);
  if (!p) return r;
  r.out = p->ReadAll(timeout);
  r.code = p->Wait(timeout).value_or(-1);
  return r;
}

}  // namespace testsupport
