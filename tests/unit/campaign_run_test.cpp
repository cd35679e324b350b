#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "auth/brands.hpp"
#include "auth/campaign_run.hpp"

using namespace auth;

namespace {

CampaignRun run_fixtures(unsigned jobs, Workers workers, std::vector<std::string> extra, std::string& err_text,
                         std::string& lines) {
    CommonOptions opts;
    opts.jobs = jobs;
    opts.workers = workers;
    opts.dns.from_file = AUTHSCOPE_SOURCE_DIR "/fixtures/campaigns/empty.zone";
    opts.inputs = {AUTHSCOPE_SOURCE_DIR "/fixtures/campaigns/mail"};
    for (auto& e : extra) opts.inputs.push_back(e);
    static const BrandSet brands;
    CampaignRunOptions ro;
    std::ostringstream el, err;
    CampaignRun r = run_campaigns("campaigns", opts, brands, ro, &el, err);
    err_text = err.str();
    lines = el.str();
    return r;
}

}  // namespace

TEST_CASE("run_campaigns: the same campaigns in one process, in threads and in worker processes", "[campaign_run]") {
    std::string e1, l1, e2, l2, e3, l3;
    CampaignRun a = run_fixtures(1, Workers::processes, {}, e1, l1);
    CampaignRun b = run_fixtures(2, Workers::threads, {}, e2, l2);
    CampaignRun c = run_fixtures(2, Workers::processes, {}, e3, l3);
    CHECK(a.samples == 16);
    CHECK(a.errors == 0);
    CHECK(a.status == kExitPass);
    REQUIRE(a.campaigns.size() == 5);
    REQUIRE(b.campaigns.size() == 5);
    REQUIRE(c.campaigns.size() == 5);
    for (std::size_t i = 0; i < a.campaigns.size(); ++i) {
        CHECK(a.campaigns[i].id == b.campaigns[i].id);
        CHECK(a.campaigns[i].id == c.campaigns[i].id);
    }
    CHECK(e1.empty());
    CHECK(l1.empty());
}

TEST_CASE("run_campaigns: a sample that cannot be read is an error, the others are grouped", "[campaign_run]") {
    std::string err, lines;
    CampaignRun r = run_fixtures(2, Workers::processes, {AUTHSCOPE_SOURCE_DIR "/fixtures/campaigns/no-such.eml"}, err, lines);
    CHECK(r.errors == 1);
    CHECK(r.status == kExitBadInput);
    CHECK(r.campaigns.size() == 5);
    CHECK(err.find("no-such.eml") != std::string::npos);
    CHECK(lines.find("\"result\":\"error\"") != std::string::npos);
}
