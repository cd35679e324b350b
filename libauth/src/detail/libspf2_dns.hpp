// libspf2 adapter: an SPF_dns_server_t whose every answer comes from auth::Resolver, and the
// RFC 7208 rules libspf2 1.2.10 (an RFC 4408 implementation) lacks, applied in this layer.
#pragma once
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "auth/dns.hpp"
#include "auth/spf.hpp"

namespace auth::detail {

// Inputs of RFC 7208 §7 macro expansion.
struct MacroContext {
    std::string sender;      // s
    std::string local;       // l
    std::string sender_domain;  // o
    std::string domain;      // d
    std::string ip;          // the client address as given (i, c)
    std::string helo;        // h
    Resolver* dns = nullptr; // for p
};

// Why an evaluation was stopped by this layer (overrides libspf2's result).
enum class SpfAbort { none, too_many_terms, too_many_voids, time_budget, record_syntax, too_many_records };

// The per-evaluation state the DNS callbacks share. One per check; never shared between threads.
struct SpfDnsState {
    Resolver* dns = nullptr;
    SpfLimits limits;
    std::chrono::steady_clock::time_point start;
    int terms = 0;           // DNS-querying terms seen (RFC 7208 §4.6.4)
    int voids = 0;           // void lookups among them
    bool top_record_done = false;   // the first record lookup is not a term
    SpfAbort abort = SpfAbort::none;
    std::string abort_detail;
    std::string none_domain;        // the first include/redirect target without an SPF record
    std::string temp_detail;        // the DNS failure that gave temperror, for the reason text
    std::multiset<std::string> followups;  // MX/PTR target names whose A/AAAA lookups are not terms
    std::set<std::string> cidr0_followups; // MX targets of an "mx/0": any address of theirs matches
    std::string client_ip;           // normalised client address (for the /0 rewrite)
    MacroContext macro;              // for expanding the records' macros in this layer (domain set per record)
    bool client_v6 = false;
    std::vector<std::pair<std::string, std::string>> records;  // domain -> SPF record text used
    std::vector<DnsAnswer> answers;  // every answer, in order
};

// Runs check_host() for one identity through libspf2 with the adapter. `sender` is
// local@domain; `domain` its domain (or the HELO name).
SpfCheck libspf2_check_host(const std::string& ip, const std::string& domain, const std::string& sender,
                            const std::string& helo, SpfDnsState& st);

// The suffix a rewritten "a/0" or "mx/0" carries: libspf2 cannot hold a zero prefix length, so the
// adapter answers such a name with the client's own address when the real name has any.
inline const char kCidr0Suffix[] = ".authscope-cidr0.invalid";

// Rewrites a valid record into what libspf2 1.2.10 evaluates as RFC 7208 means it (§5.6 /0 prefix
// lengths, §6 modifiers): redirect= moved to the end and dropped when "all" is present
// (§6.1), exp= and unknown modifiers removed (exp is handled by spf_explanation, §6.2),
// ip4/ip6 "/0" split in halves, a/mx "/0" rewritten onto kCidr0Suffix.
// With ctx, every macro of a domain-spec is expanded here (RFC 7208 §7), so libspf2's expander,
// with its history of overflows, only ever sees literal text ('%' and ' ' written as %% and %_).
std::string spf_record_for_libspf2(const std::string& record, bool client_v6, const MacroContext* ctx = nullptr);

// RFC 7208 §7.3-7.4: expands a macro-string; `exp` allows c, r, t and spaces. nullopt on a
// syntax error. A domain result longer than 253 octets loses labels on the left (§7.3).
std::optional<std::string> spf_expand(const std::string& text, const MacroContext& ctx, bool exp, bool domain);

// RFC 7208 §6.2: the explanation of a fail: exp= of the record that decided (after redirects),
// its TXT (exactly one record, not counted in the limits), expanded. "" when there is none.
std::string spf_explanation(const SpfDnsState& st, const std::string& domain, const MacroContext& ctx,
                            const std::string& deciding_term);

// RFC 7208 §4.6, §4.6.1: the record's own syntax check, stricter than libspf2's compiler.
// Returns "" when the record is valid, else one sentence saying what is wrong.
std::string spf_record_syntax_error(const std::string& record);

}  // namespace auth::detail
