#include "detail/text.hpp"

#include <cctype>

#include "auth/message.hpp"

namespace auth::detail {

std::string strip_dot(std::string name) {
    if (!name.empty() && name.back() == '.') name.pop_back();
    return name;
}

std::string printable(std::string_view s, std::size_t max) {
    std::string out;
    for (unsigned char c : s) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    }
    return out;
}

std::optional<std::uint64_t> parse_digits(std::string_view v, std::size_t max_digits) {
    std::string s = trim(v);
    if (s.empty() || s.size() > max_digits) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        n = n > (UINT64_MAX - digit) / 10 ? UINT64_MAX : n * 10 + digit;
    }
    return n;
}

std::vector<std::string> colon_list(std::string_view v, bool keep_empty) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= v.size()) {
        auto end = v.find(':', start);
        if (end == std::string_view::npos) end = v.size();
        std::string item = trim(v.substr(start, end - start));
        if (keep_empty || !item.empty()) out.push_back(std::move(item));
        start = end + 1;
    }
    return out;
}

bool valid_dns_name(std::string_view n, bool trailing_dot) {
    if (n.empty() || n.size() > 253) return false;
    std::size_t label = 0;
    for (unsigned char c : n) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!(std::isalnum(c) || c == '-' || c == '_' || c >= 0x80)) return false;
        if (++label > 63) return false;
    }
    return label > 0 || (trailing_dot && n.size() > 1 && n.back() == '.');
}

}  // namespace auth::detail
