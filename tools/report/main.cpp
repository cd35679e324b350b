// authscope-report: write an ARF abuse report for a sample (RFC 5965, RFC 6591) with an optional
// evidence bundle; read ARF, DMARC failure and DMARC aggregate reports.
#include <iostream>
#include <string>
#include <vector>

#include "auth/auth_options.hpp"
#include "auth/brands.hpp"
#include "auth/campaign_run.hpp"
#include "auth/error.hpp"
#include "auth/report.hpp"
#include "auth/report_tool.hpp"
#include "auth/run.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    static auth::ReportOptions ro;
    static auth::AuthFlags flags;
    static std::vector<std::string> brand_dirs;
    static bool no_default_brands = false;
    static auth::BrandSet brands;
    auth::ToolSpec spec;
    spec.name = "report";
    spec.summary = "Write an ARF abuse report (RFC 5965/6591) for a sample, or read ARF, DMARC failure and aggregate reports.";
    spec.usage = "[options] [--to ADDR] [--bundle DIR] SAMPLE | --campaign [--bundle DIR] SAMPLE... | --read [--analyze] REPORT...";
    spec.add_options = [](po::options_description& d) {
        auth::add_auth_options(d, flags);
        d.add_options()
            ("to", po::value<std::string>(&ro.to), "the abuse desk the report is addressed to (To:)")
            ("from", po::value<std::string>(&ro.from), "the reporter (From:), e.g. \"SOC <soc@example.org>\"")
            ("type", po::value<std::string>(&ro.feedback_type), "Feedback-Type: abuse, fraud, auth-failure, virus, other (default: from the verdict)")
            ("headers-only", po::bool_switch(&ro.headers_only), "attach only the original's header (text/rfc822-headers)")
            ("redact", po::value<std::vector<std::string>>(&ro.redact)->composing(), "redact this address everywhere in the report (RFC 6590; repeatable)")
            ("redact-key", po::value<std::string>(&ro.redact_key), "HMAC key for --redact tokens (the same key gives the same tokens across reports; default: random per report)")
            ("bundle", po::value<std::string>(&ro.bundle_dir), "write the report, the original, the DNS snapshot, the verdict and a SHA-256 manifest to DIR")
            ("date", po::value<std::string>(&ro.date), "the report's Date: (default: now)")
            ("message-id", po::value<std::string>(&ro.message_id), "the report's Message-ID: (default: derived)")
            ("brands", po::value<std::vector<std::string>>(&brand_dirs)->composing(), "add the brand profiles (*.json) of DIR")
            ("no-default-brands", po::bool_switch(&no_default_brands), "do not load the brand profiles shipped with authscope")
            ("read", "read reports (ARF, DMARC failure, aggregate XML/gz/zip or an e-mail carrying one)")
            ("analyze", "with --read: explain the message a failure report returned")
            ("campaign", "group the samples into campaigns (as authscope campaigns) and write one report per campaign");
    };
    spec.run = [](const po::variables_map& vm, auth::CommonOptions& opts) -> int {
        ro.auth = auth::auth_options(vm, flags, opts);
        brands.load_dirs(!no_default_brands, brand_dirs);
        if (vm.count("read")) {
            auth::OriginalAnalyzer an;
            if (vm.count("analyze"))
                an = [](const auth::Message& m, auth::Resolver& dns, const auth::CommonOptions&) {
                    return auth::analyze_returned_message(m, dns, brands);
                };
            return auth::run_report_read(opts, an, std::cout, std::cerr);
        }
        if (vm.count("analyze")) throw auth::UsageError("--analyze goes with --read");
        if (opts.format == auth::Format::ar) throw auth::UsageError("a report is written as text (the message) or json");
        if (vm.count("campaign")) return auth::run_campaign_reports(opts, brands, ro, auth::CampaignRunOptions{}, std::cout, std::cerr);
        if (!ro.bundle_dir.empty() && opts.inputs.size() != 1) throw auth::UsageError("--bundle takes exactly one sample");
        return auth::run_samples("report", opts, [](const auth::SampleContext& ctx) {
            return auth::report_sample(ctx, brands, ro);
        }, std::cout, std::cerr);
    };
    return auth::tool_main(spec, argc, argv);
}
