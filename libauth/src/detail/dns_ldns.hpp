// ldns adapter for the DNS layer: name handling, RDATA decoding and the live resolver.
// Only libauth/src includes this header; no ldns type leaks into the public API.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/dns.hpp"

struct ldns_struct_rr;

namespace auth::detail {

// Answers bigger than this (decoded bytes of all records) are refused as `error`.
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
// Most CNAMEs followed for one question.
constexpr int kMaxCnameHops = 8;

// The canonical presentation form of an absolute domain name (RFC 4034 §6.2 lower case,
// RFC 1035 §5.1 escapes), or nullopt when it is not a valid name.
std::optional<std::string> canonical_name(const std::string& name);
// The same through ldns alone, and the ldns-free fast path for plain names (nullopt: not plain).
std::optional<std::string> canonical_name_ldns(const std::string& name);
std::optional<std::string> plain_canonical_name(const std::string& name);

// The parent of a canonical presentation name ("a.b." -> "b.", "b." -> "."); nullopt for the root.
std::optional<std::string> parent_name(const std::string& canonical);

// True for the RR types DnsRecord can hold.
bool is_known_type(std::uint16_t type);

// The type's mnemonic ("TXT", or "TYPE65" for ones ldns does not name).
std::string type_name(std::uint16_t type);
// The type for a mnemonic or TYPEnnn (case-insensitive); 0 when unknown.
std::uint16_t type_from_name(const std::string& name);

// The canonical owner name of an RR (any type).
std::string owner_text(const ldns_struct_rr* rr);

// Decodes one RR of a known type (RFC 1035 §3.3, RFC 3596 §2.2); false with `why` when malformed.
bool decode_rr(const ldns_struct_rr* rr, DnsRecord& out, std::string& why);

// Decoded size of some records, for the sanity limit.
std::size_t answer_bytes(const std::vector<DnsRecord>& records);

// A --resolver value: "ADDR" or "ADDR@PORT", IPv4 or IPv6. Throws UsageError when malformed.
struct ServerAddress {
    std::string address;
    std::uint16_t port = 53;
    bool ipv6 = false;
};
ServerAddress parse_server(const std::string& text);

// Live resolver over ldns_resolver (one per concurrent query, pooled).
std::shared_ptr<Resolver> make_ldns_resolver(const std::string& server, double timeout, int retries);

}  // namespace auth::detail
