// Agent mode with the real daemon and the fake CLI: the job runs in the directory the request
// names (within the model's allowed roots) with the model's tools; everything it starts lives
// in a cgroup of its own that is emptied and removed when the job is cancelled or finishes;
// directories outside the roots (also through a symlink or ".."), directories for a model
// without agent mode, sessions and client-defined tools are refused with 400.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

// <top>/root/project, <top>/outside and <top>/root/escape -> ../outside.
struct Roots {
    Roots() {
        std::filesystem::create_directories(dir.path() + "/root/project");
        std::filesystem::create_directories(dir.path() + "/outside");
        std::filesystem::create_directory_symlink("../outside", dir.path() + "/root/escape");
    }
    std::string root() const { return std::filesystem::canonical(dir.path() + "/root"); }
    TempDir dir;
};

// The default model plus "agent" (tools Bash and Read) with `root` allowed.
DaemonOptions agent_options(const std::string& root, const std::string& default_dir = "") {
    DaemonOptions o;
    o.extra_toml =
        "\n[[models]]\nid = \"agent\"\ncli_model = \"sonnet\"\nprovider = \"default\"\n"
        "[models.agent]\ntools = [\"Bash\", \"Read\"]\npermission_mode = "
        "\"acceptEdits\"\nmax_turns = 5\nallowed_roots = [" +
        toml_string(root) + "]\n" +
        (default_dir.empty() ? "" : "default_directory = " + toml_string(default_dir) + "\n");
    return o;
}

json agent_body(const std::string& text, const std::string& cwd, bool stream = false) {
    json body = chat_body(text, stream);
    body["model"] = "agent";
    if (!cwd.empty()) body["cwd"] = cwd;
    return body;
}

httplib::Result post_job(int port, const json& body) {
    return make_client(port).Post("/v1/jobs", body.dump(), "application/json");
}

json get_job(int port, const std::string& id) {
    const auto res = make_client(port).Get("/v1/jobs/" + id);
    BOOST_REQUIRE(res);
    BOOST_REQUIRE_MESSAGE(res->status == 200, res->status << " " << res->body);
    return json::parse(res->body);
}

std::string start_job(int port, const json& body) {
    const auto res = post_job(port, body);
    BOOST_REQUIRE(res);
    BOOST_REQUIRE_MESSAGE(res->status == 202, res->status << " " << res->body);
    return json::parse(res->body)["id"];
}

json wait_finished(int port, const std::string& id) {
    json j;
    const bool done = wait_until(
        [&] {
            j = get_job(port, id);
            return j["status"] != "queued" && j["status"] != "running";
        },
        15s);
    BOOST_TEST(done, "job still " << j.dump());
    return j;
}

// The daemon's cgroup v2 directory, from its /proc/PID/cgroup and our mount table.
std::string cgroup_dir_of(pid_t pid) {
    std::ifstream mounts("/proc/self/mountinfo");
    std::string line, mount;
    while (std::getline(mounts, line)) {
        const auto dash = line.find(" - cgroup2 ");
        if (dash == std::string::npos) continue;
        std::istringstream head(line.substr(0, dash));
        std::string id, parent, dev, root;
        head >> id >> parent >> dev >> root >> mount;
        break;
    }
    BOOST_REQUIRE_MESSAGE(!mount.empty(), "no cgroup2 mount: agent mode cannot be tested");
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    while (std::getline(in, line))
        if (line.rfind("0::", 0) == 0) return mount + (line == "0::/" ? "" : line.substr(3));
    BOOST_FAIL("no cgroup v2 path for pid " << pid);
    return "";
}

std::string job_cgroup(const Daemon& d, const std::string& job) {
    return cgroup_dir_of(d.pid()) + "/claude-harness-" + std::to_string(d.pid()) + "-job-" + job;
}

std::vector<pid_t> cgroup_pids(const std::string& dir) {
    std::ifstream in(dir + "/cgroup.procs");
    std::vector<pid_t> pids;
    pid_t pid;
    while (in >> pid)
        pids.push_back(pid);
    std::sort(pids.begin(), pids.end());
    return pids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(agent_mode)

BOOST_AUTO_TEST_CASE(runs_in_the_requested_directory_with_the_model_tools) {
    Roots r;
    Daemon d(agent_options(r.root()));
    const auto res =
        post_chat(d.port(), agent_body("FAKE[echo_identity]", r.root() + "/project/."));
    const json identity = json::parse(completion_text(res));
    BOOST_TEST(identity["cwd"] == r.root() + "/project");
    std::vector<std::string> argv = identity["argv"];
    const auto after = [&](const std::string& flag) {
        const auto it = std::find(argv.begin(), argv.end(), flag);
        return it == argv.end() || std::next(it) == argv.end() ? std::string("<absent>")
                                                               : *std::next(it);
    };
    BOOST_TEST(after("--tools") == "Bash,Read");
    BOOST_TEST(after("--allowedTools") == "Bash,Read");
    BOOST_TEST(after("--permission-mode") == "acceptEdits");
    BOOST_TEST(after("--max-turns") == "5");
    BOOST_TEST(after("--setting-sources") == "");
    const json body = json::parse(res->body);
    BOOST_TEST(body["agent"]["directory"] == r.root() + "/project");
    BOOST_TEST(body["agent"]["tool_uses"] == json::array());
    // The working directory is the request's own, not removed afterwards.
    BOOST_TEST(path_exists(r.root() + "/project"));
}

BOOST_AUTO_TEST_CASE(agent_jobs_never_take_a_pre_started_process) {
    Roots r;
    DaemonOptions o = agent_options(r.root());
    o.warm_pool = 1;
    Daemon d(o);
    BOOST_REQUIRE_MESSAGE(d.wait_pids(1, 10s), "no process was pre-started\n" << d.log());
    const pid_t warm = d.recorded_pids().front();
    const json identity = json::parse(completion_text(
        post_chat(d.port(), agent_body("FAKE[echo_identity]", r.root() + "/project"))));
    BOOST_TEST(identity["cwd"] == r.root() + "/project");
    BOOST_TEST(identity["pid"] != warm);
    BOOST_TEST(pid_alive(warm), "the pre-started process was used up");
}

BOOST_AUTO_TEST_CASE(header_and_extra_directories) {
    Roots r;
    std::filesystem::create_directory(r.root() + "/more");
    Daemon d(agent_options(r.root()));
    json body = agent_body("FAKE[echo_identity]", "");
    body["add_dirs"] = {r.root() + "/more"};
    const auto res =
        post_chat(d.port(), body, {{"X-Claude-Working-Directory", r.root() + "/project"}});
    const json identity = json::parse(completion_text(res));
    BOOST_TEST(identity["cwd"] == r.root() + "/project");
    std::vector<std::string> argv = identity["argv"];
    const auto it = std::find(argv.begin(), argv.end(), "--add-dir");
    BOOST_REQUIRE(it != argv.end());
    BOOST_TEST(*std::next(it) == r.root() + "/more");
}

BOOST_AUTO_TEST_CASE(directories_outside_the_roots_are_refused) {
    Roots r;
    Daemon d(agent_options(r.root()));
    const std::string top = std::filesystem::canonical(r.dir.path());
    check_error(
        post_chat(d.port(), agent_body("hi", top + "/outside")), 400, "invalid_request",
        "cwd '" + top + "/outside' is outside the allowed roots of this model: " + r.root());
    check_error(post_chat(d.port(), agent_body("hi", r.root() + "/escape")), 400, "invalid_request",
                "(resolved to '" + top + "/outside') is outside");
    check_error(post_chat(d.port(), agent_body("hi", r.root() + "/project/../..")), 400,
                "invalid_request", "(resolved to '" + top + "') is outside");
    check_error(post_chat(d.port(), agent_body("hi", r.root() + "/missing")), 400,
                "invalid_request", "No such file or directory");
    json extra = agent_body("hi", r.root() + "/project");
    extra["add_dirs"] = {r.root() + "/escape"};
    const json e = check_error(post_chat(d.port(), extra), 400, "invalid_request",
                               "add_dirs entry '" + r.root() + "/escape'");
    BOOST_TEST(e["param"] == "add_dirs");
    // Without a directory and without a default_directory, one is needed.
    check_error(post_chat(d.port(), agent_body("hi", "")), 400, "invalid_request",
                "needs a working directory");
    // Sessions keep their own directory: not with agent mode.
    check_error(
        post_chat(d.port(), agent_body("hi", r.root() + "/project"), {{"X-Claude-Session", "new"}}),
        400, "invalid_request", "sessions are not available");
    // The CLI's own tools answer in an agent run: a client's tool call would never come back.
    json with_tools = agent_body("hi", r.root() + "/project");
    with_tools["tools"] = {
        {{"type", "function"},
         {"function",
          {{"name", "lookup"},
           {"parameters", {{"type", "object"}, {"properties", json::object()}}}}}}};
    const json refused = check_error(post_chat(d.port(), with_tools), 400, "invalid_request",
                                     "client-defined tools are not available");
    BOOST_TEST(refused["param"] == "tools");
    BOOST_TEST(d.recorded_pids().empty(), "a refused request started a CLI");
}

BOOST_AUTO_TEST_CASE(a_directory_replaced_by_a_symlink_while_queued_is_refused) {
    Roots r;
    std::filesystem::create_directory(r.root() + "/later");
    DaemonOptions o = agent_options(r.root());
    o.limits = {"max_concurrent_jobs = 1"};
    Daemon d(o);
    const std::string first = start_job(
        d.port(),
        json{{"model", "agent"}, {"prompt", "FAKE[hang]"}, {"cwd", r.root() + "/project"}});
    BOOST_REQUIRE(d.wait_pids(1, 10s));
    const std::string queued = start_job(
        d.port(), json{{"model", "agent"}, {"prompt", "hi"}, {"cwd", r.root() + "/later"}});
    BOOST_TEST(get_job(d.port(), queued)["status"] == "queued");
    std::filesystem::rename(r.root() + "/later", r.root() + "/later.old");
    std::filesystem::create_directory_symlink("../outside", r.root() + "/later");
    BOOST_REQUIRE(make_client(d.port()).Delete("/v1/jobs/" + first));
    const json j = wait_finished(d.port(), queued);
    BOOST_TEST(j["status"] == "failed");
    BOOST_TEST(j["error"]["status"] == 400);
    const std::string message = j["error"]["message"];
    BOOST_TEST(message.find("changed while the job was queued") != std::string::npos, message);
    BOOST_TEST(d.recorded_pids().size() == 1u, "the changed directory got a CLI");
}

BOOST_AUTO_TEST_CASE(a_model_without_agent_mode_takes_no_directory) {
    Roots r;
    Daemon d(agent_options(r.root()));
    json body = chat_body("hi");
    body["cwd"] = r.root() + "/project";
    const json e = check_error(post_chat(d.port(), body), 400, "invalid_request",
                               "the model 'claude-sonnet' has no agent mode");
    BOOST_TEST(e["param"] == "cwd");
    check_error(post_chat(d.port(), chat_body("hi"), {{"X-Claude-Working-Directory", "/tmp"}}), 400,
                "invalid_request", "has no agent mode");
    const auto jobs = post_job(
        d.port(), json{{"model", "claude-sonnet"}, {"prompt", "hi"}, {"add_dirs", {r.root()}}});
    check_error(jobs, 400, "invalid_request", "takes no 'add_dirs'");
}

BOOST_AUTO_TEST_CASE(the_default_directory_applies_without_one) {
    Roots r;
    Daemon d(agent_options(r.root(), r.root() + "/project"));
    const json identity =
        json::parse(completion_text(post_chat(d.port(), agent_body("FAKE[echo_identity]", ""))));
    BOOST_TEST(identity["cwd"] == r.root() + "/project");
}

BOOST_AUTO_TEST_CASE(cancelling_kills_everything_in_the_job_cgroup) {
    Roots r;
    Daemon d(agent_options(r.root()));
    const std::string id = start_job(d.port(), json{{"model", "agent"},
                                                    {"prompt", "FAKE[hang,grandchild_setsid]"},
                                                    {"cwd", r.root() + "/project"}});
    BOOST_REQUIRE_MESSAGE(d.wait_pids(2, 10s), "the CLI and its grandchild did not start\n"
                                                   << d.log());
    const std::string cgroup = job_cgroup(d, id);
    BOOST_REQUIRE_MESSAGE(path_exists(cgroup), "no cgroup " << cgroup << "\n" << d.log());
    const auto recorded = d.recorded_pids();
    BOOST_TEST(cgroup_pids(cgroup) == recorded, boost::test_tools::per_element());

    const auto res = make_client(d.port()).Delete("/v1/jobs/" + id);
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200);
    const json j = wait_finished(d.port(), id);
    BOOST_TEST(j["status"] == "cancelled");
    // The group was emptied before the job was reported cancelled.
    for (pid_t pid : recorded)
        BOOST_TEST(!pid_alive(pid), "pid " << pid << " outlived the cancelled job");
    BOOST_TEST(wait_until([&] { return !path_exists(cgroup); }, 5s), "the cgroup was not removed");
}

BOOST_AUTO_TEST_CASE(finishing_kills_a_detached_leftover) {
    Roots r;
    Daemon d(agent_options(r.root()));
    const std::string id = start_job(d.port(), json{{"model", "agent"},
                                                    {"prompt", "FAKE[grandchild_setsid]"},
                                                    {"cwd", r.root() + "/project"}});
    const json j = wait_finished(d.port(), id);
    BOOST_TEST(j["status"] == "succeeded", j.dump());
    BOOST_TEST(j["result"] == "Hello from the fake.");
    BOOST_TEST(d.recorded_pids().size() == 2u, "the CLI and its grandchild");
    for (pid_t pid : d.recorded_pids())
        BOOST_TEST(!pid_alive(pid), "pid " << pid << " outlived the finished job");
    BOOST_TEST(wait_until([&] { return !path_exists(job_cgroup(d, id)); }, 5s),
               "the cgroup was not removed");
}

BOOST_AUTO_TEST_CASE(tool_activity_is_summarised_beside_the_answer) {
    Roots r;
    Daemon d(agent_options(r.root()));
    const auto res = post_chat(d.port(), agent_body("FAKE[tool_use=Bash]", r.root() + "/project"));
    BOOST_TEST(completion_text(res) == "Hello from the fake.");
    const json body = json::parse(res->body);
    BOOST_TEST(body["agent"]["tool_uses"] == json::parse(R"([{"name":"Bash","is_error":false}])"));
    BOOST_TEST(body["agent"]["turns"].is_number());

    // A stream shows the narration of each API message, never the tool's input or output.
    const auto stream = stream_chat(
        d.port(), agent_body("FAKE[tool_use=Bash,tool_error]", r.root() + "/project", true));
    const std::string& text = stream.text;
    json finish;
    for (const auto& e : stream.events)
        if (e.kind == SseEvent::Kind::Finish) finish = e.value;
    BOOST_TEST(text.find("tool-") == std::string::npos, text);
    BOOST_TEST(text.find("echo") == std::string::npos, text);
    BOOST_TEST(text == "Running it.\n\nHello from the fake.");
    BOOST_TEST(finish["agent"]["tool_uses"] == json::parse(R"([{"name":"Bash","is_error":true}])"),
               finish.dump());

    // The jobs API: the same summary, and the raw tool_use and tool_result lines as events.
    const std::string id = start_job(
        d.port(), json{{"model", "agent"}, {"prompt", "FAKE[tool_use=Read]"}, {"cwd", r.root()}});
    const json j = wait_finished(d.port(), id);
    BOOST_TEST(j["result"] == "Hello from the fake.");
    BOOST_TEST(j["agent"]["tool_uses"] == json::parse(R"([{"name":"Read","is_error":false}])"));
    std::string events;
    make_client(d.port()).Get("/v1/jobs/" + id + "/events", [&](const char* data, std::size_t n) {
        events.append(data, n);
        return true;
    });
    BOOST_TEST(events.find("\"type\":\"tool_use\"") != std::string::npos, events);
    BOOST_TEST(events.find("\"type\":\"tool_result\"") != std::string::npos, events);
}

BOOST_AUTO_TEST_SUITE_END()
