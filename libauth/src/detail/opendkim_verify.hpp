// Adapter onto libopendkim (Debian's 2.11) for DKIM verification: one DKIM_LIB for the process,
// keys supplied by a caller callback (never libopendkim's own DNS). No libopendkim type leaks out.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auth::detail {

// What libopendkim concluded about one signature, in plain values.
struct OpendkimSigOutcome {
    bool found = false;        // libopendkim listed this signature
    bool processed = false;    // DKIM_SIGFLAG_PROCESSED
    bool passed = false;       // DKIM_SIGFLAG_PASSED (header signature verified)
    int body_hash = -1;        // -1 untested, 0 match, 1 mismatch (DKIM_SIGBH_*)
    int error = -1;            // DKIM_SIGERROR_* value
    std::string error_text;    // dkim_sig_geterrorstr()
    unsigned key_bits = 0;     // dkim_sig_getkeysize (0 for ed25519 in 2.11)
    long long body_length = -1;   // canonicalised body bytes presented
    long long signed_length = -1; // canonicalised body bytes covered by the signature
};

// Named libopendkim signature errors the caller maps to reasons.
enum OpendkimSigError : int {
    kOdkOk = 0, kOdkExpired = 3, kOdkFuture = 4, kOdkTimestamps = 5, kOdkNoKey = 22, kOdkBadSig = 28,
    kOdkTooLargeL = 33, kOdkKeyHashMismatch = 37, kOdkKeyDecode = 43, kOdkKeyTooSmall = 46,
};

// The text views point into the caller's message (or its CRLF copy), which must outlive the call.
struct OpendkimInput {
    std::vector<std::string_view> header_fields;  // each whole field, CRLF line ends inside, no final CRLF
    std::string_view body;                        // CRLF line ends
    std::vector<bool> ignore;                // per DKIM-Signature field (top first): do not process
    std::vector<std::string> b_values;       // per field: b= without whitespace (to pair handles)
    // The largest t= and smallest x= among the signatures processed (0 when none), so the library's
    // own clock checks (which read the real clock) stay out of the way: we judge time ourselves.
    std::uint64_t max_t = 0, min_x = 0;
};

// Returns the key record text for signature `index` (0-based, top first), or nullopt for "not found"
// (the caller keeps its own reason). Called from inside libopendkim, on the calling thread.
using KeyLookup = std::function<std::optional<std::string>(std::size_t index)>;

// Verifies every signature; the result has one entry per DKIM-Signature field of the input (top
// first). `error` gets a sentence when libopendkim could not process the message at all.
std::vector<OpendkimSigOutcome> opendkim_verify(const OpendkimInput& in, std::size_t nsigs, const KeyLookup& lookup,
                                                std::string& error);

// True when the library verifies ed25519-sha256 (DKIM_FEATURE_ED25519).
bool opendkim_has_ed25519();

}  // namespace auth::detail
