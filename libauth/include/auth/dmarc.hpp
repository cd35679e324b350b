// DMARC: the policy record (RFC 9989 §4.7, RFC 7489 §6.3), policy discovery and the
// organizational domain by the DNS tree walk (RFC 9989 §4.10) or the Public Suffix List
// (RFC 7489 §3.2, §6.6.3), identifier alignment, the DMARC result and the disposition.
// The core takes plain inputs (From domains, DKIM and SPF results) so that results computed
// here, taken from a receiver's Authentication-Results, or given by a test vector all fit.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/ar.hpp"
#include "auth/dns.hpp"
#include "auth/message.hpp"
#include "auth/psl.hpp"
#include "auth/result.hpp"

namespace auth {

enum class DmarcMode { rfc9989, rfc7489 };
enum class DmarcPolicy { none, quarantine, reject };
enum class Alignment { relaxed, strict };
std::string to_string(DmarcPolicy p);
std::string to_string(Alignment a);

// A parsed DMARC policy record.
struct DmarcRecord {
    std::string text;                  // as published (TXT strings joined)
    DmarcPolicy p = DmarcPolicy::none;
    bool p_given = true;               // false: p= absent or invalid, taken as none because rua= is valid
    std::optional<DmarcPolicy> sp, np;
    char psd = 'u';                    // 'y', 'n' or 'u' (absent), RFC 9989 §4.7
    bool testing = false;              // t=y (RFC 9989 §4.7)
    Alignment adkim = Alignment::relaxed, aspf = Alignment::relaxed;
    std::vector<std::string> rua, ruf; // valid URIs, as written
    std::string fo;                    // fo= as written, "" when absent
    std::optional<int> pct;            // RFC 7489 only
    std::optional<std::string> rf;     // RFC 7489 only
    std::optional<unsigned long> ri;   // RFC 7489 only
    std::vector<std::string> warnings; // ignored unknown tags, ignored URIs, tags the mode does not use
};

// The outcome of parsing: a record, or the reason it is not a usable one. Reason codes:
// empty-record, not-dmarc (does not begin with v=DMARC1), syntax-error (a term that is not
// tag=value), duplicate-tag, bad-tag-value (with the tag named), missing-p (no p= and no valid rua=),
// invalid-policy (p= or sp= not a policy word, and no valid rua=). A record with missing-p or
// invalid-policy gives DMARC none (no DMARC processing); any other error gives permerror.
struct DmarcParse {
    std::optional<DmarcRecord> record;
    Reason error;   // code empty when record is set
    bool ok() const { return record.has_value(); }
};

// Parses a DMARC record (RFC 9989 §4.7-4.8; with rfc7489, RFC 7489 §6.3-6.4 incl. pct, rf, ri).
// Tags are read case-insensitively; unknown tags are ignored with a warning. Never throws.
DmarcParse parse_dmarc_record(std::string_view text, DmarcMode mode = DmarcMode::rfc9989);

// One DNS question the discovery asked, and what came back.
struct DmarcQuery {
    std::string name;      // e.g. "_dmarc.example.com."
    std::string type;      // "TXT", "A", ...
    std::string status;    // to_string(DnsStatus)
    std::string found;     // "dmarc-record", "no-dmarc-record", "several-records", "invalid-record", ...
    std::string purpose;   // "policy", "org-domain", "alignment", "existence", "report-destination"
};

// The record found at one name of a walk.
struct DmarcFound {
    std::string domain;    // without the "_dmarc." prefix, no trailing dot
    DmarcParse parse;
};

// Policy discovery: where the policy record is and what the organizational domain is.
struct DmarcDiscovery {
    std::string policy_domain;                 // "" when no record was found
    std::optional<DmarcRecord> record;
    std::optional<Reason> record_error;        // the record at policy_domain was not usable
    std::string org_domain;
    std::string org_method;                    // "tree-walk: psd=n", "tree-walk: below psd=y", "psl", ...
    bool temperror = false;                    // a DNS failure stopped the walk
    std::string temperror_detail;
    std::vector<DmarcQuery> queried;
};

struct DmarcOptions {
    DmarcMode mode = DmarcMode::rfc9989;
    std::shared_ptr<const PublicSuffixList> psl;  // rfc7489: the list (system's when null)
    bool check_report_destinations = true;        // _report._dmarc authorization, RFC 7489 §7.1
    bool check_nonexistent = true;                // np=: ask A, AAAA, MX of the From domain
};

// RFC 9989 §4.10 DNS tree walk for a DMARC record starting at `domain`: the first query at the
// domain, then at most 7 more (the name shortened to 7 labels, then one label at a time).
// Returns what was found at each name that had exactly one DMARC record.
std::vector<DmarcFound> dmarc_tree_walk(const std::string& domain, Resolver& dns, DmarcMode mode,
                                        std::vector<DmarcQuery>& queried, bool stop_at_first,
                                        bool& temperror, std::string& detail);

// The organizational domain (RFC 9989 §4.10.2 by tree walk; RFC 7489 §3.2 by the PSL).
std::string organizational_domain(const std::string& domain, Resolver& dns, const DmarcOptions& opts,
                                  std::vector<DmarcQuery>* queried = nullptr, std::string* method = nullptr);

// Policy discovery for one Author Domain (RFC 9989 §4.10.1; RFC 7489 §6.6.3).
DmarcDiscovery discover_dmarc_policy(const std::string& from_domain, Resolver& dns, const DmarcOptions& opts);

// Identifier alignment (RFC 9989 identifier alignment; RFC 7489 §3.1): strict = equal names; relaxed = same
// organizational domain. Names are compared as lower-case A-labels.
bool domains_aligned(const std::string& a, const std::string& b, Alignment mode, Resolver& dns,
                     const DmarcOptions& opts, std::vector<DmarcQuery>* queried = nullptr);

// Inputs of the DMARC evaluation.
struct DmarcDkimInput {
    std::string d;        // signing domain
    Result result = Result::none;
    std::string selector;
};
struct DmarcSpfInput {
    std::string domain;   // the domain SPF checked (MAIL FROM's, or HELO's for a null sender)
    Result result = Result::none;
    std::string identity; // "mailfrom" or "helo"
};

struct DmarcDkimAligned {
    std::string d;
    Result result = Result::none;
    std::string selector;
    bool aligned = false;     // d= aligns with the From domain (whatever its result)
    std::string why;          // one sentence
};
struct DmarcSpfAligned {
    std::string domain;
    Result result = Result::none;
    std::string identity;
    bool aligned = false;
    std::string why;
};

// A rua/ruf destination and whether its domain accepts reports (RFC 7489 §7.1; RFC 9990).
struct DmarcReportDestination {
    std::string tag;          // "rua" or "ruf"
    std::string uri;
    std::string domain;       // the host of the mailto: address
    bool external = false;    // not under the policy domain's organizational domain
    std::string status;       // "same-organization", "authorized", "not-authorized", "dns-error", "not-mailto"
    std::string checked_name; // <policy-domain>._report._dmarc.<dest> when external
};

// The whole DMARC result for one message.
struct DmarcReport {
    Result result = Result::none;
    Reason reason;
    std::string from_domain;                  // the Author Domain evaluated (A-labels), "" when none
    std::vector<std::string> from_domains;    // every distinct From domain (several From addresses)
    std::string policy_domain;
    std::string org_domain;
    std::optional<DmarcRecord> policy;
    std::string applied_tag;                  // "p", "sp" or "np": which policy applies
    std::optional<DmarcPolicy> applied_policy;
    bool from_domain_exists = true;           // false: NXDOMAIN/NODATA for A, AAAA and MX
    std::string disposition = "none";         // none, quarantine, reject (after t=y or pct=)
    std::string disposition_note;             // why the disposition differs from the policy
    std::optional<DmarcSpfAligned> spf;
    std::vector<DmarcDkimAligned> dkim;
    std::string why;                          // for a pass, the sentence why; else the failure sentence
    std::vector<DmarcReportDestination> report_destinations;
    std::vector<DmarcQuery> queried;
    std::vector<std::string> warnings;
    DmarcMode mode = DmarcMode::rfc9989;
};

// RFC 9989 §4.10 / RFC 7489 §6.6: DMARC for one Author Domain (A-labels), given the DKIM and SPF
// results. Never throws.
DmarcReport evaluate_dmarc(const std::string& from_domain, const std::vector<DmarcDkimInput>& dkim,
                           const std::optional<DmarcSpfInput>& spf, Resolver& dns, const DmarcOptions& opts);

// The Author Domain(s) of a message (RFC 9989 Author Domain; RFC 5322 §3.6.2): every distinct domain of the
// From field(s), as A-labels. On failure `error` holds the reason (no-from, from-unparseable,
// from-no-address, from-domain-invalid) and `shown` what the From field said.
struct FromDomains {
    std::vector<std::string> domains;
    std::optional<Reason> error;
    std::vector<std::string> warnings;  // several From fields, group syntax, encoded words ...
    std::string shown;                  // the From field value(s) as written
};
FromDomains from_domains(const Message& msg);

// DMARC for a message: From handling, then evaluate_dmarc per distinct domain. With several
// domains (RFC 7489 §6.6.1) the strictest failing evaluation is reported. Never throws.
DmarcReport evaluate_dmarc_message(const Message& msg, const std::vector<DmarcDkimInput>& dkim,
                                   const std::optional<DmarcSpfInput>& spf, Resolver& dns,
                                   const DmarcOptions& opts);

// Output forms (README "Output and exit status"; JSON keys; --format ar: the RFC 8601 dmarc method with header.from and policy.dmarc).
nlohmann::ordered_json dmarc_json(const DmarcReport& r);
std::string dmarc_text(const DmarcReport& r);
ArClause dmarc_ar_clause(const DmarcReport& r);

}  // namespace auth
