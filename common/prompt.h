// Rendering a ChatRequest as the CLI's stream-json stdin: the system prompt (as an
// `initialize` control request, so it has no argv size limit) and exactly one user line.
// A lone user message reaches the CLI byte for byte; a longer history is rendered as one
// user message in which every turn keeps its role.
#pragma once

#include <string>
#include <vector>

#include "common/chat.h"

namespace ch {

// The lines (each ending in '\n') to write to the CLI's stdin, in order.
// `system` is the effective system prompt (client's, else the model default, else empty).
std::vector<std::string> render_cli_input(const ChatRequest& request, const std::string& system);

// A `set_model` control request line: switches a CLI started with another --model before
// its first turn (a pre-started process serving a request for another model).
std::string render_set_model(const std::string& cli_model);

// The user message content as the CLI will see it (string or content-block array), for tests.
std::string render_user_content_json(const std::vector<ChatMessage>& messages);

}  // namespace ch
