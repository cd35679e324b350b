// RFC 7208 §4.6.1 and §12 (ABNF): the record syntax check run before libspf2 compiles a record;
// libspf2 1.2.10 accepts several records RFC 7208 calls permerror.
#include <arpa/inet.h>

#include <cctype>
#include <string>
#include <string_view>

#include "auth/message.hpp"
#include "detail/libspf2_dns.hpp"

namespace auth::detail {
namespace {

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

// RFC 7208 §7.1 macro-string; in_exp allows the exp-only letters c, r, t (§7.2).
bool valid_macro_string(std::string_view s, bool in_exp, std::string& why) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            if (i + 1 >= s.size()) { why = "a '%' ends the macro string"; return false; }
            char n = s[i + 1];
            if (n == '%' || n == '_' || n == '-') { ++i; continue; }
            if (n != '{') { why = std::string("'%") + n + "' is not a macro"; return false; }
            std::size_t close = s.find('}', i + 2);
            if (close == std::string_view::npos) { why = "a macro is not closed with '}'"; return false; }
            std::string_view body = s.substr(i + 2, close - i - 2);
            if (body.empty()) { why = "an empty macro '%{}'"; return false; }
            char letter = static_cast<char>(std::tolower(static_cast<unsigned char>(body[0])));
            const std::string letters = in_exp ? "slodiphcrtv" : "slodiphv";
            if (letters.find(letter) == std::string::npos) {
                why = std::string("'%{") + body[0] + "' is not a macro letter" + (in_exp ? "" : " here");
                return false;
            }
            std::size_t j = 1;
            while (j < body.size() && is_digit(body[j])) ++j;
            if (j > 1 && std::stoul(std::string(body.substr(1, std::min<std::size_t>(j - 1, 9)))) == 0) {
                why = "a macro keeps zero labels"; return false;
            }
            if (j < body.size() && (body[j] == 'r' || body[j] == 'R')) ++j;
            for (; j < body.size(); ++j)
                if (std::string_view(".-+,/_=").find(body[j]) == std::string_view::npos) {
                    why = std::string("'") + body[j] + "' is not a macro delimiter"; return false;
                }
            i = close;
            continue;
        }
        if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) {
            if (!(in_exp && c == ' ')) { why = "a character outside visible ASCII"; return false; }
        }
    }
    return true;
}

// RFC 7208 §7.1 domain-spec: a macro string ending in "." toplabel or in a macro.
bool valid_domain_spec(std::string_view s, std::string& why) {
    if (s.empty()) { why = "a domain is missing"; return false; }
    if (!valid_macro_string(s, false, why)) return false;
    if (s.back() == '}') return true;
    std::string_view t = s;
    if (t.back() == '.') t.remove_suffix(1);
    std::size_t dot = t.rfind('.');
    if (dot == std::string_view::npos) { why = "'" + std::string(s) + "' is not a domain name"; return false; }
    std::string_view top = t.substr(dot + 1);
    // The part before the last dot may end in a macro ("%{d}.example"): only the top label matters.
    if (top.empty()) { why = "'" + std::string(s) + "' has an empty top label"; return false; }
    bool has_alpha = false;
    for (char c : top) {
        if (is_alpha(c)) has_alpha = true;
        else if (!is_digit(c) && c != '-') { why = "'" + std::string(top) + "' is not a valid top label"; return false; }
    }
    if (top.front() == '-' || top.back() == '-' ) { why = "'" + std::string(top) + "' is not a valid top label"; return false; }
    if (!has_alpha && top.find('-') == std::string_view::npos) {
        why = "the top label '" + std::string(top) + "' is all digits"; return false;
    }
    return true;
}

bool valid_cidr(std::string_view v, int max) {
    if (v.empty() || v.size() > 3) return false;
    for (char c : v) if (!is_digit(c)) return false;
    if (v.size() > 1 && v[0] == '0') return false;
    return std::stoi(std::string(v)) <= max;
}

// The "[:domain-spec][/cidr4][//cidr6]" of a and mx: the prefix lengths are read from the end,
// since a domain-spec may itself hold '/' and ':' (RFC 7208 §12).
struct AMxArgs {
    std::string domain;   // without the ':'; empty when absent
    std::string c4, c6;   // digits, empty when absent
    bool has_c4 = false, has_c6 = false;
};

AMxArgs split_a_mx(std::string_view rest) {
    AMxArgs a;
    auto take_cidr = [&](std::string_view& r, bool dbl, std::string& out, bool& has) {
        std::size_t k = r.size();
        while (k > 0 && is_digit(r[k - 1])) --k;
        if (k == r.size() || k == 0 || r[k - 1] != '/') return;
        bool is_dbl = k >= 2 && r[k - 2] == '/';
        if (dbl != is_dbl) return;
        out = std::string(r.substr(k));
        has = true;
        r = r.substr(0, k - (dbl ? 2 : 1));
    };
    take_cidr(rest, true, a.c6, a.has_c6);
    take_cidr(rest, false, a.c4, a.has_c4);
    if (!rest.empty() && rest[0] == ':') a.domain = std::string(rest.substr(1));
    else if (!rest.empty()) a.domain = "\x01";  // marks unexpected text
    return a;
}

bool valid_a_mx_args(std::string_view rest, std::string& why) {
    AMxArgs a = split_a_mx(rest);
    if (a.domain == "\x01") { why = "unexpected text after the mechanism name"; return false; }
    if (!rest.empty() && rest[0] == ':' && !valid_domain_spec(a.domain, why)) return false;
    if (a.has_c4 && !valid_cidr(a.c4, 32)) { why = "invalid IPv4 prefix length '/" + a.c4 + "'"; return false; }
    if (a.has_c6 && !valid_cidr(a.c6, 128)) { why = "invalid IPv6 prefix length '//" + a.c6 + "'"; return false; }
    return true;
}

bool valid_ip4_network(std::string_view s) {
    int parts = 0;
    std::size_t i = 0;
    while (true) {
        std::size_t j = i;
        while (j < s.size() && is_digit(s[j])) ++j;
        std::size_t len = j - i;
        if (len == 0 || len > 3 || (len > 1 && s[i] == '0')) return false;
        if (std::stoi(std::string(s.substr(i, len))) > 255) return false;
        ++parts;
        if (j == s.size()) break;
        if (s[j] != '.') return false;
        i = j + 1;
    }
    return parts == 4;
}

}  // namespace

std::string spf_record_syntax_error(const std::string& record) {
    std::string_view r = record;
    if (r.size() < 6 || !iequals(r.substr(0, 6), "v=spf1")) return "it does not begin with v=spf1";
    r.remove_prefix(6);
    int redirects = 0, exps = 0;
    std::string why;
    while (!r.empty()) {
        if (r[0] != ' ') return "terms must be separated by spaces";
        while (!r.empty() && r[0] == ' ') r.remove_prefix(1);
        if (r.empty()) break;
        std::size_t sp = r.find(' ');
        std::string_view term = r.substr(0, sp);
        r = sp == std::string_view::npos ? std::string_view() : r.substr(sp);
        const std::string shown = "'" + std::string(term) + "'";

        // A modifier is name "=" ...; a name starts with a letter (RFC 7208 §12).
        std::size_t eq = term.find('=');
        std::size_t name_end = 0;
        while (name_end < term.size() && (is_alnum(term[name_end]) || term[name_end] == '-' ||
                                           term[name_end] == '_' || term[name_end] == '.'))
            ++name_end;
        if (eq != std::string_view::npos && eq == name_end && eq > 0 && is_alpha(term[0])) {
            std::string name = to_lower(term.substr(0, eq));
            std::string_view val = term.substr(eq + 1);
            if (name == "redirect") {
                if (++redirects > 1) return "redirect= appears more than once";
                if (!valid_domain_spec(val, why)) return shown + ": " + why;
            } else if (name == "exp") {
                if (++exps > 1) return "exp= appears more than once";
                if (!valid_domain_spec(val, why)) return shown + ": " + why;
            } else if (!valid_macro_string(val, false, why)) {
                return shown + ": " + why;
            }
            continue;
        }
        std::string_view m = term;
        if (!m.empty() && std::string_view("+-?~").find(m[0]) != std::string_view::npos) m.remove_prefix(1);
        std::size_t k = 0;
        while (k < m.size() && is_alnum(m[k])) ++k;
        std::string name = to_lower(m.substr(0, k));
        std::string_view rest = m.substr(k);
        if (name == "all") {
            if (!rest.empty()) return shown + ": 'all' takes no argument";
        } else if (name == "include" || name == "exists") {
            if (rest.empty() || rest[0] != ':') return shown + ": " + name + " needs ':' and a domain";
            if (!valid_domain_spec(rest.substr(1), why)) return shown + ": " + why;
        } else if (name == "a" || name == "mx") {
            if (!valid_a_mx_args(rest, why)) return shown + ": " + why;
        } else if (name == "ptr") {
            if (!rest.empty()) {
                if (rest[0] != ':') return shown + ": unexpected text after 'ptr'";
                if (!valid_domain_spec(rest.substr(1), why)) return shown + ": " + why;
            }
        } else if (name == "ip4") {
            if (rest.empty() || rest[0] != ':') return shown + ": ip4 needs ':' and an address";
            std::string_view v = rest.substr(1);
            std::size_t sl = v.find('/');
            if (!valid_ip4_network(v.substr(0, sl))) return shown + ": not an IPv4 address";
            if (sl != std::string_view::npos && !valid_cidr(v.substr(sl + 1), 32)) return shown + ": invalid prefix length";
        } else if (name == "ip6") {
            if (rest.empty() || rest[0] != ':') return shown + ": ip6 needs ':' and an address";
            std::string_view v = rest.substr(1);
            std::size_t sl = v.find('/');
            std::string addr(v.substr(0, sl));
            in6_addr a6;
            if (addr.empty() || inet_pton(AF_INET6, addr.c_str(), &a6) != 1) return shown + ": not an IPv6 address";
            if (sl != std::string_view::npos && !valid_cidr(v.substr(sl + 1), 128)) return shown + ": invalid prefix length";
        } else {
            return shown + " is not a known mechanism";
        }
    }
    return "";
}

namespace {

// A domain-spec with its macros expanded, written back as a macro-string of literals.
std::string pre_expand(const std::string& spec, const MacroContext* ctx) {
    if (!ctx || spec.find('%') == std::string::npos) return spec;
    auto v = spf_expand(spec, *ctx, false, true);
    if (!v) return spec;
    std::string out;
    for (char c : *v) {
        if (c == '%') out += "%%";
        else if (c == ' ') out += "%_";
        else out += c;
    }
    return out;
}

}  // namespace

std::string spf_record_for_libspf2(const std::string& record, bool client_v6, const MacroContext* ctx) {
    std::string_view r = record;
    r.remove_prefix(std::min<std::size_t>(6, r.size()));
    std::string out = "v=spf1";
    std::string redirect;
    bool has_all = false;
    std::size_t i = 0;
    while (i < r.size()) {
        while (i < r.size() && r[i] == ' ') ++i;
        std::size_t e = r.find(' ', i);
        if (e == std::string_view::npos) e = r.size();
        std::string term(r.substr(i, e - i));
        i = e;
        if (term.empty()) continue;
        std::size_t eq = term.find('='), colon = term.find(':'), slash = term.find('/');
        if (eq != std::string::npos && eq < colon && eq < slash && is_alpha(term[0])) {
            std::string name = to_lower(term.substr(0, eq));
            if (name == "redirect") redirect = "redirect=" + pre_expand(term.substr(eq + 1), ctx);
            continue;  // exp= and unknown modifiers: not for libspf2
        }
        std::string q;
        std::string m = term;
        if (std::string("+-?~").find(m[0]) != std::string::npos) { q = m.substr(0, 1); m = m.substr(1); }
        std::size_t k = 0;
        while (k < m.size() && is_alnum(m[k])) ++k;
        std::string name = to_lower(m.substr(0, k));
        std::string rest = m.substr(k);
        if (name == "all") has_all = true;
        if (name == "a" || name == "mx") {
            AMxArgs a = split_a_mx(rest);
            const std::string& c = client_v6 ? a.c6 : a.c4;
            bool has = client_v6 ? a.has_c6 : a.has_c4;
            if (!a.domain.empty()) a.domain = pre_expand(a.domain, ctx);
            std::string dom = a.domain.empty() ? (ctx ? pre_expand("%{d}", ctx) : std::string("%{d}")) : a.domain;
            if (has && std::stoi(c) == 0) {
                out += " " + q + name + ":" + dom + kCidr0Suffix;
            } else {
                out += " " + q + name + (a.domain.empty() ? std::string() : ":" + a.domain);
                if (has) out += (client_v6 ? "//" : "/") + c;
            }
            continue;
        }
        if (name == "ip4" || name == "ip6") {
            std::size_t sl = rest.find('/');
            if (sl != std::string::npos && std::stoi(rest.substr(sl + 1)) == 0) {
                if (name == "ip4") out += " " + q + "ip4:0.0.0.0/1 " + q + "ip4:128.0.0.0/1";
                else out += " " + q + "ip6:::/1 " + q + "ip6:8000::/1";
                continue;
            }
        }
        if ((name == "include" || name == "exists" || name == "ptr") && rest.size() > 1 && rest[0] == ':') {
            out += " " + q + name + ":" + pre_expand(rest.substr(1), ctx);
            continue;
        }
        out += " " + term;
    }
    if (!redirect.empty() && !has_all) out += " " + redirect;
    return out;
}

}  // namespace auth::detail
