// authscope-dkim: verify every DKIM signature of each sample (RFC 6376, RFC 8463, RFC 8301).
#include <iostream>
#include <string>

#include "auth/ar.hpp"
#include "auth/auth_options.hpp"
#include "auth/dkim.hpp"
#include "auth/error.hpp"
#include "auth/run.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    static long long now_opt = -1;
    auth::ToolSpec spec;
    spec.name = "dkim";
    spec.summary = "Verify every DKIM signature of each sample, with its reason and the key it rests on.";
    spec.usage = "[options] [SAMPLE...]";
    spec.add_options = [](po::options_description& d) {
        d.add_options()("now", po::value<long long>(&now_opt),
                        "evaluate x= and t= as of this time (seconds since 1970, e.g. the arrival time); default: now");
    };
    spec.analyze = [](const auth::SampleContext& ctx) {
        auth::DkimOptions opts;
        if (now_opt >= 0) opts.now = static_cast<std::time_t>(now_opt);
        auth::DkimReport rep = auth::verify_dkim(ctx.message, ctx.dns, opts);
        auth::Outcome o;  // only the format asked for is rendered
        switch (ctx.options.format) {
        case auth::Format::json: o.json = auth::to_json(rep); break;
        case auth::Format::text: o.text = auth::to_text(rep); break;
        case auth::Format::ar: o.ar = auth::format_authentication_results(ctx.options.authserv_id, auth::to_ar(rep)); break;
        case auth::Format::html: break;  // not offered (ToolSpec::html)
        }
        o.exit = auth::exit_status_for(rep.verdict.result);
        return o;
    };
    spec.run = [&spec](const po::variables_map& vm, auth::CommonOptions& opts) {
        if (vm.count("now")) auth::time_option("now", now_opt);
        return auth::run_samples(spec.name, opts, spec.analyze, std::cout, std::cerr);
    };
    return auth::tool_main(spec, argc, argv);
}
