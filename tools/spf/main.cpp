// authscope-spf: SPF (RFC 7208) for a sample's connecting IP, HELO and MAIL FROM, or for flags.
#include <iostream>

#include "auth/error.hpp"
#include "auth/run.hpp"
#include "auth/spf_tool.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    auth::SpfToolOptions spf;
    auth::ToolSpec spec;
    spec.name = "spf";
    spec.summary = "Evaluate SPF for a sample's connecting IP, HELO and MAIL FROM (from its headers or flags).";
    spec.usage = "[--ip IP --mail-from ADDR --helo HOST] [--trusted-host H]... [options] [SAMPLE...]";
    spec.add_options = [&](po::options_description& d) {
        d.add_options()
            ("ip", po::value<std::string>(&spf.ip), "connecting client IP (instead of the Received chain's)")
            ("mail-from", po::value<std::string>(&spf.mail_from), "MAIL FROM address; <> or \"\" for the null sender")
            ("helo", po::value<std::string>(&spf.helo), "HELO/EHLO name")
            ("trusted-host", po::value<std::vector<std::string>>(&spf.trusted_hosts)->composing(),
             "a host name or domain of the receiver (repeatable): the Received hop where mail entered it gives IP and HELO");
    };
    spec.run = [&](const po::variables_map& vm, auth::CommonOptions& opts) {
        spf.mail_from_given = vm.count("mail-from") > 0;
        if (opts.inputs.empty() && !spf.ip.empty()) {
            // Flags alone: no sample, no stdin.
            if (!spf.mail_from_given && spf.helo.empty())
                throw auth::UsageError("with --ip and no sample, give --mail-from or --helo");
            auto dns = auth::open_session_dns(opts);
            auth::RecordingResolver rec(dns);
            auth::Outcome o = spf_analyze(spf, nullptr, rec, opts);
            if (opts.format == auth::Format::json) o.json["dns"] = auth::dns_evidence_json(rec.answers());
            auth::print_outcome(std::cout, opts.format, "spf", "", o);
            std::cout.flush();
            auth::finish_session_dns(opts, dns);
            return o.exit;
        }
        return auth::run_samples("spf", opts, [&](const auth::SampleContext& ctx) {
            return spf_analyze(spf, &ctx.message, ctx.dns, ctx.options);
        }, std::cout, std::cerr);
    };
    return auth::tool_main(spec, argc, argv);
}
