// fake-claude: output (one stream-json line per write(), EPIPE-tolerant) and
// small helpers (uuids, timestamps, UTF-8-safe chunking).
#include "fake.hpp"

#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace fake {

namespace {

bool g_stdout_dead = false;

std::mt19937_64& rng() {
    static std::mt19937_64 r{std::random_device{}() ^ (static_cast<std::uint64_t>(getpid()) << 32)};
    return r;
}

}  // namespace

// Write all of [data, data+len) to fd; retries after EINTR and partial writes.
// Returns false on a hard error (EPIPE...).
bool write_all(int fd, const char* data, std::size_t len) {
    while (len > 0) {
        const ssize_t n = ::write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                pollfd p{fd, POLLOUT, 0};
                ::poll(&p, 1, -1);
                continue;
            }
            return false;
        }
        data += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

void write_stdout_raw(std::string_view s) {
    if (g_stdout_dead) return;
    // The real CLI does not die when its reader goes away (EPIPE ignored).
    if (!write_all(STDOUT_FILENO, s.data(), s.size())) g_stdout_dead = true;
}

void write_stderr(std::string_view s) {
    write_all(STDERR_FILENO, s.data(), s.size());
}

std::string dump(const ojson& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One line, one write().
void emit(const ojson& j) {
    std::string line = dump(j);
    line.push_back('\n');
    write_stdout_raw(line);
}

std::string uuid4() {
    std::uniform_int_distribution<int> d(0, 15);
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            s.push_back('-');
        } else if (i == 14) {
            s.push_back('4');
        } else if (i == 19) {
            s.push_back(hex[8 + d(rng()) % 4]);
        } else {
            s.push_back(hex[d(rng())]);
        }
    }
    return s;
}

std::string iso_now() {
    const auto now = std::chrono::system_clock::now();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const time_t secs = static_cast<time_t>(ms / 1000);
    struct tm tmv {};
    gmtime_r(&secs, &tmv);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tmv.tm_year + 1900,
                  tmv.tm_mon + 1, tmv.tm_mday, tmv.tm_hour, tmv.tm_min, tmv.tm_sec,
                  static_cast<int>(ms % 1000));
    return buf;
}

long long ms_since(Clock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
}

std::string getcwd_str() {
    std::vector<char> buf(4096);
    if (::getcwd(buf.data(), buf.size()) == nullptr) return "";
    return buf.data();
}

std::string env_or(const char* name, const std::string& dflt) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : dflt;
}

// Cut text into chunks of at most max_bytes, never inside a UTF-8 sequence.
std::vector<std::string> split_utf8(const std::string& text, std::size_t max_bytes) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = std::min(text.size(), pos + max_bytes);
        if (end < text.size()) {
            std::size_t e = end;
            while (e > pos && (static_cast<unsigned char>(text[e]) & 0xC0) == 0x80)
                --e;
            if (e > pos) end = e;
        }
        out.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return out;
}

}  // namespace fake
