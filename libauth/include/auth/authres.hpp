// Authentication-Results header fields (RFC 8601): the reader. (The writer is auth/ar.hpp.)
// Lenient where big receivers deviate (Microsoft's missing authserv-id, `action=`, `compauth=`),
// strict about structure: a field that cannot be read says where and why.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "auth/ar.hpp"
#include "auth/message.hpp"

namespace auth {

// One parsed Authentication-Results field (RFC 8601 §2.2). Each resinfo is an ArClause:
// method and result lower case; comment = the comments after the result joined by "; "
// (nesting kept); reason unquoted; properties keyed "ptype.property" lower case with the value
// unquoted, plus bare `key=value` pairs some receivers add (Microsoft's action=, ...) keyed as written
// in lower case.
struct AuthResults {
    std::string authserv_id;        // empty when the field has none (Microsoft omits it)
    std::string version;            // authres-version when present ("1"), else empty
    bool no_result = false;         // "; none" (§2.2)
    std::vector<ArClause> results;  // the resinfo clauses, in order
    std::vector<std::string> method_versions;  // parallel to results: "method/version", version or ""
    std::string error;              // empty when the whole field parsed; else where and why it stopped
                                    // (the clauses before the error are kept)
    bool ok() const { return error.empty(); }
};

// Parses the value of one Authentication-Results field (what follows the colon, folded or not).
// RFC 8601 §2.2 grammar, CFWS per RFC 5322 §3.2.2. Never throws; at most 1000 clauses.
AuthResults parse_authentication_results(std::string_view value);

// Every Authentication-Results field of the message whose authserv-id equals `authserv_id`
// (case-insensitive; RFC 8601 §5: only a trusted receiver's own fields are believed), top first.
// An empty authserv_id selects the fields that have none.
std::vector<AuthResults> find_authentication_results(const Message& msg, std::string_view authserv_id);

// The value of property `key` ("header.d", "smtp.mailfrom", "action") of a clause, or "" if absent.
std::string ar_property(const ArClause& c, std::string_view key);

}  // namespace auth
