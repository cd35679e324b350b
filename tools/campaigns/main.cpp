// authscope-campaigns: group samples into campaigns (the same template, sending account, link and
// contact infrastructure, or replayed DKIM signature), with the ties that bind each one.
#include <iostream>
#include <string>
#include <vector>

#include "auth/auth_options.hpp"
#include "auth/brands.hpp"
#include "auth/campaign_run.hpp"
#include "auth/error.hpp"
#include "auth/run.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    static std::vector<std::string> brand_dirs;
    static bool no_default_brands = false, all = false;
    static auth::BrandSet brands;
    static auth::CampaignRunOptions ro;
    static auth::AuthFlags flags;
    auth::ToolSpec spec;
    spec.name = "campaigns";
    spec.summary = "Group samples into campaigns: the same template, sending account, links, contacts or replayed DKIM signature.";
    spec.usage = "[options] SAMPLE...";
    spec.add_options = [](po::options_description& d) {
        d.add_options()("all", po::bool_switch(&all), "also list samples tied to no other (one-member campaigns)")(
            "min-similarity", po::value<double>(&ro.grouping.min_similarity)->default_value(0.6),
            "masked-template similarity (estimated Jaccard, 0.3 to 1) that ties two samples")(
            "max-tie-members", po::value<std::size_t>(&ro.grouping.max_tie_members)->default_value(50),
            "a value shared by more samples than this is platform-wide and ties nothing")(
            "brands", po::value<std::vector<std::string>>(&brand_dirs)->composing(),
            "add the brand profiles (*.json) of DIR (their domains are never ties)")(
            "no-default-brands", po::bool_switch(&no_default_brands), "do not load the brand profiles shipped with authscope");
        auth::add_auth_options(d, flags);
    };
    spec.run = [&spec](const po::variables_map& vm, auth::CommonOptions& opts) -> int {
        ro.auth = auth::auth_options(vm, flags, opts);
        if (ro.grouping.min_similarity < 0.3 || ro.grouping.min_similarity > 1.0)
            throw auth::UsageError("--min-similarity must be between 0.3 and 1");
        if (ro.grouping.max_tie_members < 2) throw auth::UsageError("--max-tie-members must be at least 2");
        if (opts.format == auth::Format::ar) throw auth::UsageError("campaigns are written as text or json");
        ro.grouping.singletons = all;
        brands.load_dirs(!no_default_brands, brand_dirs);
        const bool json = opts.format == auth::Format::json;
        auth::CampaignRun run = auth::run_campaigns(spec.name, opts, brands, ro, json ? &std::cout : nullptr, std::cerr);
        if (json)
            for (const auto& c : run.campaigns) std::cout << auth::json_line(auth::campaign_json(c)) << "\n";
        else
            std::cout << auth::campaigns_text(run.campaigns, run.samples + run.errors, run.errors);
        return run.status;
    };
    return auth::tool_main(spec, argc, argv);
}
