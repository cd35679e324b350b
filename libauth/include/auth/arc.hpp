// ARC, the Authenticated Received Chain (RFC 8617): the ARC sets of a message (ARC-Seal,
// ARC-Message-Signature, ARC-Authentication-Results), their structure and their signatures,
// giving the chain validation status cv= none/pass/fail and, per hop, who sealed it, whether its
// seal and its message signature verify, and what its ARC-Authentication-Results recorded.
// Canonicalisation (RFC 6376 §3.4) is ours; the cryptography (SHA-256, RSA PKCS#1 v1.5, Ed25519)
// is OpenSSL's. Keys come through auth::Resolver and are parsed by auth/dkim_key.hpp.
//
// Reason codes of the chain (ArcReport::verdict.reason.code):
//   none/no-arc-sets; pass/chain-valid;
//   fail/arc-syntax (an ARC field or its instance cannot be read), too-many-sets (more than 50),
//   fail/structure (a missing or duplicate member of a set, a gap in the instances),
//   fail/cv-fail-recorded (the newest seal says cv=fail), fail/cv-invalid (i=1 not cv=none, or a later
//   seal not cv=pass), fail/ams-failed (the newest AMS does not verify), fail/seal-failed (a seal
//   does not verify); temperror/dns-temperror (a key query failed temporarily; cv is then fail).
// Per-signature codes (ArcHop::seal / ArcHop::ams): verified, signature-syntax, unsupported-algorithm,
//   key-not-found, key-revoked, key-syntax, key-not-for-email, key-type-mismatch, key-hash-mismatch,
//   weak-key (RSA < 1024 bits, RFC 8301 §3.2), body-hash-mismatch, body-truncated, signature-mismatch,
//   dns-temperror, not-evaluated (the chain's structure is broken, so nothing was verified; or an
//   older AMS beyond the 64 MiB hashing budget of a huge message: only the newest AMS decides cv).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/ar.hpp"
#include "auth/authres.hpp"
#include "auth/dns.hpp"
#include "auth/message.hpp"
#include "auth/result.hpp"

namespace auth {

using Json = nlohmann::ordered_json;

constexpr unsigned kArcMaxInstances = 50;  // RFC 8617 §4.2.1

// An ARC-Seal (RFC 8617 §4.1.3) or ARC-Message-Signature (§4.1.2) as the sealer wrote it.
struct ArcSignature {
    unsigned instance = 0;               // i= (1..50); 0 when it could not be read
    std::string a, d, s, b, bh;          // b=/bh= without whitespace
    std::string cv;                      // ARC-Seal only: none, pass or fail
    std::string c = "relaxed/relaxed";   // AMS only, as written (absent: relaxed/relaxed, see arc.cpp); the seal is always relaxed
    std::string header_canon = "relaxed", body_canon = "simple";
    std::vector<std::string> h;          // AMS only: the signed header field names
    std::optional<std::uint64_t> t, x, l;
};

// Parsing one ARC-Seal or ARC-Message-Signature value: the tags, or the first reason it cannot
// be used (signature-syntax, unsupported-algorithm). The tags that could be read are filled.
struct ArcSignatureParse {
    ArcSignature sig;
    std::optional<Reason> error;
    bool ok() const { return !error; }
};
// RFC 8617 §4.1.3 (a, b, cv, d, i, s required; t optional; h= forbidden). Never throws.
ArcSignatureParse parse_arc_seal(std::string_view value);
// RFC 8617 §4.1.2: a DKIM-Signature (RFC 6376 §3.5) with i= the instance, no v=, and ARC-Seal
// never among the signed fields. Never throws.
ArcSignatureParse parse_arc_message_signature(std::string_view value);

// One ARC-Authentication-Results value (RFC 8617 §4.1.1): "i=N;" then an RFC 8601 payload.
struct ArcAuthResultsParse {
    unsigned instance = 0;
    AuthResults results;                 // the payload after "i=N;"
    std::optional<Reason> error;         // arc-syntax when the i= prefix is missing or malformed
    bool ok() const { return !error; }
};
ArcAuthResultsParse parse_arc_authentication_results(std::string_view value);

// The DNS facts about one key used.
struct ArcKeyEvidence {
    std::string name;                    // selector._domainkey.domain (empty when never looked up)
    std::string dns;                     // DNS status of the query ("ok", "nxdomain", ...)
    std::string type;                    // k= of the record used
    unsigned bits = 0;                   // RSA modulus bits, 256 for ed25519
};

// One ARC set, a hop of the chain.
struct ArcHop {
    unsigned instance = 0;
    std::string sealer;                  // ARC-Seal d=
    std::string selector;                // ARC-Seal s=
    std::string cv;                      // ARC-Seal cv= as written
    std::optional<std::uint64_t> seal_t;
    std::string ams_domain, ams_selector, ams_c;
    std::vector<std::string> ams_h;
    bool has_seal = false, has_ams = false, has_aar = false;
    std::size_t seal_line = 0, ams_line = 0, aar_line = 0;  // where each field starts
    Verdict seal;                        // the ARC-Seal's signature (none/not-evaluated when not checked)
    Verdict ams;                         // the ARC-Message-Signature's signature and body hash
    ArcKeyEvidence seal_key, ams_key;
    AuthResults aar;                     // the ARC-Authentication-Results payload (authserv_id, results)
    bool aar_ok = false;                 // the AAR's i= prefix was read
};

struct ArcReport {
    std::string cv = "none";             // RFC 8617 chain validation status: none, pass, fail
    Verdict verdict;                     // result none/pass/fail, or temperror (then cv is fail)
    std::vector<ArcHop> hops;            // by instance, i=1 first
    std::optional<unsigned> oldest_pass; // RFC 8617 §5.2 step 5, when cv=pass: 0 if every AMS verifies
    std::optional<unsigned> broken_at;   // the instance where validation stopped, when cv=fail
    bool bare_lf_converted = false;      // LF line ends were read as CRLF (RFC 5322 §2.1)
};

// Verifies the ARC chain of a message (RFC 8617 §5.2), keys from `dns`. Thread-safe; never
// throws for hostile input. At most kArcMaxInstances sets; more is cv=fail.
ArcReport verify_arc(const Message& msg, Resolver& dns);

// For the authentication pipeline (--trust-arc SEALER): the newest hop sealed by `sealer`
// (ARC-Seal d=, case-insensitive), with what its AAR recorded and how far it can be believed.
struct ArcHopResults {
    unsigned instance = 0;
    std::string sealer;
    AuthResults aar;                     // the hop's parsed ARC-Authentication-Results
    Verdict seal;                        // the hop's own seal
    bool sealed_intact = false;          // the seals of instances 1..this one all verified
    bool chain_pass = false;             // the whole chain validated (cv=pass, RFC 8617 §7.2)
};
std::optional<ArcHopResults> arc_results_for(const ArcReport& r, std::string_view sealer);

// JSON: {"result","cv","reason":{code,text},"instances","oldest_pass","broken_at","bare_lf_converted",
// "hops":[{i,sealer,selector,cv,t,seal,seal_reason,seal_key,ams,ams_reason,ams_domain,ams_selector,
// ams_c,ams_h,ams_key,aar:{authserv_id,results:[{method,result,reason,properties}],error}}]}.
Json to_json(const ArcReport& r);
// Text for people: the verdict first, then each hop (i=1 first). Ends with a newline.
std::string to_text(const ArcReport& r);
// One arc= clause (RFC 8617 §6, RFC 8601): arc=pass|fail|none (comment: newest instance and sealer)
// header.oldest-pass=N when the chain passes; reason on failure.
std::vector<ArClause> to_ar(const ArcReport& r);

}  // namespace auth
