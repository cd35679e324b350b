// authscope-report: write an ARF abuse report for a sample; read ARF, DMARC failure and
// DMARC aggregate reports.
#include <iostream>

#include "auth/error.hpp"
#include "auth/report.hpp"
#include "auth/run.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    auth::ToolSpec spec;
    spec.name = "report";
    spec.summary = "Write an ARF abuse report (RFC 5965/6591) for a sample, or read ARF, DMARC failure and aggregate reports.";
    spec.usage = "[options] --to ADDR SAMPLE | --bundle DIR SAMPLE | --read [--analyze] REPORT...";
    spec.add_options = [](po::options_description& d) {
        d.add_options()
            ("read", "read reports (ARF, DMARC failure, aggregate XML/gz/zip or an e-mail carrying one)")
            ("analyze", "with --read: run the checks over the message a failure report returned");
    };
    spec.run = [](const po::variables_map& vm, auth::CommonOptions& opts) -> int {
        if (vm.count("read")) return auth::run_report_read(opts, nullptr, std::cout, std::cerr);
        throw auth::UsageError("writing reports is not built yet");
    };
    return auth::tool_main(spec, argc, argv);
}
