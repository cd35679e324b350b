// `authscope explain`: what authentication proves about a message (DMARC, RFC 9989 / RFC 7489;
// DKIM, RFC 6376; SPF, RFC 7208) and, as independent findings, why mail that genuinely
// authenticates as a brand can still be abusive. Brand knowledge comes from auth/brands.hpp; the
// authentication facts (AuthSummary) from auth/authenticate.hpp.
#pragma once
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/authenticate.hpp"
#include "auth/brands.hpp"
#include "auth/dns.hpp"
#include "auth/indicators.hpp"
#include "auth/message.hpp"
#include "auth/mime.hpp"
#include "auth/result.hpp"

namespace auth {

struct ExplainOptions {
    std::optional<std::time_t> arrival;  // when the message arrived; default: the top Received date
    std::uint64_t old_signature_seconds = 3 * 86400;  // t= this much before arrival is "old"
    MimeLimits mime;
};

enum class Severity { high, medium, low, info };
std::string to_string(Severity s);

// One finding of one rule: a stable id, a severity, one sentence, and its evidence (header
// lines or decoded text, links defanged).
struct Finding {
    std::string id;
    Severity severity = Severity::info;
    std::string summary;
    std::vector<std::string> evidence;
};

// Every rule id with its default severity and what it means (the man page lists the same).
struct RuleInfo {
    const char* id;
    const char* meaning;
};
const std::vector<RuleInfo>& explain_rules();

// Text a customer of the sender can set (display name, Subject, "Organization: ..." lines).
struct CustomerField {
    std::string label;  // "Organization", "From display name", "Subject"
    std::string text;
    std::string where;  // as findings' evidence names it
};

struct ExplainReport {
    std::string verdict;                 // authentic, authentic-but-abusive, spoofed, unauthenticated, inconclusive
    Reason reason;                       // why that verdict
    std::string authenticated_domain;    // the From domain DMARC passed for, "" otherwise
    const BrandProfile* brand = nullptr; // the brand the message is from or claims to be
    bool brand_claimed_only = false;     // the brand is only claimed (display name, look-alike)
    AuthSummary auth;
    std::vector<std::string> proves, does_not_prove;
    std::vector<Finding> findings;       // most severe first
    Indicators indicators;
    std::vector<std::string> next_steps;
    std::string report_to;               // abuse address to report to, "" when unknown
    std::vector<std::string> notes;      // MIME problems and other caveats
    std::vector<CustomerField> customer_fields;  // what the rules read as customer-set text
};

// Explains a message given its authentication facts. Never throws for hostile input.
ExplainReport explain(const Message& msg, const AuthSummary& auth, const BrandSet& brands,
                      const ExplainOptions& opts = {});

// Output forms. `file` names the sample in the suggested report command.
nlohmann::ordered_json explain_json(const ExplainReport& r);
std::string explain_text(const ExplainReport& r, const std::string& file);
// Exit status (DESIGN.md): authentic 0, inconclusive 4, any other verdict 1.
int explain_exit(const ExplainReport& r);

}  // namespace auth
