// `authscope dns`: fetch a domain's SPF (RFC 7208), DMARC (RFC 9989) and DKIM key (RFC 6376 §3.6.1)
// records and lint them: findings with a severity and a stable code, and the records as published.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/dns.hpp"

namespace auth {

using Json = nlohmann::ordered_json;

struct LintFinding {
    std::string area;      // "spf", "dmarc", "dkim"
    std::string severity;  // "error" (breaks or weakens authentication), "warning", "info"
    std::string code;      // stable kebab-case, e.g. "spf-too-many-lookups"
    std::string text;      // one sentence
    std::string name;      // the DNS name the finding is about
};

struct DkimKeyLint {
    std::string selector;
    std::string name;      // selector._domainkey.domain
    std::string status;    // DNS status
    std::vector<std::string> records;
    std::string key_type;
    unsigned key_bits = 0;
    bool testing = false, revoked = false;
};

struct DomainLint {
    std::string domain;
    std::vector<std::string> spf_records;   // v=spf1 records at the domain
    int spf_lookups = 0;                    // DNS-querying terms, includes and redirects followed
    int spf_void_lookups = 0;
    std::string dmarc_record;               // the record that applies, as published
    std::string dmarc_policy_domain;        // where it was found (tree walk), "" when none
    std::string dmarc_org_domain;
    std::vector<DkimKeyLint> dkim;
    std::vector<LintFinding> findings;
    bool temperror = false;                 // a DNS failure kept a check from finishing
    int errors() const;
    int warnings() const;
};

// Looks up and lints one domain (an A-label or U-label name) with the given DKIM selectors.
// RFC 7208 §4.5 (one record), §4.6.4 (10 lookups, 2 void lookups), §5.1 (+all), §5.5 (ptr);
// RFC 9989 §4.7-4.10; RFC 6376 §3.6.1, RFC 8301 §3.2 (key sizes). Never throws for DNS content.
DomainLint lint_domain(const std::string& domain, const std::vector<std::string>& selectors, Resolver& dns);

// Output: JSON (README "Output and exit status"), text (worst finding first), and the exit status: 0 no error
// finding, 1 at least one, 4 when a DNS failure kept a check from finishing.
Json lint_json(const DomainLint& l);
std::string lint_text(const DomainLint& l);
int lint_exit(const DomainLint& l);

}  // namespace auth
