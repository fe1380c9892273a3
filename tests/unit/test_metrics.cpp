#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>

#include "common/config.h"
#include "daemon/metrics.h"

using ch::MetricsRegistry;

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(counters_and_gauges_render_exactly) {
    MetricsRegistry m;
    m.counter("b_total", "Things counted.");
    m.gauge("a_depth", "A depth.");
    m.add("b_total", {{"endpoint", "messages"}, {"status", "200"}});
    m.add("b_total", {{"endpoint", "messages"}, {"status", "200"}}, 2);
    m.add("b_total", {{"endpoint", "chat"}, {"status", "500"}});
    m.set("a_depth", {}, 3);
    m.set("a_depth", {}, 0.25);
    m.add("undeclared", {});  // ignored
    m.set("b_total", {}, 7);  // a counter is not set
    BOOST_TEST(m.render() ==
               "# HELP a_depth A depth.\n"
               "# TYPE a_depth gauge\n"
               "a_depth 0.25\n"
               "# HELP b_total Things counted.\n"
               "# TYPE b_total counter\n"
               "b_total{endpoint=\"chat\",status=\"500\"} 1\n"
               "b_total{endpoint=\"messages\",status=\"200\"} 3\n");
}

BOOST_AUTO_TEST_CASE(declared_family_without_series_has_only_its_header) {
    MetricsRegistry m;
    m.counter("x_total", "Help with a \\ backslash\nand a newline.");
    BOOST_TEST(m.render() ==
               "# HELP x_total Help with a \\\\ backslash\\nand a newline.\n"
               "# TYPE x_total counter\n");
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped) {
    MetricsRegistry m;
    m.gauge("g", "G.");
    m.set("g", {{"v", "a\"b\\c\nd"}}, 1);
    BOOST_TEST(m.render() == "# HELP g G.\n# TYPE g gauge\ng{v=\"a\\\"b\\\\c\\nd\"} 1\n");
    BOOST_TEST(ch::metric_label_escape("plain") == "plain");
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative) {
    MetricsRegistry m;
    m.histogram("h_seconds", "H.", {0.125, 1, 10});
    // Exact binary fractions, so the sum prints exactly; 0.125 falls in its own bucket.
    for (const double v : {0.0625, 0.125, 0.5, 2.0, 20.0})
        m.observe("h_seconds", {{"endpoint", "messages"}}, v);
    BOOST_TEST(m.render() ==
               "# HELP h_seconds H.\n"
               "# TYPE h_seconds histogram\n"
               "h_seconds_bucket{endpoint=\"messages\",le=\"0.125\"} 2\n"
               "h_seconds_bucket{endpoint=\"messages\",le=\"1\"} 3\n"
               "h_seconds_bucket{endpoint=\"messages\",le=\"10\"} 4\n"
               "h_seconds_bucket{endpoint=\"messages\",le=\"+Inf\"} 5\n"
               "h_seconds_sum{endpoint=\"messages\"} 22.6875\n"
               "h_seconds_count{endpoint=\"messages\"} 5\n");
}

BOOST_AUTO_TEST_CASE(histogram_without_labels) {
    MetricsRegistry m;
    m.histogram("h", "H.", {1});
    m.observe("h", {}, 3);
    BOOST_TEST(m.render() ==
               "# HELP h H.\n# TYPE h histogram\n"
               "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\nh_sum 3\nh_count 1\n");
}

BOOST_AUTO_TEST_CASE(numbers) {
    BOOST_TEST(ch::metric_number(3) == "3");
    BOOST_TEST(ch::metric_number(0.005) == "0.005");
    BOOST_TEST(ch::metric_number(1795273200) == "1795273200");
    BOOST_TEST(ch::metric_number(std::numeric_limits<double>::infinity()) == "+Inf");
}

BOOST_AUTO_TEST_CASE(config_key) {
    const std::string model = "[[models]]\nid = \"m\"\ncli_model = \"sonnet\"\n";
    BOOST_TEST(ch::load_config_string(model, "t.toml").config.server.metrics == "api_key");
    const auto open = ch::load_config_string("[server]\nmetrics = \"public\"\n" + model, "t.toml");
    BOOST_TEST(open.errors.empty());
    BOOST_TEST(open.config.server.metrics == "public");
    const auto bad = ch::load_config_string("[server]\nmetrics = \"open\"\n" + model, "t.toml");
    BOOST_REQUIRE_EQUAL(bad.errors.size(), 1u);
    BOOST_TEST(bad.errors[0].rfind("t.toml:2:11: ", 0) == 0, bad.errors[0]);
    BOOST_TEST(bad.errors[0].find("must be \"public\", \"api_key\" or \"off\", not \"open\"") !=
                   std::string::npos,
               bad.errors[0]);
}

BOOST_AUTO_TEST_SUITE_END()
