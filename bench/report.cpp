#include "bench/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/util.h"

namespace bench {

void Report::operator()(const std::string& s) {
    text_ += s;
    std::fputs(s.c_str(), stdout);
    std::fflush(stdout);
}

void progress(const std::string& s) {
    std::fprintf(stderr, "harness-bench: %s\n", s.c_str());
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string mb(long kb) {
    return sfmt("%.1f MB", static_cast<double>(kb) / 1024.0);
}

}  // namespace bench
