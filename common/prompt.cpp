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
        const auto clashes = [&](const std::string& text) {
            return contains_ci(text, "<" + tag) || contains_ci(text, "</" + tag);
        };
        const bool clash = std::any_of(messages.begin(), messages.end(), [&](const auto& m) {
            return std::any_of(m.parts.begin(), m.parts.end(),
                               [&](const ContentPart& p) { return clashes(p.text); }) ||
                   std::any_of(m.tool_calls.begin(), m.tool_calls.end(),
                               [&](const ToolCall& c) { return clashes(c.arguments); }) ||
                   std::any_of(m.tool_results.begin(), m.tool_results.end(),
                               [&](const ToolResult& r) { return clashes(r.content); });
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

// An attribute value: the client's ids are free text.
std::string attribute(const std::string& value) {
    std::string out;
    for (const char c : value) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

bool has_tool_turns(const std::vector<ChatMessage>& messages) {
    return std::any_of(messages.begin(), messages.end(), [](const ChatMessage& m) {
        return !m.tool_calls.empty() || !m.tool_results.empty();
    });
}

// A history as one user message (the CLI accepts only user lines on stdin). Format:
//
//   <preamble line naming the element>\n\n
//   <turn role="user">\nTEXT\n</turn>\n\n<turn role="assistant">\nTEXT\n</turn>\n\n...
//
// Text parts of one turn are joined with "\n". An image part ends the current text block,
// becomes an image block at that position, and the text continues in a new block. The
// element name is chosen by pick_tag so that no message can forge a turn boundary.
// A tool call is a turn of its own after its assistant's text:
//   <turn role="tool_call" id="ID" name="mcp__client__NAME">\nARGUMENTS JSON\n</turn>
// and a tool result one before its user's text:
//   <turn role="tool_result" tool_call_id="ID">\nCONTENT\n</turn>  (is_error="true" on errors)
// The name is the one the model is offered the tool under.
class Transcript {
  public:
    explicit Transcript(const std::vector<ChatMessage>& messages) : tag_(pick_tag(messages)) {
        text_ = "The following are the previous turns of a conversation, each in a <" + tag_ +
                " role=\"...\"> element; ";
        if (has_tool_turns(messages)) {
            text_ +=
                "a turn with role=\"tool_call\" is a call of the tool `name` that the "
                "assistant made, with the call's id and its arguments as JSON; a turn with "
                "role=\"tool_result\" is the result of the call with id `tool_call_id`. "
                "Continue the conversation from its last turn.";
        } else {
            text_ += "reply to the last turn, which is from the user.";
        }
        for (const auto& message : messages)
            add(message);
    }

    ojson content() {
        blocks_.push_back(text_block(std::move(text_)));
        if (blocks_.size() == 1) return blocks_[0]["text"];  // no images: a plain string
        return blocks_;
    }

  private:
    void add(const ChatMessage& message) {
        for (const auto& result : message.tool_results) {
            std::string head = "tool_result\" tool_call_id=\"" + attribute(result.call_id);
            if (result.is_error) head += "\" is_error=\"true";
            turn(head, result.content);
        }
        const bool calls = !message.tool_calls.empty();
        const bool results = !message.tool_results.empty();
        if (!message.parts.empty() || (!calls && !results)) parts_turn(message);
        for (const auto& call : message.tool_calls)
            turn("tool_call\" id=\"" + attribute(call.id) + "\" name=\"" +
                     attribute(kToolPrefix + call.name),
                 call.arguments);
    }

    // `head` is the role's value and any further attributes, without the closing quote of
    // the last one (added here).
    void turn(const std::string& head, const std::string& body) {
        text_ += "\n\n<" + tag_ + " role=\"" + head + "\">\n" + body + "\n</" + tag_ + ">";
    }

    void parts_turn(const ChatMessage& message) {
        text_ += "\n\n<" + tag_ + " role=\"" + message.role + "\">\n";
        bool after_text = false;
        for (const auto& part : message.parts) {
            if (part.kind == ContentPart::Kind::Image) {
                if (!text_.empty()) blocks_.push_back(text_block(std::move(text_)));
                text_.clear();
                blocks_.push_back(image_block(part));
                after_text = false;
            } else {
                if (after_text) text_ += '\n';
                text_ += part.text;
                after_text = true;
            }
        }
        text_ += "\n</" + tag_ + ">";
    }

    const std::string tag_;
    std::string text_;
    ojson blocks_ = ojson::array();
};

ojson content_value(const std::vector<ChatMessage>& messages) {
    if (messages.empty()) return ojson("");
    if (messages.size() == 1 && messages[0].role == "user" && messages[0].tool_results.empty()) {
        return lone_message_content(messages[0]);
    }
    return Transcript(messages).content();
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
