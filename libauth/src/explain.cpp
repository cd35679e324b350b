// `authscope explain` (auth/explain.hpp): the authentication verdict in plain words and the
// independent rules that find abuse inside genuinely authenticated brand mail. This file builds
// the context the rules read (explain_ctx.hpp), runs them and gives the verdict.
#include "auth/explain.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <set>
#include <sstream>

#include "auth/address.hpp"
#include "auth/authres.hpp"
#include "auth/dkim.hpp"
#include "auth/dmarc.hpp"
#include "auth/error.hpp"
#include "auth/lures.hpp"
#include "auth/psl.hpp"
#include "auth/received.hpp"
#include "auth/spf.hpp"
#include "explain_ctx.hpp"

namespace auth {
namespace explain_detail {

bool recipient(const Ctx& c, const std::string& addr) { return c.recipients.count(to_lower(addr)) > 0; }

// ---------------------------------------------------------------------------------------------
// Small text helpers

bool contains_ci(const std::string& hay_lower, std::string_view needle) {
    return hay_lower.find(to_lower(needle)) != std::string::npos;
}

std::string clip(std::string s, std::size_t n) {
    for (auto& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (s.size() <= n) return s;
    std::size_t cut = n;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
    return s.substr(0, cut) + "...";
}

std::string trim_space_and_stars(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n' || s[b] == '*')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n' || s[e - 1] == '*')) --e;
    return std::string(s.substr(b, e - b));
}

// The text with every URL and address in it defanged, for evidence a person can paste safely.
std::string defang_text(const std::string& text) {
    Indicators tmp;
    extract_urls(text, "", tmp);
    extract_emails(text, "", tmp);
    std::string r = text;
    for (const auto& i : tmp.items) {
        if (i.raw.empty() || i.raw == i.defanged) continue;
        std::string def = i.kind == "url" ? defang(i.raw) : defang(i.raw);
        for (std::size_t p = r.find(i.raw); p != std::string::npos; p = r.find(i.raw, p + def.size()))
            r.replace(p, i.raw.size(), def);
    }
    return r;
}

// "Contoso's", "Woodgrove Domains'".
std::string possessive(const std::string& name) {
    return name + (!name.empty() && (name.back() == 's' || name.back() == 'S') ? "'" : "'s");
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string r;
    for (const auto& s : v) r += (r.empty() ? "" : sep) + s;
    return r;
}

std::string fmt_time(std::time_t t) {
    char buf[64];
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string duration(std::uint64_t s) {
    if (s >= 2 * 86400) return std::to_string(s / 86400) + " days";
    if (s >= 2 * 3600) return std::to_string(s / 3600) + " hours";
    return std::to_string(s / 60) + " minutes";
}



// A URL or address domain the sender's mail is expected to use.
bool expected_domain(const Ctx& c, const std::string& d) {
    if (d.empty()) return true;
    if (c.profile().expected_link(d)) return true;
    if (!c.auth.from_domain.empty() && domain_within(d, c.auth.org_domain.empty() ? c.auth.from_domain : c.auth.org_domain))
        return true;
    return false;
}

// DMARC passed (or, without a policy, an aligned SPF or DKIM pass): the From domain's systems sent it.
bool authenticated(const Ctx& c) {
    bool aligned_pass = c.auth.spf_aligned;
    for (const auto& s : c.auth.signatures) aligned_pass = aligned_pass || (s.result == Result::pass && s.aligned);
    return c.auth.dmarc == Result::pass || (c.auth.dmarc == Result::none && aligned_pass);
}

// An address of a person the platform's convention puts in the message: the Reply-To of a
// platform whose Reply-To is the sharing or sending user.
bool participant(const Ctx& c, const std::string& addr) {
    if (!c.brand || !c.brand->reply_to_is_user) return false;
    for (const auto& r : c.reply_to)
        if (iequals(r.address(), addr)) return true;
    return false;
}

// The brand speaking in its own voice: the mail authenticates for a profiled brand whose
// notifications carry no user text, and every link and Reply-To is its own. Lure words there are
// its marketing, not a scam's (so they are not high by themselves).
bool own_voice(const Ctx& c) {
    return authenticated(c) && c.brand && !c.brand->user_content && c.brand->tenant_domains.empty() &&
           !c.brands.tenant_of(c.auth.from_domain) && reply_to_expected(c) && links_expected(c);
}

std::string evidence_of(const Indicator& i) {
    std::string s = i.where + ": " + (i.kind == "url" ? i.defanged : i.kind == "email" ? i.defanged : i.raw);
    if (!i.link_text.empty()) s += " (link text \"" + clip(defang_text(i.link_text), 120) + "\")";
    return s;
}

void add_finding(std::vector<Finding>& out, const char* id, Severity sev, std::string summary,
                 std::vector<std::string> evidence) {
    if (evidence.size() > 12) {
        std::size_t more = evidence.size() - 12;
        evidence.resize(12);
        evidence.push_back("... and " + std::to_string(more) + " more");
    }
    out.push_back({id, sev, std::move(summary), std::move(evidence)});
}

bool reply_to_expected(const Ctx& c) {
    for (const auto& r : c.reply_to) {
        std::string d = r.domain_ascii.empty() ? to_lower(r.domain) : r.domain_ascii;
        if (!expected_domain(c, d)) return false;
    }
    return true;
}

bool links_expected(const Ctx& c) {
    for (const auto& i : c.ind.items)
        if (i.kind == "url" && !expected_domain(c, i.domain) && !i.has("bare-domain") && !i.has("via-receiver-rewrite")) return false;
    return true;
}

}  // namespace explain_detail

namespace {

using namespace explain_detail;

// Generic labels of fields a customer controls in many brands' notifications.
const char* const kGenericSettable[] = {
    "organization", "organisation", "organization name", "organisation name", "company", "company name",
    "tenant", "tenant name", "business name", "account name", "display name", "workspace", "workspace name",
    "team name", "note", "notes", "memo", "message", "comment", "comments", "description", "invoice note",
    "note from seller", "message from seller", "message from sender", "note from sender", "payment note",
    "sender name", "shop name", "store name", "merchant", "seller note", "customer note",
};

// ---------------------------------------------------------------------------------------------
// Building the context

void add_recipients(Ctx& c, const char* field) {
    for (const auto* f : c.msg.all(field)) {
        AddressList al = parse_address_list(f->value);
        for (const auto& m : al.mailboxes) c.recipients.insert(to_lower(m.address()));
        if (al.mailboxes.empty()) {
            std::string v = to_lower(trim_space_and_stars(f->value));
            if (!v.empty() && v.front() == '<') v = v.substr(1, v.find('>') - 1);
            c.recipients.insert(v);
        }
    }
}

// Customer-settable fields: the From display name, the Subject, and "Label: value" lines whose
// label is one the brand (or any brand) lets customers fill in.
void collect_fields(Ctx& c) {
    if (c.have_from && !c.from.display_name.empty())
        c.fields.push_back({"From display name", c.from.display_name, "From display name"});
    if (!c.subject.empty()) c.fields.push_back({"Subject", c.subject, "Subject"});
    std::vector<std::string> labels;
    for (const char* l : kGenericSettable) labels.push_back(l);
    for (const auto& l : c.profile().customer_settable) labels.push_back(to_lower(l));
    std::set<std::string> seen;
    for (const auto& part : c.mime.texts) {
        std::istringstream in(part.text);
        std::string line;
        while (std::getline(in, line)) {
            std::size_t colon = line.find(':');
            if (colon == std::string::npos || colon > 40) continue;
            std::string label = to_lower(trim_space_and_stars(line.substr(0, colon)));
            std::string value = trim_space_and_stars(line.substr(colon + 1));
            if (value.empty() || std::find(labels.begin(), labels.end(), label) == labels.end()) continue;
            if (seen.count(label + "\n" + value)) continue;
            seen.insert(label + "\n" + value);
            std::string shown = trim_space_and_stars(line.substr(0, colon));
            c.fields.push_back({shown, value, shown + " field (" + (part.html ? "HTML" : "text") + " part " + part.path + ")"});
        }
        // Quoted values right after a settable word: `the organization "..." is now active`.
        std::string l = to_lower(part.text);
        for (const auto& lab : labels) {
            if (lab.size() < 6) continue;
            for (std::size_t p = l.find(lab); p != std::string::npos; p = l.find(lab, p + 1)) {
                std::size_t q = p + lab.size();
                while (q < l.size() && (l[q] == ' ' || l[q] == '\n')) ++q;
                if (q >= l.size() || l[q] != '"') continue;
                std::size_t e = l.find('"', q + 1);
                if (e == std::string::npos || e - q > 600) continue;
                std::string value = part.text.substr(q + 1, e - q - 1);
                for (auto& ch : value)
                    if (ch == '\n') ch = ' ';
                std::string key = lab + "\n" + trim_space_and_stars(value);
                if (seen.count(key)) continue;
                seen.insert(key);
                c.fields.push_back({lab, trim_space_and_stars(value), "quoted " + lab + " (" + (part.html ? "HTML" : "text") + " part " + part.path + ")"});
            }
        }
    }
}

void collect_indicators(Ctx& c) {
    if (!c.subject.empty()) extract_all(c.subject, "Subject", c.ind);
    if (c.have_from && !c.from.display_name.empty()) extract_all(c.from.display_name, "From display name", c.ind);
    for (const auto& part : c.mime.texts) {
        std::string where = std::string(part.html ? "HTML" : "text") + " part " + part.path;
        extract_all(part.text, where, c.ind);
        for (const auto& l : part.links) add_href(l.href, l.text, "link in " + where, c.ind);
    }
    for (const auto& r : c.reply_to)
        if (!r.address().empty()) extract_emails(r.address(), "Reply-To", c.ind);
    unwrap_redirects(c.ind);
}


}  // namespace

std::string to_string(Severity s) {
    switch (s) {
    case Severity::high: return "high";
    case Severity::medium: return "medium";
    case Severity::low: return "low";
    case Severity::info: return "info";
    }
    return "info";
}

ExplainReport explain(const Message& msg, const AuthSummary& auth, const BrandSet& brands, const ExplainOptions& opts) {
    Ctx c{msg, auth, brands, opts, decode_mime(msg, opts.mime), {}, false, {}, {}, {}, nullptr, nullptr, {}, {}, {}, {}, {}};
    ExplainReport r;
    r.auth = auth;
    r.notes = c.mime.notes;
    for (const auto& w : msg.warnings()) r.notes.push_back(w);
    if (const HeaderField* f = msg.first("From")) {
        AddressList al = parse_address_list(f->value);
        if (!al.mailboxes.empty()) {
            c.from = al.mailboxes.front();
            c.have_from = true;
        }
    }
    for (const auto* f : msg.all("Reply-To")) {
        AddressList al = parse_address_list(f->value);
        for (const auto& m : al.mailboxes) c.reply_to.push_back(m);
    }
    for (const char* fld : {"To", "Cc", "Delivered-To", "X-Original-To"}) add_recipients(c, fld);
    c.subject = c.mime.header("Subject");
    c.hops = received_chain(msg);
    c.arrival = opts.arrival;
    if (!c.arrival && !c.hops.empty()) c.arrival = parse_mail_date(c.hops.front().date);
    for (const auto& h : c.hops)
        if (!h.for_addr.empty()) {
            std::string a = to_lower(h.for_addr);
            a.erase(std::remove_if(a.begin(), a.end(), [](char ch) { return ch == '<' || ch == '>' || ch == ';'; }), a.end());
            c.recipients.insert(a);
        }

    // Which brand: the From domain's owner; else one the message claims by name or look-alike.
    std::string from_dom = !auth.from_domain.empty() ? auth.from_domain : c.have_from ? c.from.domain_ascii : "";
    c.brand = from_dom.empty() ? nullptr : brands.by_domain(from_dom);
    c.claimed = c.brand;
    if (!c.claimed && c.have_from) {
        c.claimed = brands.by_name_in(c.from.display_name);
        if (!c.claimed) {
            std::string of = lookalike_of(analyze_domain(from_dom), brands.all_brand_domains());
            if (!of.empty()) c.claimed = brands.by_domain(of);
        }
    }
    c.sender.id = "sender";
    std::string org = !auth.org_domain.empty() ? auth.org_domain : from_dom;
    c.sender.name = org.empty() ? "the sender" : org;
    if (!org.empty()) c.sender.domains.push_back(org);
    // A platform the sender's mail goes through: its click tracking is not off-brand.
    for (const auto& s : auth.signatures)
        if (s.result == Result::pass && brands.platform_by_domain(s.d)) c.sender.sending_platforms.push_back(s.d);

    collect_indicators(c);
    collect_fields(c);
    for (const auto& f : c.fields) r.customer_fields.push_back({f.label, f.text, f.where});
    r.indicators = c.ind;
    for (const auto& rule : rules()) {
        try {
            rule(c, r.findings);
        } catch (const std::exception&) {
            // A rule that trips over hostile input is skipped; the others still run.
        }
    }
    std::stable_sort(r.findings.begin(), r.findings.end(),
                     [](const Finding& a, const Finding& b) { return int(a.severity) < int(b.severity); });
    bool high = std::any_of(r.findings.begin(), r.findings.end(), [](const Finding& f) { return f.severity == Severity::high; });

    // The verdict.
    bool aligned_pass = auth.spf_aligned;
    for (const auto& s : auth.signatures) aligned_pass = aligned_pass || (s.result == Result::pass && s.aligned);
    bool authenticated = auth.dmarc == Result::pass || (auth.dmarc == Result::none && aligned_pass);
    r.brand = c.claimed;
    r.brand_claimed_only = c.claimed && !c.brand;
    std::string bname = c.claimed ? c.claimed->name : from_dom;
    if (auth.dmarc == Result::temperror || (!authenticated && !auth.unchecked.empty())) {
        r.verdict = "inconclusive";
        r.reason = {"dns-temperror", "Authentication could not be checked: " + (auth.unchecked.empty() ? auth.dmarc_reason.text : join(auth.unchecked, "; "))};
    } else if (authenticated) {
        r.authenticated_domain = from_dom;
        if (high) {
            r.verdict = "authentic-but-abusive";
            r.reason = {"authenticated-abusive", "The message really comes from " + (c.brand ? possessive(c.brand->name) : possessive(from_dom)) +
                                                     " systems, but what it carries shows abuse (see the high findings)."};
        } else {
            r.verdict = "authentic";
            r.reason = {"authenticated", "The message really comes from " + (c.brand ? possessive(c.brand->name) : possessive(from_dom)) +
                                             " systems, and nothing in it shows abuse."};
        }
    } else if (c.claimed) {
        r.verdict = "spoofed";
        r.reason = {"brand-claimed-unauthenticated", "The message claims to be from " + c.claimed->name +
                                                         " but does not authenticate as it (DMARC " + std::string(to_string(auth.dmarc)) + ")."};
    } else {
        r.verdict = "unauthenticated";
        r.reason = {"not-authenticated", "Nothing proves who sent the message (DMARC " + std::string(to_string(auth.dmarc)) +
                                             (from_dom.empty() ? "" : " for " + from_dom) + ")."};
    }

    // What authentication proves, and what it does not.
    std::vector<std::string> passed;
    for (const auto& s : auth.signatures)
        if (s.result == Result::pass)
            passed.push_back("DKIM pass for d=" + s.d + " (s=" + s.s + ")" + (s.aligned ? ", aligned with From" : ", not aligned with From"));
    if (auth.spf != Result::none)
        passed.push_back("SPF " + std::string(to_string(auth.spf)) + (auth.spf_domain.empty() ? "" : " for " + auth.spf_domain) +
                         (auth.spf == Result::pass ? (auth.spf_aligned ? ", aligned with From" : ", not aligned with From") : ""));
    std::string src = auth.source == "checked" ? "" : " (as recorded by " + auth.source.substr(auth.source.find(':') + 1) + ")";
    if (authenticated) {
        r.proves.push_back("DMARC " + std::string(to_string(auth.dmarc)) + " for " + from_dom + src +
                           (auth.policy.empty() ? "" : " (policy " + auth.policy + ")") + ".");
        for (const auto& p : passed) r.proves.push_back(p + ".");
        r.proves.push_back("This message was sent by " + (c.brand ? c.brand->name + "'s systems (" + from_dom + ")" : from_dom + "'s systems") + ".");
        r.does_not_prove.push_back("It does not mean " + (c.brand ? c.brand->name : from_dom) +
                                   " wrote what it says: its systems also send text that customers and other users set "
                                   "(names, organisation names, notes), and a signed message can be re-sent.");
        r.does_not_prove.push_back("It says nothing about the links, phone numbers or addresses in the message.");
    } else {
        r.proves.push_back("DMARC " + std::string(to_string(auth.dmarc)) + (from_dom.empty() ? "" : " for " + from_dom) + src + ": " +
                           auth.dmarc_reason.text);
        for (const auto& p : passed) r.proves.push_back(p + ".");
        r.proves.push_back(r.verdict == "inconclusive" ? "Nothing is proven until the DNS answers can be had."
                                                       : "Authentication does not prove who sent this message.");
        r.does_not_prove.push_back("The From address " + (from_dom.empty() ? std::string("") : "(" + from_dom + ") ") +
                                   "is only a claim" + (c.claimed ? ": the message is not shown to come from " + c.claimed->name : "") + ".");
    }

    // What to do next.
    std::string abuse;
    if (c.claimed && !c.claimed->abuse.empty()) abuse = c.claimed->abuse;
    else if (!org.empty() && authenticated) abuse = "abuse@" + org;  // RFC 2142 §2
    r.report_to = abuse;
    if (r.verdict == "authentic-but-abusive")
        r.next_steps.push_back("Report the abuse of its notification system to " + bname + (abuse.empty() ? "" : " at " + abuse) +
                               ", with the evidence above: only " + bname + " can close the account that sent it.");
    else if (r.verdict == "spoofed")
        r.next_steps.push_back("Report the spoofing to " + bname + (abuse.empty() ? "" : " at " + abuse) +
                               "; treat the message as not from " + bname + ".");
    else if (r.verdict == "inconclusive")
        r.next_steps.push_back("Check again when DNS answers (or with a snapshot: --dns-from FILE.zone).");
    else if (r.verdict == "unauthenticated")
        r.next_steps.push_back("Treat the sender as unknown; report it to your own abuse desk or the sending network.");
    else
        r.next_steps.push_back("Nothing to report: the message authenticates and shows no abuse.");
    if (!abuse.empty() && r.verdict != "authentic" && r.verdict != "inconclusive")
        r.next_steps.push_back("authscope report --to " + abuse + " FILE");
    return r;
}

int explain_exit(const ExplainReport& r) {
    if (r.verdict == "authentic") return kExitPass;
    if (r.verdict == "inconclusive") return kExitDnsTemp;
    return kExitNotPass;
}

}  // namespace auth
