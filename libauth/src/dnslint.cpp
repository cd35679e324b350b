#include "auth/dnslint.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "auth/address.hpp"
#include "auth/dkim_key.hpp"
#include "auth/dmarc.hpp"
#include "auth/message.hpp"
#include "auth/result.hpp"
#include "detail/libspf2_dns.hpp"

namespace auth {
namespace {

std::string no_dot(std::string s) {
    while (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

bool is_spf(const std::string& t) {
    std::string l = to_lower(t);
    return l == "v=spf1" || l.rfind("v=spf1 ", 0) == 0;
}

std::vector<std::string> split_ws(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ' ' || c == '\t') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

struct SpfWalk {
    Resolver& dns;
    DomainLint& out;
    std::set<std::string> visiting;
    int depth = 0;

    void add(const std::string& sev, const std::string& code, const std::string& text, const std::string& name) {
        out.findings.push_back({"spf", sev, code, text, name});
    }

    // Fetches the one SPF record of a domain; "" when none (or several, reported).
    std::string fetch(const std::string& domain, bool top, std::vector<std::string>* all = nullptr) {
        DnsAnswer a = dns.query(domain, RRType::TXT);
        if (is_temporary(a.status)) {
            out.temperror = true;
            add("error", "spf-dns-error", "The TXT lookup of " + domain + " failed (" + to_string(a.status) + ").", domain);
            return {};
        }
        std::vector<std::string> recs;
        for (const auto& r : a.records)
            if (is_spf(r.text())) recs.push_back(r.text());
        if (all) *all = recs;
        if (recs.size() > 1) {
            add("error", "spf-multiple-records",
                domain + " publishes " + std::to_string(recs.size()) + " SPF records; SPF gives permerror (RFC 7208 §4.5).", domain);
            return {};
        }
        if (recs.empty()) {
            if (top) add("warning", "spf-none", domain + " publishes no SPF record.", domain);
            return {};
        }
        return recs[0];
    }

    // Counts the DNS-querying terms of a record, following include: and redirect= (RFC 7208 §4.6.4).
    void walk(const std::string& domain, const std::string& record) {
        if (depth > 20) return;
        std::string err = detail::spf_record_syntax_error(record);
        if (!err.empty()) {
            if (!err.empty() && err.back() != '.') err += '.';
            add("error", "spf-syntax", "The SPF record of " + domain + " is not valid: " + err, domain);
            return;
        }
        visiting.insert(domain);
        bool has_all = false;
        std::string redirect;
        for (const auto& term : split_ws(record)) {
            std::string t = to_lower(term);
            if (t == "v=spf1") continue;
            char q = '+';
            if (t[0] == '+' || t[0] == '-' || t[0] == '~' || t[0] == '?') {
                q = t[0];
                t = t.substr(1);
            }
            std::string name = t, arg;
            auto sep = t.find_first_of(":=/");
            if (sep != std::string::npos) {
                name = t.substr(0, sep);
                arg = term.substr(term.size() - (t.size() - sep) + (t[sep] == '/' ? 0 : 1));
            }
            if (sep != std::string::npos && t[sep] == '=') {
                if (name == "redirect") redirect = arg;
                continue;
            }
            bool macro = arg.find('%') != std::string::npos;
            if (name == "all") {
                has_all = true;
                if (depth == 0 && q == '+')
                    add("error", "spf-all-pass", domain + " ends in +all: every host on the Internet passes SPF.", domain);
                if (depth == 0 && q == '?')
                    add("warning", "spf-all-neutral", domain + " ends in ?all: SPF never fails for it.", domain);
            } else if (name == "include") {
                ++out.spf_lookups;
                if (macro) {
                    add("info", "spf-macro", "include:" + arg + " uses macros; its lookups are not counted.", domain);
                    continue;
                }
                std::string target = no_dot(to_lower(arg));
                if (visiting.count(target)) {
                    add("error", "spf-include-loop", "include:" + target + " loops back (RFC 7208 §5.2).", domain);
                    continue;
                }
                std::string rec = fetch(target, false);
                if (rec.empty()) {
                    if (!out.temperror) {
                        ++out.spf_void_lookups;
                        add("error", "spf-include-missing",
                            "include:" + target + " has no SPF record: SPF gives permerror (RFC 7208 §5.2).", domain);
                    }
                    continue;
                }
                ++depth;
                walk(target, rec);
                --depth;
            } else if (name == "a" || name == "mx" || name == "exists" || name == "ptr") {
                ++out.spf_lookups;
                if (name == "ptr")
                    add("warning", "spf-ptr", domain + " uses ptr, which is slow and unreliable (RFC 7208 §5.5: SHOULD NOT).", domain);
                std::string target = arg;
                if (auto slash = target.find('/'); slash != std::string::npos) target.resize(slash);
                if (target.empty()) target = domain;
                if (name == "ptr" || macro) continue;
                target = no_dot(to_lower(target));
                RRType ty = name == "mx" ? RRType::MX : RRType::A;
                DnsAnswer a = dns.query(target, ty);
                bool voided = a.status == DnsStatus::nxdomain || (a.status != DnsStatus::ok) || a.records.empty();
                if (name == "a" && voided && !is_temporary(a.status)) {
                    DnsAnswer b = dns.query(target, RRType::AAAA);
                    voided = b.records.empty();
                }
                if (voided && !is_temporary(a.status)) ++out.spf_void_lookups;
                if (name == "mx" && a.records.size() > 10)
                    add("error", "spf-mx-too-many", name + ":" + target + " has " + std::to_string(a.records.size()) +
                                                        " MX hosts; more than 10 is a permerror (RFC 7208 §4.6.4).", domain);
            }
        }
        if (!redirect.empty()) {
            ++out.spf_lookups;
            if (has_all) {
                add("info", "spf-redirect-ignored", "redirect=" + redirect + " is ignored because the record has all (RFC 7208 §6.1).", domain);
            } else if (redirect.find('%') == std::string::npos) {
                std::string target = no_dot(to_lower(redirect));
                if (visiting.count(target)) {
                    add("error", "spf-include-loop", "redirect=" + target + " loops back.", domain);
                } else {
                    std::string rec = fetch(target, false);
                    if (rec.empty()) {
                        if (!out.temperror)
                            add("error", "spf-redirect-missing", "redirect=" + target + " has no SPF record: permerror (RFC 7208 §6.1).", domain);
                    } else {
                        ++depth;
                        walk(target, rec);
                        --depth;
                    }
                }
            }
        } else if (!has_all && depth == 0) {
            add("info", "spf-no-all", domain + "'s SPF record has no all and no redirect=; unmatched hosts get neutral.", domain);
        }
        visiting.erase(domain);
    }
};

void lint_spf(const std::string& domain, Resolver& dns, DomainLint& out) {
    SpfWalk w{dns, out, {}, 0};
    std::string rec = w.fetch(domain, true, &out.spf_records);
    if (rec.empty()) return;
    w.walk(domain, rec);
    if (out.spf_lookups > 10)
        w.add("error", "spf-too-many-lookups",
              "Evaluating SPF for " + domain + " needs " + std::to_string(out.spf_lookups) +
                  " DNS-querying terms (includes followed); more than 10 is a permerror (RFC 7208 §4.6.4).", domain);
    if (out.spf_void_lookups > 2)
        w.add("error", "spf-void-lookups", std::to_string(out.spf_void_lookups) +
                                               " lookups return no records; more than 2 is a permerror (RFC 7208 §4.6.4).", domain);
    else if (out.spf_void_lookups > 0)
        w.add("warning", "spf-void-lookups", std::to_string(out.spf_void_lookups) +
                                                 " lookups return no records (RFC 7208 §4.6.4 allows 2).", domain);
}

void lint_dmarc(const std::string& domain, Resolver& dns, DomainLint& out) {
    auto add = [&](const std::string& sev, const std::string& code, const std::string& text, const std::string& name) {
        out.findings.push_back({"dmarc", sev, code, text, name});
    };
    std::string name = "_dmarc." + domain;
    DnsAnswer a = dns.query(name, RRType::TXT);
    int n = 0;
    for (const auto& r : a.records) {
        std::string t = r.text();
        std::string l = to_lower(t);
        if (l.find("dmarc1") != std::string::npos && l.find("v") < 3) ++n;
    }
    if (n > 1) add("error", "dmarc-multiple-records", name + " has " + std::to_string(n) + " DMARC records; receivers ignore them all (RFC 9989 §4.10).", name);
    DmarcOptions o;
    o.check_nonexistent = false;
    DmarcReport r = evaluate_dmarc(domain, {}, std::nullopt, dns, o);
    out.dmarc_policy_domain = r.policy_domain;
    out.dmarc_org_domain = r.org_domain;
    if (r.result == Result::temperror) {
        out.temperror = true;
        add("error", "dmarc-dns-error", r.reason.text, name);
        return;
    }
    if (r.policy_domain.empty()) {
        add("warning", "dmarc-none", "No DMARC record for " + domain + " or its parents: receivers apply no policy.", name);
        return;
    }
    if (!r.policy) {
        add("error", "dmarc-" + r.reason.code, r.reason.text, "_dmarc." + r.policy_domain);
        return;
    }
    const DmarcRecord& p = *r.policy;
    out.dmarc_record = p.text;
    std::string at = "_dmarc." + r.policy_domain;
    if (r.policy_domain != domain)
        add("info", "dmarc-inherited", domain + " has no record of its own; the record at " + at + " applies (" +
                                           r.applied_tag + "=" + to_string(*r.applied_policy) + ").", at);
    if (*r.applied_policy == DmarcPolicy::none)
        add("warning", "dmarc-p-none", "The policy is none: failing mail is only reported, never quarantined or rejected.", at);
    if (p.rua.empty()) add("warning", "dmarc-no-rua", "No rua=: nobody receives aggregate reports for " + r.policy_domain + ".", at);
    if (p.psd == 'y' && r.policy_domain == domain)
        add("info", "dmarc-psd", domain + " declares itself a public suffix domain (psd=y): its subdomains are separate organizations.", at);
    if (p.testing) add("warning", "dmarc-testing", "t=y: receivers apply one step less than the policy.", at);
    if (!p.p_given) add("warning", "dmarc-p-missing", "p= is missing or invalid; taken as none because rua= is valid.", at);
    for (const auto& w : p.warnings) add("info", "dmarc-ignored-tag", w, at);
    for (const auto& d : r.report_destinations)
        if (d.status == "not-authorized")
            add("warning", "dmarc-report-unauthorized", d.tag + " destination " + d.domain + " has not authorized reports (no v=DMARC1 at " +
                                                            d.checked_name + "); receivers will not send them.", d.checked_name);
}

void lint_dkim(const std::string& domain, const std::string& sel, Resolver& dns, DomainLint& out) {
    auto add = [&](const std::string& sev, const std::string& code, const std::string& text, const std::string& name) {
        out.findings.push_back({"dkim", sev, code, text, name});
    };
    DkimKeyLint k;
    k.selector = sel;
    k.name = sel + "._domainkey." + domain;
    DnsAnswer a = dns.query(k.name, RRType::TXT);
    k.status = to_string(a.status);
    for (const auto& r : a.records) k.records.push_back(r.text());
    if (is_temporary(a.status)) {
        out.temperror = true;
        add("error", "dkim-dns-error", "The lookup of " + k.name + " failed (" + k.status + ").", k.name);
    } else if (k.records.empty()) {
        add("error", "dkim-key-missing", "No key record at " + k.name + ".", k.name);
    } else if (k.records.size() > 1) {
        add("error", "dkim-multiple-records", k.name + " has " + std::to_string(k.records.size()) + " TXT records; verifiers may pick any (RFC 6376 §3.6.2.2).", k.name);
    } else {
        DkimKeyParse kp = parse_dkim_key(k.records[0]);
        if (!kp.ok()) {
            add("error", "dkim-key-syntax", "The key record at " + k.name + " is not usable: " + kp.error->text, k.name);
        } else {
            const auto& rec = kp.record;
            k.key_type = rec.key_type;
            k.key_bits = rec.key_bits;
            k.testing = rec.testing();
            k.revoked = rec.revoked;
            if (rec.revoked) add("warning", "dkim-key-revoked", "The key at " + k.name + " is revoked (empty p=): signatures with it fail.", k.name);
            if (rec.testing()) add("warning", "dkim-key-testing", "t=y: the key is in testing mode; verifiers may treat its signatures as unsigned.", k.name);
            if (!rec.revoked && rec.key_type == "rsa" && rec.key_bits > 0) {
                if (rec.key_bits < 1024)
                    add("error", "dkim-key-weak", "The RSA key is " + std::to_string(rec.key_bits) + " bits; verifiers must not accept keys under 1024 bits (RFC 8301 §3.2).", k.name);
                else if (rec.key_bits < 2048)
                    add("warning", "dkim-key-short", "The RSA key is " + std::to_string(rec.key_bits) + " bits; 2048 is recommended (RFC 8301 §3.2).", k.name);
            }
            for (const auto& u : rec.unknown_tags) add("info", "dkim-unknown-tag", "Unknown tag " + u + "= in the key record (ignored).", k.name);
        }
    }
    out.dkim.push_back(k);
}

int rank(const std::string& sev) { return sev == "error" ? 0 : sev == "warning" ? 1 : 2; }

}  // namespace

int DomainLint::errors() const {
    return static_cast<int>(std::count_if(findings.begin(), findings.end(), [](const LintFinding& f) { return f.severity == "error"; }));
}
int DomainLint::warnings() const {
    return static_cast<int>(std::count_if(findings.begin(), findings.end(), [](const LintFinding& f) { return f.severity == "warning"; }));
}

DomainLint lint_domain(const std::string& domain, const std::vector<std::string>& selectors, Resolver& dns) {
    DomainLint out;
    std::string err;
    auto a = domain_to_ascii(domain, &err);
    out.domain = a ? *a : domain;
    if (!a) {
        out.findings.push_back({"domain", "error", "domain-invalid", err + ".", domain});
        return out;
    }
    lint_spf(out.domain, dns, out);
    lint_dmarc(out.domain, dns, out);
    for (const auto& s : selectors) lint_dkim(out.domain, s, dns, out);
    std::stable_sort(out.findings.begin(), out.findings.end(),
                     [](const LintFinding& x, const LintFinding& y) { return rank(x.severity) < rank(y.severity); });
    return out;
}

int lint_exit(const DomainLint& l) {
    if (l.temperror) return kExitDnsTemp;
    return l.errors() > 0 ? kExitNotPass : kExitPass;
}

Json lint_json(const DomainLint& l) {
    Json j;
    j["domain"] = l.domain;
    j["result"] = l.temperror ? "temperror" : l.errors() ? "fail" : "pass";
    j["errors"] = l.errors();
    j["warnings"] = l.warnings();
    j["spf"] = {{"records", l.spf_records}, {"lookups", l.spf_lookups}, {"void_lookups", l.spf_void_lookups}};
    j["dmarc"] = {{"record", l.dmarc_record.empty() ? Json(nullptr) : Json(l.dmarc_record)},
                  {"policy_domain", l.dmarc_policy_domain.empty() ? Json(nullptr) : Json(l.dmarc_policy_domain)},
                  {"org_domain", l.dmarc_org_domain}};
    Json dk = Json::array();
    for (const auto& k : l.dkim)
        dk.push_back({{"selector", k.selector}, {"name", k.name}, {"dns", k.status}, {"records", k.records},
                      {"key_type", k.key_type}, {"key_bits", k.key_bits}, {"testing", k.testing}, {"revoked", k.revoked}});
    j["dkim"] = dk;
    Json f = Json::array();
    for (const auto& x : l.findings)
        f.push_back({{"area", x.area}, {"severity", x.severity}, {"code", x.code}, {"text", x.text}, {"name", x.name}});
    j["findings"] = f;
    return j;
}

std::string lint_text(const DomainLint& l) {
    std::string t = l.domain + ": " + std::to_string(l.errors()) + " error(s), " + std::to_string(l.warnings()) + " warning(s)" +
                    (l.temperror ? " (a DNS failure kept a check from finishing)" : "") + "\n";
    for (const auto& x : l.findings) t += "  " + x.severity + " " + x.code + ": " + x.text + "\n";
    for (const auto& r : l.spf_records)
        t += "  spf: \"" + r + "\" (" + std::to_string(l.spf_lookups) + " lookups, " + std::to_string(l.spf_void_lookups) + " void)\n";
    if (!l.dmarc_record.empty()) t += "  dmarc: _dmarc." + l.dmarc_policy_domain + " \"" + l.dmarc_record + "\"\n";
    for (const auto& k : l.dkim) {
        t += "  dkim: " + k.name + " " + k.status;
        if (!k.key_type.empty()) t += " " + k.key_type + (k.key_bits ? " " + std::to_string(k.key_bits) + " bits" : "");
        t += "\n";
    }
    return t;
}

}  // namespace auth
