// DKIM verification (RFC 6376; ed25519-sha256 RFC 8463; RFC 8301 for weak algorithms and keys):
// every signature of a message, each with an RFC 8601 result, a reason and warnings.
// The cryptography is libopendkim's; key records are fetched through auth::Resolver and parsed
// by our own parser (auth/dkim_key.hpp) first; time, identity and RFC 8301 policy are ours.
//
// Per-signature results (Verdict.reason.code):
//   pass/verified; fail/body-hash-mismatch, fail/signature-mismatch, fail/body-truncated (l= larger
//   than the body); permerror/signature-syntax, from-not-signed, identity-mismatch (i= outside d=,
//   or a t=s key with i= in a subdomain), unsupported-algorithm, key-not-found (NXDOMAIN/NODATA),
//   key-revoked (empty p=), key-syntax, key-not-for-email (s=), key-type-mismatch, key-hash-mismatch;
//   temperror/dns-temperror (SERVFAIL, time-out);
//   policy/signature-expired (x= passed), policy/signature-in-future (t= more than 5 minutes ahead),
//   policy/weak-algorithm (rsa-sha1), policy/weak-key (RSA < 1024 bits): these four are given only
//   when the signature itself verified; "policy" (RFC 8601 §2.7.1: signed, but not acceptable) keeps
//   that fact visible, and a signature that also fails cryptographically is reported as fail with
//   the time problem as a warning;
//   neutral/not-evaluated (beyond DkimOptions::max_signatures), neutral/verifier-error (the library
//   could not process it).
// Warnings ({code,text}, never changing the result): body-length-limit, header-not-signed,
// header-not-oversigned, key-testing-mode, key-bits-low (RSA 1024..2047), multiple-key-records,
// and signature-expired / signature-in-future / weak-algorithm when another reason came first.
//
// Overall result: pass if any signature passes; else temperror if any; else policy; else fail;
// else permerror; else neutral; none (no-signature) when the message has no DKIM-Signature.
#pragma once
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/ar.hpp"
#include "auth/dns.hpp"
#include "auth/message.hpp"
#include "auth/result.hpp"

namespace auth {

using Json = nlohmann::ordered_json;

// The tags of one DKIM-Signature field (RFC 6376 §3.5), as the signer wrote them.
struct DkimSignature {
    std::string v, a, d, s, i, q;
    std::string b, bh;                 // whitespace removed
    std::string c = "simple/simple";   // as written ("relaxed" alone means relaxed/simple)
    std::string header_canon = "simple", body_canon = "simple";
    std::vector<std::string> h;        // signed header field names, as listed
    std::optional<std::uint64_t> t, x, l;
    std::string key_type() const;      // "rsa" or "ed25519" from a=
    std::string hash() const;          // "sha256" or "sha1" from a=
};

// Parsing a DKIM-Signature value: the tags, or the first reason the signature cannot be used
// (signature-syntax, unsupported-algorithm, from-not-signed, identity-mismatch). The tags that
// could be read are filled even when there is an error.
struct DkimSignatureParse {
    DkimSignature sig;
    std::optional<Reason> error;
    bool ok() const { return !error; }
};

// RFC 6376 §3.5 (tags), §6.1.1 (required tags, From signed, i= within d=). Never throws.
DkimSignatureParse parse_dkim_signature(std::string_view value);

struct DkimSignatureResult {
    std::size_t index = 0;             // 0-based among the DKIM-Signature fields, top first
    std::size_t line = 0;              // line where the field starts
    std::string d, s, a, i, c;
    std::vector<std::string> h;
    std::optional<std::uint64_t> t, x;
    std::optional<std::uint64_t> body_length;          // l=
    std::optional<std::uint64_t> unsigned_body_bytes;  // with l=: canonical body bytes not covered
    std::string b;                     // b= without whitespace
    std::string key_name;              // selector._domainkey.domain (empty when never looked up)
    std::string key_dns;               // DNS status of the key query ("ok", "nxdomain", ...; empty: not asked)
    std::string key_type;              // k= of the key record used ("rsa", "ed25519"), else empty
    unsigned key_bits = 0;             // RSA modulus bits, 256 for ed25519, 0 unknown
    bool key_testing = false;          // key t=y
    bool crypto_verified = false;      // the signature and body hash verified (whatever the policy)
    Verdict verdict;
    std::vector<Reason> warnings;
};

struct DkimReport {
    Verdict verdict;                   // overall (see the order above)
    std::vector<DkimSignatureResult> signatures;
    std::time_t now = 0;               // the time the signatures were judged against
    bool bare_lf_converted = false;    // LF line ends were read as CRLF (RFC 5322 §2.1)
};

struct DkimOptions {
    std::optional<std::time_t> now;    // judge x=/t= as of this time (e.g. arrival); default: now
    std::size_t max_signatures = 32;   // further signatures are reported, not verified (RFC 6376 §6.1)
};

// Verifies every DKIM-Signature of the message (RFC 6376 §6), keys from `dns`. Thread-safe;
// never throws for hostile input (a message libopendkim cannot process gives neutral results).
DkimReport verify_dkim(const Message& msg, Resolver& dns, const DkimOptions& opts = {});

// The overall verdict for a list of per-signature results (the order documented above).
Verdict overall_dkim_verdict(const std::vector<DkimSignatureResult>& sigs);

// JSON: {"result","reason":{code,text},"evaluated_at","signatures":[{index,d,s,a,i,c,h,t,x,
// body_length,unsigned_body_bytes,key_name,key_dns,key_type,key_bits,key_testing,result,reason,warnings}]}.
Json to_json(const DkimReport& r);
// Text for people: the verdict first ("dkim=pass: 1 of 2 signatures verified (d=example.com)"),
// then each signature, its result and why, and its warnings. Ends with a newline.
std::string to_text(const DkimReport& r);
// One dkim= clause per signature (header.d, header.s, header.a, header.i, header.b first 8 chars,
// reason); one dkim=none clause when there is no signature (RFC 8601 §2.7.1).
std::vector<ArClause> to_ar(const DkimReport& r);

}  // namespace auth
