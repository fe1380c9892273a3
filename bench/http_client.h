// HTTP requests to the daemon's OpenAI-compatible endpoint, timed as the bytes arrive.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <httplib.h>

#include "bench/util.h"

namespace bench {

// A keep-alive client of 127.0.0.1:port with the bench's timeouts.
std::unique_ptr<httplib::Client> make_client(int port);

// A non-streaming request for kPrompt; checks the reply.
Sample post_complete(httplib::Client& client);

// One streamed request (`body` already has "stream": true): `on_chunk` gets each data event's
// JSON and the time its bytes arrived, as they arrive. Sets s.total_ms, and s.error for a
// transport error, a status other than 200 or a stream without [DONE]; false then.
using ChunkHandler = std::function<void(const json& chunk, Clock::time_point arrived)>;
bool stream_chat(httplib::Client& client, const std::string& body, const ChunkHandler& on_chunk,
                 Sample& s);

// A streaming request. `on_first` runs when the first content delta has arrived; the events
// are parsed as they come so that the time is that of the bytes, not of the whole response.
// A non-empty `expected` is the whole text the stream must carry.
Sample post_stream(httplib::Client& client, const std::string& content = kPrompt,
                   const std::function<void()>& on_first = {}, const std::string& expected = "");

}  // namespace bench
