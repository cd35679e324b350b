// Private to explain: the context every rule reads and the helpers the phases share.
// explain.cpp builds the context, runs the rules and gives the verdict; explain_rules.cpp holds
// the rules (profile-free and profile rules), explain_replay.cpp the DKIM-replay heuristics and
// explain_render.cpp the JSON and text forms.
#pragma once
#include <ctime>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/address.hpp"
#include "auth/explain.hpp"
#include "auth/received.hpp"

namespace auth::explain_detail {

// The context every rule reads

struct Field {
    std::string label;  // "Organization", "From display name", "Subject"
    std::string text;
    std::string where;
};

struct Ctx {
    const Message& msg;
    const AuthSummary& auth;
    const BrandSet& brands;
    const ExplainOptions& opts;
    DecodedMessage mime;
    Mailbox from;
    bool have_from = false;
    std::vector<Mailbox> reply_to;
    std::set<std::string> recipients;   // To, Cc, Delivered-To, Received "for", lower case
    std::string subject;
    const BrandProfile* brand = nullptr;      // the brand of the From domain
    const BrandProfile* claimed = nullptr;    // the brand the message claims (same as brand, or by name/look-alike)
    BrandProfile sender;                      // a stand-in profile for an unknown sender
    Indicators ind;
    std::vector<Field> fields;                // customer-settable text
    std::vector<ReceivedHop> hops;
    std::optional<std::time_t> arrival;

    const BrandProfile& profile() const { return brand ? *brand : sender; }
    bool brand_mail() const { return brand != nullptr; }
};


// Small text helpers (explain.cpp)
bool contains_ci(const std::string& hay_lower, std::string_view needle);
std::string clip(std::string s, std::size_t n = 240);
std::string trim_space_and_stars(std::string_view s);
std::string defang_text(const std::string& text);  // every URL and address in it defanged
std::string possessive(const std::string& name);
std::string join(const std::vector<std::string>& v, const std::string& sep);
std::string fmt_time(std::time_t t);
std::string duration(std::uint64_t s);

// What the context says (explain.cpp)
bool recipient(const Ctx& c, const std::string& addr);
bool expected_domain(const Ctx& c, const std::string& d);
bool authenticated(const Ctx& c);
bool participant(const Ctx& c, const std::string& addr);
bool reply_to_expected(const Ctx& c);
bool links_expected(const Ctx& c);
bool own_voice(const Ctx& c);
std::string evidence_of(const Indicator& i);
void add_finding(std::vector<Finding>& out, const char* id, Severity sev, std::string summary,
                 std::vector<std::string> evidence);

// The rules, in the order they run (explain_rules.cpp); each adds at most one finding.
using Rule = std::function<void(const Ctx&, std::vector<Finding>&)>;
const std::vector<Rule>& rules();
// The DKIM-replay heuristics, as one rule (explain_replay.cpp).
void rule_dkim_replay(const Ctx& c, std::vector<Finding>& out);

}  // namespace auth::explain_detail
