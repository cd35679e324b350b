// Running campaign grouping over samples: each sample's signature is taken in the runner's worker
// processes (--jobs), carried back in its JSON line and grouped here, in the first process.
#pragma once
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "auth/authenticate.hpp"
#include "auth/brands.hpp"
#include "auth/campaigns.hpp"
#include "auth/run.hpp"

namespace auth {

struct CampaignRunOptions {
    CampaignOptions grouping;
    AuthOptions auth;            // whose results the sender rests on (--trust-ar, --recheck, --rfc7489 ...)
};

struct CampaignRun {
    std::vector<Campaign> campaigns;  // biggest first
    std::size_t samples = 0;          // read and signed
    std::size_t errors = 0;           // not read (each reported on err, and in error_lines when given)
    int status = kExitPass;           // kExitPass, or kExitBadInput when a sample was not read
};

// The analyzer that turns one sample into its signature (Outcome json, "result": "signature").
Analyzer campaign_signature_analyzer(const BrandSet& brands, const CampaignRunOptions& opts);

// Signs every sample of opts.inputs (opts.jobs at a time, in worker processes) and groups them.
// A sample that cannot be read is an error line on err (and its JSON error line on error_lines
// when not null); the others go on. Memory: the signatures and the grouping's bounded indexes.
CampaignRun run_campaigns(const std::string& tool, const CommonOptions& opts, const BrandSet& brands,
                          const CampaignRunOptions& ro, std::ostream* error_lines, std::ostream& err);

}  // namespace auth
