// Authentication-Results header fields (RFC 8601): the writer every tool's `--format ar` uses.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace auth {

// One resinfo: `method=result (comment) reason="..." ptype.property=value ...` (RFC 8601 §2.2).
struct ArClause {
    std::string method;   // dkim, spf, dmarc, ...
    std::string result;   // RFC 8601 §2.7 word
    std::string comment;  // optional, written in parentheses after the result
    std::string reason;   // optional, written as reason="..." (§2.2)
    std::vector<std::pair<std::string, std::string>> properties;  // e.g. {"header.d", "example.com"}
};

// The whole field "Authentication-Results: authserv-id; clause; clause", folded at 78
// columns; "none" when there are no clauses (§2.2). No line break at the end.
std::string format_authentication_results(const std::string& authserv_id, const std::vector<ArClause>& clauses);

// A property value as RFC 8601 wants it: as is when it is a token or dot-atom, else quoted.
std::string ar_value(const std::string& v);

}  // namespace auth
