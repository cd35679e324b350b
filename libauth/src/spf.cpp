// SPF (RFC 7208) over libspf2 through auth::Resolver, and the `authscope spf` analysis.
#include "auth/spf.hpp"
#include "auth/spf_tool.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <sstream>

#include "auth/ar.hpp"
#include "auth/authres.hpp"
#include "auth/error.hpp"
#include "detail/libspf2_dns.hpp"
#include "detail/text.hpp"

namespace auth {
namespace {

using detail::strip_dot;

// RFC 7208 §4.3: labels of 1..63 octets, at most 253 in all, and more than one label.
bool valid_domain(const std::string& d, std::string& why) {
    std::string s = strip_dot(d);
    if (s.empty()) { why = "the domain is empty"; return false; }
    if (s.front() == '[') { why = "'" + s + "' is an address literal, not a domain"; return false; }
    if (s.size() > 253) { why = "'" + s + "' is longer than 253 characters"; return false; }
    if (s.find('.') == std::string::npos) { why = "'" + s + "' is not a fully qualified domain name"; return false; }
    std::size_t start = 0;
    while (true) {
        std::size_t dot = s.find('.', start);
        std::size_t len = (dot == std::string::npos ? s.size() : dot) - start;
        if (len == 0) { why = "'" + s + "' has an empty label"; return false; }
        if (len > 63) { why = "'" + s + "' has a label longer than 63 characters"; return false; }
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return true;
}

// The client address in text form; IPv4-mapped IPv6 becomes IPv4 (RFC 7208 §5: the address is
// compared as the IPv4 address it stands for). "" when not an address.
std::string client_ip(const std::string& ip) {
    in_addr a4;
    in6_addr a6;
    char buf[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, ip.c_str(), &a4) == 1) return inet_ntop(AF_INET, &a4, buf, sizeof buf);
    if (inet_pton(AF_INET6, ip.c_str(), &a6) == 1) {
        if (IN6_IS_ADDR_V4MAPPED(&a6)) {
            std::memcpy(&a4, &a6.s6_addr[12], 4);
            return inet_ntop(AF_INET, &a4, buf, sizeof buf);
        }
        return inet_ntop(AF_INET6, &a6, buf, sizeof buf);
    }
    return "";
}

std::string qualifier_result(char q) {
    switch (q) {
        case '-': return "fail";
        case '~': return "softfail";
        case '?': return "neutral";
        default: return "pass";
    }
}

// True when ip lies in network/len (RFC 7208 §5.6, ip4 and ip6 mechanisms).
bool in_network(const std::string& ip, const std::string& spec, bool v6) {
    std::size_t sl = spec.find('/');
    std::string net = spec.substr(0, sl);
    int len = v6 ? 128 : 32;
    if (sl != std::string::npos) {
        try { len = std::stoi(spec.substr(sl + 1)); } catch (...) { return false; }
    }
    unsigned char a[16], b[16];
    int af = v6 ? AF_INET6 : AF_INET;
    if (inet_pton(af, ip.c_str(), a) != 1 || inet_pton(af, net.c_str(), b) != 1) return false;
    for (int i = 0; i < len; ++i)
        if (((a[i / 8] >> (7 - i % 8)) & 1) != ((b[i / 8] >> (7 - i % 8)) & 1)) return false;
    return true;
}

// The term that decided the result, read from the records libspf2 evaluated: the first term whose
// qualifier gives the result and which could match (ip4/ip6/all are checked here; DNS terms are
// taken as the match), else the redirect's target followed.
std::string deciding_term(const detail::SpfDnsState& st, const std::string& domain, const std::string& result,
                          const std::string& ip, int depth = 0) {
    if (depth > 10) return "";
    const std::string* rec = nullptr;
    for (const auto& r : st.records)
        if (r.first == domain) { rec = &r.second; break; }
    if (!rec) return "";
    std::istringstream in(*rec);
    std::string term, redirect;
    in >> term;  // v=spf1
    bool v6 = ip.find(':') != std::string::npos;
    while (in >> term) {
        std::string low = to_lower(term);
        std::size_t eq = low.find('=');
        if (eq != std::string::npos && low.find(':') > eq) {
            if (low.compare(0, 9, "redirect=") == 0) redirect = low.substr(9);
            continue;
        }
        char q = std::string("+-~?").find(low[0]) != std::string::npos ? low[0] : '+';
        std::string m = low[0] == q ? low.substr(1) : low;
        if (qualifier_result(q) != result) continue;
        if (m == "all") return term;
        if (m.compare(0, 4, "ip4:") == 0) { if (!v6 && in_network(ip, m.substr(4), false)) return term; continue; }
        if (m.compare(0, 4, "ip6:") == 0) { if (v6 && in_network(ip, m.substr(4), true)) return term; continue; }
        return term;
    }
    if (!redirect.empty()) {
        std::string inner = deciding_term(st, strip_dot(redirect), result, ip, depth + 1);
        return "redirect=" + redirect + (inner.empty() ? "" : " -> " + inner);
    }
    return "";
}

SpfCheck check_identity(const std::string& ip_in, const std::string& domain_in, const std::string& local,
                        const std::string& helo, const std::string& identity, Resolver& dns,
                        const SpfLimits& limits) {
    SpfCheck out;
    out.identity = identity;
    std::string domain = strip_dot(to_lower(domain_in));
    out.domain = domain;
    out.sender = (local.empty() ? "postmaster" : local) + "@" + domain;
    std::string ip = client_ip(ip_in);
    if (ip.empty()) {
        out.result = Result::none;
        out.reason = {"bad-ip", "The client address '" + ip_in + "' is not an IPv4 or IPv6 address."};
        return out;
    }
    std::string why;
    if (!valid_domain(domain, why)) {
        // RFC 7208 §4.3: a malformed domain gives none before any DNS query.
        out.result = Result::none;
        out.reason = {"malformed-domain", "No SPF check is possible: " + why + " (RFC 7208 §4.3)."};
        return out;
    }
    for (unsigned char c : domain)
        if (c >= 0x80) {
            out.result = Result::none;
            out.reason = {"malformed-domain", "No SPF check is possible: '" + domain + "' is not an ASCII (A-label) domain name."};
            return out;
        }
    detail::SpfDnsState st;
    st.dns = &dns;
    st.limits = limits;
    st.macro.sender = out.sender;
    st.macro.local = local.empty() ? "postmaster" : local;
    st.macro.sender_domain = domain;
    st.macro.domain = domain;
    st.macro.ip = ip.find(':') == std::string::npos ? ip : ip_in;
    st.macro.helo = helo;
    st.macro.dns = &dns;
    SpfCheck r = detail::libspf2_check_host(ip, domain, out.sender, helo, st);
    r.identity = identity;
    r.domain = domain;
    if (r.result == Result::pass || r.result == Result::fail || r.result == Result::softfail ||
        (r.result == Result::neutral && r.reason.code != "no-match"))
        r.mechanism = deciding_term(st, domain, std::string(to_string(r.result)), ip);
    if (r.result == Result::fail) {
        detail::MacroContext ctx;
        ctx.sender = out.sender;
        ctx.local = local.empty() ? "postmaster" : local;
        ctx.sender_domain = domain;
        ctx.domain = domain;
        // %{i} keeps the case the address was written in; a mapped IPv4 address is IPv4.
        ctx.ip = ip.find(':') == std::string::npos ? ip : ip_in;
        ctx.helo = helo;
        ctx.dns = &dns;
        r.explanation = detail::spf_explanation(st, domain, ctx, r.mechanism);
    }
    return r;
}

}  // namespace

SpfCheck spf_check(const SpfRequest& req, Resolver& dns, const SpfLimits& limits) {
    std::string mf = req.mail_from;
    if (mf == "<>") mf.clear();
    if (mf.size() >= 2 && mf.front() == '<' && mf.back() == '>') mf = mf.substr(1, mf.size() - 2);
    if (mf.empty()) return spf_check_helo(req, dns, limits);
    std::size_t at = mf.rfind('@');
    if (at == std::string::npos) return check_identity(req.ip, mf, "", req.helo, "mailfrom", dns, limits);
    return check_identity(req.ip, mf.substr(at + 1), mf.substr(0, at), req.helo, "mailfrom", dns, limits);
}

SpfCheck spf_check_helo(const SpfRequest& req, Resolver& dns, const SpfLimits& limits) {
    return check_identity(req.ip, req.helo, "postmaster", req.helo, "helo", dns, limits);
}

std::optional<SpfRecorded> spf_recorded(const Message& msg) {
    std::size_t idx = 0;
    for (const HeaderField* f : msg.all("Received-SPF")) {
        ++idx;
        if (auto r = parse_received_spf(f->value)) {
            SpfRecorded out;
            out.source = "Received-SPF";
            out.header_index = idx;
            out.result = r->result;
            out.text = f->value;
            out.client_ip = r->client_ip;
            out.helo = r->helo;
            out.mail_from = r->envelope_from;
            return out;
        }
    }
    // Authentication-Results of any authserv-id: the topmost field with an spf= clause.
    idx = 0;
    for (const HeaderField* f : msg.all("Authentication-Results")) {
        ++idx;
        AuthResults ar = parse_authentication_results(f->value);
        for (const auto& c : ar.results) {
            if (c.method != "spf") continue;
            auto res = result_from_string(c.result);
            if (!res) continue;
            SpfRecorded out;
            out.source = "Authentication-Results";
            out.header_index = idx;
            out.result = *res;
            out.text = f->value;
            out.mail_from = ar_property(c, "smtp.mailfrom");
            out.helo = ar_property(c, "smtp.helo");
            return out;
        }
    }
    return std::nullopt;
}

namespace {

Json source_json(const Sourced& s) {
    if (s.header.empty()) return nullptr;
    Json j;
    j["header"] = s.header;
    if (s.hop) j["hop"] = s.hop; else j["hop"] = nullptr;
    if (!s.note.empty()) j["note"] = s.note;
    return j;
}

std::string describe_source(const std::string& what, const std::string& value, const Sourced& s) {
    std::string v = value.empty() && what == "mail_from" ? "<> (null sender)" : value;
    std::string out = "  " + what + " " + v + ": ";
    if (s.header == "flag") out += "given on the command line";
    else if (s.header == "Received") out += "from Received hop " + std::to_string(s.hop);
    else if (s.header == "Return-Path") out += "from Return-Path" + (s.hop > 1 ? " #" + std::to_string(s.hop) : std::string());
    else out += "from " + s.header + (s.hop ? " #" + std::to_string(s.hop) : std::string());
    if (!s.note.empty()) out += " (" + s.note + ")";
    return out + "\n";
}

}  // namespace

ArClause spf_ar_clause(Result result, const std::string& reason, const std::string& mail_from, const std::string& helo) {
    ArClause cl;
    cl.method = "spf";
    cl.result = std::string(to_string(result));
    cl.reason = reason;
    if (!mail_from.empty()) cl.properties.emplace_back("smtp.mailfrom", mail_from);
    if (!helo.empty()) cl.properties.emplace_back("smtp.helo", helo);
    return cl;
}

Outcome spf_analyze(const SpfToolOptions& opts, const Message* msg, Resolver& dns, const CommonOptions& common) {
    Envelope env;
    if (msg) env = derive_envelope(*msg, opts.trusted_hosts);
    if (!opts.ip.empty()) env.ip = {opts.ip, "flag", 0, ""};
    if (!opts.helo.empty()) env.helo = {opts.helo, "flag", 0, ""};
    if (opts.mail_from_given) {
        env.mail_from = {opts.mail_from == "<>" ? "" : opts.mail_from, "flag", 0, ""};
        env.have_mail_from = true;
    }
    if (env.ip.value.empty())
        throw InputError(msg ? "no connecting IP could be derived from the Received chain; give --ip (or --trusted-host)"
                             : "no sample and no --ip: give --ip, --mail-from and --helo, or a sample");
    if (!env.have_mail_from && env.helo.value.empty())
        throw InputError("neither MAIL FROM (no Return-Path) nor HELO could be derived; give --mail-from or --helo");
    if (env.have_mail_from && env.mail_from.value.empty() && env.helo.value.empty())
        throw InputError("the sender is null (<>) and no HELO could be derived; give --helo");
    if (!env.have_mail_from) {
        // Without MAIL FROM the HELO identity is checked (RFC 7208 §2.3).
        env.mail_from = {"", "", 0, ""};
    }
    SpfRequest req{env.ip.value, env.helo.value, env.mail_from.value};
    SpfCheck c = spf_check(req, dns, opts.limits);

    std::optional<SpfRecorded> rec;
    if (msg) rec = spf_recorded(*msg);
    bool differs = rec && rec->result != c.result;

    Outcome o;
    Json& j = o.json;
    j["result"] = std::string(to_string(c.result));
    j["reason"] = {{"code", c.reason.code}, {"text", c.reason.text}};
    j["ip"] = env.ip.value;
    j["helo"] = env.helo.value.empty() ? Json(nullptr) : Json(env.helo.value);
    j["mail_from"] = env.mail_from.value;
    j["identity"] = c.identity;
    j["domain"] = c.domain;
    j["sources"] = {{"ip", source_json(env.ip)}, {"helo", source_json(env.helo)}, {"mail_from", source_json(env.mail_from)}};
    j["mechanism"] = c.mechanism.empty() ? Json(nullptr) : Json(c.mechanism);
    j["explanation"] = c.explanation.empty() ? Json(nullptr) : Json(c.explanation);
    j["record"] = c.record.empty() ? Json(nullptr) : Json(c.record);
    j["lookups"] = c.lookups;
    j["void_lookups"] = c.void_lookups;
    if (rec) {
        Json r;
        r["source"] = rec->source;
        r["index"] = rec->header_index;
        r["result"] = std::string(to_string(rec->result));
        r["text"] = rec->text;
        j["recorded"] = r;
    } else {
        j["recorded"] = nullptr;
    }
    j["differs"] = differs;

    std::ostringstream t;
    t << "spf: " << to_string(c.result) << " for " << (c.identity == "helo" ? "HELO " : "MAIL FROM ")
      << c.sender << " from " << env.ip.value << "\n";
    t << "  why: " << c.reason.text << "\n";
    if (!c.mechanism.empty()) t << "  decided by: " << c.mechanism << "\n";
    if (!c.explanation.empty()) t << "  explanation (exp=): " << c.explanation << "\n";
    if (!c.record.empty()) t << "  record of " << c.domain << ": " << c.record << "\n";
    t << "  lookups: " << c.lookups << " DNS-querying terms, " << c.void_lookups << " void\n";
    t << describe_source("ip", env.ip.value, env.ip);
    if (!env.helo.value.empty()) t << describe_source("helo", env.helo.value, env.helo);
    if (env.have_mail_from) t << describe_source("mail_from", env.mail_from.value, env.mail_from);
    if (rec) {
        std::string where = rec->source + (rec->header_index > 1 ? " #" + std::to_string(rec->header_index) : "");
        if (differs)
            t << "  recorded: the receiver recorded " << to_string(rec->result) << " at the time (" << where
              << "); today's evaluation gives " << to_string(c.result) << ": records change\n";
        else
            t << "  recorded: the receiver recorded " << to_string(rec->result) << " at the time (" << where
              << "), the same as today\n";
    }
    o.text = t.str();

    o.ar = format_authentication_results(common.authserv_id, {spf_ar_clause(c.result, c.reason.text, env.mail_from.value, env.helo.value)});
    o.exit = exit_status_for(c.result);
    return o;
}

}  // namespace auth
