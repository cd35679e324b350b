// Small text helpers shared by the modules (internal: not part of the public headers).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auth::detail {

// The items (strings, any container) with sep between them ("" for none).
template <class Items>
std::string join(const Items& items, std::string_view sep) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}
// A DNS name without its one trailing dot (the root's dot, as DNS answers write it).
std::string strip_dot(std::string name);
// A value from a hostile field shown in a message: printable ASCII kept, any other octet as '?',
// cut after max characters with "...".
std::string printable(std::string_view s, std::size_t max = 60);
// RFC 6376 §3.5 numbers (t=, x= 1*12DIGIT; l= 1*76DIGIT): digits only after trimming space, at
// most max_digits of them; a value beyond 64 bits saturates at UINT64_MAX.
std::optional<std::uint64_t> parse_digits(std::string_view v, std::size_t max_digits);

// The items of a colon-separated list (RFC 6376 §3.5 h=), each trimmed; empty ones kept only
// when keep_empty.
std::vector<std::string> colon_list(std::string_view v, bool keep_empty);
// A domain name or selector (RFC 6376 §3.5 d=, s=): labels of letters, digits, '-', '_' (and
// UTF-8, RFC 8616), no empty label, at most 253 octets; one trailing dot when trailing_dot.
bool valid_dns_name(std::string_view n, bool trailing_dot);

}  // namespace auth::detail
