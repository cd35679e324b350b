// SPF (RFC 7208): check_host() over libspf2, every DNS answer taken from auth::Resolver, with the
// RFC 7208 §4.6.4 limits enforced in our layer, and the whole `authscope spf` analysis of a sample.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "auth/ar.hpp"
#include "auth/dns.hpp"
#include "auth/received.hpp"
#include "auth/result.hpp"

namespace auth {

// Limits that protect the analyst from crafted records (RFC 7208 §4.6.4, §11.1).
struct SpfLimits {
    int max_dns_terms = 10;      // include, a, mx, ptr, exists, redirect
    int max_void_lookups = 2;    // answers with no records (NODATA) or NXDOMAIN
    int max_mx_names = 10;       // MX hosts looked up for one "mx"
    int max_ptr_names = 10;      // PTR names looked up for one "ptr" or %{p}
    double time_budget = 20.0;   // seconds for one whole evaluation (temperror when over)
    std::size_t max_record_bytes = 4096;  // a longer SPF record is a permerror
};

// The inputs of check_host() (RFC 7208 §4.1).
struct SpfRequest {
    std::string ip;         // connecting client's IPv4 or IPv6 address
    std::string helo;       // HELO/EHLO identity
    std::string mail_from;  // MAIL FROM; empty for the null reverse-path (RFC 7208 §2.4)
};

// What one evaluation found.
struct SpfCheck {
    Result result = Result::none;
    Reason reason;
    std::string identity;      // "mailfrom" or "helo": which identity was checked
    std::string sender;        // the <sender> checked: MAIL FROM or postmaster@HELO
    std::string domain;        // the domain whose policy was evaluated (the start of check_host)
    std::string record;        // the SPF record of that domain as published, when one was found
    std::string mechanism;     // the term that decided it ("include:_spf.example.net", "-all",
                               // "redirect=...") or "" when no term matched (default neutral)
    std::string explanation;   // exp= text (RFC 7208 §6.2) on fail, else ""
    int lookups = 0;           // DNS-querying terms evaluated (RFC 7208 §4.6.4)
    int void_lookups = 0;      // of their queries: how many returned no records
    std::vector<DnsAnswer> dns;  // every answer used, in order
};

// RFC 7208 §2.3, §2.4, §4: check_host() for MAIL FROM (postmaster@HELO when it is empty).
// Never throws: an unusable IP or identity gives result none with its reason. Thread-safe:
// one libspf2 server per call.
SpfCheck spf_check(const SpfRequest& req, Resolver& dns, const SpfLimits& limits = {});

// RFC 7208 §2.3: the HELO identity alone (postmaster@HELO).
SpfCheck spf_check_helo(const SpfRequest& req, Resolver& dns, const SpfLimits& limits = {});

// What the receiving server recorded at the time (Received-SPF, RFC 7208 §9.1, or
// Authentication-Results spf=, RFC 8601).
struct SpfRecorded {
    std::string source;      // "Received-SPF" or "Authentication-Results"
    std::size_t header_index = 0;  // 1-based among the fields of that name, top first
    Result result = Result::none;
    std::string text;        // the field's value as written (unfolded)
    std::string client_ip;   // client-ip= / none
    std::string helo;        // helo= / smtp.helo
    std::string mail_from;   // envelope-from= / smtp.mailfrom
};

// RFC 8601 §2.7.2: the spf= clause for one evaluation; smtp.mailfrom and smtp.helo each written
// when not empty, the reason when not empty.
ArClause spf_ar_clause(Result result, const std::string& reason, const std::string& mail_from, const std::string& helo);

// The receiver's own record of SPF: the topmost Received-SPF (RFC 7208 §9.1) or, without one,
// the topmost Authentication-Results spf= (RFC 8601 §2.7.2).
std::optional<SpfRecorded> spf_recorded(const Message& msg);

}  // namespace auth
