#include "daemon/job_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>

#include "common/agent_dirs.h"
#include "common/prompt.h"
#include "common/reply_assembler.h"
#include "common/stream_json.h"
#include "daemon/agent_command.h"
#include "daemon/child_process.h"
#include "daemon/child_reaper.h"
#include "daemon/cli_command.h"
#include "daemon/job_containment.h"
#include "daemon/job_outcome.h"
#include "daemon/tool_bridge.h"
#include "daemon/warm_pool.h"
#include "daemon/work_dir.h"

namespace ch {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kExitGrace = 2s;    // after the answer, for the CLI to exit on stdin EOF
constexpr auto kSignalGrace = 1s;  // between SIGINT, SIGTERM and SIGKILL
constexpr std::size_t kStderrTail = 2048;

void conclude_job(Job& job, const RunnerContext& ctx, JobOutcome outcome) {
    if (ctx.conclude)
        ctx.conclude(job, std::move(outcome));
    else
        job.finish(std::move(outcome));
}

class Run {
  public:
    Run(Job& job, const RunnerContext& ctx, ChildProcess child, std::string input)
        : job_(job), ctx_(ctx), child_(std::move(child)), input_(std::move(input)) {}
    ~Run() {
        if (!concluded_) conclude(failed_outcome(500, "internal_error", "the run ended early"));
    }

    void execute();

  private:
    enum class Stop { None, Answered, Exited, Cancelled, IdleTimeout, JobTimeout };

    Stop pump_until_stop();
    void read_stdout();
    void read_stderr();
    void write_stdin();
    void handle_line(std::string_view line);
    bool wait_exit(Clock::time_point deadline);
    void terminate();
    JobOutcome crash_outcome();
    void conclude(JobOutcome outcome) {
        if (concluded_) return;
        concluded_ = true;
        conclude_job(job_, ctx_, std::move(outcome));
    }

    Job& job_;
    const RunnerContext& ctx_;
    ChildProcess child_;
    std::string input_;
    std::size_t input_sent_ = 0;
    LineSplitter splitter_;
    ReplyAssembler assembler_;
    bool stdout_open_ = true;
    bool stderr_open_ = true;
    std::string stderr_tail_;
    Clock::time_point last_output_ = Clock::now();
    const Clock::time_point started_ = Clock::now();
    bool concluded_ = false;
};

void Run::execute() {
    job_.mark_running(child_.pid());
    const Stop stop = pump_until_stop();
    switch (stop) {
        case Stop::Answered:
            // The client gets the answer now; the CLI's exit is awaited after.
            conclude(outcome_from_reply(*assembler_.outcome(), job_.spec().limits,
                                        std::chrono::system_clock::now()));
            child_.close_stdin();
            // After max_tokens the CLI would start continuation requests, and after a call of
            // the client's tools it waits for the bridge's answer: stop it at once.
            if (assembler_.outcome()->stop_reason == "max_tokens" ||
                !assembler_.outcome()->tool_calls.empty() || !wait_exit(Clock::now() + kExitGrace))
                terminate();
            break;
        case Stop::Exited:
            conclude(crash_outcome());
            break;
        case Stop::Cancelled:
            terminate();
            conclude(job_.cancel_outcome());
            break;
        case Stop::IdleTimeout:
            terminate();
            conclude(
                failed_outcome(504, "idle_timeout",
                               "the Claude CLI produced no output for " +
                                   std::to_string(job_.spec().limits.idle_timeout.count() / 1000) +
                                   " s (idle_timeout)"));
            break;
        case Stop::JobTimeout:
            terminate();
            conclude(
                failed_outcome(504, "timeout",
                               "the request took longer than " +
                                   std::to_string(job_.spec().limits.job_timeout.count() / 1000) +
                                   " s (job_timeout)"));
            break;
        case Stop::None:
            break;
    }
    const auto status = child_.reap(Clock::now() + 10s);
    if (!status)
        spdlog::error("job {}: CLI process {} could not be reaped", job_.id(), child_.pid());
}

Run::Stop Run::pump_until_stop() {
    const auto job_deadline = started_ + job_.spec().limits.job_timeout;
    for (;;) {
        if (assembler_.finished()) return Stop::Answered;
        if (job_.cancel_requested()) return Stop::Cancelled;
        const auto now = Clock::now();
        const auto idle_deadline = last_output_ + job_.spec().limits.idle_timeout;
        if (now >= job_deadline) return Stop::JobTimeout;
        if (now >= idle_deadline) return Stop::IdleTimeout;

        pollfd fds[5];
        int n = 0;
        const int out_i = stdout_open_ ? n : -1;
        if (stdout_open_) fds[n++] = {child_.stdout_fd(), POLLIN, 0};
        const int err_i = stderr_open_ ? n : -1;
        if (stderr_open_) fds[n++] = {child_.stderr_fd(), POLLIN, 0};
        const bool sending = child_.stdin_fd() >= 0 && input_sent_ < input_.size();
        const int in_i = sending ? n : -1;
        if (sending) fds[n++] = {child_.stdin_fd(), POLLOUT, 0};
        const int pid_i = n;
        fds[n++] = {child_.pidfd(), POLLIN, 0};
        fds[n++] = {job_.cancel_fd(), POLLIN, 0};

        const auto wait = std::min(job_deadline, idle_deadline) - now;
        const int timeout_ms =
            static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
        if (poll(fds, n, std::max(timeout_ms, 1)) < 0 && errno != EINTR) {
            spdlog::error("job {}: poll: {}", job_.id(), std::strerror(errno));
            return Stop::Exited;
        }
        if (in_i >= 0 && fds[in_i].revents) write_stdin();
        if (out_i >= 0 && fds[out_i].revents) read_stdout();
        if (err_i >= 0 && fds[err_i].revents) read_stderr();
        if (fds[pid_i].revents) {
            // The CLI is gone. What it wrote is in the pipe; a grandchild may still hold the
            // pipe open, so read what is there rather than waiting for EOF.
            read_stdout();
            read_stderr();
            return assembler_.finished() ? Stop::Answered : Stop::Exited;
        }
        if (!stdout_open_ && !stderr_open_ && !assembler_.finished()) {
            // Both pipes closed without an answer: the CLI is exiting; collect its status.
            wait_exit(Clock::now() + kExitGrace);
            return Stop::Exited;
        }
    }
}

void Run::read_stdout() {
    char buf[65536];
    while (stdout_open_) {
        const ssize_t got = read(child_.stdout_fd(), buf, sizeof buf);
        if (got > 0) {
            last_output_ = Clock::now();
            if (!splitter_.feed({buf, static_cast<std::size_t>(got)},
                                [this](std::string_view line) { handle_line(line); }))
                spdlog::warn("job {}: an over-long line from the CLI was dropped", job_.id());
            continue;
        }
        if (got == 0) {
            stdout_open_ = false;
            const std::string rest = splitter_.take_rest();
            if (!rest.empty()) handle_line(rest);
        } else if (errno != EINTR) {
            if (errno != EAGAIN) stdout_open_ = false;
            return;
        }
    }
}

void Run::handle_line(std::string_view line) {
    if (assembler_.finished()) return;  // the answer is complete; later lines change nothing
    const CliEvent event = parse_cli_line(line);
    if (event.kind == CliEvent::Kind::Invalid) {
        spdlog::warn("job {}: unreadable line from the CLI ignored: {}", job_.id(), event.error);
        return;
    }
    job_.push_event(line);
    if (event.kind == CliEvent::Kind::ApiRetry)
        spdlog::info("job {}: the CLI retries its upstream request ({})", job_.id(),
                     event.error_kind.empty() ? "connection" : event.error_kind);
    for (auto& delta : assembler_.on_event(event))
        job_.push(std::move(delta));
}

void Run::read_stderr() {
    char buf[16384];
    while (stderr_open_) {
        const ssize_t got = read(child_.stderr_fd(), buf, sizeof buf);
        if (got > 0) {
            stderr_tail_.append(buf, static_cast<std::size_t>(got));
            if (stderr_tail_.size() > 2 * kStderrTail)
                stderr_tail_.erase(0, stderr_tail_.size() - kStderrTail);
            continue;
        }
        if (got == 0 || (errno != EINTR && errno != EAGAIN)) stderr_open_ = false;
        if (got == 0 || errno != EINTR) return;
    }
}

void Run::write_stdin() {
    while (input_sent_ < input_.size()) {
        const ssize_t put =
            write(child_.stdin_fd(), input_.data() + input_sent_, input_.size() - input_sent_);
        if (put > 0) {
            input_sent_ += static_cast<std::size_t>(put);
            continue;
        }
        if (put < 0 && errno == EINTR) continue;
        if (put < 0 && errno != EAGAIN) {
            // EPIPE: the CLI stopped reading (it is exiting); its output tells why.
            spdlog::debug("job {}: stdin: {}", job_.id(), std::strerror(errno));
            input_sent_ = input_.size();
        }
        return;
    }
    if (input_sent_ == input_.size()) input_.clear(), input_.shrink_to_fit(), input_sent_ = 0;
}

bool Run::wait_exit(Clock::time_point deadline) {
    // Keep draining the pipes: a CLI blocked on a full pipe would never exit.
    while (!child_.has_exited()) {
        const auto now = Clock::now();
        if (now >= deadline) return false;
        pollfd fds[3];
        int n = 0;
        fds[n++] = {child_.pidfd(), POLLIN, 0};
        if (stdout_open_) fds[n++] = {child_.stdout_fd(), POLLIN, 0};
        if (stderr_open_) fds[n++] = {child_.stderr_fd(), POLLIN, 0};
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
        poll(fds, n, static_cast<int>(std::max<long>(ms, 1)));
        if (stdout_open_) read_stdout();
        if (stderr_open_) read_stderr();
    }
    return true;
}

void Run::terminate() {
    // SIGINT first: the CLI then ends its turn cleanly and kills its own tool children.
    for (int sig : {SIGINT, SIGTERM}) {
        child_.signal_group(sig);
        if (wait_exit(Clock::now() + kSignalGrace)) return;
    }
    child_.signal_group(SIGKILL);
}

JobOutcome Run::crash_outcome() {
    const auto status = child_.reap(Clock::now() + kExitGrace);
    std::string what = status ? describe_wait_status(*status) : "did not exit";
    std::string detail = stderr_tail_;
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r'))
        detail.pop_back();
    if (const auto nl = detail.rfind('\n'); nl != std::string::npos) detail.erase(0, nl + 1);
    std::string message = "the Claude CLI ended without an answer (" + what + ")";
    if (!detail.empty()) message += ": " + detail;
    return failed_outcome(502, "cli_crashed", message);
}

constexpr const char* kToolsFile = "tools.json";

// The bridge's tools file in the job's directory, readable by the run-as user.
std::string write_tools_file(const std::string& dir, const std::vector<ToolDefinition>& tools) {
    const std::string path = dir + "/" + kToolsFile;
    const std::string content = tool_bridge_file(tools);
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return "cannot create " + path + ": " + std::strerror(errno);
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t put = write(fd, content.data() + done, content.size() - done);
        if (put < 0 && errno == EINTR) continue;
        if (put <= 0) {
            const std::string failed = "cannot write " + path + ": " + std::strerror(errno);
            close(fd);
            unlink(path.c_str());  // the directory must be empty to go
            return failed;
        }
        done += static_cast<std::size_t>(put);
    }
    close(fd);
    return "";
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::size_t size = 0;
    for (const auto& l : lines)
        size += l.size();
    std::string out;
    out.reserve(size);
    for (const auto& l : lines)
        out += l;
    return out;
}

JobOutcome containment_unavailable(const std::string& why) {
    return failed_outcome(503, "containment_unavailable",
                          "agent mode needs a cgroup of its own for the job, and none could be "
                          "made: " +
                              why);
}

std::vector<const std::string*> directories_of(const AgentRun& run) {
    std::vector<const std::string*> dirs{&run.cwd};
    for (const auto& dir : run.add_dirs)
        dirs.push_back(&dir);
    return dirs;
}

// An agent-mode job: in the directory the request chose, in a cgroup of its own (a systemd
// scope or a group of the daemon's, job_containment.h) that is emptied before the outcome is
// published (finished or cancelled, nothing it started lives on),
// never on a pre-started process (their command line has no tools).
void run_agent_job(Job& job, const RunnerContext& ctx, ProcessSpec process, std::string input) {
    const JobSpec& spec = job.spec();
    std::string error;
    // Checked again now: a path component may have been replaced by a symlink while queued.
    for (const auto* dir : directories_of(*spec.agent)) {
        const auto now = canonical_directory(*dir, &error);
        if (!now || *now != *dir) {
            conclude_job(
                job, ctx,
                failed_outcome(400, "invalid_request",
                               "the directory '" + *dir + "' changed while the job was queued" +
                                   (now ? " (it now resolves to '" + *now + "')" : "")));
            return;
        }
    }
    add_agent_arguments(process.argv, *spec.model.agent, *spec.agent);
    process.cwd = spec.agent->cwd;
    auto containment = contain_agent_job(job.id(), &error);
    if (!containment) {
        static std::atomic<bool> logged{false};
        if (!logged.exchange(true))
            spdlog::error("agent-mode jobs cannot run: {} (they are refused with 503)", error);
        conclude_job(job, ctx, containment_unavailable(error));
        return;
    }
    containment->prepare(process);
    RunnerContext contained = ctx;
    contained.conclude = [&ctx, &containment](Job& j, JobOutcome outcome) {
        if (!containment->kill())
            spdlog::error("job {}: its {} could not be emptied", j.id(), containment->describe());
        conclude_job(j, ctx, std::move(outcome));
    };
    try {
        ChildProcess child = ChildProcess::spawn(process, *ctx.reaper, containment->placement());
        spdlog::info("job {}: started {} in agent mode (pid {}, model {}, {})", job.id(),
                     process.path, child.pid(), spec.model.id, containment->describe());
        Run run(job, contained, std::move(child), std::move(input));
        run.execute();
    } catch (const PlacementError& e) {
        spdlog::error("job {}: {}", job.id(), e.what());
        conclude_job(job, ctx, containment_unavailable(e.what()));
    } catch (const SpawnError& e) {
        conclude_job(job, ctx,
                     failed_outcome(502, "cli_spawn_failed",
                                    std::string("cannot start the Claude CLI: ") + e.what()));
    }
    containment.reset();
    ctx.reaper->request_sweep();
}

}  // namespace

void run_job(Job& job, const ProviderConfig& provider, const RunnerContext& ctx) {
    const JobSpec& spec = job.spec();
    std::string error;
    const auto who = resolve_run_as(provider.user, &error);
    if (!who) {
        conclude_job(job, ctx,
                     failed_outcome(503, "provider_unavailable",
                                    "provider '" + provider.name + "': " + error));
        return;
    }
    const std::string path = find_executable(provider.claude, usual_path(*who));
    if (path.empty()) {
        conclude_job(
            job, ctx,
            failed_outcome(503, "provider_unavailable",
                           "provider '" + provider.name + "': the Claude CLI '" + provider.claude +
                               "' was not found in " + usual_path(*who)));
        return;
    }
    const std::string system = spec.request.system.value_or(spec.model.system_prompt);
    std::vector<std::string> input = render_cli_input(spec.request, system);
    const JobSession* session = spec.session ? &*spec.session : nullptr;
    ProcessSpec process{path, cli_arguments(path, spec.model, session),
                        cli_environment(*who, provider, spec.limits, spec.request.max_tokens), *who,
                        ""};
    // Agent runs refuse client tools at admission (agent_request.cpp).
    if (spec.agent) return run_agent_job(job, ctx, std::move(process), join_lines(input));
    // A pre-started process has no session and no tools; such runs always start their own.
    const bool tools = offers_tools(spec.request);
    auto warm =
        ctx.warm_pool && !session && !tools ? ctx.warm_pool->take(provider.name, process) : nullptr;
    if (warm) {
        spdlog::info("job {}: took pre-started {} (pid {}, model {}, provider {})", job.id(), path,
                     warm->child.pid(), spec.model.id, provider.name);
        // After initialize (so the model switch is not undone), before the user line.
        if (warm->model != spec.model.cli_model)
            input.insert(input.begin() + 1, render_set_model(spec.model.cli_model));
        Run run(job, ctx, std::move(warm->child), join_lines(input));
        run.execute();
        ctx.reaper->request_sweep();
        return;
    }
    std::optional<WorkDir> dir;
    if (session) {
        // The CLI finds a session's transcript by working directory: it stays.
        process.cwd = session->root + "/" + provider.name + "/" + session->id;
        if (const std::string failed = prepare_session_dir(process.cwd, *who); !failed.empty()) {
            conclude_job(job, ctx, failed_outcome(500, "internal_error", failed));
            return;
        }
    } else {
        dir.emplace(ctx.jobs_dir, job.id(), *who);
        if (!dir->error().empty()) {
            conclude_job(job, ctx, failed_outcome(500, "internal_error", dir->error()));
            return;
        }
        process.cwd = dir->path();
        if (tools) {
            if (const std::string failed = write_tools_file(dir->path(), spec.request.tools);
                !failed.empty()) {
                conclude_job(job, ctx, failed_outcome(500, "internal_error", failed));
                return;
            }
            process.argv = cli_arguments(
                path, spec.model, nullptr,
                tool_bridge_config(self_executable(), dir->path() + "/" + kToolsFile));
        }
    }
    try {
        ChildProcess child = ChildProcess::spawn(process, *ctx.reaper);
        spdlog::info("job {}: started {} as {} (pid {}, model {}, provider {}{}{})", job.id(), path,
                     who->name, child.pid(), spec.model.id, provider.name,
                     session ? ", session " : "", session ? session->id : "");
        Run run(job, ctx, std::move(child), join_lines(input));
        run.execute();
    } catch (const SpawnError& e) {
        conclude_job(job, ctx,
                     failed_outcome(502, "cli_spawn_failed",
                                    std::string("cannot start the Claude CLI: ") + e.what()));
    }
    // The working directory goes with `dir`, which removes only an empty one.
    if (tools && dir) unlink((dir->path() + "/" + kToolsFile).c_str());
    ctx.reaper->request_sweep();
}

}  // namespace ch
