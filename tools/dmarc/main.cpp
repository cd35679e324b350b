// authscope-dmarc: DMARC (RFC 9989; RFC 7489 with --rfc7489) for each sample: From domain, policy
// discovery, alignment of SPF and DKIM, result and disposition.
#include <iostream>

#include "auth/auth_options.hpp"
#include "auth/dmarc_tool.hpp"
#include "auth/error.hpp"
#include "auth/run.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    static auth::DmarcToolOptions dm;
    static auth::AuthFlags flags;
    static long long now_opt = -1;
    auth::ToolSpec spec;
    spec.name = "dmarc";
    spec.summary = "DMARC for each sample: From domain, policy (DNS tree walk), SPF/DKIM alignment, result, disposition.";
    spec.usage = "[--rfc7489 [--psl FILE]] [--trust-ar auto|AUTHSERV-ID [--recheck]] [options] [SAMPLE...]";
    spec.add_options = [](po::options_description& d) {
        auth::add_auth_options(d, flags);
        d.add_options()
            ("now", po::value<long long>(&now_opt), "judge DKIM x= and t= as of this time (seconds since 1970); default: the arrival (the top Received field's date)")
            ("no-report-check", "do not look up _report._dmarc authorizations of external rua/ruf destinations");
    };
    spec.run = [&spec](const po::variables_map& vm, auth::CommonOptions& opts) {
        dm.auth = auth::auth_options(vm, flags, opts);
        if (vm.count("no-report-check")) dm.auth.dmarc.check_report_destinations = false;
        if (vm.count("now")) {
            dm.auth.dkim_time = auth::time_option("now", now_opt);
        }
        return auth::run_samples(spec.name, opts, [](const auth::SampleContext& ctx) {
            return auth::dmarc_analyze(dm, ctx.message, ctx.dns, ctx.options);
        }, std::cout, std::cerr);
    };
    return auth::tool_main(spec, argc, argv);
}
