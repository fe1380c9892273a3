#include "ctl/output.h"

#include <cstdio>
#include <ctime>
#include <vector>

namespace ch::ctl {
namespace {

using nlohmann::json;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at text[i] and its code point, or 0 when invalid.
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t* code_point) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (lead < 0x80) {
        *code_point = lead;
        return 1;
    }
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        cp = lead & 0x1F;
        min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        cp = lead & 0x0F;
        min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        cp = lead & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    *code_point = cp;
    return length;
}

std::string clean(std::string_view text, bool controls, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        const std::size_t n = utf8_sequence(text, i, &cp);
        const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
        const bool allowed = cp == '\t' || (cp == '\n' && keep_newlines);
        if (n == 0 || (controls && control && !allowed))
            out += kReplacement;
        else
            out.append(text.substr(i, n));
        i += n ? n : 1;
    }
    return out;
}

std::string dump(const json& doc, int indent) {
    return doc.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace

void print_json(const json& doc) {
    std::printf("%s\n", dump(doc, 2).c_str());
}

void print_json_line(const json& doc) {
    std::printf("%s\n", dump(doc, -1).c_str());
}

std::string human_duration(std::chrono::seconds d) {
    std::int64_t left = d.count() < 0 ? -d.count() : d.count();
    struct Unit {
        const char* name;
        std::int64_t seconds;
    };
    static constexpr Unit kUnits[] = {{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}};
    std::vector<std::string> parts;
    for (const Unit& u : kUnits) {
        const std::int64_t n = left / u.seconds;
        left %= u.seconds;
        if (n > 0 || !parts.empty()) parts.push_back(std::to_string(n) + u.name);
        if (parts.size() == 2) break;
    }
    if (parts.empty()) return "0s";
    if (parts.size() == 2 && parts[1].starts_with("0")) parts.pop_back();  // "2h", not "2h 0min"
    return parts.size() == 1 ? parts[0] : parts[0] + " " + parts[1];
}

std::string local_time(std::int64_t epoch_us) {
    return local_time(epoch_us, "%Y-%m-%d %H:%M:%S %Z");
}

std::string local_time(std::int64_t epoch_us, const char* format) {
    const std::time_t t = static_cast<std::time_t>(epoch_us / 1000000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

std::string relative_time(std::int64_t epoch_us, std::int64_t now_us) {
    const std::int64_t delta_s = (epoch_us - now_us) / 1000000;
    if (delta_s == 0) return "now";
    const std::string span = human_duration(std::chrono::seconds(delta_s));
    return delta_s > 0 ? "in " + span : span + " ago";
}

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string valid_utf8(std::string_view text) {
    return clean(text, false, true);
}

std::string printable(std::string_view text, bool keep_newlines) {
    return clean(text, true, keep_newlines);
}

}  // namespace ch::ctl
