#include "auth/dmarc.hpp"
#include "auth/dmarc_tool.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "auth/address.hpp"
#include "auth/authres.hpp"
#include "auth/dkim.hpp"
#include "auth/error.hpp"
#include "auth/received.hpp"
#include "auth/spf.hpp"
#include "auth/message.hpp"

namespace auth {
namespace {

// A domain for comparison: lower case, no leading or trailing dots.
std::string norm_domain(std::string_view d) {
    std::size_t b = 0, e = d.size();
    while (b < e && d[b] == '.') ++b;
    while (e > b && d[e - 1] == '.') --e;
    return to_lower(d.substr(b, e - b));
}

std::vector<std::string> labels_of(const std::string& d) {
    std::vector<std::string> out;
    std::size_t b = 0;
    for (;;) {
        std::size_t e = d.find('.', b);
        out.push_back(d.substr(b, e == std::string::npos ? std::string::npos : e - b));
        if (e == std::string::npos) break;
        b = e + 1;
    }
    return out;
}

// The last n labels of d.
std::string last_labels(const std::string& d, std::size_t n) {
    auto l = labels_of(d);
    if (n >= l.size()) return d;
    std::string out;
    for (std::size_t i = l.size() - n; i < l.size(); ++i) out += (out.empty() ? "" : ".") + l[i];
    return out;
}

std::optional<DmarcPolicy> policy_word(const std::string& v) {
    std::string l = to_lower(v);
    if (l == "none") return DmarcPolicy::none;
    if (l == "quarantine") return DmarcPolicy::quarantine;
    if (l == "reject") return DmarcPolicy::reject;
    return std::nullopt;
}

int strictness(DmarcPolicy p) { return p == DmarcPolicy::reject ? 2 : p == DmarcPolicy::quarantine ? 1 : 0; }

Reason reason(const std::string& code, const std::string& text) { return Reason{code, text}; }

// RFC 9989 §4.7 / RFC 7489 §6.4 dmarc-uri: a URI with a scheme, optionally "!size" (7489).
// Returns the host of a mailto: URI, "" for other schemes; false when it is not a URI at all.
bool valid_uri(const std::string& u) {
    auto colon = u.find(':');
    if (colon == std::string::npos || colon == 0) return false;
    for (std::size_t i = 0; i < colon; ++i) {
        char c = u[i];
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) return false;
    }
    if (!std::isalpha(static_cast<unsigned char>(u[0]))) return false;
    if (colon + 1 >= u.size()) return false;
    for (char c : u)
        if (c == ' ' || c == '\t' || c == ';') return false;
    return true;
}

std::string mailto_domain(const std::string& uri) {
    if (to_lower(uri.substr(0, 7)) != "mailto:") return {};
    std::string rest = uri.substr(7);
    if (auto bang = rest.find('!'); bang != std::string::npos) rest.resize(bang);
    if (auto q = rest.find('?'); q != std::string::npos) rest.resize(q);
    auto at = rest.rfind('@');
    if (at == std::string::npos) return {};
    return norm_domain(rest.substr(at + 1));
}

// RFC 9989 §4.10 step 2: a record counts when it starts with the tag v=DMARC1.
bool looks_dmarc(const std::string& text) {
    std::string t = trim(text);
    auto semi = t.find(';');
    std::string first = t.substr(0, semi);
    auto eq = first.find('=');
    if (eq == std::string::npos) return false;
    return to_lower(trim(first.substr(0, eq))) == "v" && trim(first.substr(eq + 1)) == "DMARC1";
}

// Answers kept for one evaluation: every question asked once, and logged once.
class Memo {
public:
    Memo(Resolver& dns, std::vector<DmarcQuery>& log) : dns_(dns), log_(log) {}
    const DnsAnswer& query(const std::string& name, RRType type, const std::string& purpose) {
        std::string key = fqdn(name) + "/" + to_string(type);
        auto it = cache_.find(key);
        if (it != cache_.end()) return it->second;
        DnsAnswer a;
        try {
            a = dns_.query(name, type);
        } catch (const std::exception& e) {
            a.qname = fqdn(name);
            a.qtype = type;
            a.status = DnsStatus::error;
            a.detail = e.what();
        }
        log_.push_back({fqdn(name), to_string(type), to_string(a.status), "", purpose});
        index_[key] = log_.size() - 1;
        return cache_.emplace(key, std::move(a)).first->second;
    }
    void note(const std::string& name, RRType type, const std::string& found) {
        auto it = index_.find(fqdn(name) + "/" + to_string(type));
        if (it != index_.end() && log_[it->second].found.empty()) log_[it->second].found = found;
    }
    std::map<std::string, std::string> org_cache;

private:
    Resolver& dns_;
    std::vector<DmarcQuery>& log_;
    std::map<std::string, DnsAnswer> cache_;
    std::map<std::string, std::size_t> index_;
};

// Looks up _dmarc.<domain>: the one DMARC record there, if exactly one (RFC 9989 §4.10 steps 1-2).
// Returns true when a record (valid or not) was found; sets temp on a DNS failure.
bool fetch_record(Memo& memo, const std::string& domain, DmarcMode mode, const std::string& purpose,
                  DmarcFound& out, bool& temp, std::string& detail) {
    std::string name = "_dmarc." + domain;
    const DnsAnswer& a = memo.query(name, RRType::TXT, purpose);
    if (is_temporary(a.status)) {
        temp = true;
        detail = "DNS query for " + fqdn(name) + " TXT failed (" + to_string(a.status) +
                 (a.detail.empty() ? "" : ": " + a.detail) + ")";
        memo.note(name, RRType::TXT, "dns-error");
        return false;
    }
    std::vector<std::string> dmarc;
    for (const auto& r : a.records) {
        std::string t = r.text();
        if (looks_dmarc(t))
            dmarc.push_back(t);
    }
    if (dmarc.empty()) {
        memo.note(name, RRType::TXT, a.records.empty() ? "no-record" : "no-dmarc-record");
        return false;
    }
    if (dmarc.size() > 1) {
        memo.note(name, RRType::TXT, "several-records");
        return false;
    }
    out.domain = domain;
    out.parse = parse_dmarc_record(dmarc[0], mode);
    memo.note(name, RRType::TXT, out.parse.ok() ? "dmarc-record" : "invalid-record");
    return true;
}

std::vector<DmarcFound> tree_walk(Memo& memo, const std::string& domain, DmarcMode mode, bool stop_at_first,
                                  const std::string& purpose, bool& temp, std::string& detail) {
    std::vector<DmarcFound> found;
    std::string target = norm_domain(domain);
    if (target.empty()) return found;
    auto labels = labels_of(target);
    std::size_t n = labels.size();
    bool first = true;
    for (int q = 0; q < 8 && n >= 1; ++q) {
        DmarcFound f;
        if (fetch_record(memo, target, mode, purpose, f, temp, detail)) {
            char psd = f.parse.ok() ? f.parse.record->psd : 'u';
            found.push_back(std::move(f));
            if (stop_at_first) return found;
            if (psd == 'n') return found;             // step 2 / step 7
            if (!first && psd == 'y') return found;   // step 7
        }
        if (temp) return found;
        // Steps 5 and 8: jump to 7 labels when there are 8 or more, then one label at a time.
        if (first && n >= 8) n = 7;
        else --n;
        first = false;
        if (n == 0) break;
        target = last_labels(norm_domain(domain), n);
    }
    return found;
}

// RFC 9989 §4.10.2: the organizational domain from the records a walk found.
std::string org_from_walk(const std::string& domain, const std::vector<DmarcFound>& found, std::string* method) {
    std::string d = norm_domain(domain);
    for (const auto& f : found) {
        if (!f.parse.ok()) continue;
        if (f.parse.record->psd == 'n') {
            if (method) *method = "tree walk: psd=n at " + f.domain;
            return f.domain;
        }
        if (f.parse.record->psd == 'y' && f.domain != d) {
            if (method) *method = "tree walk: one label below the public suffix domain " + f.domain;
            return last_labels(d, labels_of(f.domain).size() + 1);
        }
    }
    const DmarcFound* fewest = nullptr;
    for (const auto& f : found)
        if (f.parse.ok() && (!fewest || labels_of(f.domain).size() < labels_of(fewest->domain).size())) fewest = &f;
    if (fewest) {
        if (method) *method = "tree walk: the DMARC record with the fewest labels, at " + fewest->domain;
        return fewest->domain;
    }
    if (method) *method = "tree walk: no DMARC record above it, so the domain itself";
    return d;
}

std::string org_domain_memo(Memo& memo, const std::string& domain, const DmarcOptions& opts, std::string* method,
                            const std::string& purpose) {
    std::string d = norm_domain(domain);
    if (opts.mode == DmarcMode::rfc7489) {
        auto list = opts.psl ? opts.psl : PublicSuffixList::system();
        if (method) *method = "public suffix list";
        return organizational_domain_psl(d, *list);
    }
    auto it = memo.org_cache.find(d);
    if (it != memo.org_cache.end() && !method) return it->second;
    bool temp = false;
    std::string detail;
    auto found = tree_walk(memo, d, opts.mode, false, purpose, temp, detail);
    std::string org = org_from_walk(d, found, method);
    if (temp && method) *method += " (walk cut short by a DNS failure)";
    memo.org_cache[d] = org;
    return org;
}

bool aligned_memo(Memo& memo, const std::string& a, const std::string& b, Alignment mode, const DmarcOptions& opts) {
    std::string x = norm_domain(a), y = norm_domain(b);
    if (x.empty() || y.empty()) return false;
    if (x == y) return true;
    if (mode == Alignment::strict) return false;
    return org_domain_memo(memo, x, opts, nullptr, "alignment") == org_domain_memo(memo, y, opts, nullptr, "alignment");
}

// RFC 9989 np= (non-existent domain): NXDOMAIN or NODATA for A, AAAA and MX.
std::optional<bool> domain_exists(Memo& memo, const std::string& d) {
    bool unknown = false;
    for (RRType t : {RRType::A, RRType::AAAA, RRType::MX}) {
        const DnsAnswer& a = memo.query(d, t, "existence");
        if (a.status == DnsStatus::ok && !a.records.empty()) return true;
        if (is_temporary(a.status)) unknown = true;
    }
    if (unknown) return std::nullopt;
    return false;
}

}  // namespace

std::string to_string(DmarcPolicy p) {
    switch (p) {
    case DmarcPolicy::none: return "none";
    case DmarcPolicy::quarantine: return "quarantine";
    case DmarcPolicy::reject: return "reject";
    }
    return "none";
}
std::string to_string(Alignment a) { return a == Alignment::strict ? "strict" : "relaxed"; }

// RFC 9989 §4.7 (tags), §4.8 (formal definition); RFC 7489 §6.3-6.4 for pct, rf, ri.
DmarcParse parse_dmarc_record(std::string_view text, DmarcMode mode) {
    DmarcParse out;
    std::string t = trim(text);
    if (t.empty()) {
        out.error = reason("empty-record", "The DMARC record is empty.");
        return out;
    }
    std::vector<std::pair<std::string, std::string>> terms;
    std::size_t b = 0;
    while (b <= t.size()) {
        std::size_t e = t.find(';', b);
        std::string term = trim(t.substr(b, e == std::string::npos ? std::string::npos : e - b));
        if (!term.empty()) {
            auto eq = term.find('=');
            if (eq == std::string::npos) {
                if (terms.empty()) {
                    out.error = reason("not-dmarc", "The record does not begin with v=DMARC1.");
                } else {
                    out.error = reason("syntax-error", "The term \"" + term + "\" is not tag=value.");
                }
                return out;
            }
            terms.emplace_back(to_lower(trim(term.substr(0, eq))), trim(term.substr(eq + 1)));
        }
        if (e == std::string::npos) break;
        b = e + 1;
    }
    if (terms.empty() || terms[0].first != "v" || terms[0].second != "DMARC1") {
        out.error = reason("not-dmarc", "The record does not begin with v=DMARC1.");
        return out;
    }
    DmarcRecord r;
    r.text = std::string(text);
    std::set<std::string> seen;
    std::optional<std::string> p_text, sp_text;
    std::optional<Reason> bad;
    auto bad_value = [&](const std::string& tag, const std::string& v) {
        if (!bad) bad = reason("bad-tag-value", "The value \"" + v + "\" of " + tag + "= is not valid.");
    };
    bool rua_tag = false;
    for (std::size_t i = 1; i < terms.size(); ++i) {
        const auto& [tag, v] = terms[i];
        if (!seen.insert(tag).second) {
            out.error = reason("duplicate-tag", "The tag " + tag + "= appears more than once.");
            return out;
        }
        if (tag == "v") {
            out.error = reason("syntax-error", "v= must be the first tag only.");
            return out;
        } else if (tag == "p") {
            p_text = v;
        } else if (tag == "sp") {
            sp_text = v;
        } else if (tag == "np") {
            if (auto pw = policy_word(v)) r.np = pw;
            else bad_value("np", v);
        } else if (tag == "psd") {
            std::string l = to_lower(v);
            if (l == "y" || l == "n" || l == "u") r.psd = l[0];
            else bad_value("psd", v);
        } else if (tag == "t") {
            std::string l = to_lower(v);
            if (l == "y") r.testing = true;
            else if (l != "n") bad_value("t", v);
        } else if (tag == "adkim" || tag == "aspf") {
            std::string l = to_lower(v);
            Alignment a;
            if (l == "r") a = Alignment::relaxed;
            else if (l == "s") a = Alignment::strict;
            else {
                bad_value(tag, v);
                continue;
            }
            (tag == "adkim" ? r.adkim : r.aspf) = a;
        } else if (tag == "rua" || tag == "ruf") {
            if (tag == "rua") rua_tag = true;
            std::size_t ub = 0;
            while (ub <= v.size()) {
                std::size_t ue = v.find(',', ub);
                std::string u = trim(v.substr(ub, ue == std::string::npos ? std::string::npos : ue - ub));
                if (!u.empty()) {
                    if (valid_uri(u)) (tag == "rua" ? r.rua : r.ruf).push_back(u);
                    else r.warnings.push_back("The " + tag + "= entry \"" + u + "\" is not a URI; ignored.");
                }
                if (ue == std::string::npos) break;
                ub = ue + 1;
            }
        } else if (tag == "fo") {
            bool okfo = !v.empty();
            std::size_t fb = 0;
            while (okfo && fb <= v.size()) {
                std::size_t fe = v.find(':', fb);
                std::string f = to_lower(trim(v.substr(fb, fe == std::string::npos ? std::string::npos : fe - fb)));
                if (f != "0" && f != "1" && f != "d" && f != "s") okfo = false;
                if (fe == std::string::npos) break;
                fb = fe + 1;
            }
            if (okfo) r.fo = v;
            else r.warnings.push_back("The fo= value \"" + v + "\" is not valid; ignored.");
        } else if ((tag == "pct" || tag == "rf" || tag == "ri") && mode == DmarcMode::rfc9989) {
            r.warnings.push_back("The tag " + tag + "= is not part of RFC 9989; ignored.");
        } else if (tag == "pct") {
            bool digits = !v.empty() && v.size() <= 3 &&
                          std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
            int n = digits ? std::stoi(v) : -1;
            if (n < 0 || n > 100) bad_value("pct", v);
            else r.pct = n;
        } else if (tag == "rf") {
            bool okrf = !v.empty();
            std::size_t fb = 0;
            while (okrf && fb <= v.size()) {
                std::size_t fe = v.find(':', fb);
                std::string f = to_lower(trim(v.substr(fb, fe == std::string::npos ? std::string::npos : fe - fb)));
                if (f != "afrf" && f != "iodef") okrf = false;  // RFC 7489 §6.3 registered formats
                if (fe == std::string::npos) break;
                fb = fe + 1;
            }
            if (okrf) r.rf = v;
            else bad_value("rf", v);
        } else if (tag == "ri") {
            bool digits = !v.empty() && v.size() <= 10 &&
                          std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
            unsigned long n = digits ? std::stoul(v) : 0;
            if (!digits || n > 4294967295UL) bad_value("ri", v);
            else r.ri = n;
        } else {
            r.warnings.push_back("Unknown tag " + tag + "= ignored.");
        }
    }
    if (bad) {
        out.error = *bad;
        return out;
    }
    // A missing or invalid p= (or invalid sp=) is taken as p=none when rua= holds a valid URI
    // (RFC 9989 §4.7 p=; RFC 7489 §6.6.3 step 6); otherwise the record is not usable.
    std::optional<DmarcPolicy> p = p_text ? policy_word(*p_text) : std::nullopt;
    std::optional<DmarcPolicy> sp = sp_text ? policy_word(*sp_text) : std::nullopt;
    bool p_bad = !p, sp_bad = sp_text && !sp;
    if (p_bad || sp_bad) {
        if (!r.rua.empty()) {
            r.p = DmarcPolicy::none;
            r.p_given = false;
            r.sp.reset();
            r.warnings.push_back(std::string(p_text ? (p_bad ? "p= is not valid" : "sp= is not valid") : "p= is missing") +
                                 "; taken as p=none because rua= is valid.");
        } else if (!p_text) {
            out.error = reason("missing-p", rua_tag ? "The record has no p= tag and no valid rua= URI."
                                                    : "The record has no p= tag.");
            return out;
        } else {
            out.error = p_bad ? reason("invalid-policy", "The value \"" + *p_text + "\" of p= is not a policy.")
                              : reason("invalid-policy", "The value \"" + *sp_text + "\" of sp= is not a policy.");
            return out;
        }
    } else {
        r.p = *p;
        r.sp = sp;
    }
    out.record = std::move(r);
    return out;
}

std::vector<DmarcFound> dmarc_tree_walk(const std::string& domain, Resolver& dns, DmarcMode mode,
                                        std::vector<DmarcQuery>& queried, bool stop_at_first, bool& temperror,
                                        std::string& detail) {
    Memo memo(dns, queried);
    return tree_walk(memo, domain, mode, stop_at_first, "policy", temperror, detail);
}

std::string organizational_domain(const std::string& domain, Resolver& dns, const DmarcOptions& opts,
                                  std::vector<DmarcQuery>* queried, std::string* method) {
    std::vector<DmarcQuery> local;
    Memo memo(dns, queried ? *queried : local);
    return org_domain_memo(memo, domain, opts, method, "org-domain");
}

bool domains_aligned(const std::string& a, const std::string& b, Alignment mode, Resolver& dns,
                     const DmarcOptions& opts, std::vector<DmarcQuery>* queried) {
    std::vector<DmarcQuery> local;
    Memo memo(dns, queried ? *queried : local);
    return aligned_memo(memo, a, b, mode, opts);
}

namespace {

DmarcDiscovery discover(Memo& memo, const std::string& from, const DmarcOptions& opts) {
    DmarcDiscovery d;
    std::string dom = norm_domain(from);
    std::vector<DmarcFound> found;
    if (opts.mode == DmarcMode::rfc7489) {
        // RFC 7489 §6.6.3: the From domain, then its organizational domain by the PSL.
        DmarcFound f;
        if (fetch_record(memo, dom, opts.mode, "policy", f, d.temperror, d.temperror_detail)) {
            found.push_back(std::move(f));
        } else if (!d.temperror) {
            std::string org = org_domain_memo(memo, dom, opts, nullptr, "policy");
            if (org != dom && fetch_record(memo, org, opts.mode, "policy", f, d.temperror, d.temperror_detail))
                found.push_back(std::move(f));
        }
    } else {
        found = tree_walk(memo, dom, opts.mode, true, "policy", d.temperror, d.temperror_detail);
    }
    if (!found.empty()) {
        d.policy_domain = found[0].domain;
        if (found[0].parse.ok()) d.record = found[0].parse.record;
        else d.record_error = found[0].parse.error;
    }
    if (!d.temperror) d.org_domain = org_domain_memo(memo, dom, opts, &d.org_method, "org-domain");
    return d;
}

}  // namespace

DmarcDiscovery discover_dmarc_policy(const std::string& from_domain, Resolver& dns, const DmarcOptions& opts) {
    std::vector<DmarcQuery> log;
    Memo memo(dns, log);
    DmarcDiscovery d = discover(memo, from_domain, opts);
    d.queried = log;
    return d;
}

// RFC 9989 §4.10 (policy discovery, tree walk), alignment, result and disposition; RFC 7489 §6.6.
DmarcReport evaluate_dmarc(const std::string& from_domain, const std::vector<DmarcDkimInput>& dkim,
                           const std::optional<DmarcSpfInput>& spf, Resolver& dns, const DmarcOptions& opts) {
    DmarcReport r;
    r.mode = opts.mode;
    Memo memo(dns, r.queried);
    r.from_domain = norm_domain(from_domain);
    r.from_domains = {r.from_domain};
    DmarcDiscovery disc = discover(memo, r.from_domain, opts);
    r.policy_domain = disc.policy_domain;
    r.org_domain = disc.org_domain;
    if (!disc.org_method.empty()) r.warnings.push_back("Organizational domain by " + disc.org_method + ".");

    // Alignment is reported even when there is no policy: the analyst still wants to know.
    Alignment adkim = disc.record ? disc.record->adkim : Alignment::relaxed;
    Alignment aspf = disc.record ? disc.record->aspf : Alignment::relaxed;
    const DmarcDkimAligned* pass_dkim = nullptr;
    for (const auto& k : dkim) {
        DmarcDkimAligned a;
        a.d = norm_domain(k.d);
        a.result = k.result;
        a.selector = k.selector;
        if (!disc.temperror) a.aligned = aligned_memo(memo, a.d, r.from_domain, adkim, opts);
        a.why = "DKIM d=" + a.d + (a.aligned ? " aligns" : " does not align") + " with From " + r.from_domain + " (" +
                to_string(adkim) + ")" + (a.result == Result::pass ? "" : "; its result is " + std::string(to_string(a.result))) + ".";
        r.dkim.push_back(a);
    }
    for (const auto& a : r.dkim)
        if (a.aligned && a.result == Result::pass) {
            pass_dkim = &a;
            break;
        }
    if (spf) {
        DmarcSpfAligned s;
        s.domain = norm_domain(spf->domain);
        s.result = spf->result;
        s.identity = spf->identity;
        if (!disc.temperror) s.aligned = aligned_memo(memo, s.domain, r.from_domain, aspf, opts);
        s.why = "SPF " + std::string(s.identity == "helo" ? "HELO " : "MAIL FROM ") + s.domain +
                (s.aligned ? " aligns" : " does not align") + " with From " + r.from_domain + " (" + to_string(aspf) + ")" +
                (s.result == Result::pass ? "" : "; its result is " + std::string(to_string(s.result))) + ".";
        r.spf = s;
    }

    if (disc.temperror) {
        r.result = Result::temperror;
        r.reason = reason("dns-temporary-failure", disc.temperror_detail + ".");
        r.why = r.reason.text;
        return r;
    }
    if (disc.policy_domain.empty()) {
        r.result = Result::none;
        r.reason = reason("no-policy", "No DMARC policy record was found for " + r.from_domain +
                                           (opts.mode == DmarcMode::rfc9989 ? " or any parent domain." : " or its organizational domain."));
        r.why = r.reason.text;
        return r;
    }
    if (!disc.record && (disc.record_error->code == "missing-p" || disc.record_error->code == "invalid-policy")) {
        // No usable policy and no rua=: "no DMARC processing" (RFC 7489 §6.6.3 step 6, RFC 9989 §4.7 p=).
        r.result = Result::none;
        r.reason = reason(disc.record_error->code, "The DMARC record at _dmarc." + disc.policy_domain +
                                                       " has no usable policy, so DMARC does not apply: " + disc.record_error->text);
        r.why = r.reason.text;
        return r;
    }
    if (!disc.record) {
        r.result = Result::permerror;
        r.reason = reason(disc.record_error->code, "The DMARC record at _dmarc." + disc.policy_domain + " is not valid: " +
                                                       disc.record_error->text);
        r.why = r.reason.text;
        return r;
    }
    r.policy = disc.record;
    for (const auto& w : disc.record->warnings) r.warnings.push_back("_dmarc." + disc.policy_domain + ": " + w);
    const DmarcRecord& rec = *disc.record;

    // Which policy applies (RFC 9989 §4.7 p/sp/np; RFC 9091 §3 for a PSD record's p).
    if (r.policy_domain == r.from_domain) {
        r.applied_tag = "p";
        r.applied_policy = rec.p;
    } else if (rec.psd == 'y' && r.org_domain == r.from_domain) {
        r.applied_tag = "p";
        r.applied_policy = rec.p;
    } else {
        std::optional<bool> exists;
        if (rec.np && opts.check_nonexistent) exists = domain_exists(memo, r.from_domain);
        if (exists && !*exists) r.from_domain_exists = false;
        if (rec.np && exists && !*exists) {
            r.applied_tag = "np";
            r.applied_policy = rec.np;
        } else if (rec.sp) {
            r.applied_tag = "sp";
            r.applied_policy = rec.sp;
        } else {
            r.applied_tag = "p";
            r.applied_policy = rec.p;
        }
        if (rec.np && !exists) r.warnings.push_back("Whether " + r.from_domain + " exists could not be determined (DNS failure); np= not applied.");
    }

    const DmarcSpfAligned* pass_spf = (r.spf && r.spf->aligned && r.spf->result == Result::pass) ? &*r.spf : nullptr;
    if (pass_dkim || pass_spf) {
        r.result = Result::pass;
        r.why = pass_dkim ? "DKIM d=" + pass_dkim->d + " aligns with From " + r.from_domain + " (" + to_string(adkim) + ")"
                          : "SPF " + pass_spf->domain + " aligns with From " + r.from_domain + " (" + to_string(aspf) + ")";
        if (pass_dkim && pass_spf) r.why += ", and so does SPF " + pass_spf->domain;
        r.why += ".";
        r.reason = reason(pass_dkim ? "aligned-dkim-pass" : "aligned-spf-pass", r.why);
        r.disposition = "none";
    } else {
        r.result = Result::fail;
        std::string detail;
        bool any_aligned = false;
        for (const auto& a : r.dkim) any_aligned = any_aligned || a.aligned;
        if (r.spf && r.spf->aligned) any_aligned = true;
        if (r.dkim.empty() && !r.spf) detail = "there is no DKIM or SPF result to align";
        else if (!any_aligned) detail = "no DKIM or SPF domain aligns with From " + r.from_domain;
        else detail = "the aligned identifiers did not pass";
        r.reason = reason(any_aligned ? "aligned-not-pass" : "no-aligned-identifier",
                          "No aligned DKIM or SPF pass: " + detail + ".");
        r.why = r.reason.text;
        DmarcPolicy disp = *r.applied_policy;
        if (rec.testing && opts.mode == DmarcMode::rfc9989 && disp != DmarcPolicy::none) {
            // RFC 9989 §4.7 t=y: one step less than the policy.
            disp = disp == DmarcPolicy::reject ? DmarcPolicy::quarantine : DmarcPolicy::none;
            r.disposition_note = "t=y (testing): " + to_string(*r.applied_policy) + " is applied as " + to_string(disp) + ".";
        }
        if (rec.pct && *rec.pct < 100 && opts.mode == DmarcMode::rfc7489 && disp != DmarcPolicy::none) {
            r.disposition_note = "pct=" + std::to_string(*rec.pct) + ": " + to_string(disp) + " applies to " +
                                 std::to_string(*rec.pct) + "% of failing messages; the others get " +
                                 (disp == DmarcPolicy::reject ? "quarantine" : "none") + " (RFC 7489 §6.6.4).";
        }
        r.disposition = to_string(disp);
    }

    // External report destinations (RFC 7489 §7.1; RFC 9990).
    if (opts.check_report_destinations) {
        std::string policy_org = org_domain_memo(memo, r.policy_domain, opts, nullptr, "report-destination");
        for (int which = 0; which < 2; ++which) {
            for (const auto& u : which == 0 ? rec.rua : rec.ruf) {
                DmarcReportDestination dst;
                dst.tag = which == 0 ? "rua" : "ruf";
                dst.uri = u;
                dst.domain = mailto_domain(u);
                if (dst.domain.empty()) {
                    dst.status = "not-mailto";
                } else if (org_domain_memo(memo, dst.domain, opts, nullptr, "report-destination") == policy_org) {
                    dst.status = "same-organization";
                } else {
                    dst.external = true;
                    dst.checked_name = r.policy_domain + "._report._dmarc." + dst.domain;
                    const DnsAnswer& a = memo.query(dst.checked_name, RRType::TXT, "report-destination");
                    bool ok = false;
                    for (const auto& rr : a.records)
                        if (to_lower(trim(rr.text())).rfind("v=dmarc1", 0) == 0) ok = true;
                    dst.status = is_temporary(a.status) ? "dns-error" : ok ? "authorized" : "not-authorized";
                    memo.note(dst.checked_name, RRType::TXT, dst.status);
                    if (dst.status == "not-authorized")
                        r.warnings.push_back(dst.tag + " destination " + dst.domain + " has not authorized reports for " +
                                             r.policy_domain + " (no v=DMARC1 at " + dst.checked_name + "); receivers skip it.");
                }
                r.report_destinations.push_back(dst);
            }
        }
    }
    return r;
}

// RFC 9989 Author Domain; RFC 5322 §3.6.2 (exactly one From field).
FromDomains from_domains(const Message& msg) {
    FromDomains out;
    auto fields = msg.all("From");
    if (fields.empty()) {
        out.error = reason("no-from", "The message has no From header field, so there is no Author Domain.");
        return out;
    }
    if (fields.size() > 1)
        out.warnings.push_back("The message has " + std::to_string(fields.size()) +
                               " From fields (RFC 5322 allows one); every domain is evaluated.");
    for (const HeaderField* f : fields) {
        if (!out.shown.empty()) out.shown += " | ";
        out.shown += f->value;
        AddressList al = parse_address_list(f->value);
        if (!al.ok()) {
            out.error = reason("from-unparseable", "The From field \"" + f->value + "\" cannot be read: " + al.error + ".");
            out.domains.clear();
            return out;
        }
        for (const auto& w : al.warnings) out.warnings.push_back("From: " + w + ".");
        if (!al.groups.empty()) out.warnings.push_back("The From field uses group syntax.");
        if (al.mailboxes.empty()) {
            out.error = reason("from-no-address", "The From field \"" + f->value + "\" holds no mailbox.");
            out.domains.clear();
            return out;
        }
        for (const auto& mb : al.mailboxes) {
            if (mb.domain_ascii.empty()) {
                out.error = reason("from-domain-invalid", "The From domain \"" + mb.domain + "\" is not usable: " +
                                                              mb.domain_error + ".");
                out.domains.clear();
                return out;
            }
            if (mb.domain_ascii != to_lower(mb.domain))
                out.warnings.push_back("From domain " + mb.domain + " is compared as " + mb.domain_ascii + ".");
            if (std::find(out.domains.begin(), out.domains.end(), mb.domain_ascii) == out.domains.end())
                out.domains.push_back(mb.domain_ascii);
        }
        if (al.mailboxes.size() > 1)
            out.warnings.push_back("The From field holds " + std::to_string(al.mailboxes.size()) + " addresses.");
    }
    return out;
}

DmarcReport evaluate_dmarc_message(const Message& msg, const std::vector<DmarcDkimInput>& dkim,
                                   const std::optional<DmarcSpfInput>& spf, Resolver& dns, const DmarcOptions& opts) {
    FromDomains fd = from_domains(msg);
    if (fd.error) {
        DmarcReport r;
        r.mode = opts.mode;
        r.result = Result::permerror;
        r.reason = *fd.error;
        r.why = r.reason.text;
        r.warnings = fd.warnings;
        const std::string na = "; alignment not evaluated: there is no Author Domain.";
        for (const auto& k : dkim)
            r.dkim.push_back({norm_domain(k.d), k.result, k.selector, false,
                              "DKIM d=" + norm_domain(k.d) + " " + std::string(to_string(k.result)) + na});
        if (spf)
            r.spf = DmarcSpfAligned{norm_domain(spf->domain), spf->result, spf->identity, false,
                                    "SPF " + norm_domain(spf->domain) + " " + std::string(to_string(spf->result)) + na};
        return r;
    }
    std::vector<DmarcReport> all;
    for (const auto& d : fd.domains) all.push_back(evaluate_dmarc(d, dkim, spf, dns, opts));
    // RFC 7489 §6.6.1: with several Author Domains, the strictest failing evaluation decides.
    auto rank = [](const DmarcReport& r) {
        switch (r.result) {
        case Result::fail: return 100 + (r.applied_policy ? strictness(*r.applied_policy) : 0);
        case Result::temperror: return 50;
        case Result::permerror: return 40;
        case Result::none: return 30;
        default: return 0;
        }
    };
    std::size_t pick = 0;
    for (std::size_t i = 1; i < all.size(); ++i)
        if (rank(all[i]) > rank(all[pick])) pick = i;
    DmarcReport r = all[pick];
    r.from_domains = fd.domains;
    std::vector<std::string> w = fd.warnings;
    if (all.size() > 1) {
        std::string s = "Author Domains evaluated:";
        for (const auto& o : all) s += " " + o.from_domain + "=" + std::string(to_string(o.result));
        w.push_back(s + "; " + r.from_domain + " decides (the strictest failing one).");
        // Every query of every evaluation is evidence.
        for (std::size_t i = 0; i < all.size(); ++i)
            if (i != pick)
                for (const auto& q : all[i].queried) r.queried.push_back(q);
    }
    w.insert(w.end(), r.warnings.begin(), r.warnings.end());
    r.warnings = w;
    return r;
}

Json dmarc_json(const DmarcReport& r) {
    Json j;
    j["result"] = std::string(to_string(r.result));
    j["reason"] = {{"code", r.reason.code}, {"text", r.reason.text}};
    j["mode"] = r.mode == DmarcMode::rfc9989 ? "rfc9989" : "rfc7489";
    j["from_domain"] = r.from_domain.empty() ? Json(nullptr) : Json(r.from_domain);
    if (r.from_domains.size() > 1) j["from_domains"] = r.from_domains;
    j["policy_domain"] = r.policy_domain.empty() ? Json(nullptr) : Json(r.policy_domain);
    j["org_domain"] = r.org_domain.empty() ? Json(nullptr) : Json(r.org_domain);
    if (r.policy) {
        const DmarcRecord& p = *r.policy;
        Json pj;
        pj["p"] = to_string(p.p);
        pj["sp"] = p.sp ? Json(to_string(*p.sp)) : Json(nullptr);
        pj["np"] = p.np ? Json(to_string(*p.np)) : Json(nullptr);
        pj["psd"] = std::string(1, p.psd);
        pj["t"] = p.testing ? "y" : "n";
        pj["adkim"] = p.adkim == Alignment::strict ? "s" : "r";
        pj["aspf"] = p.aspf == Alignment::strict ? "s" : "r";
        if (p.pct) pj["pct"] = *p.pct;
        if (p.rf) pj["rf"] = *p.rf;
        if (p.ri) pj["ri"] = *p.ri;
        pj["rua"] = p.rua;
        pj["ruf"] = p.ruf;
        if (!p.fo.empty()) pj["fo"] = p.fo;
        pj["record"] = p.text;
        j["policy"] = pj;
    } else {
        j["policy"] = nullptr;
    }
    if (r.applied_policy) j["applied_policy"] = {{"tag", r.applied_tag}, {"policy", to_string(*r.applied_policy)}};
    else j["applied_policy"] = nullptr;
    if (!r.from_domain_exists) j["from_domain_exists"] = false;
    if (r.spf) {
        j["spf"] = {{"result", std::string(to_string(r.spf->result))}, {"domain", r.spf->domain},
                    {"identity", r.spf->identity}, {"aligned", r.spf->aligned}, {"why", r.spf->why}};
    } else {
        j["spf"] = nullptr;
    }
    Json dk = Json::array();
    for (const auto& k : r.dkim)
        dk.push_back({{"d", k.d}, {"s", k.selector}, {"result", std::string(to_string(k.result))}, {"aligned", k.aligned}, {"why", k.why}});
    j["dkim"] = dk;
    j["disposition"] = r.disposition;
    if (!r.disposition_note.empty()) j["disposition_note"] = r.disposition_note;
    j["why"] = r.why;
    Json rd = Json::array();
    for (const auto& d : r.report_destinations) {
        Json dj{{"tag", d.tag}, {"uri", d.uri}, {"domain", d.domain}, {"external", d.external}, {"status", d.status}};
        if (!d.checked_name.empty()) dj["checked"] = d.checked_name;
        rd.push_back(dj);
    }
    j["report_destinations"] = rd;
    Json q = Json::array();
    for (const auto& x : r.queried)
        q.push_back({{"name", x.name}, {"type", x.type}, {"status", x.status}, {"found", x.found}, {"purpose", x.purpose}});
    j["queried"] = q;
    j["warnings"] = r.warnings;
    return j;
}

std::string dmarc_text(const DmarcReport& r) {
    std::string t = "dmarc=" + std::string(to_string(r.result));
    if (!r.from_domain.empty()) t += " for From " + r.from_domain;
    t += " (" + r.reason.code + ")\n";
    t += "  " + r.why + "\n";
    if (r.policy) {
        const DmarcRecord& p = *r.policy;
        t += "  policy: _dmarc." + r.policy_domain + " \"" + p.text + "\"\n";
        t += "    p=" + to_string(p.p) + (p.sp ? " sp=" + to_string(*p.sp) : "") + (p.np ? " np=" + to_string(*p.np) : "") +
             " psd=" + std::string(1, p.psd) + " t=" + (p.testing ? "y" : "n") + " adkim=" + (p.adkim == Alignment::strict ? "s" : "r") +
             " aspf=" + (p.aspf == Alignment::strict ? "s" : "r") + (p.pct ? " pct=" + std::to_string(*p.pct) : "") + "\n";
        if (r.applied_policy)
            t += "    applies " + r.applied_tag + "=" + to_string(*r.applied_policy) +
                 (r.from_domain_exists ? "" : " (" + r.from_domain + " does not exist)") + "\n";
    }
    if (!r.org_domain.empty()) t += "  organizational domain: " + r.org_domain + "\n";
    if (r.spf) t += "  spf=" + std::string(to_string(r.spf->result)) + " " + r.spf->why + "\n";
    for (const auto& k : r.dkim) t += "  dkim=" + std::string(to_string(k.result)) + " " + k.why + "\n";
    t += "  disposition: " + r.disposition + (r.disposition_note.empty() ? "" : " (" + r.disposition_note + ")") + "\n";
    for (const auto& d : r.report_destinations)
        t += "  " + d.tag + " " + d.uri + ": " + d.status + (d.checked_name.empty() ? "" : " (" + d.checked_name + ")") + "\n";
    if (!r.queried.empty()) {
        t += "  queried:";
        for (const auto& q : r.queried)
            if (q.purpose != "report-destination") t += " " + q.name + "/" + q.type + "=" + q.status;
        t += "\n";
    }
    for (const auto& w : r.warnings) t += "  note: " + w + "\n";
    return t;
}

// RFC 8601 §2.7 (the dmarc method): dmarc=RESULT header.from=DOMAIN policy.dmarc=POLICY.
ArClause dmarc_ar_clause(const DmarcReport& r) {
    ArClause c;
    c.method = "dmarc";
    c.result = std::string(to_string(r.result));
    if (r.result != Result::pass && !r.reason.text.empty()) c.reason = r.reason.text;
    if (!r.from_domain.empty()) c.properties.emplace_back("header.from", r.from_domain);
    if (r.applied_policy) c.properties.emplace_back("policy.dmarc", to_string(*r.applied_policy));
    else if (r.result == Result::permerror) c.properties.emplace_back("policy.dmarc", "none");
    return c;
}

// The dmarc tool: authenticate(), then the three output forms.
Outcome dmarc_analyze(const DmarcToolOptions& opts, const Message& msg, Resolver& dns, const CommonOptions& common) {
    AuthSummary a = authenticate(msg, dns, opts.auth);
    DmarcReport r = *a.dmarc_report;
    std::vector<std::string> notes = a.notes;
    for (const auto& n : a.receiver_notes)
        notes.push_back("The receiver recorded " + n.key + "=" + n.value + (n.meaning.empty() ? "" : ": " + n.meaning) +
                        (!n.meaning.empty() && n.meaning.back() == '.' ? "" : "."));
    for (const auto& d : a.disagreements) notes.push_back("Differs: " + d + ".");
    r.warnings.insert(r.warnings.begin(), notes.begin(), notes.end());
    Outcome o;  // only the format asked for is rendered
    switch (common.format) {
    case Format::json: {
        o.json = dmarc_json(r);
        Json inputs;
        if (a.receiver) {
            inputs = {{"source", "Authentication-Results"}, {"authserv_id", a.receiver->host}, {"fields", a.receiver->fields.size()}};
            Json trust = trust_json(a);
            for (auto& [k, v] : trust.items()) inputs[k] = v;
        } else if (a.source.rfind("arc:", 0) == 0) {
            inputs = {{"source", "ARC-Authentication-Results"}, {"sealer", a.source.substr(4)}};
            Json trust = trust_json(a);
            for (auto& [k, v] : trust.items()) inputs[k] = v;
        } else if (a.dkim_report) {
            Json sj = nullptr;
            if (a.spf_check)
                sj = {{"ip", a.envelope.ip.value}, {"helo", a.envelope.helo.value}, {"mail_from", a.envelope.mail_from.value},
                      {"result", std::string(to_string(a.spf_check->result))},
                      {"reason", {{"code", a.spf_check->reason.code}, {"text", a.spf_check->reason.text}}}};
            inputs = {{"source", "computed"}, {"dkim", to_json(*a.dkim_report)}, {"spf", sj}};
        }
        o.json["authentication"] = {{"source", a.source}};
        o.json["inputs"] = inputs;
        break;
    }
    case Format::text:
        o.text = dmarc_text(r);
        for (const auto& l : trust_lines(a))
            if (l.rfind("Trusted:", 0) == 0 || l.rfind("Why:", 0) == 0 || l.rfind("The receiver recorded no", 0) == 0) o.text += "  " + l + "\n";
        break;
    case Format::html: break;  // not offered (ToolSpec::html)
    case Format::ar: o.ar = format_authentication_results(common.authserv_id, authentication_clauses(a)); break;
    }
    o.exit = exit_status_for(r.result);
    return o;
}

}  // namespace auth
