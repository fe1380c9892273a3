// The activity summary of an agent-mode job, read from the CLI's stream-json lines.
#include <boost/test/unit_test.hpp>

#include "daemon/agent_activity.h"

BOOST_AUTO_TEST_SUITE(agent_activity)

BOOST_AUTO_TEST_CASE(tool_uses_results_turns_and_cost) {
    ch::AgentActivity activity;
    activity.on_line(R"({"type":"system","subtype":"init","cwd":"/srv/p"})");
    activity.on_line(
        R"({"type":"assistant","message":{"id":"m1","content":[{"type":"text","text":"Running."}]}})");
    activity.on_line(R"({"type":"assistant","message":{"id":"m1","content":[{"type":"tool_use",)"
                     R"("id":"t1","name":"Bash","input":{"command":"false"}}]}})");
    activity.on_line(R"({"type":"assistant","message":{"id":"m1","content":[{"type":"tool_use",)"
                     R"("id":"t2","name":"Read","input":{"file_path":"x"}}]}})");
    activity.on_line(R"({"type":"user","message":{"role":"user","content":[{"tool_use_id":"t1",)"
                     R"("type":"tool_result","content":"exit 1","is_error":true}]}})");
    activity.on_line(R"({"type":"user","message":{"role":"user","content":[{"tool_use_id":"t2",)"
                     R"("type":"tool_result","content":"data","is_error":false}]}})");
    activity.on_line(
        R"({"type":"result","subtype":"success","is_error":false,"num_turns":3,)"
        R"("result":"Done.","total_cost_usd":0.5,"permission_denials":[{"tool_name":"Edit"}]})");
    const auto summary = activity.summary("/srv/p");
    BOOST_TEST(summary.dump() ==
               R"({"directory":"/srv/p","tool_uses":[{"name":"Bash","is_error":true},)"
               R"({"name":"Read","is_error":false}],"turns":3,"cost_usd":0.5,)"
               R"("permission_denials":1})");
}

BOOST_AUTO_TEST_CASE(nothing_yet_and_unreadable_lines) {
    ch::AgentActivity activity;
    activity.on_line("not json \"tool_use\"");
    activity.on_line(R"({"type":"assistant","message":"odd \"tool_use\""})");
    BOOST_TEST(activity.summary("/d").dump() ==
               R"({"directory":"/d","tool_uses":[],"turns":null,"cost_usd":null,)"
               R"("permission_denials":0})");
}

BOOST_AUTO_TEST_SUITE_END()
