// A small registry of labelled counters, gauges and histograms, rendered in Prometheus' text
// exposition format 0.0.4. Thread-safe; families are rendered sorted by name, series by labels.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ch {

// Label names and values, in the order they are rendered.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class MetricsRegistry {
  public:
    // Declares a family; a second declaration of the same name is ignored. Histogram buckets
    // are upper bounds in increasing order; +Inf is implied.
    void counter(const std::string& name, const std::string& help);
    void gauge(const std::string& name, const std::string& help);
    void histogram(const std::string& name, const std::string& help, std::vector<double> buckets);

    // Each is a no-op for an undeclared name or a family of another type.
    void add(const std::string& name, const MetricLabels& labels, double value = 1);
    void set(const std::string& name, const MetricLabels& labels, double value);
    void observe(const std::string& name, const MetricLabels& labels, double value);

    std::string render() const;

  private:
    enum class Type { Counter, Gauge, Histogram };
    struct Series {
        double value = 0;                   // counter, gauge; the sum for a histogram
        std::vector<std::uint64_t> counts;  // histogram: per bucket (not cumulative), then +Inf
    };
    struct Family {
        Type type = Type::Counter;
        std::string help;
        std::vector<double> buckets;
        std::map<MetricLabels, Series> series;
    };
    Family* find(const std::string& name, Type type);

    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;
};

// A sample value as Prometheus writes it: "3", "0.25", "+Inf", "NaN".
std::string metric_number(double value);
// A label value with backslash, double quote and newline escaped.
std::string metric_label_escape(const std::string& value);

}  // namespace ch
