// The Markdown report (on stdout as it is written, and kept for --out), progress lines on
// stderr, and the statistics and units the report uses.
#pragma once

#include <string>
#include <vector>

namespace bench {

class Report {
  public:
    // Appends to the report and prints it at once.
    void operator()(const std::string& s);
    const std::string& text() const { return text_; }

  private:
    std::string text_;
};

// "harness-bench: <s>" on stderr.
void progress(const std::string& s);

// The p-quantile (nearest rank) of `v`; NAN when empty.
double percentile(std::vector<double> v, double p);

// kB as "12.3 MB".
std::string mb(long kb);

}  // namespace bench
