// Which conversation a stateless chat request continues. Clients resend the whole history, so
// a conversation is named by what never changes in it: the client, the system prompt and the
// first user message. Requests with equal keys go to the same provider, whose prompt cache
// already holds the history.
#pragma once

#include <string>

#include "common/chat.h"

namespace ch {

std::string conversation_key(const std::string& client, const ChatRequest& request);

}  // namespace ch
