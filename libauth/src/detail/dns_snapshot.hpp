// DNS snapshots: RFC 1035 master-file text plus `;; authscope:` directive comments.
// The reader answers questions from a snapshot (replay); the writer turns recorded answers into one.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "auth/dns.hpp"

namespace auth::detail {

// Parses a snapshot; throws InputError("<label>: line N: what is wrong").
std::shared_ptr<Resolver> read_snapshot(const std::string& text, const std::string& label);

// Renders answers as a snapshot (header, RRs, directives); `written` is the header's time stamp.
std::string render_snapshot(const std::vector<DnsAnswer>& answers, const std::string& written);

// One character-string in master-file form: quoted, `"` and `\` escaped, other bytes outside
// printable ASCII as \DDD (RFC 1035 §5.1).
std::string quote_character_string(const std::string& s);

}  // namespace auth::detail
