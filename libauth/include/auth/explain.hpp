// `authscope explain`: what authentication proves about a message (DMARC, RFC 9989 / RFC 7489;
// DKIM, RFC 6376; SPF, RFC 7208) and, as independent findings, why mail that genuinely
// authenticates as a brand can still be abusive. Brand knowledge comes from auth/brands.hpp.
#pragma once
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/brands.hpp"
#include "auth/dns.hpp"
#include "auth/indicators.hpp"
#include "auth/message.hpp"
#include "auth/mime.hpp"
#include "auth/result.hpp"

namespace auth {

// One DKIM signature as explain sees it: its verdict and the tags replay checks read.
struct SignatureFacts {
    std::string d, s;
    Result result = Result::none;
    std::string reason;                 // reason code ("verified", "signature-expired" ...)
    bool aligned = false;               // d= aligns with the From domain (DMARC)
    bool verified = false;              // the cryptography verified (pass, or policy for time/weakness)
    std::vector<std::string> h;         // signed header names (lower case), empty when unknown
    std::optional<std::uint64_t> t, x;
};

// The authentication facts the verdict rests on: from libauth's own checks or a trusted receiver.
struct AuthSummary {
    std::string source = "checked";     // "checked" or "authentication-results:<authserv-id>"
    Result dmarc = Result::none;
    Reason dmarc_reason;
    std::string from_domain;            // the Author Domain (A-labels)
    std::string org_domain;
    std::string policy;                 // none / quarantine / reject, "" when no policy
    Result spf = Result::none;
    std::string spf_domain;
    bool spf_aligned = false;
    Result dkim = Result::none;
    std::vector<SignatureFacts> signatures;
    std::vector<std::string> unchecked;  // what could not be checked (DNS temporary failures)
};

struct ExplainOptions {
    std::optional<std::time_t> arrival;  // when the message arrived; default: the top Received date
    std::uint64_t old_signature_seconds = 3 * 86400;  // t= this much before arrival is "old"
    MimeLimits mime;
};

// Runs SPF (envelope from the Received chain), DKIM (judged as of arrival) and DMARC with `dns`.
AuthSummary check_authentication(const Message& msg, Resolver& dns, const ExplainOptions& opts = {});
// Takes SPF, DKIM and DMARC from the Authentication-Results fields of `authserv_id` (RFC 8601
// §5: only a trusted receiver's fields); DMARC's own result from the field when it has one,
// else evaluated with `dns`. DKIM tags (h=, t=, x=) are read from the DKIM-Signature fields.
AuthSummary trusted_authentication(const Message& msg, const std::string& authserv_id, Resolver& dns,
                                   const ExplainOptions& opts = {});

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
