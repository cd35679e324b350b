// RFC 7208 §7 macro expansion and §6.2 explanations, done here rather than by libspf2 1.2.10,
// whose explanation handling mangles spaces and several macros.
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <vector>

#include "auth/message.hpp"
#include "detail/libspf2_dns.hpp"
#include "detail/text.hpp"

namespace auth::detail {
namespace {

std::vector<std::string> split_any(const std::string& s, const std::string& delims) {
    std::vector<std::string> out(1);
    for (char c : s) {
        if (delims.find(c) != std::string::npos) out.emplace_back();
        else out.back() += c;
    }
    return out;
}

// RFC 3986 §2.3: everything but unreserved characters is %-escaped (uppercase macros, §7.3).
std::string url_escape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
        else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

// %{i}: dotted IPv4, or the 32 nibbles of an IPv6 address (RFC 7208 §7.3), in the case the
// address was written in.
std::string ip_macro(const std::string& ip) {
    unsigned char b[16];
    if (inet_pton(AF_INET, ip.c_str(), b) == 1) {
        char buf[INET_ADDRSTRLEN];
        return inet_ntop(AF_INET, b, buf, sizeof buf);
    }
    if (inet_pton(AF_INET6, ip.c_str(), b) != 1) return ip;
    bool upper = false;
    for (char c : ip) if (c >= 'A' && c <= 'F') upper = true;
    const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i) out += '.';
        out += hex[b[i] >> 4];
        out += '.';
        out += hex[b[i] & 15];
    }
    return out;
}

std::string readable_ip(const std::string& ip) {
    unsigned char b[16];
    char buf[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, ip.c_str(), b) == 1) return inet_ntop(AF_INET, b, buf, sizeof buf);
    if (inet_pton(AF_INET6, ip.c_str(), b) == 1) return inet_ntop(AF_INET6, b, buf, sizeof buf);
    return ip;
}

// RFC 7208 §5.5 validated domain of the client for %{p}: a PTR name whose A/AAAA holds the
// address; the target domain or a subdomain of it preferred; "unknown" when none.
std::string validated_domain(const MacroContext& ctx) {
    if (!ctx.dns) return "unknown";
    unsigned char b[16];
    bool v6 = inet_pton(AF_INET6, ctx.ip.c_str(), b) == 1;
    if (!v6 && inet_pton(AF_INET, ctx.ip.c_str(), b) != 1) return "unknown";
    std::string rev;
    if (v6) {
        const char* hex = "0123456789abcdef";
        for (int i = 15; i >= 0; --i) {
            rev += hex[b[i] & 15]; rev += '.';
            rev += hex[b[i] >> 4]; rev += '.';
        }
        rev += "ip6.arpa";
    } else {
        rev = std::to_string(b[3]) + "." + std::to_string(b[2]) + "." + std::to_string(b[1]) + "." +
              std::to_string(b[0]) + ".in-addr.arpa";
    }
    DnsAnswer ptr = ctx.dns->query(rev, RRType::PTR);
    if (ptr.status != DnsStatus::ok) return "unknown";
    std::string first, best;
    int n = 0;
    for (const auto& r : ptr.records) {
        if (r.type != RRType::PTR || ++n > 10) continue;
        std::string name = r.target;
        if (!name.empty() && name.back() == '.') name.pop_back();
        DnsAnswer a = ctx.dns->query(name, v6 ? RRType::AAAA : RRType::A);
        bool ok = false;
        for (const auto& x : a.records) {
            unsigned char c[16];
            if (inet_pton(v6 ? AF_INET6 : AF_INET, x.target.c_str(), c) == 1 && std::memcmp(b, c, v6 ? 16 : 4) == 0)
                ok = true;
        }
        if (!ok) continue;
        if (first.empty()) first = name;
        std::string ln = to_lower(name), d = to_lower(ctx.domain);
        if (best.empty() && (ln == d || (ln.size() > d.size() && ln.compare(ln.size() - d.size() - 1, std::string::npos, "." + d) == 0)))
            best = name;
    }
    if (!best.empty()) return best;
    return first.empty() ? "unknown" : first;
}

}  // namespace

std::optional<std::string> spf_expand(const std::string& text, const MacroContext& ctx, bool exp, bool domain) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c != '%') {
            if (static_cast<unsigned char>(c) > 0x7e || (static_cast<unsigned char>(c) < 0x21 && !(exp && c == ' ')))
                return std::nullopt;
            out += c;
            continue;
        }
        if (i + 1 >= text.size()) return std::nullopt;
        char n = text[++i];
        if (n == '%') { out += '%'; continue; }
        if (n == '_') { out += ' '; continue; }
        if (n == '-') { out += "%20"; continue; }
        if (n != '{') return std::nullopt;
        std::size_t close = text.find('}', i);
        if (close == std::string::npos || close == i + 1) return std::nullopt;
        std::string body = text.substr(i + 1, close - i - 1);
        i = close;
        char letter = body[0];
        bool upper = std::isupper(static_cast<unsigned char>(letter)) != 0;
        char l = static_cast<char>(std::tolower(static_cast<unsigned char>(letter)));
        std::string value;
        switch (l) {
            case 's': value = ctx.sender; break;
            case 'l': value = ctx.local; break;
            case 'o': value = ctx.sender_domain; break;
            case 'd': value = ctx.domain; break;
            case 'i': value = ip_macro(ctx.ip); break;
            case 'p': value = validated_domain(ctx); break;
            case 'v': value = ctx.ip.find(':') != std::string::npos ? "ip6" : "in-addr"; break;
            case 'h': value = ctx.helo; break;
            case 'c': if (!exp) return std::nullopt; value = readable_ip(ctx.ip); break;
            case 'r': if (!exp) return std::nullopt; value = "unknown"; break;
            case 't': if (!exp) return std::nullopt; value = std::to_string(static_cast<long long>(std::time(nullptr))); break;
            default: return std::nullopt;
        }
        std::size_t j = 1;
        std::size_t keep = 0;
        while (j < body.size() && std::isdigit(static_cast<unsigned char>(body[j]))) {
            keep = keep * 10 + static_cast<std::size_t>(body[j] - '0');
            if (keep > 1000) keep = 1000;
            ++j;
        }
        if (j > 1 && keep == 0) return std::nullopt;
        bool reverse = false;
        if (j < body.size() && (body[j] == 'r' || body[j] == 'R')) { reverse = true; ++j; }
        std::string delims;
        for (; j < body.size(); ++j) {
            if (std::string(".-+,/_=").find(body[j]) == std::string::npos) return std::nullopt;
            delims += body[j];
        }
        if (delims.empty()) delims = ".";
        if (j > 1 || reverse || delims != ".") {
            std::vector<std::string> parts = split_any(value, delims);
            if (reverse) std::reverse(parts.begin(), parts.end());
            if (keep && parts.size() > keep) parts.erase(parts.begin(), parts.end() - static_cast<std::ptrdiff_t>(keep));
            value.clear();
            for (std::size_t k = 0; k < parts.size(); ++k) value += (k ? "." : "") + parts[k];
        }
        out += upper ? url_escape(value) : value;
        if (out.size() > 8192) return std::nullopt;
    }
    if (domain) {
        // RFC 7208 §7.3: over 253 octets, labels are removed from the left until it fits.
        while (strip_dot(out).size() > 253) {
            std::size_t dot = out.find('.');
            if (dot == std::string::npos) return std::nullopt;
            out = out.substr(dot + 1);
        }
    }
    return out;
}

std::string spf_explanation(const SpfDnsState& st, const std::string& domain_in, const MacroContext& ctx_in,
                            const std::string& deciding_term) {
    // The record whose evaluation gave the fail: the first one, or the redirect's target(s)
    // when the deciding term was reached through redirect= (RFC 7208 §6.1: its exp= counts).
    std::string domain = strip_dot(to_lower(domain_in));
    MacroContext ctx = ctx_in;
    std::string term = deciding_term;
    for (int depth = 0; depth < 12; ++depth) {
        const std::string* rec = nullptr;
        for (const auto& r : st.records)
            if (r.first == domain) { rec = &r.second; break; }
        if (!rec) return "";
        ctx.domain = domain;
        std::istringstream in(*rec);
        std::string t, exp_spec, redirect_spec;
        in >> t;
        while (in >> t) {
            std::string low = to_lower(t);
            if (low.compare(0, 4, "exp=") == 0) exp_spec = t.substr(4);
            if (low.compare(0, 9, "redirect=") == 0) redirect_spec = t.substr(9);
        }
        if (term.compare(0, 9, "redirect=") == 0 && !redirect_spec.empty()) {
            auto target = spf_expand(redirect_spec, ctx, false, true);
            if (!target) return "";
            domain = strip_dot(to_lower(*target));
            std::size_t arrow = term.find(" -> ");
            term = arrow == std::string::npos ? "" : term.substr(arrow + 4);
            continue;
        }
        if (exp_spec.empty()) return "";
        auto name = spf_expand(exp_spec, ctx, false, true);
        if (!name || name->empty() || !ctx.dns) return "";
        DnsAnswer a = ctx.dns->query(*name, RRType::TXT);
        if (a.status != DnsStatus::ok) return "";
        std::vector<std::string> txt;
        for (const auto& r : a.records)
            if (r.type == RRType::TXT) txt.push_back(r.text());
        // RFC 7208 §6.2: exactly one record, else as if there were no exp=.
        if (txt.size() != 1) return "";
        auto text = spf_expand(txt[0], ctx, true, false);
        return text ? *text : "";
    }
    return "";
}

}  // namespace auth::detail
