// authscope-explain: what authentication proves about each sample, and why mail that genuinely
// authenticates as a brand can still be abusive (findings with evidence, defanged indicators).
#include <iostream>
#include <string>
#include <vector>

#include "auth/auth_options.hpp"
#include "auth/brands.hpp"
#include "auth/error.hpp"
#include "auth/explain.hpp"
#include "auth/explain_html.hpp"
#include "auth/run.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    static std::vector<std::string> brand_dirs;
    static auth::AuthFlags flags;
    static auth::AuthOptions ao;
    static bool no_default_brands = false;
    static long long arrival = -1;
    static auth::BrandSet brands;
    auth::ToolSpec spec;
    spec.name = "explain";
    spec.summary = "Explain what authentication proves about a message, and why authenticated brand mail can still be abusive.";
    spec.usage = "[options] [SAMPLE...]";
    spec.html = true;
    spec.add_options = [](po::options_description& d) {
        auth::add_auth_options(d, flags);
        d.add_options()("brands", po::value<std::vector<std::string>>(&brand_dirs)->composing(),
                        "add the brand profiles (*.json) of DIR (repeatable; a same id replaces a shipped one)")(
            "no-default-brands", po::bool_switch(&no_default_brands), "do not load the brand profiles shipped with authscope")(
            "arrival", po::value<long long>(&arrival),
            "the time the message arrived (seconds since 1970); default: the date of the top Received field");
    };
    spec.analyze = [](const auth::SampleContext& ctx) {
        auth::ExplainOptions eo;
        if (arrival >= 0) eo.arrival = static_cast<std::time_t>(arrival);
        auth::AuthOptions how = ao;
        if (eo.arrival) how.dkim_time = eo.arrival;
        auth::AuthSummary a = auth::authenticate(ctx.message, ctx.dns, how);
        auth::ExplainReport r = auth::explain(ctx.message, a, brands, eo);
        auth::Outcome o;  // only the format asked for is rendered
        switch (ctx.options.format) {
        case auth::Format::json: o.json = auth::explain_json(r); break;
        case auth::Format::text: o.text = auth::explain_text(r, ctx.file); break;
        case auth::Format::ar:
            o.ar = "X-Authscope-Explain: " + r.verdict + (r.authenticated_domain.empty() ? "" : "; domain=" + r.authenticated_domain);
            break;
        case auth::Format::html: o.html = auth::explain_html_section(r, ctx.message, ctx.file, eo.mime); break;
        }
        o.exit = auth::explain_exit(r);
        return o;
    };
    spec.run = [&spec](const po::variables_map& vm, auth::CommonOptions& opts) {
        if (vm.count("arrival")) auth::time_option("arrival", arrival);
        ao = auth::auth_options(vm, flags, opts);
        ao.dmarc.check_report_destinations = false;
        brands.load_dirs(!no_default_brands, brand_dirs);
        return auth::run_samples(spec.name, opts, spec.analyze, std::cout, std::cerr);
    };
    return auth::tool_main(spec, argc, argv);
}
