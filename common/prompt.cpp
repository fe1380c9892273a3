#include "common/prompt.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace ch {

namespace {

using ojson = nlohmann::ordered_json;

std::string dump(const ojson& value) {
    // Compact, UTF-8 kept as is; JSON escaping turns every newline into "\n", so one value is
    // one stdin line. Invalid UTF-8 (not possible from the OpenAI parser) becomes U+FFFD
    // instead of an exception.
    return value.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

// The shape of `initialize.systemPrompt`. A string replaces the CLI's whole default prompt
// (verified with CLI 2.1.197: upstream then gets only its billing header and identity line
// before it; "" leaves just those two).
ojson system_prompt_value(const std::string& system) {
    return ojson(system);
}

ojson text_block(std::string text) {
    return ojson{{"type", "text"}, {"text", std::move(text)}};
}

ojson image_block(const ContentPart& part) {
    ojson source;
    source["type"] = "base64";
    source["media_type"] = part.media_type;
    source["data"] = part.data;
    ojson block;
    block["type"] = "image";
    block["source"] = std::move(source);
    return block;
}

bool contains_ci(const std::string& haystack, const std::string& needle) {
    const auto it = std::search(
        haystack.begin(), haystack.end(), needle.begin(), needle.end(),
        [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
    return it != haystack.end();
}

// The transcript's element name: "turn", or "turn-1", "turn-2", ... when a message itself
// contains "<turn" or "</turn" (any case), so no message text can open or close an element.
std::string pick_tag(const std::vector<ChatMessage>& messages) {
    for (int n = 0;; ++n) {
        const std::string tag = n == 0 ? "turn" : "turn-" + std::to_string(n);
        const bool clash = std::any_of(messages.begin(), messages.end(), [&](const auto& m) {
            return std::any_of(m.parts.begin(), m.parts.end(), [&](const ContentPart& p) {
                return contains_ci(p.text, "<" + tag) || contains_ci(p.text, "</" + tag);
            });
        });
        if (!clash) return tag;
    }
}

// A lone user message: a single text part is sent as the plain string, byte for byte;
// otherwise one content block per part, in order (empty text blocks are rejected upstream).
ojson lone_message_content(const ChatMessage& message) {
    if (message.parts.size() == 1 && message.parts[0].kind == ContentPart::Kind::Text) {
        return ojson(message.parts[0].text);
    }
    ojson blocks = ojson::array();
    for (const auto& part : message.parts) {
        if (part.kind == ContentPart::Kind::Image) {
            blocks.push_back(image_block(part));
        } else if (!part.text.empty()) {
            blocks.push_back(text_block(part.text));
        }
    }
    return blocks.empty() ? ojson("") : blocks;
}

// A history as one user message (the CLI accepts only user lines on stdin). Format:
//
//   <preamble line naming the element>\n\n
//   <turn role="user">\nTEXT\n</turn>\n\n<turn role="assistant">\nTEXT\n</turn>\n\n...
//
// Text parts of one turn are joined with "\n". An image part ends the current text block,
// becomes an image block at that position, and the text continues in a new block. The
// element name is chosen by pick_tag so that no message can forge a turn boundary.
ojson transcript_content(const std::vector<ChatMessage>& messages) {
    const std::string tag = pick_tag(messages);
    ojson blocks = ojson::array();
    std::string text = "The following are the previous turns of a conversation, each in a <" + tag +
                       " role=\"...\"> element; reply to the last turn, which is from " +
                       "the user.";
    for (const auto& message : messages) {
        text += "\n\n<" + tag + " role=\"" + message.role + "\">\n";
        bool after_text = false;
        for (const auto& part : message.parts) {
            if (part.kind == ContentPart::Kind::Image) {
                if (!text.empty()) blocks.push_back(text_block(std::move(text)));
                text.clear();
                blocks.push_back(image_block(part));
                after_text = false;
            } else {
                if (after_text) text += '\n';
                text += part.text;
                after_text = true;
            }
        }
        text += "\n</" + tag + ">";
    }
    blocks.push_back(text_block(std::move(text)));
    if (blocks.size() == 1) return blocks[0]["text"];  // no images: a plain string suffices
    return blocks;
}

ojson content_value(const std::vector<ChatMessage>& messages) {
    if (messages.empty()) return ojson("");
    if (messages.size() == 1 && messages[0].role == "user") {
        return lone_message_content(messages[0]);
    }
    return transcript_content(messages);
}

}  // namespace

std::string render_user_content_json(const std::vector<ChatMessage>& messages) {
    return dump(content_value(messages));
}

std::string render_set_model(const std::string& cli_model) {
    ojson request;
    request["subtype"] = "set_model";
    request["model"] = cli_model;
    ojson line;
    line["type"] = "control_request";
    line["request_id"] = "model";
    line["request"] = std::move(request);
    return dump(line) + "\n";
}

std::vector<std::string> render_cli_input(const ChatRequest& request, const std::string& system) {
    ojson init_request;
    init_request["subtype"] = "initialize";
    init_request["systemPrompt"] = system_prompt_value(system);
    ojson init;
    init["type"] = "control_request";
    init["request_id"] = "init";
    init["request"] = std::move(init_request);

    ojson message;
    message["role"] = "user";
    message["content"] = content_value(request.messages);
    ojson user;
    user["type"] = "user";
    user["message"] = std::move(message);

    return {dump(init) + "\n", dump(user) + "\n"};
}

}  // namespace ch
