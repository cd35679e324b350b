// authscope-dmarc: DMARC (RFC 9989; RFC 7489 with --rfc7489) for each sample: From domain, policy
// discovery, alignment of SPF and DKIM, result and disposition.
#include <iostream>

#include "auth/dmarc.hpp"
#include "auth/error.hpp"
#include "auth/run.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    static auth::DmarcToolOptions dm;
    static std::string psl_file;
    static long long now_opt = -1;
    auth::ToolSpec spec;
    spec.name = "dmarc";
    spec.summary = "DMARC for each sample: From domain, policy (DNS tree walk), SPF/DKIM alignment, result, disposition.";
    spec.usage = "[--rfc7489 [--psl FILE]] [--trust-ar AUTHSERV-ID] [options] [SAMPLE...]";
    spec.add_options = [](po::options_description& d) {
        d.add_options()
            ("rfc7489", "RFC 7489 policy discovery and organizational domain (Public Suffix List) instead of RFC 9989's tree walk")
            ("psl", po::value<std::string>(&psl_file), "with --rfc7489: read this public_suffix_list.dat instead of the system's")
            ("trust-ar", po::value<std::string>(&dm.trust_ar),
             "take SPF and DKIM results from the Authentication-Results fields of this authserv-id (\"\" for fields without one)")
            ("trusted-host", po::value<std::vector<std::string>>(&dm.trusted_hosts)->composing(),
             "a host name or domain of the receiver (repeatable), for the SPF envelope")
            ("now", po::value<long long>(&now_opt), "judge DKIM x= and t= as of this time (seconds since 1970)")
            ("no-report-check", "do not look up _report._dmarc authorizations of external rua/ruf destinations");
    };
    spec.run = [&spec](const po::variables_map& vm, auth::CommonOptions& opts) {
        if (vm.count("rfc7489")) dm.dmarc.mode = auth::DmarcMode::rfc7489;
        if (vm.count("psl")) {
            if (!vm.count("rfc7489")) throw auth::UsageError("--psl needs --rfc7489");
            try {
                dm.dmarc.psl = auth::PublicSuffixList::load_file(psl_file);
            } catch (const auth::InputError& e) {
                throw auth::UsageError(e.what());
            }
        }
        dm.trust_ar_given = vm.count("trust-ar") > 0;
        if (vm.count("no-report-check")) dm.dmarc.check_report_destinations = false;
        if (vm.count("now")) {
            if (now_opt < 0 || now_opt > 253402300799LL) throw auth::UsageError("--now must be seconds since 1970 (0 to 253402300799)");
            dm.now = now_opt;
        }
        return auth::run_samples(spec.name, opts, [](const auth::SampleContext& ctx) {
            return auth::dmarc_analyze(dm, ctx.message, ctx.dns, ctx.options);
        }, std::cout, std::cerr);
    };
    return auth::tool_main(spec, argc, argv);
}
