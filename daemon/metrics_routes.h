// The hooks GET /metrics needs in the request path: when a chat request started, which job it
// submitted and how it ended.
#pragma once

#include <memory>

#include <httplib.h>

#include "daemon/http_context.h"
#include "daemon/metrics.h"

namespace ch {

class Job;

// Declares the families record_request() fills; done once, when the context is made.
void declare_request_metrics(MetricsRegistry& metrics);

// Called by the worker thread serving a request: before routing, once a job is submitted, and
// from the server's logger once the response (stream included) is written.
void note_request_start();
void note_request_job(std::shared_ptr<const Job> job);
// True when the request was a chat request that was refused before it became a job (bad JSON,
// unknown model, a wrong key, ...): what job watchers never see.
bool record_request(HttpContext& ctx, const httplib::Request& req, const httplib::Response& res);

// [server] metrics = "public": the scrape needs no API key.
bool metrics_public(const Settings& settings, const httplib::Request& req);

void register_metrics_routes(httplib::Server& server, HttpContext& ctx);

}  // namespace ch
