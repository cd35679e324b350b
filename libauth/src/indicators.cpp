// Indicators (auth/indicators.hpp): URLs (RFC 3986 in outline), e-mail addresses (RFC 5322 §3.4.1
// addr-spec in outline), phone numbers (E.164 and NANP/national patterns), Bitcoin (base58check,
// BIP 173/350) and Ethereum addresses, money amounts; IDN via libidn2 (RFC 5891), PSL via libpsl.
#include "auth/indicators.hpp"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <unordered_map>

#include "auth/address.hpp"
#include "auth/brands.hpp"
#include "auth/message.hpp"
#include "auth/psl.hpp"

namespace auth {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_label_char(char c) { return is_alnum(c) || c == '-' || (static_cast<unsigned char>(c) >= 0x80); }
char lc(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool starts_ci(std::string_view s, std::size_t i, std::string_view p) {
    if (i + p.size() > s.size()) return false;
    for (std::size_t k = 0; k < p.size(); ++k)
        if (lc(s[i + k]) != lc(p[k])) return false;
    return true;
}

// Decodes UTF-8 to code points; invalid bytes become U+FFFD.
std::vector<std::uint32_t> code_points(std::string_view s) {
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + std::size_t(n) > s.size()) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        bool ok = true;
        for (int k = 1; k < n; ++k) {
            unsigned char d = static_cast<unsigned char>(s[i + std::size_t(k)]);
            if ((d & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (d & 0x3F);
        }
        out.push_back(ok ? cp : 0xFFFD);
        i += ok ? std::size_t(n) : 1;
    }
    return out;
}

void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) { out += char(0xC0 | (cp >> 6)); out += char(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) { out += char(0xE0 | (cp >> 12)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
    else { out += char(0xF0 | (cp >> 18)); out += char(0x80 | ((cp >> 12) & 0x3F)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
}

enum class Script { common, latin, greek, cyrillic, armenian, hebrew, arabic, han, hiragana, katakana, hangul, other };

Script script_of(std::uint32_t cp) {
    if (cp < 0x80) return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ? Script::latin : Script::common;
    if ((cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) || (cp >= 0x1E00 && cp <= 0x1EFF)) return Script::latin;
    if (cp >= 0x250 && cp <= 0x2AF) return Script::latin;  // IPA extensions (ɑ, ɡ ...) are Latin script
    if (cp >= 0x370 && cp <= 0x3FF) return Script::greek;
    if (cp >= 0x400 && cp <= 0x52F) return Script::cyrillic;
    if (cp >= 0x530 && cp <= 0x58F) return Script::armenian;
    if (cp >= 0x590 && cp <= 0x5FF) return Script::hebrew;
    if (cp >= 0x600 && cp <= 0x6FF) return Script::arabic;
    if (cp >= 0x3040 && cp <= 0x309F) return Script::hiragana;
    if (cp >= 0x30A0 && cp <= 0x30FF) return Script::katakana;
    if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)) return Script::han;
    if (cp >= 0xAC00 && cp <= 0xD7AF) return Script::hangul;
    if (cp == 0x30FC || cp == 0xFF0D) return Script::common;
    return Script::other;
}

// UTS #39 §5.2 "highly restrictive" in outline: one script per label, or Latin with the
// CJK combinations a Japanese, Chinese or Korean name uses.
bool label_mixes_scripts(std::string_view label) {
    std::set<Script> s;
    for (auto cp : code_points(label)) {
        Script k = script_of(cp);
        if (k != Script::common) s.insert(k);
    }
    if (s.size() <= 1) return false;
    auto subset_of = [&](std::initializer_list<Script> allowed) {
        for (auto k : s)
            if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) return false;
        return true;
    };
    return !(subset_of({Script::latin, Script::han, Script::hiragana, Script::katakana}) ||
             subset_of({Script::latin, Script::han, Script::hangul}));
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> r;
    std::size_t b = 0;
    while (true) {
        std::size_t e = s.find(sep, b);
        r.emplace_back(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
        if (e == std::string_view::npos) break;
        b = e + 1;
    }
    return r;
}

bool is_ipv4_literal(const std::string& h) {
    in_addr a4{};
    if (inet_pton(AF_INET, h.c_str(), &a4) == 1) return true;
    // Whole-number and hex forms browsers accept (http://3232235777/, http://0xC0A80001/).
    if (h.size() >= 8 && h.size() <= 10 && std::all_of(h.begin(), h.end(), is_digit)) return true;
    if (h.size() > 2 && h[0] == '0' && (h[1] == 'x' || h[1] == 'X') && h.size() <= 10 &&
        std::all_of(h.begin() + 2, h.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
        return true;
    return false;
}

// A TLD that is in the Public Suffix List (no '*' default rule), or a reserved test name
// (RFC 2606 / RFC 6761: example, test, invalid) the fixtures use.
bool known_tld(std::string_view tld) {
    std::string t = to_lower(tld);
    if (t == "example" || t == "test" || t == "invalid") return true;
    if (t.empty() || t.size() > 63) return false;
    static const psl_ctx_t* builtin = psl_builtin();
    const psl_ctx_t* p = builtin ? builtin : psl_latest(nullptr);
    if (!p) return false;
    return psl_is_public_suffix2(p, t.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

const PublicSuffixList& psl_or_system(const PublicSuffixList* psl) {
    return psl ? *psl : *PublicSuffixList::system();
}

// Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions).
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::size_t n = a.size(), m = b.size();
    if (n > 128 || m > 128) return 999;
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= m; ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}

std::string first_label(const std::string& d) { return d.substr(0, d.find('.')); }

const char* const kShorteners[] = {
    "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly", "t.ly",
    "shorturl.at", "rb.gy", "tiny.cc", "bl.ink", "short.io", "s.id", "v.gd", "qrco.de", "lnkd.in", "trib.al",
    "soo.gd", "clck.ru", "shorte.st", "adf.ly", "bitly.com", "urlz.fr", "x.gd", "tinu.be", "u.to", "surl.li",
    "short.link", "shrtco.de", "link.ly",
};

// One URL indicator from a host and the rest of the URL.
using DomainCache = std::unordered_map<std::string, DomainInfo>;

// analyze_domain, remembered for the hosts of one text (a hostile text repeats one host often).
const DomainInfo& cached_domain(const std::string& host, const PublicSuffixList* psl, DomainCache* cache) {
    auto it = cache->find(host);
    if (it != cache->end()) return it->second;
    if (cache->size() > 4096) cache->clear();
    return cache->emplace(host, analyze_domain(host, psl)).first->second;
}

Indicator make_url(const std::string& scheme, const std::string& host, const std::string& rest, std::string raw,
                   std::string_view where, const PublicSuffixList* psl, DomainCache* cache) {
    Indicator i;
    i.kind = "url";
    i.raw = std::move(raw);
    i.where = std::string(where);
    DomainCache local;
    const DomainInfo& d = cached_domain(host, psl, cache ? cache : &local);
    i.domain = d.ascii.empty() ? to_lower(host) : d.ascii;
    i.domain_unicode = d.unicode;
    i.registrable = d.registrable;
    i.value = scheme + "://" + i.domain + rest;
    i.defanged = defang(i.value);
    if (d.ip_literal) i.flags.push_back("ip-literal");
    if (d.idn) i.flags.push_back("idn");
    if (d.mixed_script) i.flags.push_back("mixed-script");
    if (is_shortener(i.registrable)) i.flags.push_back("shortener");
    return i;
}

bool url_stop(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '<' || c == '>' || c == '\'' ||
           c == '`' || c == '{' || c == '}' || c == '|' || c == '\\' || c == '^';
}

// Splits "host[:port][/rest]" after a scheme; userinfo before '@' is dropped (a classic trick).
bool split_authority(std::string_view s, std::string* host, std::string* rest, bool* userinfo) {
    std::size_t end = s.find_first_of("/?#");
    std::string_view auth = s.substr(0, end);
    *userinfo = false;
    std::size_t at = auth.rfind('@');
    if (at != std::string_view::npos) {
        *userinfo = true;
        auth = auth.substr(at + 1);
    }
    std::string h;
    std::string port;
    if (!auth.empty() && auth[0] == '[') {
        std::size_t rb = auth.find(']');
        if (rb == std::string_view::npos) return false;
        h = std::string(auth.substr(0, rb + 1));
        port = std::string(auth.substr(rb + 1));
    } else {
        std::size_t colon = auth.find(':');
        h = std::string(auth.substr(0, colon));
        if (colon != std::string_view::npos) port = std::string(auth.substr(colon));
    }
    while (!h.empty() && h.back() == '.') h.pop_back();
    if (h.empty()) return false;
    *host = h;
    *rest = port + std::string(end == std::string_view::npos ? "" : s.substr(end));
    return true;
}

bool plausible_host(const std::string& h) {
    if (h.empty() || h.size() > 253) return false;
    if (h[0] == '[') return true;
    if (is_ipv4_literal(h)) return true;
    if (h.find('.') == std::string::npos) return false;
    for (const auto& l : split(h, '.')) {
        if (l.empty() || l.size() > 63) return false;
        for (char c : l)
            if (!is_label_char(c)) return false;
    }
    return true;
}

// Trailing punctuation is prose, not URL (RFC 3986 Appendix C's advice on delimiting).
std::size_t trim_url_end(std::string_view s, std::size_t b, std::size_t e) {
    while (e > b) {
        char c = s[e - 1];
        if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '*') { --e; continue; }
        if (c == ')' || c == ']') {
            char open = c == ')' ? '(' : '[';
            long bal = 0;
            for (std::size_t k = b; k < e; ++k) bal += s[k] == open ? 1 : s[k] == c ? -1 : 0;
            if (bal < 0) { --e; continue; }
        }
        break;
    }
    return e;
}

bool any_changed(const std::vector<bool>& ch, std::size_t b, std::size_t e) {
    for (std::size_t k = b; k < e && k < ch.size(); ++k)
        if (ch[k]) return true;
    return false;
}

}  // namespace

bool Indicator::has(std::string_view flag) const {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

void Indicators::add(Indicator i) {
    if (items.size() >= 5000) return;  // a hostile sample does not get to list millions
    std::string key = i.kind + '\n' + i.value + '\n' + i.where;
    if (!seen_.insert(std::move(key)).second) return;
    items.push_back(std::move(i));
}

std::vector<const Indicator*> Indicators::of(std::string_view kind) const {
    std::vector<const Indicator*> r;
    for (const auto& i : items)
        if (i.kind == kind) r.push_back(&i);
    return r;
}

std::vector<std::string> Indicators::domains() const {
    std::set<std::string> s;
    for (const auto& i : items)
        if ((i.kind == "url" || i.kind == "email") && !i.registrable.empty()) s.insert(i.registrable);
    return {s.begin(), s.end()};
}

DomainInfo analyze_domain(std::string_view host_in, const PublicSuffixList* psl) {
    DomainInfo d;
    std::string host(host_in);
    while (!host.empty() && host.back() == '.') host.pop_back();
    if (!host.empty() && host.front() == '[' && host.back() == ']') {
        d.ip_literal = true;
        d.ascii = d.unicode = d.registrable = to_lower(host);
        return d;
    }
    if (is_ipv4_literal(host)) {
        d.ip_literal = true;
        d.ascii = d.unicode = d.registrable = host;
        return d;
    }
    for (unsigned char c : host) d.idn = d.idn || c >= 0x80;
    std::string err;
    auto a = domain_to_ascii(host, &err);
    if (a) d.ascii = *a;
    else {
        // Not a valid IDNA2008 name (e.g. some mixed-script forms): keep lower case as written.
        d.ascii = to_lower(host);
    }
    for (const auto& l : split(d.ascii, '.')) d.idn = d.idn || l.rfind("xn--", 0) == 0;
    d.unicode = d.ascii;
    if (d.idn) {
        char* u = nullptr;
        if (idn2_to_unicode_8z8z(d.ascii.c_str(), &u, 0) == IDN2_OK && u) d.unicode = u;
        if (u) idn2_free(u);
        if (d.unicode == d.ascii && !a) d.unicode = host;
    }
    for (const auto& l : split(d.unicode, '.')) d.mixed_script = d.mixed_script || label_mixes_scripts(l);
    auto r = psl_or_system(psl).registrable_domain(d.ascii);
    d.registrable = r ? *r : d.ascii;
    return d;
}

std::string confusable_skeleton(std::string_view name) {
    struct Map { std::uint32_t cp; const char* to; };
    static const Map kMap[] = {
        // Cyrillic
        {0x430, "a"}, {0x435, "e"}, {0x43E, "o"}, {0x440, "p"}, {0x441, "c"}, {0x443, "y"}, {0x445, "x"},
        {0x456, "i"}, {0x458, "j"}, {0x455, "s"}, {0x501, "d"}, {0x51B, "q"}, {0x51D, "w"}, {0x4BB, "h"},
        {0x4CF, "l"}, {0x43A, "k"}, {0x432, "b"}, {0x43D, "h"}, {0x442, "t"}, {0x433, "r"}, {0x457, "i"},
        // Greek
        {0x3B1, "a"}, {0x3BF, "o"}, {0x3BD, "v"}, {0x3C1, "p"}, {0x3B9, "i"}, {0x3BA, "k"}, {0x3C5, "u"},
        {0x3C7, "x"}, {0x3B5, "e"}, {0x3C4, "t"}, {0x3B3, "y"}, {0x3C9, "w"},
        // Latin look-alikes
        {0x131, "i"}, {0x261, "g"}, {0x251, "a"}, {0x29F, "l"}, {0x269, "i"}, {0x1D0E, "n"}, {0x237, "j"},
        // Digits that read as letters
        {'0', "o"}, {'1', "l"},
    };
    std::string out;
    for (auto cp : code_points(name)) {
        if (cp >= 'A' && cp <= 'Z') cp += 32;
        // Latin-1 and Latin Extended-A letters with diacritics read as their base letter.
        static const char* kLatin1 = "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
        if (cp >= 0xE0 && cp <= 0xFF && cp != 0xF7) { out += kLatin1[cp - 0xE0]; continue; }
        if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) { out += kLatin1[cp - 0xC0]; continue; }
        bool mapped = false;
        for (const auto& m : kMap)
            if (m.cp == cp) { out += m.to; mapped = true; break; }
        if (!mapped) put_utf8(out, cp);
    }
    // Letter pairs that render as one letter.
    std::string r;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out.compare(i, 2, "rn") == 0) { r += 'm'; ++i; }
        else if (out.compare(i, 2, "vv") == 0) { r += 'w'; ++i; }
        else r += out[i];
    }
    return r;
}

namespace {
// Words combosquatted domains put beside a brand's name (as seen in phishing domains and in the
// look-alike lists of dnstwist and Sublime's "brand impersonation" rules).
bool combo_word(const std::string& w) {
    static const char* const k[] = {
        "login", "logon", "signin", "sign", "secure", "security", "verify", "verification", "account", "accounts",
        "update", "support", "help", "helpdesk", "care", "service", "services", "customer", "billing", "payment",
        "pay", "wallet", "auth", "online", "web", "app", "apps", "mail", "team", "official", "alert", "alerts",
        "notice", "notification", "notifications", "id", "portal", "center", "centre", "desk", "recovery", "restore",
        "unlock", "claim", "reward", "rewards", "airdrop", "connect", "sync", "validate", "confirm", "info", "my",
        "access", "check", "safe", "protect", "refund", "delivery", "track", "tracking", "parcel", "invoice", "bonus",
        "gift", "promo", "www", "net", "bank", "hub", "dapp", "defi", "token", "staking", "stake", "live",
    };
    for (const char* x : k)
        if (w == x) return true;
    return false;
}
}  // namespace

std::string lookalike_of(const DomainInfo& d, const std::vector<std::string>& brand_domains) {
    if (d.registrable.empty() || d.ip_literal) return {};
    std::string reg = d.registrable;
    for (const auto& b : brand_domains) {
        std::string bl = to_lower(b);
        if (reg == bl || (d.ascii.size() > bl.size() && d.ascii.compare(d.ascii.size() - bl.size() - 1, std::string::npos, "." + bl) == 0))
            return {};  // the brand's own name (or under it)
    }
    // Unicode registrable domain for the skeleton.
    std::string reg_u = reg;
    {
        char* u = nullptr;
        if (idn2_to_unicode_8z8z(reg.c_str(), &u, 0) == IDN2_OK && u) reg_u = u;
        if (u) idn2_free(u);
    }
    std::string sk = confusable_skeleton(reg_u);
    std::string sk_label = first_label(sk);
    for (const auto& b : brand_domains) {
        std::string bl = to_lower(b);
        std::string bsk = confusable_skeleton(bl);
        std::string blabel = first_label(bsk);
        if (sk == bsk) return bl;
        if (blabel.size() >= 5 && sk_label == blabel) return bl;  // same name under another suffix
        if (blabel.size() >= 6) {
            std::size_t dist = edit_distance(sk_label, blabel);
            if (dist == 1 || (dist == 2 && blabel.size() >= 9)) return bl;
        }
        // Combosquatting: the brand's name as a hyphen-separated part next to a word of the
        // account/support vocabulary phishing uses ("brand-login", "secure-brand", "care-brand").
        // Another word beside it ("brand-university") is an ordinary name that happens to
        // contain the brand's, not an imitation.
        if (blabel.size() >= 5 && sk_label != blabel) {
            // The label with the brand's (possibly hyphenated) name taken out at a hyphen boundary.
            std::string rest;
            bool has_brand = false;
            if (sk_label.rfind(blabel + "-", 0) == 0) { has_brand = true; rest = sk_label.substr(blabel.size() + 1); }
            else if (sk_label.size() > blabel.size() + 1 && sk_label.compare(sk_label.size() - blabel.size() - 1, std::string::npos, "-" + blabel) == 0) {
                has_brand = true;
                rest = sk_label.substr(0, sk_label.size() - blabel.size() - 1);
            } else if (std::size_t at = sk_label.find("-" + blabel + "-"); at != std::string::npos) {
                has_brand = true;
                rest = sk_label.substr(0, at) + "-" + sk_label.substr(at + blabel.size() + 2);
            }
            bool has_lure_word = false;
            if (has_brand)
                for (const auto& part : split(rest, '-')) has_lure_word = has_lure_word || combo_word(part);
            if (has_brand && has_lure_word) return bl;
        }
    }
    return {};
}

std::string refang(std::string_view t, std::vector<bool>* changed) {
    std::string out;
    std::vector<bool> ch;
    out.reserve(t.size());
    auto emit = [&](std::string_view s, bool c) {
        out += s;
        ch.insert(ch.end(), s.size(), c);
    };
    auto prev_label = [&] { return !out.empty() && is_label_char(out.back()); };
    std::size_t i = 0;
    while (i < t.size()) {
        char c = t[i];
        if ((c == 'h' || c == 'H') && (starts_ci(t, i, "hxxp") || starts_ci(t, i, "hxxps")) &&
            (i == 0 || !is_alnum(t[i - 1]))) {
            emit("http", true);
            i += 4;
            continue;
        }
        if (c == '[' || c == '(' || c == '{') {
            char close = c == '[' ? ']' : c == '(' ? ')' : '}';
            static const char* kDot[] = {".", "dot", " . ", " dot "};
            static const char* kAt[] = {"@", "at", " at ", " @ "};
            static const char* kColon[] = {":", "://"};
            bool done = false;
            for (const char* d : kDot) {
                std::string pat = std::string(1, c) + d + close;
                if (starts_ci(t, i, pat) && prev_label()) {
                    emit(".", true);
                    i += pat.size();
                    done = true;
                    break;
                }
            }
            if (!done)
                for (const char* d : kAt) {
                    std::string pat = std::string(1, c) + d + close;
                    if (starts_ci(t, i, pat) && prev_label()) {
                        emit("@", true);
                        i += pat.size();
                        done = true;
                        break;
                    }
                }
            if (!done)
                for (const char* d : kColon) {
                    std::string pat = std::string(1, c) + d + close;
                    if (starts_ci(t, i, pat)) {
                        emit(d, true);
                        i += pat.size();
                        done = true;
                        break;
                    }
                }
            if (done) {
                // "evil [.] example": the space before the bracket belongs to the obscuring.
                continue;
            }
        }
        if (c == ' ' && prev_label()) {
            // " dot ", " . ", " [.] " between labels.
            std::size_t k = i;
            while (k < t.size() && t[k] == ' ') ++k;
            std::size_t after = std::string::npos;
            if (starts_ci(t, k, "dot ") || starts_ci(t, k, ". ")) {
                std::size_t m = k + (lc(t[k]) == 'd' ? 3 : 1);
                while (m < t.size() && t[m] == ' ') ++m;
                if (m < t.size() && is_alnum(t[m]) && m - i <= 8) after = m;
            } else if (starts_ci(t, k, "[.]") || starts_ci(t, k, "(.)") || starts_ci(t, k, "[dot]") ||
                       starts_ci(t, k, "(dot)")) {
                std::size_t m = t.find_first_of(")]", k) + 1;
                while (m < t.size() && t[m] == ' ') ++m;
                if (m < t.size() && is_alnum(t[m]) && m - i <= 10) after = m;
            }
            if (after != std::string::npos) {
                // Only a domain-shaped result: the next word must end in a known TLD or go on with a dot/slash.
                std::size_t e = after;
                while (e < t.size() && is_label_char(t[e])) ++e;
                std::string next(t.substr(after, e - after));
                bool cont = e < t.size() && (t[e] == '/' || t[e] == '.' || t[e] == '[' || t[e] == '(');
                if (known_tld(next) || cont) {
                    emit(".", true);
                    i = after;
                    continue;
                }
            }
        }
        out += c;
        ch.push_back(false);
        ++i;
    }
    if (changed) *changed = std::move(ch);
    return out;
}

std::string defang(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    std::size_t host_end = s.size();
    bool url = false;
    if (starts_ci(s, 0, "http")) {
        std::size_t p = s.find("://");
        if (p != std::string_view::npos && p <= 5) {
            out = "hxxp" + std::string(s.substr(4, p - 4)) + "://";
            i = p + 3;
            url = true;
            std::size_t e = s.find_first_of("/?#", i);
            host_end = e == std::string_view::npos ? s.size() : e;
        }
    } else if (s.find("://") != std::string_view::npos) {
        std::size_t p = s.find("://");
        out = std::string(s.substr(0, p + 3));
        i = p + 3;
        url = true;
        std::size_t e = s.find_first_of("/?#", i);
        host_end = e == std::string_view::npos ? s.size() : e;
    }
    for (; i < s.size(); ++i) {
        char c = s[i];
        bool in_host = !url || i < host_end;
        if (c == '.' && in_host) out += "[.]";
        else if (c == '@' && in_host) out += "[@]";
        else out += c;
    }
    return out;
}

namespace {
// The shown text of a Markdown link "[text](URL)" whose URL starts at `b`, or "".
std::string markdown_link_text(const std::string& r, std::size_t b) {
    if (b < 3 || r[b - 1] != '(' || r[b - 2] != ']') return {};
    std::size_t close = b - 2;
    std::size_t lim = close > 400 ? close - 400 : 0;
    for (std::size_t k = close; k-- > lim;) {
        if (r[k] == '[') return r.substr(k + 1, close - k - 1);
        if (r[k] == ']' || r[k] == '\n') break;
    }
    return {};
}
}  // namespace

void extract_urls(std::string_view text, std::string_view where, Indicators& out, const PublicSuffixList* psl) {
    std::vector<bool> ch;
    std::string r = refang(text, &ch);
    DomainCache cache;
    std::vector<std::pair<std::size_t, std::size_t>> taken;  // in increasing order of start
    std::size_t next_taken = 0;
    // Called with increasing b: ranges that end before b are never needed again.
    auto overlaps = [&](std::size_t b, std::size_t e) {
        while (next_taken < taken.size() && taken[next_taken].second <= b) ++next_taken;
        for (std::size_t k = next_taken; k < taken.size() && taken[k].first < e; ++k)
            if (b < taken[k].second && e > taken[k].first) return true;
        return false;
    };
    // 1. scheme://... and www.
    for (std::size_t i = 0; i < r.size(); ++i) {
        bool scheme = (starts_ci(r, i, "http://") || starts_ci(r, i, "https://") || starts_ci(r, i, "ftp://")) &&
                      (i == 0 || !is_alnum(r[i - 1]));
        bool www = !scheme && starts_ci(r, i, "www.") && (i == 0 || (!is_label_char(r[i - 1]) && r[i - 1] != '.' && r[i - 1] != '/' && r[i - 1] != '@'));
        if (!scheme && !www) continue;
        std::size_t e = i;
        while (e < r.size() && !url_stop(r[e]) && e - i < 4096) ++e;
        // Markdown: "[shown](target)" ends the shown URL at "](".
        if (std::size_t md = r.substr(i, e - i).find("]("); md != std::string::npos) e = i + md;
        e = trim_url_end(r, i, e);
        std::string whole = r.substr(i, e - i);
        std::string sch = "http";
        std::string after = whole;
        if (scheme) {
            std::size_t p = whole.find("://");
            sch = to_lower(whole.substr(0, p));
            after = whole.substr(p + 3);
        }
        std::string host, rest;
        bool userinfo = false;
        if (!split_authority(after, &host, &rest, &userinfo) || !plausible_host(host)) {
            i = e > i ? e - 1 : i;
            continue;
        }
        if (out.items.size() >= 5000) return;
        Indicator ind = make_url(sch, host, rest, std::string(whole), where, psl, &cache);
        if (any_changed(ch, i, e)) ind.flags.push_back("obscured");
        if (userinfo) ind.flags.push_back("userinfo");
        ind.link_text = markdown_link_text(r, i);
        out.add(std::move(ind));
        taken.push_back({i, e});
        i = e > i ? e - 1 : i;
    }
    // 2. Bare domains ("visit secure-portal.example/login"): labels ending in a known TLD.
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (!is_alnum(r[i]) && static_cast<unsigned char>(r[i]) < 0x80) continue;
        if (i > 0 && (is_label_char(r[i - 1]) || r[i - 1] == '.' || r[i - 1] == '@' || r[i - 1] == '/' || r[i - 1] == ':'))
            continue;
        std::size_t e = i;
        while (e < r.size() && (is_label_char(r[e]) || r[e] == '.')) ++e;
        std::size_t he = e;
        while (he > i && r[he - 1] == '.') --he;
        std::string host = r.substr(i, he - i);
        if (e < r.size() && r[e] == '@') { i = e; continue; }  // an e-mail address
        if (host.find('.') == std::string::npos || overlaps(i, he)) { i = e > i ? e - 1 : i; continue; }
        auto labels = split(host, '.');
        bool ok = labels.size() >= 2 && known_tld(labels.back()) && plausible_host(host);
        // A version number or file name is not a domain: the TLD must be letters and the name
        // must not be an ordinary file name shape like "invoice.pdf" (2 labels, short TLD, file-like).
        for (char c : labels.back()) ok = ok && !is_digit(c);
        static const char* kFileExt[] = {"zip", "mov", "py", "sh", "pl", "md", "rs", "so", "exe", "doc", "pdf"};
        if (ok && labels.size() == 2)
            for (const char* x : kFileExt)
                if (to_lower(labels.back()) == x && !any_changed(ch, i, he)) ok = false;
        if (!ok) { i = e > i ? e - 1 : i; continue; }
        std::size_t ue = he;
        if (he < r.size() && r[he] == '/') {
            ue = he;
            while (ue < r.size() && !url_stop(r[ue])) ++ue;
            ue = trim_url_end(r, i, ue);
        }
        std::string rest = r.substr(he, ue - he);
        if (out.items.size() >= 5000) return;
        Indicator ind = make_url("http", host, rest, r.substr(i, ue - i), where, psl, &cache);
        ind.flags.push_back("bare-domain");
        if (any_changed(ch, i, ue)) ind.flags.push_back("obscured");
        out.add(std::move(ind));
        i = ue > i ? ue - 1 : i;
    }
}

void add_href(std::string_view href_in, std::string_view link_text, std::string_view where, Indicators& out,
              const PublicSuffixList* psl) {
    std::string href(href_in);
    // Whitespace and control characters inside an href are ignored by browsers (WHATWG URL).
    href.erase(std::remove_if(href.begin(), href.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20; }), href.end());
    if (href.empty() || href[0] == '#') return;
    if (starts_ci(href, 0, "mailto:")) {
        std::string a = href.substr(7);
        a = a.substr(0, a.find('?'));
        extract_emails(a, where, out, psl);
        return;
    }
    if (starts_ci(href, 0, "tel:")) {
        extract_phones(href.substr(4), where, out);
        return;
    }
    std::size_t p = href.find("://");
    std::string sch = p == std::string::npos ? "" : to_lower(href.substr(0, p));
    if (sch == "hxxp" || sch == "hxxps") sch = sch == "hxxp" ? "http" : "https";
    if (p == std::string::npos) {
        // A protocol-relative link (RFC 3986 §4.2): "//host/x" becomes "https://host/x", "://" at 5.
        if (href.compare(0, 2, "//") == 0) { sch = "https"; href = "https:" + href; p = 5; }
        else return;  // relative link
    }
    std::string host, rest;
    bool userinfo = false;
    if (!split_authority(std::string_view(href).substr(p + 3), &host, &rest, &userinfo) || !plausible_host(host)) return;
    Indicator ind = make_url(sch, host, rest, href, where, psl, nullptr);
    if (userinfo) ind.flags.push_back("userinfo");
    ind.link_text = std::string(link_text);
    out.add(std::move(ind));
}

void extract_emails(std::string_view text, std::string_view where, Indicators& out, const PublicSuffixList* psl) {
    std::vector<bool> ch;
    std::string r = refang(text, &ch);
    for (std::size_t at = r.find('@'); at != std::string::npos; at = r.find('@', at + 1)) {
        std::size_t b = at;
        while (b > 0 && (is_alnum(r[b - 1]) || std::strchr("._%+-'", r[b - 1]) || static_cast<unsigned char>(r[b - 1]) >= 0x80) && at - b < 64) --b;
        while (b < at && (r[b] == '.' || r[b] == '\'')) ++b;
        std::size_t e = at + 1;
        while (e < r.size() && (is_label_char(r[e]) || r[e] == '.') && e - at < 254) ++e;
        while (e > at + 1 && r[e - 1] == '.') --e;
        if (b == at || e == at + 1) continue;
        std::string local = r.substr(b, at - b), dom = r.substr(at + 1, e - at - 1);
        auto labels = split(dom, '.');
        if (labels.size() < 2 || !plausible_host(dom)) continue;
        DomainInfo d = analyze_domain(dom, psl);
        if (!d.idn && !known_tld(labels.back())) continue;
        Indicator i;
        i.kind = "email";
        i.raw = std::string(r.substr(b, e - b));
        i.domain = d.ascii;
        i.domain_unicode = d.unicode;
        i.registrable = d.registrable;
        i.value = to_lower(local) + "@" + d.ascii;
        i.defanged = defang(i.value);
        i.where = std::string(where);
        if (any_changed(ch, b, e)) i.flags.push_back("obscured");
        if (d.idn) i.flags.push_back("idn");
        if (d.mixed_script) i.flags.push_back("mixed-script");
        out.add(std::move(i));
    }
}

void extract_phones(std::string_view t, std::string_view where, Indicators& out) {
    static const int kTollFree[] = {800, 833, 844, 855, 866, 877, 888};
    for (std::size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        if (!(c == '+' || c == '(' || is_digit(c))) continue;
        if (i > 0) {
            char p = t[i - 1];
            if (is_alnum(p) || p == '-' || p == '.' || p == '/' || p == '_' || p == '+' || p == '=' || p == '#' ||
                p == '$' || p == ',' || (p == ':' && i > 1 && is_alnum(t[i - 2])))
                continue;
        }
        // Consume digits and separators: one space, '-', '.', '(', ')'.
        std::size_t e = i;
        std::string digits;
        std::string seps;
        while (e < t.size() && e - i < 28) {
            char d = t[e];
            if (is_digit(d)) digits += d;
            else if (d == ' ' || d == '-' || d == '.' || d == '(' || d == ')' || (d == '+' && e == i)) {
                if (d == ' ' && e + 1 < t.size() && t[e + 1] == ' ') break;
                if (d != '+') seps += d;
            } else break;
            ++e;
        }
        while (e > i && !is_digit(t[e - 1])) --e;
        if (e < t.size() && (is_alnum(t[e]) || t[e] == '@' || (t[e] == '.' && e + 1 < t.size() && is_digit(t[e + 1])) ||
                             (t[e] == '-' && e + 1 < t.size() && is_alnum(t[e + 1]))))
            { i = e; continue; }
        std::string raw(t.substr(i, e - i));
        digits.clear();
        for (char d : raw)
            if (is_digit(d)) digits += d;
        bool plus = raw[0] == '+';
        std::string subtype, value;
        // Group lengths, for shape checks.
        std::vector<std::size_t> groups;
        {
            std::size_t g = 0;
            for (char d : raw) {
                if (is_digit(d)) ++g;
                else if (g) { groups.push_back(g); g = 0; }
            }
            if (g) groups.push_back(g);
        }
        bool dots_only = raw.find('.') != std::string::npos && raw.find_first_of(" -()") == std::string::npos;
        auto nanp_ok = [&](const std::string& ten) {
            return ten.size() == 10 && ten[0] >= '2' && ten[3] >= '2';
        };
        if (plus) {
            if (digits.size() < 8 || digits.size() > 15) { i = e; continue; }
            if (digits[0] == '1' && !(digits.size() == 11 && nanp_ok(digits.substr(1)))) { i = e; continue; }
            value = "+" + digits;
            subtype = "e164";
        } else if (digits.size() == 10 && nanp_ok(digits) && (groups == std::vector<std::size_t>{3, 3, 4})) {
            value = "+1" + digits;
            subtype = "nanp";
        } else if (digits.size() == 11 && digits[0] == '1' && nanp_ok(digits.substr(1)) &&
                   (groups == std::vector<std::size_t>{1, 3, 3, 4})) {
            value = "+" + digits;
            subtype = "nanp";
        } else if (digits[0] == '0' && digits.size() >= 10 && digits.size() <= 11 && groups.size() >= 2 &&
                   groups.size() <= 4 && !dots_only && groups[0] >= 3) {
            value = digits;
            subtype = "national";
        } else {
            i = e;
            continue;
        }
        if (value.rfind("+1", 0) == 0 && value.size() == 12) {
            int area = std::stoi(value.substr(2, 3));
            for (int tf : kTollFree)
                if (area == tf) subtype = "toll-free";
        }
        Indicator ind;
        ind.kind = "phone";
        ind.raw = raw;
        ind.value = value;
        ind.defanged = raw;
        ind.subtype = subtype;
        ind.where = std::string(where);
        out.add(std::move(ind));
        i = e;
    }
}

bool base58check_valid(std::string_view a) {
    static const char* kAlpha = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    if (a.size() < 26 || a.size() > 35) return false;
    std::vector<unsigned char> num;  // big-endian base-256
    for (char c : a) {
        const char* p = std::strchr(kAlpha, c);
        if (!p || !c) return false;
        int carry = int(p - kAlpha);
        for (auto it = num.rbegin(); it != num.rend(); ++it) {
            carry += 58 * (*it);
            *it = static_cast<unsigned char>(carry & 0xFF);
            carry >>= 8;
        }
        while (carry) {
            num.insert(num.begin(), static_cast<unsigned char>(carry & 0xFF));
            carry >>= 8;
        }
    }
    std::size_t zeros = 0;
    while (zeros < a.size() && a[zeros] == '1') ++zeros;
    std::vector<unsigned char> bytes(zeros, 0);
    bytes.insert(bytes.end(), num.begin(), num.end());
    if (bytes.size() != 25) return false;
    unsigned char h1[SHA256_DIGEST_LENGTH], h2[SHA256_DIGEST_LENGTH];
    SHA256(bytes.data(), 21, h1);
    SHA256(h1, sizeof h1, h2);
    if (std::memcmp(h2, bytes.data() + 21, 4) != 0) return false;
    unsigned v = bytes[0];
    return v == 0x00 || v == 0x05 || v == 0x6F || v == 0xC4;
}

int segwit_address_kind(std::string_view addr) {
    // BIP 173: bech32 checksum over the expanded HRP and the data; BIP 350: bech32m constant.
    static const char* kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if (addr.size() < 14 || addr.size() > 90) return 0;
    bool lower = false, upper = false;
    for (char c : addr) {
        if (c >= 'a' && c <= 'z') lower = true;
        if (c >= 'A' && c <= 'Z') upper = true;
        if (static_cast<unsigned char>(c) < 33 || static_cast<unsigned char>(c) > 126) return 0;
    }
    if (lower && upper) return 0;
    std::string s = to_lower(addr);
    std::size_t sep = s.rfind('1');
    if (sep == std::string::npos || sep < 1 || sep + 7 > s.size()) return 0;
    std::string hrp = s.substr(0, sep);
    if (hrp != "bc" && hrp != "tb") return 0;
    std::vector<int> data;
    for (std::size_t i = sep + 1; i < s.size(); ++i) {
        const char* p = std::strchr(kCharset, s[i]);
        if (!p || !s[i]) return 0;
        data.push_back(int(p - kCharset));
    }
    auto polymod = [](const std::vector<int>& v) {
        std::uint32_t chk = 1;
        static const std::uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        for (int x : v) {
            std::uint32_t top = chk >> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ std::uint32_t(x);
            for (int i = 0; i < 5; ++i)
                if ((top >> i) & 1) chk ^= gen[i];
        }
        return chk;
    };
    std::vector<int> v;
    for (char c : hrp) v.push_back(c >> 5);
    v.push_back(0);
    for (char c : hrp) v.push_back(c & 31);
    v.insert(v.end(), data.begin(), data.end());
    std::uint32_t pm = polymod(v);
    int witver = data.empty() ? -1 : data[0];
    // Program length: (data - version - 6 checksum chars) * 5 bits, must be 2..40 bytes.
    std::size_t bits = (data.size() - 7) * 5;
    std::size_t prog = bits / 8;
    if (prog < 2 || prog > 40) return 0;
    if (pm == 1 && witver == 0 && (prog == 20 || prog == 32)) return 1;
    if (pm == 0x2bc830a3 && witver >= 1 && witver <= 16) return 2;
    return 0;
}

void extract_wallets(std::string_view t, std::string_view where, Indicators& out) {
    for (std::size_t i = 0; i < t.size();) {
        if (!is_alnum(t[i])) { ++i; continue; }
        std::size_t e = i;
        while (e < t.size() && is_alnum(t[e])) ++e;
        std::string tok(t.substr(i, e - i));
        bool bounded = (i == 0 || !(t[i - 1] == '/' || t[i - 1] == '=' || t[i - 1] == '-' || t[i - 1] == '_')) ;
        Indicator w;
        w.kind = "wallet";
        w.where = std::string(where);
        if (bounded && tok.size() == 42 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X') &&
            std::all_of(tok.begin() + 2, tok.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; })) {
            bool has_lower = false, has_upper = false;
            for (std::size_t k = 2; k < tok.size(); ++k) {
                if (tok[k] >= 'a' && tok[k] <= 'f') has_lower = true;
                if (tok[k] >= 'A' && tok[k] <= 'F') has_upper = true;
            }
            w.subtype = "ethereum";
            w.value = tok;
            // EIP-55 needs Keccak-256, which Debian 12's OpenSSL 3.0 does not offer: noted, not checked.
            w.flags.push_back(has_lower && has_upper ? "checksum-unverified" : "no-checksum");
        } else if (bounded && (tok.rfind("bc1", 0) == 0 || tok.rfind("BC1", 0) == 0 || tok.rfind("tb1", 0) == 0)) {
            int k = segwit_address_kind(tok);
            if (!k) { i = e; continue; }
            w.subtype = k == 1 ? "bitcoin-bech32" : "bitcoin-bech32m";
            w.value = to_lower(tok);
            w.flags.push_back("checksum-ok");
        } else if (bounded && (tok[0] == '1' || tok[0] == '3' || tok[0] == 'm' || tok[0] == 'n' || tok[0] == '2') &&
                   tok.size() >= 26 && tok.size() <= 35 && base58check_valid(tok)) {
            w.subtype = "bitcoin-base58";
            w.value = tok;
            w.flags.push_back("checksum-ok");
        } else {
            i = e;
            continue;
        }
        w.raw = tok;
        w.defanged = w.value;
        out.add(std::move(w));
        i = e;
    }
}

void extract_money(std::string_view t, std::string_view where, Indicators& out) {
    struct Cur { const char* token; const char* code; bool symbol; };
    static const Cur kCur[] = {
        {"US$", "USD", true}, {"$", "USD", true}, {"\xE2\x82\xAC", "EUR", true}, {"\xC2\xA3", "GBP", true},
        {"\xC2\xA5", "JPY", true}, {"\xE2\x82\xB9", "INR", true},
        {"USD", "USD", false}, {"EUR", "EUR", false}, {"GBP", "GBP", false}, {"CAD", "CAD", false},
        {"AUD", "AUD", false}, {"JPY", "JPY", false}, {"CHF", "CHF", false}, {"INR", "INR", false},
        {"BTC", "BTC", false}, {"ETH", "ETH", false}, {"USDT", "USDT", false}, {"USDC", "USDC", false},
    };
    auto amount_at = [&](std::size_t p, std::size_t* end) -> std::string {
        std::size_t e = p;
        while (e < t.size() && (is_digit(t[e]) || ((t[e] == ',' || t[e] == '.') && e + 1 < t.size() && is_digit(t[e + 1])))) ++e;
        if (e == p || !is_digit(t[p])) return {};
        if (e < t.size() && is_alnum(t[e])) {
            // "5k", "2x": not an amount we normalise.
            return {};
        }
        *end = e;
        std::string a(t.substr(p, e - p));
        std::string r;
        // A comma followed by exactly 3 digits groups thousands; otherwise it is a decimal comma.
        for (std::size_t k = 0; k < a.size(); ++k) {
            if (a[k] == ',') {
                std::size_t n = 0;
                while (k + 1 + n < a.size() && is_digit(a[k + 1 + n])) ++n;
                r += n == 3 ? "" : ".";
            } else r += a[k];
        }
        return r;
    };
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!std::strchr("$UEGCAJIB\xE2\xC2", t[i]) || t[i] == 0) continue;  // no currency starts here
        for (const auto& c : kCur) {
            std::size_t n = std::strlen(c.token);
            if (t.compare(i, n, c.token) != 0) continue;
            if (!c.symbol && ((i > 0 && is_alnum(t[i - 1])) || (i + n < t.size() && is_alnum(t[i + n]) && !is_digit(t[i + n])))) continue;
            if (c.symbol && c.token[0] == '$' && i > 0 && (t[i - 1] == 'S' || is_alnum(t[i - 1]))) continue;
            std::size_t p = i + n;
            while (p < t.size() && t[p] == ' ' && p - (i + n) < 2) ++p;
            std::size_t end = 0;
            std::string amt = amount_at(p, &end);
            std::size_t rb = i, re = end;
            if (amt.empty() && !c.symbol) {
                // "399.99 USD": the amount before the code.
                std::size_t q = i;
                while (q > 0 && t[q - 1] == ' ' && i - q < 2) --q;
                std::size_t s = q;
                while (s > 0 && (is_digit(t[s - 1]) || t[s - 1] == ',' || t[s - 1] == '.')) --s;
                if (s < q && (s == 0 || !is_alnum(t[s - 1]))) {
                    std::size_t e2 = 0;
                    amt = amount_at(s, &e2);
                    if (!amt.empty() && e2 == q) { rb = s; re = i + n; }
                    else amt.clear();
                }
            }
            if (amt.empty()) continue;
            Indicator m;
            m.kind = "money";
            m.raw = std::string(t.substr(rb, re - rb));
            m.value = std::string(c.code) + " " + amt;
            m.defanged = m.raw;
            m.subtype = c.code;
            m.where = std::string(where);
            out.add(std::move(m));
            i = std::max(i, re > 0 ? re - 1 : i);
            break;
        }
    }
}

void extract_all(std::string_view text, std::string_view where, Indicators& out, const PublicSuffixList* psl) {
    extract_urls(text, where, out, psl);
    extract_emails(text, where, out, psl);
    extract_phones(text, where, out);
    extract_wallets(text, where, out);
    extract_money(text, where, out);
}

bool is_shortener(std::string_view registrable) {
    std::string r = to_lower(registrable);
    for (const char* s : kShorteners)
        if (r == s) return true;
    return false;
}

// ---------------------------------------------------------------------------------------------
// Links behind redirectors and proxies: the destination a reader really reaches.

namespace {

std::string percent_decode(std::string_view v) {
    std::string r;
    auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '%' && i + 2 < v.size() && hex(v[i + 1]) >= 0 && hex(v[i + 2]) >= 0) {
            r += char(hex(v[i + 1]) * 16 + hex(v[i + 2]));
            i += 2;
        } else {
            r += v[i];
        }
    }
    return r;
}

// The query parameters of a URL (after '?', before '#'), names lower case, values percent-decoded.
std::vector<std::pair<std::string, std::string>> query_params(std::string_view url) {
    std::vector<std::pair<std::string, std::string>> r;
    std::size_t q = url.find('?');
    if (q == std::string_view::npos) return r;
    std::string_view qs = url.substr(q + 1);
    qs = qs.substr(0, qs.find('#'));
    std::size_t b = 0;
    while (b <= qs.size() && r.size() < 64) {
        std::size_t e = qs.find('&', b);
        if (e == std::string_view::npos) e = qs.size();
        std::string_view kv = qs.substr(b, e - b);
        std::size_t eq = kv.find('=');
        if (eq != std::string_view::npos) r.push_back({to_lower(kv.substr(0, eq)), percent_decode(kv.substr(eq + 1))});
        b = e + 1;
    }
    return r;
}

bool http_url(std::string_view v) { return starts_ci(v, 0, "http://") || starts_ci(v, 0, "https://"); }

std::string with_scheme(std::string v) {
    if (http_url(v)) return v;
    if (v.compare(0, 2, "//") == 0) return "https:" + v;
    return "https://" + v;
}

// A host under a registrable domain whose first label is `label` ("google.com", "google.co.uk").
bool host_is_org(const std::string& host, const std::string& registrable, std::string_view label) {
    (void)host;
    return registrable.compare(0, label.size() + 1, std::string(label) + ".") == 0;
}

// RFC 4648 §5 base64url, for Bing's "u=a1<base64>" click links.
std::string base64url_decode(std::string_view in) {
    std::string out;
    unsigned val = 0;  // only the low bits matter: unsigned, so the shift never overflows (UB for int)
    int bits = -8;
    for (char c : in) {
        int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
              : (c == '-' || c == '+') ? 62 : (c == '_' || c == '/') ? 63 : -1;
        if (d < 0) break;
        val = ((val << 6) | static_cast<unsigned>(d)) & 0xFFFFFFu;
        bits += 6;
        if (bits >= 0) {
            out += char((val >> bits) & 0xFF);
            bits -= 8;
        }
    }
    return out;
}

}  // namespace

std::optional<Redirect> unwrap_redirect(std::string_view url) {
    std::size_t p = url.find("://");
    if (p == std::string_view::npos) return std::nullopt;
    std::string host, rest;
    bool userinfo = false;
    if (!split_authority(url.substr(p + 3), &host, &rest, &userinfo)) return std::nullopt;
    host = to_lower(host);
    std::string reg = analyze_domain(host).registrable;
    std::string path = rest.substr(0, rest.find_first_of("?#"));
    auto params = query_params(rest);
    auto param = [&](std::initializer_list<const char*> names) -> std::string {
        for (const char* n : names)
            for (const auto& kv : params)
                if (kv.first == n && !kv.second.empty()) return kv.second;
        return {};
    };
    Redirect r;
    // Google Translate's proxy: translate.google.com/translate?...&u=SITE, and the
    // SITE-with-dashes.translate.goog host form (dots become '-', '-' becomes "--").
    if ((host == "translate.google.com" || (host_is_org(host, reg, "google") && host.rfind("translate.", 0) == 0)) &&
        (path == "/translate" || path == "/translate_c" || path == "/website")) {
        std::string u = param({"u"});
        if (!u.empty()) r = {with_scheme(u), "Google Translate's proxy", "proxy"};
    } else if (host == "translate.googleusercontent.com") {
        std::string u = param({"u"});
        if (!u.empty()) r = {with_scheme(u), "Google Translate's proxy", "proxy"};
    } else if (domain_within(host, "translate.goog") && host != "translate.goog") {
        std::string label = host.substr(0, host.size() - std::string(".translate.goog").size());
        std::string site;
        for (std::size_t i = 0; i < label.size(); ++i) {
            if (label[i] == '-' && i + 1 < label.size() && label[i + 1] == '-') { site += '-'; ++i; }
            else if (label[i] == '-') site += '.';
            else site += label[i];
        }
        // The proxy's own parameters (_x_tr_sl, _x_tr_tl ...) are not the site's.
        std::string q = rest;
        std::size_t qp = q.find('?');
        std::string kept;
        if (qp != std::string::npos) {
            for (const auto& kv : query_params(q))
                if (kv.first.rfind("_x_tr_", 0) != 0) kept += (kept.empty() ? "?" : "&") + kv.first + "=" + kv.second;
            q = q.substr(0, qp) + kept;
        }
        r = {"https://" + site + q, "Google Translate's proxy (translate.goog)", "proxy"};
    } else if (host_is_org(host, reg, "google") && (path == "/url" || path == "/local_url")) {
        std::string u = param({"q", "url"});
        if (http_url(u)) r = {u, "Google's redirector (google.com/url)", "open-redirect"};
    } else if (host_is_org(host, reg, "google") && path.rfind("/amp/", 0) == 0) {
        std::string t = rest.substr(5);
        bool tls = t.rfind("s/", 0) == 0;
        if (tls) t = t.substr(2);
        if (!t.empty()) r = {(tls ? "https://" : "http://") + t, "Google's AMP viewer", "proxy"};
    } else if (domain_within(host, "cdn.ampproject.org") || domain_within(host, "ampproject.net")) {
        // /c/s/SITE/PATH, /v/s/..., /i/s/... (the 's' says https).
        std::string t = rest;
        std::size_t k = 0;
        if (t.size() > 3 && t[0] == '/' && (t[1] == 'c' || t[1] == 'v' || t[1] == 'i' || t[1] == 'r') && t[2] == '/') k = 3;
        if (k) {
            t = t.substr(k);
            bool tls = t.rfind("s/", 0) == 0;
            if (tls) t = t.substr(2);
            if (!t.empty()) r = {(tls ? "https://" : "http://") + t, "an AMP cache (ampproject.org)", "proxy"};
        }
    } else if (domain_within(host, "safelinks.protection.outlook.com")) {
        std::string u = param({"url"});
        if (http_url(u)) r = {u, "Outlook Safe Links (the receiver's rewriting)", "receiver-rewrite"};
    } else if (domain_within(host, "urldefense.proofpoint.com") || domain_within(host, "urldefense.com")) {
        if (path.rfind("/v3/__", 0) == 0) {
            std::string t = rest.substr(6);
            std::size_t e = t.find("__;");
            if (e == std::string::npos) e = t.rfind("__");
            if (e != std::string::npos) t = t.substr(0, e);
            if (http_url(t)) r = {t, "Proofpoint URL Defense v3 (the receiver's rewriting)", "receiver-rewrite"};
        } else if (path == "/v2/url") {
            // v2: '-' stands for '%', '_' for '/'.
            std::string u = param({"u"}), t;
            for (char c : u) t += c == '-' ? '%' : c == '_' ? '/' : c;
            t = percent_decode(t);
            if (http_url(t)) r = {t, "Proofpoint URL Defense v2 (the receiver's rewriting)", "receiver-rewrite"};
        } else if (path == "/v1/url") {
            std::string u = param({"u"});
            if (http_url(u)) r = {u, "Proofpoint URL Defense v1 (the receiver's rewriting)", "receiver-rewrite"};
        }
    } else if (reg == "bing.com" && path == "/ck/a") {
        std::string u = param({"u"});
        if (u.size() > 2 && u[0] == 'a' && u[1] == '1') {
            std::string t = base64url_decode(u.substr(2));
            if (http_url(t)) r = {t, "Bing's click redirector", "open-redirect"};
        }
    } else {
        // Click trackers and open redirects that carry the destination as a parameter.
        std::string u = param({"url", "u", "q", "redirect", "redirect_url", "redirecturl", "redir", "target", "dest",
                               "destination", "link", "goto", "out", "rurl", "r", "to", "l", "href", "uri"});
        for (int k = 0; k < 2 && !http_url(u) && u.find('%') != std::string::npos; ++k) u = percent_decode(u);
        if (http_url(u)) r = {u, "a redirect through " + reg, "open-redirect"};
    }
    if (r.target.empty()) return std::nullopt;
    // The destination must be a URL with a host of its own.
    std::size_t tp = r.target.find("://");
    std::string th, trest;
    bool ui = false;
    if (tp == std::string::npos || !split_authority(std::string_view(r.target).substr(tp + 3), &th, &trest, &ui) ||
        !plausible_host(th))
        return std::nullopt;
    if (to_lower(th) == host) return std::nullopt;  // a link within the same site is no redirect
    return r;
}

std::string final_destination(std::string_view url) {
    std::string cur(url);
    for (int depth = 0; depth < 4; ++depth) {
        auto r = unwrap_redirect(cur);
        if (!r) break;
        cur = std::move(r->target);
    }
    return cur;
}

void unwrap_redirects(Indicators& ind, const PublicSuffixList* psl) {
    std::size_t n = ind.items.size();
    for (std::size_t k = 0; k < n && k < ind.items.size(); ++k) {
        if (ind.items[k].kind != "url") continue;
        std::string url = ind.items[k].value, where = ind.items[k].where, via;
        std::string link_text = ind.items[k].link_text;
        for (int depth = 0; depth < 4; ++depth) {
            auto r = unwrap_redirect(url);
            if (!r) break;
            if (depth == 0) {
                ind.items[k].flags.push_back("redirector");
                ind.items[k].target = r->target;
                ind.items[k].via = r->via;
            }
            std::size_t tp = r->target.find("://");
            std::string host, rest;
            bool userinfo = false;
            if (!split_authority(std::string_view(r->target).substr(tp + 3), &host, &rest, &userinfo)) break;
            Indicator t = make_url(to_lower(r->target.substr(0, tp)), host, rest, r->target, where + " (behind " + r->via + ")", psl, nullptr);
            t.flags.push_back("unwrapped");
            t.flags.push_back("via-" + r->kind);
            if (userinfo) t.flags.push_back("userinfo");
            t.link_text = link_text;
            t.via = r->via;
            url = t.value;
            ind.add(std::move(t));
            if (ind.items.size() >= 6000) return;
        }
    }
}

}  // namespace auth
