#include "daemon/metrics.h"

#include <charconv>
#include <cmath>

namespace ch {
namespace {

// HELP text escapes backslash and newline; label values the double quote too.
std::string escape(const std::string& text, bool quote) {
    std::string out;
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' && quote)
            out += "\\\"";
        else
            out += c;
    }
    return out;
}

std::string label_text(const MetricLabels& labels, const std::string& le = "") {
    if (labels.empty() && le.empty()) return "";
    std::string out = "{";
    for (const auto& [name, value] : labels) {
        if (out.size() > 1) out += ',';
        out += name + "=\"" + metric_label_escape(value) + '"';
    }
    if (!le.empty()) out += std::string(out.size() > 1 ? "," : "") + "le=\"" + le + '"';
    return out + '}';
}

}  // namespace

std::string metric_number(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

std::string metric_label_escape(const std::string& value) {
    return escape(value, true);
}

void MetricsRegistry::counter(const std::string& name, const std::string& help) {
    std::lock_guard guard(mutex_);
    families_.try_emplace(name, Family{Type::Counter, help, {}, {}});
}

void MetricsRegistry::gauge(const std::string& name, const std::string& help) {
    std::lock_guard guard(mutex_);
    families_.try_emplace(name, Family{Type::Gauge, help, {}, {}});
}

void MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                std::vector<double> buckets) {
    std::lock_guard guard(mutex_);
    families_.try_emplace(name, Family{Type::Histogram, help, std::move(buckets), {}});
}

MetricsRegistry::Family* MetricsRegistry::find(const std::string& name, Type type) {
    const auto it = families_.find(name);
    return it == families_.end() || it->second.type != type ? nullptr : &it->second;
}

void MetricsRegistry::add(const std::string& name, const MetricLabels& labels, double value) {
    std::lock_guard guard(mutex_);
    if (Family* family = find(name, Type::Counter)) family->series[labels].value += value;
}

void MetricsRegistry::set(const std::string& name, const MetricLabels& labels, double value) {
    std::lock_guard guard(mutex_);
    if (Family* family = find(name, Type::Gauge)) family->series[labels].value = value;
}

void MetricsRegistry::observe(const std::string& name, const MetricLabels& labels, double value) {
    std::lock_guard guard(mutex_);
    Family* family = find(name, Type::Histogram);
    if (family == nullptr) return;
    Series& series = family->series[labels];
    series.counts.resize(family->buckets.size() + 1);
    std::size_t i = 0;
    while (i < family->buckets.size() && value > family->buckets[i])
        ++i;
    ++series.counts[i];
    series.value += value;
}

std::string MetricsRegistry::render() const {
    static constexpr const char* kType[] = {"counter", "gauge", "histogram"};
    std::lock_guard guard(mutex_);
    std::string out;
    for (const auto& [name, family] : families_) {
        out += "# HELP " + name + ' ' + escape(family.help, false) + '\n';
        out += "# TYPE " + name + ' ' + kType[static_cast<int>(family.type)] + '\n';
        for (const auto& [labels, series] : family.series) {
            if (family.type != Type::Histogram) {
                out += name + label_text(labels) + ' ' + metric_number(series.value) + '\n';
                continue;
            }
            // Buckets are cumulative in the exposition format.
            std::uint64_t total = 0;
            for (std::size_t i = 0; i <= family.buckets.size(); ++i) {
                total += series.counts[i];
                const std::string le =
                    i < family.buckets.size() ? metric_number(family.buckets[i]) : "+Inf";
                out +=
                    name + "_bucket" + label_text(labels, le) + ' ' + std::to_string(total) + '\n';
            }
            out += name + "_sum" + label_text(labels) + ' ' + metric_number(series.value) + '\n';
            out += name + "_count" + label_text(labels) + ' ' + std::to_string(total) + '\n';
        }
    }
    return out;
}

}  // namespace ch
