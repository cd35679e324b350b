// DKIM key records (RFC 6376 §3.6.1, RFC 8463 §4.2 for k=ed25519) and the tag=value list
// syntax they share with DKIM-Signature fields (RFC 6376 §3.2). Our own parser, so that a
// revoked, malformed or testing key is reported with our reasons before any library sees it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/result.hpp"

namespace auth {

// One tag=value pair of a tag-list, the value with its folding whitespace kept as written.
struct DkimTag {
    std::string name;
    std::string value;
};

// A tag-list (RFC 6376 §3.2): tag names are case-sensitive; values have surrounding WSP/FWS
// removed. `error` is empty when the list is well formed; a duplicate tag name makes the whole
// list invalid (§3.2).
struct DkimTagList {
    std::vector<DkimTag> tags;
    std::string error;
    bool ok() const { return error.empty(); }
    const DkimTag* find(std::string_view name) const;
};

// Parses a tag-list (RFC 6376 §3.2). Never throws.
DkimTagList parse_dkim_tag_list(std::string_view text);

// Removes every whitespace character (FWS inside base64 values, RFC 6376 §3.5 b=).
std::string strip_whitespace(std::string_view s);

// Decodes base64 (RFC 4648 §4) after whitespace has been removed; padding optional only at the
// end, nothing after it. nullopt when the text is not base64.
std::optional<std::string> decode_base64(std::string_view b64);
// True exactly when decode_base64 would succeed (a check that decodes nothing).
bool valid_base64(std::string_view b64);
std::string encode_base64(std::string_view bytes);

// A parsed key record (RFC 6376 §3.6.1).
struct DkimKeyRecord {
    std::string version;                 // v= ("DKIM1") or empty when absent
    std::vector<std::string> hashes;     // h= as listed (lower case); empty: every hash allowed
    std::string key_type = "rsa";        // k= (lower case); default rsa
    std::string notes;                   // n=
    std::vector<std::string> services;   // s= (lower case); empty means "*"
    std::vector<std::string> flags;      // t= (lower case), e.g. "y", "s"
    std::string public_key_b64;          // p= with whitespace removed
    std::string public_key;              // p= decoded (DER SubjectPublicKeyInfo or RSAPublicKey; ed25519: 32 bytes)
    bool revoked = false;                // p= present but empty (§3.6.1: the key has been revoked)
    bool testing() const;                // t=y (§3.6.1)
    bool strict_identity() const;        // t=s: i= must be exactly d= (§3.6.1)
    bool allows_hash(std::string_view hash) const;  // h= lists it, or h= absent
    bool for_email() const;              // s= absent, "*" or lists "email"
    std::vector<std::string> unknown_tags;  // tag names we do not know (ignored, §3.6.1)

    // Facts about the key material, filled when p= decodes as a key of type k=:
    unsigned key_bits = 0;               // RSA modulus bits; 256 for ed25519
    std::string spki_der;                // RSA: the key as DER SubjectPublicKeyInfo (normalised from
                                         // RSAPublicKey when the record used that form)
    bool rsa_public_key_form = false;    // p= was a bare RSAPublicKey (PKCS#1), not SubjectPublicKeyInfo
};

// The outcome of parsing one key record: the record, or the reason it cannot be used.
// Reason codes: key-syntax (tag-list or tag syntax, bad base64, p= missing, v= not first or
// not DKIM1, p= not a key of type k=), unsupported-algorithm (k= we do not know), key-revoked
// is NOT an error here (record.revoked is set; the verifier reports it).
struct DkimKeyParse {
    DkimKeyRecord record;
    std::optional<Reason> error;
    bool ok() const { return !error; }
};

// Parses the text of a key record (the TXT strings joined, RFC 6376 §3.6.2.2). Never throws.
DkimKeyParse parse_dkim_key(std::string_view text);

}  // namespace auth
