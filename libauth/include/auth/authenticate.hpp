// The one authentication pipeline: SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 9989, or RFC
// 7489 on request) for a message, either checked by authscope or taken from a trusted receiver's
// recorded results (RFC 8601), with the facts `dmarc`, `explain` and `report` all rest on.
#pragma once
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/ar.hpp"
#include "auth/authres.hpp"
#include "auth/dkim.hpp"
#include "auth/dmarc.hpp"
#include "auth/dns.hpp"
#include "auth/message.hpp"
#include "auth/receivers.hpp"
#include "auth/received.hpp"
#include "auth/result.hpp"
#include "auth/spf.hpp"

namespace auth {

// One DKIM signature as the verdict sees it: its result and the tags replay checks read.
struct SignatureFacts {
    std::string d, s;
    Result result = Result::none;
    std::string reason;                 // reason code ("verified", "signature-expired", "receiver" ...)
    std::string reason_text;            // its sentence
    bool aligned = false;               // d= aligns with the From domain (DMARC)
    bool verified = false;              // the cryptography verified (pass, or policy for time/weakness)
    std::vector<std::string> h;         // signed header names (lower case), empty when unknown
    std::optional<std::uint64_t> t, x;
};

// Something a receiver recorded besides spf/dkim/dmarc (compauth=, action=, arc=, ...), in words.
struct ReceiverNote {
    std::string key;      // "compauth", "action", "dmarc", "arc", ...
    std::string value;    // as recorded ("pass reason=100", "oreject")
    std::string meaning;  // one sentence, "" when unknown
};

// The authentication facts a verdict rests on.
struct AuthSummary {
    // Whose results: "checked" (authscope, from DNS or a snapshot), "authentication-results:HOST"
    // (a receiver's recorded results), "arc:HOST" (an ARC hop's).
    std::string source = "checked";
    // With source "arc:SEALER": the instance whose ARC-Authentication-Results were trusted (--trust-arc).
    unsigned arc_instance = 0;
    Result dmarc = Result::none;
    Reason dmarc_reason;
    std::string dmarc_origin = "evaluated";  // "evaluated" (evaluate_dmarc) or "receiver" (its dmarc=)
    std::string from_domain;            // the Author Domain (A-labels)
    std::string org_domain;
    std::string policy_domain;
    std::string policy;                 // none / quarantine / reject, "" when no policy
    Result spf = Result::none;
    std::string spf_domain;
    std::string spf_identity;           // "mailfrom" or "helo", "" when SPF was not evaluated
    std::string spf_helo;               // the HELO name when the identity is helo
    bool spf_aligned = false;
    Result dkim = Result::none;
    std::vector<SignatureFacts> signatures;
    std::vector<std::string> unchecked;  // what could not be checked (DNS temporary failures)
    std::vector<std::string> notes;      // how the facts were had (SPF not evaluated, fields not trusted ...)

    // With a receiver's (or an ARC hop's) results: which fields, which hop, why.
    std::optional<ReceiverResults> receiver;
    std::vector<ReceiverNote> receiver_notes;
    // Where authscope also checked (a snapshot, or --recheck): its own facts and, in words, where
    // they differ from the receiver's ("receiver: dkim=pass ...; now: ...").
    std::shared_ptr<const AuthSummary> checked;
    std::vector<std::string> disagreements;

    // The evidence the facts rest on, when authscope computed them (the dmarc tool shows it).
    std::optional<DmarcReport> dmarc_report;
    std::optional<DkimReport> dkim_report;
    std::optional<SpfCheck> spf_check;
    Envelope envelope;
};

// Which results to trust instead of checking.
enum class TrustMode { none, named, automatic };

struct AuthOptions {
    DmarcOptions dmarc;                       // mode (RFC 9989 tree walk / RFC 7489 PSL), report destinations
    std::vector<std::string> trusted_hosts;   // the receiver's hosts, for the SPF envelope (derive_envelope)
    std::optional<std::time_t> dkim_time;     // judge DKIM x=/t= as of this time; default: the arrival
                                              // (date of the top Received field), else now
    TrustMode trust = TrustMode::none;
    std::string trust_id;                     // --trust-ar ID (TrustMode::named)
    bool recheck = false;                     // with trust: also check with DNS and compare
    std::vector<std::string> trust_arc;       // --trust-arc SEALER: that sealer's ARC-Authentication-Results
                                              // stand in when DMARC does not pass otherwise (RFC 8617 §7.2)
};

// SPF for the envelope derive_envelope() gives (connecting IP and MAIL FROM or HELO), DKIM as of
// dkim_time, DMARC with evaluate_dmarc_message in the mode asked; or, with trust, the summary of the
// receiver's fields (summary_from_results). With trust_arc, when that gives no DMARC pass and the ARC
// chain validates (cv=pass), the newest hop sealed by a trusted sealer whose recorded results pass
// DMARC stands in (source "arc:SEALER"); the other result is kept as `checked`, the difference said.
// Throws InputError when trust finds no field to trust.
AuthSummary authenticate(const Message& msg, Resolver& dns, const AuthOptions& opts = {});

// authscope's own check (no trust).
AuthSummary check_authentication(const Message& msg, Resolver& dns, const AuthOptions& opts = {});

// The summary of a list of recorded result clauses (parsed Authentication-Results or, later,
// ARC-Authentication-Results payloads, RFC 8617 §4.1.1): `source` is the label ("authentication-
// results:HOST", "arc:HOST"). SPF from the first spf= (smtp.mailfrom, else smtp.helo), DKIM from
// each dkim= (header.d or header.i, header.s; tags h=, t=, x= read from the matching DKIM-Signature),
// DMARC from dmarc= when recorded, else evaluate_dmarc_message over those SPF and DKIM results.
// Never throws.
AuthSummary summary_from_results(const Message& msg, const std::vector<ArClause>& clauses, const std::string& source,
                                 Resolver& dns, const AuthOptions& opts);

// The Authentication-Results clauses (RFC 8601 §2.7) for a summary: spf= with smtp.mailfrom (the
// domain) or smtp.helo, whichever identity was checked; dkim= per signature (reason code, header.d,
// header.s); dmarc= (reason, header.from, policy.dmarc). The one writer of these clauses.
std::vector<ArClause> authentication_clauses(const AuthSummary& a);

// What a verdict on trusted results rests on, for the `authentication` object of explain (and the
// dmarc tool's `inputs`): `receiver` {name, host, rule, why, hop {index, by}, fields [{name, index,
// position, authserv_id}], received_spf}, `receiver_notes` [{key, value, meaning}], `checked`
// {dmarc, spf, dkim} and `disagreements` when authscope also checked; `notes`. Keys absent when empty.
nlohmann::ordered_json trust_json(const AuthSummary& a);
// The same for people: one line each (no indentation, no line breaks).
std::vector<std::string> trust_lines(const AuthSummary& a);

}  // namespace auth
