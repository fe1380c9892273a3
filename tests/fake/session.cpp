// Sessions as the real CLI keeps them: --session-id starts one, --resume continues one, and
// the transcript lives in <config dir>/projects/<cwd, non-alphanumerics as '-'>/<id>.jsonl,
// so a session is only found again from the same working directory.
#include "fake.hpp"

#include <sys/stat.h>

#include <cctype>
#include <fstream>

namespace fake {
namespace {

bool is_uuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

std::string transcript_path(const std::string& id) {
    std::string base = env_or("CLAUDE_CONFIG_DIR", "");
    if (base.empty()) base = env_or("HOME", "/nonexistent") + "/.claude";
    std::string slug = getcwd_str();
    for (char& c : slug)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
    const std::string dir = base + "/projects/" + slug;
    mkdir(base.c_str(), 0700);
    mkdir((base + "/projects").c_str(), 0700);
    mkdir(dir.c_str(), 0700);
    return dir + "/" + id + ".jsonl";
}

}  // namespace

int Fake::open_session() {
    if (!resume_id_.empty()) {
        if (!is_uuid(resume_id_)) {
            write_stderr(
                "Error: --resume requires a valid session ID or session title when used with "
                "--print. Usage: claude -p --resume <session-id|title>\n");
            return 1;
        }
        transcript_ = transcript_path(resume_id_);
        std::ifstream in(transcript_);
        if (!in) {
            write_stderr("No conversation found with session ID: " + resume_id_ + "\n");
            return 1;
        }
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) history_.push_back(ojson::parse(line));
        session_id_ = resume_id_;
        return 0;
    }
    if (!new_session_id_.empty()) {
        if (!is_uuid(new_session_id_)) {
            write_stderr("Error: Invalid session ID. Must be a valid UUID.\n");
            return 1;
        }
        transcript_ = transcript_path(new_session_id_);
        if (std::ifstream(transcript_)) {
            write_stderr("Error: Session ID " + new_session_id_ + " is already in use.\n");
            return 1;
        }
        session_id_ = new_session_id_;
        return 0;
    }
    if (!no_persistence_) transcript_ = transcript_path(session_id_);
    return 0;
}

ojson Fake::upstream_messages(const ojson& content) const {
    ojson messages = history_;
    messages.push_back({{"role", "user"}, {"content", content}});
    return messages;
}

void Fake::record_turn(const std::string& reply) {
    const ojson turn[] = {{{"role", "user"}, {"content", turn_content_}},
                          {{"role", "assistant"}, {"content", reply}}};
    std::ofstream out;
    if (!transcript_.empty()) out.open(transcript_, std::ios::app);
    for (const auto& message : turn) {
        history_.push_back(message);
        if (out) out << dump(message) << '\n';
    }
}

}  // namespace fake
