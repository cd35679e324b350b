// `authscope explain` (auth/explain.hpp): the authentication verdict in plain words and the
// independent rules that find abuse inside genuinely authenticated brand mail.
#include "auth/explain.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <functional>
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

namespace auth {
namespace {

using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// Small text helpers

bool contains_ci(const std::string& hay_lower, std::string_view needle) {
    return hay_lower.find(to_lower(needle)) != std::string::npos;
}

std::string clip(std::string s, std::size_t n = 240) {
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

// Words of urgency and pressure that automated notifications do not use in customer text.
const char* const kUrgency[] = {
    "within 24 hours", "within 48 hours", "within 12 hours", "within 72 hours", "immediately", "urgent",
    "suspended", "will be locked", "has been locked", "locked out", "to avoid", "final notice", "act now",
    "right away", "as soon as possible", "legal action", "call now", "call us", "private message", "unusual activity",
    "suspicious activity", "fraud", "unauthorized", "unauthorised", "deactivat", "will be charged", "refund",
    "verify your", "confirm your", "expires today", "last chance",
};

std::vector<std::string> urgency_words(const std::string& text) {
    std::string l = to_lower(text);
    std::vector<std::string> r;
    for (const char* w : kUrgency)
        if (l.find(w) != std::string::npos) r.push_back(w);
    return r;
}

// Generic labels of fields a customer controls in many brands' notifications.
const char* const kGenericSettable[] = {
    "organization", "organisation", "organization name", "organisation name", "company", "company name",
    "tenant", "tenant name", "business name", "account name", "display name", "workspace", "workspace name",
    "team name", "note", "notes", "memo", "message", "comment", "comments", "description", "invoice note",
    "note from seller", "message from seller", "message from sender", "note from sender", "payment note",
    "sender name", "shop name", "store name", "merchant", "seller note", "customer note",
};

const char* const kAlertSubject[] = {
    "unusual sign-in", "unusual sign in", "unusual activity", "suspicious activity", "suspicious sign",
    "security alert", "fraud alert", "fraud", "unauthorized", "unauthorised", "account suspended",
    "account has been suspended", "account locked", "account has been locked", "account on hold",
    "account will be closed", "account compromised", "verify your account", "verify your identity",
    "confirm your identity", "payment declined", "payment failed", "payment was declined", "private message",
    "action required", "final notice", "password expir", "password reset request", "sign-in attempt",
    "new sign-in", "login attempt", "blocked", "deactivation", "compromised",
};

const char* const kCredentialWords[] = {
    "sign in", "sign-in", "signin", "log in", "login", "log-in", "verify", "password", "confirm", "unlock",
    "restore", "validate", "reactivate", "secure your", "update your payment", "update payment",
};

const char* const kGiveaway[] = {
    "double your", "triple your", "we will double", "we will triple", "we double", "we triple", "2x your",
    "3x your", "send you back", "send back double", "send back twice", "giveaway", "get double", "get twice",
    "we'll double", "we'll triple", "any crypto you send", "every btc", "send 0.", "send 1 btc",
};

// ---------------------------------------------------------------------------------------------
// The context every rule reads

struct Field {
    std::string label;  // "Organization", "From display name", "Subject"
    std::string text;
    std::string where;
};

struct Ctx {
    const Message& msg;
    const AuthSummary& auth;
    const BrandSet& brands;
    const ExplainOptions& opts;
    DecodedMessage mime;
    Mailbox from;
    bool have_from = false;
    std::vector<Mailbox> reply_to;
    std::set<std::string> recipients;   // To, Cc, Delivered-To, Received "for", lower case
    std::string subject;
    const BrandProfile* brand = nullptr;      // the brand of the From domain
    const BrandProfile* claimed = nullptr;    // the brand the message claims (same as brand, or by name/look-alike)
    BrandProfile sender;                      // a stand-in profile for an unknown sender
    Indicators ind;
    std::vector<Field> fields;                // customer-settable text
    std::vector<ReceivedHop> hops;
    std::optional<std::time_t> arrival;

    const BrandProfile& profile() const { return brand ? *brand : sender; }
    bool brand_mail() const { return brand != nullptr; }
};

bool recipient(const Ctx& c, const std::string& addr) { return c.recipients.count(to_lower(addr)) > 0; }

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

bool reply_to_expected(const Ctx& c);
bool links_expected(const Ctx& c);

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

// ---------------------------------------------------------------------------------------------
// The rules. Each reads the context and adds at most one finding; none depends on another.

// Customer-settable text (organisation name, display name, note ...) carrying a payload.
void rule_customer_text(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    bool strong = false;
    std::set<std::string> kinds;
    for (const auto& f : c.fields) {
        Indicators t;
        extract_all(f.text, f.where, t);
        std::vector<std::string> what;
        for (const auto& i : t.items) {
            if (i.kind == "url" && !expected_domain(c, i.domain)) { what.push_back("a link"); strong = true; }
            else if (i.kind == "email" && !expected_domain(c, i.domain) && !recipient(c, i.value) && !participant(c, i.value)) { what.push_back("an address"); strong = true; }
            else if (i.kind == "phone" && std::find(c.profile().phones.begin(), c.profile().phones.end(), i.value) == c.profile().phones.end()) { what.push_back("a phone number"); strong = true; }
            else if (i.kind == "wallet") { what.push_back("a crypto address"); strong = true; }
            else if (i.kind == "money" && f.label != "Subject") what.push_back("a money amount");
        }
        if (f.label != "Subject" && f.label != "From display name") {
            auto u = urgency_words(f.text);
            if (!u.empty()) what.push_back("urgent wording (\"" + u[0] + "\")");
        }
        if (what.empty()) continue;
        std::sort(what.begin(), what.end());
        what.erase(std::unique(what.begin(), what.end()), what.end());
        for (auto& w : what) kinds.insert(w);
        ev.push_back(f.where + " (" + join(what, ", ") + "): " + clip(defang_text(f.text)));
    }
    if (ev.empty()) return;
    std::string who = c.brand_mail() ? possessive(c.brand->name) : "the sender's";
    add_finding(out, "customer-text-payload", strong ? Severity::high : Severity::medium,
                "Text a customer can set (a name, organisation or note field) carries " +
                    join(std::vector<std::string>(kinds.begin(), kinds.end()), ", ") + " inside " + who +
                    " automated message: whoever set it wrote that text, not " +
                    (c.brand_mail() ? c.brand->name : std::string("the sender")) + ".",
                ev);
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

// The lures of any mail, whoever sent it (auth/lures.hpp): crypto, advance fee, refund, prize,
// invoice callback, account threat, parcel, attachment password, dating, gambling, health
// product, investment. One finding per kind, "lure-KIND".
void rule_lures(const Ctx& c, std::vector<Finding>& out) {
    std::string all = c.subject + "\n" + (c.have_from ? c.from.display_name : std::string()) + "\n" + c.mime.all_text();
    for (const auto& a : c.mime.attachments) all += "\n" + a.filename;
    std::string folded = fold_for_matching(all);
    for (auto& ch : folded)
        if (ch == '_') ch = ' ';
    bool phone = false;
    for (const auto* i : c.ind.of("phone"))
        if (std::find(c.profile().phones.begin(), c.profile().phones.end(), i->value) == c.profile().phones.end()) phone = true;
    bool mine = own_voice(c);
    std::string fsubject = fold_for_matching(c.subject);
    for (auto& ch : fsubject)
        if (ch == '_') ch = ' ';
    auto hits = find_lures(folded, phone, fsubject);
    // Two different lures in one message (a prize and a crypto claim, a refund and an account
    // threat) make a scam even when each is weakly worded.
    bool several = hits.size() >= 2;
    for (const auto& h : hits) {
        Severity sev = h.strong || several ? Severity::high : Severity::medium;
        if (mine) sev = h.strong ? Severity::medium : Severity::low;
        std::vector<std::string> ev;
        ev.push_back("words of the lure: " + join(h.cues, ", "));
        std::size_t p = folded.find(h.cues.front());
        if (p != std::string::npos) {
            std::size_t b = p > 90 ? p - 90 : 0;
            while (b > 0 && (static_cast<unsigned char>(folded[b]) & 0xC0) == 0x80) --b;
            ev.push_back("\"" + clip(defang_text(folded.substr(b, 220)), 200) + "\"");
        }
        if (!h.strong && several && !mine) ev.push_back("with another lure in the same message");
        if (mine) ev.push_back("the message authenticates for " + c.brand->name + " and every link is its own: its own wording, so not high by itself");
        add_finding(out, ("lure-" + h.kind).c_str(), sev, "The message carries " + h.name + ".", ev);
    }
}

// Text written to slip past filters: look-alike letters inside Latin words, letter-by-letter
// spacing, styled mathematical letters.
void rule_evasive_text(const Ctx& c, std::vector<Finding>& out) {
    std::string head = c.subject + "\n" + (c.have_from ? c.from.display_name : std::string());
    TextTricks h = text_tricks(head);
    TextTricks b = text_tricks(c.mime.all_text());
    int look = h.lookalike_letters + b.lookalike_letters, spaced = h.spaced_words + b.spaced_words;
    int math = h.math_letters + b.math_letters;
    std::vector<std::string> ev;
    if (look) ev.push_back(std::to_string(look) + " look-alike letters (Cyrillic or Greek) inside Latin words");
    if (spaced) ev.push_back(std::to_string(spaced) + " words written letter by letter");
    if (math) ev.push_back(std::to_string(math) + " styled mathematical letters");
    // Content pushed out of sight with a huge margin or height (the real text below, filler above).
    std::string all = to_lower(c.mime.all_text());
    bool padding = false;
    for (const char* prop : {"margin-top:", "height:", "padding-top:"})
        for (std::size_t p = all.find(prop); p != std::string::npos && !padding; p = all.find(prop, p + 1)) {
            std::size_t q = p + std::strlen(prop);
            while (q < all.size() && all[q] == ' ') ++q;
            std::size_t d = q;
            while (d < all.size() && all[d] >= '0' && all[d] <= '9') ++d;
            if (d - q >= 4 && (all.compare(d, 2, "px") == 0 || all.compare(d, 2, "vh") == 0) &&
                std::stoul(all.substr(q, std::min<std::size_t>(d - q, 9))) >= (all.compare(d, 2, "vh") == 0 ? 1000u : 10000u))
                padding = true;
        }
    if (padding) ev.push_back("content pushed out of sight by a huge margin or height (CSS)");
    bool high = look >= 3 || spaced >= 2 || h.math_letters >= 8 || padding;
    if (!high && math < 3 && look == 0) return;
    if (!c.subject.empty()) ev.push_back("Subject: " + clip(defang_text(c.subject), 160));
    if (c.have_from && !c.from.display_name.empty()) ev.push_back("From display name: " + clip(c.from.display_name, 120));
    add_finding(out, "evasive-text", high ? Severity::high : Severity::medium,
                "The text disguises its words from filters (look-alike letters from other scripts, letter-by-letter spacing "
                "or styled letters): genuine mail writes its words plainly.",
                ev);
}

// A link through a redirector or proxy (Google's /url, Translate's proxy, AMP caches, click
// trackers) to another site: the reader's destination is the site behind it.
void rule_redirector(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    bool foreign = false;
    std::set<std::string> seen;
    for (const auto& i : c.ind.items) {
        if (i.kind != "url" || !i.has("unwrapped") || i.has("via-receiver-rewrite")) continue;
        if (expected_domain(c, i.domain) || seen.count(i.value)) continue;
        seen.insert(i.value);
        foreign = true;
        ev.push_back(i.where + ": leads to " + i.defanged);
    }
    if (!foreign) return;
    bool notif = authenticated(c) || c.brand_mail();
    add_finding(out, "redirector-link", notif ? Severity::high : Severity::medium,
                "A link goes through a redirector or proxy of a trusted site to another site: filters and readers see the trusted "
                "host, the reader lands on the one behind it (both shown).",
                ev);
}

// A brand named in text the sender's users set (display name "X via Platform", a "[bot]"
// account, a tenant's chosen subdomain or name, a share message or form title) in mail that
// authenticates for, or comes from, another domain.
void rule_brand_in_user_text(const Ctx& c, std::vector<Finding>& out) {
    std::string from_dom = !c.auth.from_domain.empty() ? c.auth.from_domain : c.have_from ? c.from.domain_ascii : "";
    const BrandProfile* tenant_brand = from_dom.empty() ? nullptr : c.brands.tenant_of(from_dom);
    bool platform = (c.brand && (c.brand->user_content || c.brand->via_display_names || c.brand->bot_accounts)) || tenant_brand;
    if (!platform && !authenticated(c)) return;
    std::vector<std::pair<std::string, std::string>> texts;  // where, text
    if (c.have_from && !c.from.display_name.empty() && platform) texts.push_back({"From display name", c.from.display_name});
    if (tenant_brand) {
        std::string label = from_dom;
        for (const auto& t : tenant_brand->tenant_domains)
            if (domain_within(from_dom, t)) label = from_dom.substr(0, from_dom.size() - t.size() - 1);
        texts.push_back({"tenant subdomain (chosen by the customer)", label});
        std::string spaced = label;
        for (auto& ch : spaced)
            if (ch == '-' || ch == '.') ch = ' ';
        if (spaced != label) texts.push_back({"tenant subdomain (chosen by the customer)", spaced});
    }
    for (const auto& f : c.fields)
        if (f.label != "From display name" && (f.label != "Subject" || platform)) texts.push_back({f.where, f.text});
    std::vector<std::string> ev;
    std::set<std::string> named;
    for (const auto& [where, text] : texts)
        for (const BrandProfile* b : c.brands.all_named_in(text)) {
        if (b == c.brand || b == tenant_brand) continue;
        if (!from_dom.empty() && b->expected_link(from_dom)) continue;
        // The user really is at that brand: the sharer's Reply-To is one of its domains.
        bool real_user = false;
        for (const auto& r : c.reply_to) real_user = real_user || b->owns(r.domain_ascii);
        if (real_user) continue;
        if (named.count(b->name)) continue;
        named.insert(b->name);
        ev.push_back(where + " names " + b->name + ": " + clip(defang_text(text), 160));
        }
    if (ev.empty()) return;
    add_finding(out, "brand-in-user-text", Severity::high,
                "Text the sender's users set names " + join(std::vector<std::string>(named.begin(), named.end()), ", ") +
                    ", but the mail comes from " + (from_dom.empty() ? std::string("another domain") : from_dom) +
                    ": someone dressed a genuine notification as that brand.",
                ev);
}

// Free-mail providers: anyone can have an address there, so no company's notices come from one.
bool freemail(const std::string& domain) {
    static const char* const k[] = {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
        "aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net",
        "web.de", "mail.ru", "yandex.ru", "yandex.com", "zoho.com", "uol.com.br", "bol.com.br", "terra.com.br",
        "qq.com", "163.com", "126.com", "mail.com", "hotmail.fr", "hotmail.co.uk", "yahoo.fr", "yahoo.co.uk",
        "yahoo.com.br", "outlook.fr", "libero.it", "t-online.de", "orange.fr", "free.fr", "seznam.cz", "rediffmail.com",
    };
    std::string d = to_lower(domain);
    for (const char* x : k)
        if (d == x) return true;
    return false;
}

// Replies diverted to a free-mail address that is not the sender's (Sublime's "freemail sender,
// different freemail Reply-To" and "compromised account, free-mail Reply-To" patterns): the
// answer goes to whoever runs that mailbox, the mark of advance-fee and BEC mail.
void rule_freemail_reply_to(const Ctx& c, std::vector<Finding>& out) {
    if (!c.have_from || (c.brand && c.brand->reply_to_is_user)) return;
    std::vector<std::string> ev;
    for (const auto& r : c.reply_to) {
        std::string d = r.domain_ascii.empty() ? to_lower(r.domain) : r.domain_ascii;
        if (!freemail(d) || iequals(r.address(), c.from.address())) continue;
        ev.push_back("Reply-To: " + defang(to_lower(r.address())) + " (From: " + defang(to_lower(c.from.address())) + ")");
    }
    if (ev.empty()) return;
    add_finding(out, "reply-to-freemail", Severity::high,
                "Replies go to a free-mail address other than the sender's: whoever wrote this wants the answer in a mailbox "
                "that cannot be traced to the sending domain (advance-fee and business-email-compromise mail does this).",
                ev);
}

// The text asks the reader to write to a free-mail address that is not the sender's ("kindly
// contact x@gmail.com for quick claims"): high with a lure's wording, else medium.
void rule_freemail_contact(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    for (const auto& i : c.ind.items) {
        if (i.kind != "email" || i.where == "Reply-To" || !freemail(i.domain) || recipient(c, i.value) || participant(c, i.value)) continue;
        if (c.have_from && iequals(i.value, c.from.address())) continue;
        if (std::find(ev.begin(), ev.end(), evidence_of(i)) == ev.end()) ev.push_back(evidence_of(i));
    }
    if (ev.empty()) return;
    std::string folded = fold_for_matching(c.subject + "\n" + c.mime.all_text());
    bool lure = !find_lures(folded, !c.ind.of("phone").empty()).empty();
    add_finding(out, "freemail-contact", lure ? Severity::high : Severity::medium,
                "The text tells the reader to write to a free-mail address other than the sender's" +
                    std::string(lure ? ", beside a lure's wording: the scam's own mailbox." : "."),
                ev);
}

// A brand named in mail sent from a free-mail address, with a lure or a diverted Reply-To: no
// brand sends its notices from free mail.
void rule_freemail_brand(const Ctx& c, std::vector<Finding>& out) {
    if (!c.have_from || !freemail(c.from.domain_ascii)) return;
    std::string head = c.from.display_name + "\n" + c.subject;
    std::string body = c.mime.all_text().substr(0, 4000);
    std::vector<const BrandProfile*> named = c.brands.all_named_in(head + "\n" + body);
    std::vector<std::string> ev;
    for (const auto* b : named)
        if (!b->owns(c.from.domain_ascii) && b->category != "notification-platform" && b->kind == "brand")
            ev.push_back(b->name + " named in mail from " + defang(to_lower(c.from.address())));
    if (ev.empty()) return;
    std::string folded = fold_for_matching(head + "\n" + body);
    bool lure = false;
    for (const auto& h : find_lures(folded, !c.ind.of("phone").empty())) lure = lure || h.strong || h.cues.size() >= 2;
    if (!lure) return;
    if (ev.size() > 3) ev.resize(3);
    add_finding(out, "freemail-brand-claim", Severity::high,
                "The message speaks for a brand but comes from a free-mail address anyone can open, with a scam's wording.", ev);
}

// Links whose registrable domain is not the brand's (nor a link domain or platform it uses).
void rule_off_brand_link(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    bool cred = false;
    std::set<std::string> doms;
    for (const auto& i : c.ind.items) {
        if (i.kind != "url" || expected_domain(c, i.domain)) continue;
        if (i.has("ip-literal")) continue;  // its own rule
        // A bare name without a path ("your domain shop.example") is a mention, not a link.
        if (i.has("bare-domain") && !i.has("obscured") && i.value.find('/', 7) == std::string::npos) continue;
        doms.insert(defang(i.registrable));
        ev.push_back(evidence_of(i));
        std::string lt = to_lower(i.link_text);
        for (const char* w : kCredentialWords)
            if (!lt.empty() && lt.find(w) != std::string::npos) cred = true;
    }
    if (ev.empty()) return;
    Severity sev = !c.brand_mail() ? Severity::low : cred ? Severity::high : Severity::medium;
    std::string whose = c.brand_mail() ? possessive(c.brand->name) : "the sender's";
    add_finding(out, "off-brand-link", sev,
                "Links go to " + join(std::vector<std::string>(doms.begin(), doms.end()), ", ") +
                    ", outside " + whose + " domains" + (cred ? ", and a link asks the reader to sign in or verify" : "") + ".",
                ev);
}

// An anchor whose visible text shows one domain while its href goes to another.
void rule_link_text_mismatch(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    for (const auto& i : c.ind.items) {
        if (i.kind != "url" || i.link_text.empty()) continue;
        Indicators shown;
        extract_urls(i.link_text, "", shown);
        for (const auto& s : shown.items) {
            if (s.registrable.empty() || s.registrable == i.registrable) continue;
            // A platform's click tracking rewrites links of genuine mail: not a mismatch.
            if (c.profile().expected_link(i.domain) || c.brands.platform_by_domain(i.domain)) continue;
            ev.push_back(i.where + ": the text shows " + s.defanged + " but the link goes to " + i.defanged);
            break;
        }
    }
    if (ev.empty()) return;
    add_finding(out, "link-text-mismatch", Severity::high,
                "A link shows one address and goes to another: the reader is shown a domain they trust and taken elsewhere.", ev);
}

// Domains that imitate a brand's (confusable characters, one or two edits, brand name + word).
void rule_lookalike(const Ctx& c, std::vector<Finding>& out) {
    auto brand_domains = c.brands.all_brand_domains();
    std::vector<std::string> ev;
    std::set<std::string> seen;
    auto check = [&](const std::string& domain, const std::string& where) {
        if (domain.empty() || c.brands.known_domain(domain)) return;
        DomainInfo d = analyze_domain(domain);
        if (seen.count(d.registrable + where)) return;
        std::string of = lookalike_of(d, brand_domains);
        if (of.empty()) return;
        seen.insert(d.registrable + where);
        std::string shown = d.unicode != d.ascii ? defang(d.unicode) + " (" + defang(d.ascii) + ")" : defang(d.ascii);
        ev.push_back(where + ": " + shown + " imitates " + defang(of));
    };
    if (c.have_from) check(c.from.domain_ascii, "From");
    for (const auto& r : c.reply_to) check(r.domain_ascii, "Reply-To");
    for (const auto& i : c.ind.items)
        if (i.kind == "url" || i.kind == "email") check(i.domain, i.where);
    if (ev.empty()) return;
    add_finding(out, "lookalike-domain", Severity::high,
                "A domain imitates a brand's domain (look-alike characters, a small misspelling, or the brand's name with another word).", ev);
}

// IDN domains that mix scripts (Latin with Cyrillic or Greek letters ...), or IDN links in brand mail.
void rule_mixed_script(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    auto check = [&](const std::string& domain, const std::string& where) {
        if (domain.empty()) return;
        DomainInfo d = analyze_domain(domain);
        if (d.mixed_script) ev.push_back(where + ": " + defang(d.unicode) + " (" + defang(d.ascii) + ")");
    };
    if (c.have_from) check(c.from.domain_ascii.empty() ? c.from.domain : c.from.domain_ascii, "From");
    for (const auto& r : c.reply_to) check(r.domain_ascii, "Reply-To");
    for (const auto& i : c.ind.items)
        if ((i.kind == "url" || i.kind == "email") && i.has("mixed-script")) check(i.domain, i.where);
    std::sort(ev.begin(), ev.end());
    ev.erase(std::unique(ev.begin(), ev.end()), ev.end());
    if (ev.empty()) return;
    add_finding(out, "mixed-script-domain", Severity::high,
                "A domain mixes letters of different scripts, the usual way to make a name look like another.", ev);
}

void rule_shortener(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    for (const auto& i : c.ind.items)
        if (i.kind == "url" && i.has("shortener") && !c.profile().expected_link(i.domain)) ev.push_back(evidence_of(i));
    if (ev.empty()) return;
    add_finding(out, "shortener-link", c.brand_mail() ? Severity::medium : Severity::low,
                "A link goes through a URL shortener, which hides where it leads.", ev);
}

void rule_ip_link(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    for (const auto& i : c.ind.items)
        if (i.kind == "url" && i.has("ip-literal")) ev.push_back(evidence_of(i));
    if (ev.empty()) return;
    add_finding(out, "ip-literal-link", Severity::high,
                "A link goes to a bare IP address instead of a domain name; genuine notifications link to their own domains.", ev);
}

void rule_obscured_link(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    for (const auto& i : c.ind.items)
        if ((i.kind == "url" || i.kind == "email") && (i.has("obscured") || i.has("userinfo")))
            ev.push_back(i.where + ": \"" + clip(i.kind == "url" && i.has("userinfo") ? defang(i.raw) : i.raw, 160) +
                         "\" reads as " + i.defanged);
    if (ev.empty()) return;
    add_finding(out, "obscured-link", Severity::high,
                "An address is written to slip past filters (hxxp, [.], \" dot \", user@host tricks); genuine mail never obscures its own links.", ev);
}

void rule_reply_to(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    for (const auto& r : c.reply_to) {
        std::string d = r.domain_ascii.empty() ? to_lower(r.domain) : r.domain_ascii;
        if (expected_domain(c, d)) continue;
        ev.push_back("Reply-To: " + defang(to_lower(r.address())) +
                     (c.have_from ? " (From: " + defang(to_lower(c.from.address())) + ")" : ""));
    }
    if (ev.empty()) return;
    if (c.brand && c.brand->reply_to_is_user) {
        // The platform's convention (Drive, DocuSign, SurveyMonkey ...): Reply-To is the user.
        add_finding(out, "reply-to-off-brand", Severity::low,
                    "Replies go to the user who shared or sent this through " + c.brand->name +
                        ", as its notifications do: that person, not " + c.brand->name + ", gets an answer.",
                    ev);
        return;
    }
    add_finding(out, "reply-to-off-brand", c.brand_mail() || c.claimed ? Severity::high : Severity::medium,
                "Replies go to an address outside " + (c.brand_mail() ? possessive(c.brand->name) : std::string("the sender's")) +
                    " domains: an answer reaches someone else.",
                ev);
}

void rule_contact_address(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    for (const auto& i : c.ind.items) {
        if (i.kind != "email" || i.where == "Reply-To" || expected_domain(c, i.domain) || recipient(c, i.value) || participant(c, i.value)) continue;
        ev.push_back(evidence_of(i));
    }
    if (ev.empty()) return;
    add_finding(out, "off-brand-contact-address", c.brand_mail() ? Severity::medium : Severity::low,
                "The text gives a contact address outside " +
                    (c.brand_mail() ? possessive(c.brand->name) : std::string("the sender's")) + " domains.",
                ev);
}

// Phone numbers the reader is asked to call (callback phishing, TOAD).
void rule_callback_phone(const Ctx& c, std::vector<Finding>& out) {
    std::string all = c.subject + "\n" + c.mime.all_text();
    std::string l = to_lower(all);
    std::vector<std::string> ev;
    bool pressure = !urgency_words(all).empty() || !c.ind.of("money").empty();
    bool cta = false;
    std::set<std::string> seen;
    for (const auto& i : c.ind.items) {
        if (i.kind != "phone") continue;
        const auto& off = c.profile().phones;
        if (std::find(off.begin(), off.end(), i.value) != off.end() || seen.count(i.value)) continue;
        seen.insert(i.value);
        // Is the reader asked to call? Look just before the number.
        std::size_t p = l.find(to_lower(i.raw));
        std::string before = p == std::string::npos ? "" : l.substr(p > 80 ? p - 80 : 0, p > 80 ? 80 : p);
        for (const char* w : {"call", "dial", "phone", "contact", "helpline", "hotline", "support", "reach us", "tel"})
            if (before.find(w) != std::string::npos) cta = true;
        ev.push_back(i.where + ": " + i.raw + (i.subtype == "toll-free" ? " (toll-free)" : ""));
    }
    if (ev.empty()) return;
    Severity sev = (cta && pressure) ? Severity::high : (cta || pressure) ? Severity::medium : Severity::low;
    add_finding(out, "callback-phone", sev,
                std::string("The message gives a phone number") +
                    (c.brand_mail() ? " that is not one of " + possessive(c.brand->name) : "") +
                    (cta ? " and asks the reader to call it" : "") +
                    (pressure ? ", with money or urgency around it: the pattern of callback phishing" : "") + ".",
                ev);
}

void rule_crypto(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::string> ev;
    for (const auto& i : c.ind.items)
        if (i.kind == "wallet")
            ev.push_back(i.where + ": " + i.value + " (" + i.subtype +
                         (i.has("checksum-ok") ? ", checksum valid" : i.has("checksum-unverified") ? ", EIP-55 checksum not verified" : "") + ")");
    if (ev.empty()) return;
    bool expected = c.brand_mail() && c.brand->crypto_addresses_expected;
    add_finding(out, "crypto-address", expected ? Severity::low : Severity::high,
                std::string("The message shows a cryptocurrency wallet address") +
                    (c.brand_mail() && !expected ? ", which " + c.brand->name + "'s notifications never carry" : "") +
                    ": money sent there cannot be recalled.",
                ev);
}

void rule_giveaway(const Ctx& c, std::vector<Finding>& out) {
    std::string all = c.subject + "\n" + c.mime.all_text();
    std::string l = to_lower(all);
    std::vector<std::string> ev;
    for (const char* w : kGiveaway) {
        std::size_t p = l.find(w);
        if (p == std::string::npos) continue;
        std::size_t b = l.rfind('\n', p);
        b = b == std::string::npos ? 0 : b + 1;
        std::size_t e = l.find('\n', p);
        ev.push_back("\"" + clip(defang_text(all.substr(b, e == std::string::npos ? std::string::npos : e - b)), 200) + "\"");
        break;
    }
    if (ev.empty()) return;
    bool crypto = !c.ind.of("wallet").empty() || contains_ci(l, "bitcoin") || contains_ci(l, "crypto") ||
                  contains_ci(l, "btc") || contains_ci(l, "eth");
    if (!crypto) return;
    add_finding(out, "crypto-giveaway-lure", Severity::high,
                "The text promises to multiply cryptocurrency sent to it: the classic giveaway scam.", ev);
}

void rule_alert_subject(const Ctx& c, std::vector<Finding>& out) {
    std::string l = to_lower(c.subject);
    for (const char* w : kAlertSubject) {
        if (l.find(w) == std::string::npos) continue;
        add_finding(out, "security-alert-subject", Severity::medium,
                    "The subject imitates a security or fraud alert (\"" + std::string(w) +
                        "\"), the pressure scams use to make a reader act before checking.",
                    {"Subject: " + clip(defang_text(c.subject), 200)});
        return;
    }
}

void rule_display_name(const Ctx& c, std::vector<Finding>& out) {
    if (!c.have_from || c.from.display_name.empty()) return;
    const BrandProfile* b = c.brands.by_name_in(c.from.display_name);
    if (!b) return;
    std::string d = c.from.domain_ascii;
    if (b->expected_link(d)) return;
    // A platform's users set the display name: brand-in-user-text judges that.
    if (c.brand && (c.brand->user_content || c.brand->via_display_names || c.brand->bot_accounts)) return;
    if (c.brands.tenant_of(d)) return;
    if (c.brand && c.brand != b) {
        // Another profiled brand sending about a partner ("Contoso via DocuSign") is ordinary.
        for (const auto& p : c.brand->names)
            if (c.brands.by_name_in(c.from.display_name) == c.brand || to_lower(c.from.display_name).find(to_lower(p)) != std::string::npos)
                return;
    }
    add_finding(out, "display-name-impersonation", c.brand_mail() ? Severity::medium : Severity::high,
                "The sender's display name says " + b->name + " but the address is not one of " + b->name + "'s domains.",
                {"From: \"" + clip(c.from.display_name, 120) + "\" <" + defang(to_lower(c.from.address())) + ">"});
}

// A shared sending platform's DKIM signature standing in for the brand's own.
void rule_platform_signature(const Ctx& c, std::vector<Finding>& out) {
    if (c.auth.from_domain.empty()) return;
    bool aligned_pass = false;
    for (const auto& s : c.auth.signatures) aligned_pass = aligned_pass || (s.result == Result::pass && s.aligned);
    if (aligned_pass) return;
    std::vector<std::string> ev;
    std::string pname;
    for (const auto& s : c.auth.signatures) {
        if (s.result != Result::pass || s.aligned) continue;
        const BrandProfile* p = c.brands.platform_by_domain(s.d);
        bool listed = false;
        for (const auto& d : c.profile().sending_platforms) listed = listed || domain_within(s.d, d);
        if (!p && !listed) continue;
        pname = p ? p->name : s.d;
        ev.push_back("DKIM-Signature d=" + s.d + " s=" + s.s + ": pass, not aligned with From " + c.auth.from_domain +
                     (listed ? " (a platform " + c.profile().name + " lists as one it sends through)" : ""));
    }
    if (ev.empty()) return;
    ev.push_back(std::string("SPF: ") + std::string(to_string(c.auth.spf)) +
                 (c.auth.spf_domain.empty() ? "" : " for " + c.auth.spf_domain) + (c.auth.spf_aligned ? " (aligned)" : " (not aligned)"));
    add_finding(out, "platform-signature-only", Severity::medium,
                "The only valid DKIM signature is the sending platform's (" + pname + "), shared by all its customers; it proves the platform carried the message, not that " +
                    (c.brand_mail() ? c.brand->name : c.auth.from_domain) + " wrote it" +
                    (c.auth.spf_aligned && c.auth.spf == Result::pass ? ", and DMARC passed only through SPF for the platform's servers" : "") + ".",
                ev);
}

// The DKIM signature DMARC relies on (aligned and verified), else the first verified one.
const SignatureFacts* main_signature(const Ctx& c) {
    for (const auto& s : c.auth.signatures)
        if (s.verified && s.aligned) return &s;
    for (const auto& s : c.auth.signatures)
        if (s.verified) return &s;
    return nullptr;
}

bool signed_header(const SignatureFacts& s, const char* name) {
    for (const auto& h : s.h)
        if (iequals(h, name)) return true;
    return false;
}

std::optional<Finding> replay_few_headers(const Ctx& c) {
    const SignatureFacts* s = main_signature(c);
    if (!s || s->h.empty()) return std::nullopt;
    std::set<std::string> distinct;
    for (const auto& h : s->h) distinct.insert(to_lower(h));
    std::vector<std::string> missing;
    for (const char* h : {"subject", "date", "message-id"})
        if (!distinct.count(h)) missing.push_back(h);
    if (missing.empty() && distinct.size() >= 4) return std::nullopt;
    return Finding{"dkim-few-signed-headers", Severity::medium,
                   "The DKIM signature of " + s->d + " covers few header fields" +
                       (missing.empty() ? "" : " (not " + join(missing, ", ") + ")") +
                       ": the unsigned ones can be changed or added by anyone who re-sends the message.",
                   {"DKIM-Signature d=" + s->d + " s=" + s->s + " h=" + join(s->h, ":")}};
}

std::optional<Finding> replay_recipients(const Ctx& c) {
    const SignatureFacts* s = main_signature(c);
    if (!s || s->h.empty()) return std::nullopt;
    if (signed_header(*s, "to") || signed_header(*s, "cc")) return std::nullopt;
    return Finding{"dkim-recipients-unsigned", Severity::low,
                   "The DKIM signature of " + s->d + " does not cover To or Cc: the same signed message can be re-sent to anyone and still verify.",
                   {"DKIM-Signature d=" + s->d + " s=" + s->s + " h=" + join(s->h, ":")}};
}

std::optional<Finding> replay_old(const Ctx& c) {
    const SignatureFacts* s = main_signature(c);
    if (!s || !s->t || !c.arrival) return std::nullopt;
    if (std::uint64_t(*c.arrival) <= *s->t || std::uint64_t(*c.arrival) - *s->t < c.opts.old_signature_seconds) return std::nullopt;
    std::uint64_t age = std::uint64_t(*c.arrival) - *s->t;
    return Finding{"dkim-signature-old", Severity::medium,
                   "The DKIM signature of " + s->d + " was made " + duration(age) +
                       " before the message arrived: a signed message kept and sent again later looks like this.",
                   {"DKIM-Signature t=" + std::to_string(*s->t) + " (" + fmt_time(std::time_t(*s->t)) + ")",
                    "arrival (top Received): " + fmt_time(*c.arrival)}};
}

std::optional<Finding> replay_expired(const Ctx& c) {
    for (const auto& s : c.auth.signatures) {
        if (!s.x) continue;
        std::optional<std::time_t> when = c.arrival;
        if (!when) continue;
        if (std::uint64_t(*when) <= *s.x) continue;
        return Finding{"dkim-signature-expired", Severity::medium,
                       "The DKIM signature of " + s.d + " had expired (x=) when the message arrived: it was delivered after its signer said it should be.",
                       {"DKIM-Signature d=" + s.d + " x=" + std::to_string(*s.x) + " (" + fmt_time(std::time_t(*s.x)) + ")",
                        "arrival (top Received): " + fmt_time(*when)}};
    }
    return std::nullopt;
}

// Hosts in the Received chain that are neither the signer's, the brand's, a platform's nor
// the receiver's: the path a replayed message takes.
std::vector<std::string> foreign_hops(const Ctx& c, const SignatureFacts& s) {
    std::vector<std::string> r;
    if (c.hops.size() < 2) return r;
    auto psl = PublicSuffixList::system();
    auto reg = [&](const std::string& h) -> std::string {
        if (h.empty() || normalize_ip(h) == h) return {};
        auto d = psl->registrable_domain(to_lower(h));
        return d ? *d : std::string();
    };
    // The receiver: the `by` of the top hop; its registrable domain is trusted.
    std::string receiver = reg(c.hops.front().by);
    for (std::size_t k = 0; k < c.hops.size(); ++k) {
        const auto& h = c.hops[k];
        for (const std::string& host : {h.from_rdns, h.from_helo, h.by}) {
            std::string d = reg(host);
            if (d.empty() || d == receiver) continue;
            if (domain_within(d, s.d) || domain_within(s.d, d)) continue;
            if (c.profile().expected_link(d) || c.brands.platform_by_domain(d)) continue;
            if (!c.auth.org_domain.empty() && domain_within(d, c.auth.org_domain)) continue;
            r.push_back("Received hop " + std::to_string(h.hop) + ": " + clip(h.value, 160));
            break;
        }
    }
    return r;
}

std::optional<Finding> replay_hops(const Ctx& c) {
    const SignatureFacts* s = main_signature(c);
    if (!s) return std::nullopt;
    auto ev = foreign_hops(c, *s);
    if (ev.empty()) return std::nullopt;
    return Finding{"dkim-foreign-relay", Severity::medium,
                   "After " + s->d + " signed it, the message passed through hosts that belong neither to " + s->d +
                       " nor to the receiver" + (c.auth.spf == Result::pass ? "" : ", and SPF did not pass") +
                       ": a signed message re-sent from elsewhere looks like this.",
                   ev};
}

void rule_dkim_replay(const Ctx& c, std::vector<Finding>& out) {
    std::vector<std::optional<Finding>> signs = {replay_few_headers(c), replay_recipients(c), replay_old(c),
                                                 replay_expired(c), replay_hops(c)};
    int count = 0, strong = 0;
    std::vector<std::string> ev;
    for (auto& f : signs) {
        if (!f) continue;
        ++count;
        if (f->id == "dkim-signature-old" || f->id == "dkim-signature-expired" || f->id == "dkim-foreign-relay") ++strong;
        ev.push_back(f->id + ": " + (f->evidence.empty() ? f->summary : f->evidence.front()));
        out.push_back(*f);
    }
    // A recipient the signed message was not addressed to.
    const SignatureFacts* s = main_signature(c);
    if (s && !signed_header(*s, "to")) {
        std::string envelope;
        for (const auto& h : c.hops)
            if (!h.for_addr.empty()) { envelope = to_lower(h.for_addr); break; }
        while (!envelope.empty() && (envelope.front() == '<')) envelope.erase(0, 1);
        while (!envelope.empty() && (envelope.back() == '>' || envelope.back() == ';')) envelope.pop_back();
        const HeaderField* to = c.msg.first("To");
        if (!envelope.empty() && to && to_lower(to->value).find(envelope) == std::string::npos) {
            ++count;
            ++strong;
            ev.push_back("delivered for " + defang(envelope) + " but To: says " + clip(defang_text(to->value), 100));
        }
    }
    if (count >= 2 && strong >= 1)
        add_finding(out, "dkim-replay-suspected", Severity::high,
                    "Several signs together say this signed message was replayed: signed once by " +
                        (s ? s->d : std::string("its signer")) + ", then re-sent by someone else to new recipients.",
                    ev);
}

using Rule = std::function<void(const Ctx&, std::vector<Finding>&)>;

const std::vector<Rule>& rules() {
    static const std::vector<Rule> r = {
        rule_customer_text, rule_off_brand_link, rule_link_text_mismatch, rule_lookalike, rule_mixed_script,
        rule_shortener, rule_ip_link, rule_obscured_link, rule_reply_to, rule_contact_address, rule_callback_phone,
        rule_crypto, rule_giveaway, rule_alert_subject, rule_display_name, rule_platform_signature, rule_dkim_replay,
        rule_lures, rule_evasive_text, rule_redirector, rule_brand_in_user_text, rule_freemail_reply_to, rule_freemail_brand,
        rule_freemail_contact,
    };
    return r;
}

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

std::string brand_phrase(const ExplainReport& r) {
    return r.brand ? r.brand->name : r.authenticated_domain.empty() ? std::string("the sender") : r.authenticated_domain;
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

const std::vector<RuleInfo>& explain_rules() {
    static const std::vector<RuleInfo> r = {
        {"customer-text-payload", "text a customer can set (display name, organisation or tenant name, note, subject) carries links, phone numbers, addresses, wallets, money or urgent wording inside an automated message"},
        {"off-brand-link", "a link's registrable domain is not the brand's, nor a link domain or sending platform it uses"},
        {"link-text-mismatch", "a link's visible text shows one domain and its href goes to another"},
        {"lookalike-domain", "a domain imitates a brand's (confusable characters, one or two edits, brand name plus a word)"},
        {"mixed-script-domain", "an internationalised domain mixes scripts (Latin with Cyrillic, Greek ...)"},
        {"shortener-link", "a link goes through a URL shortener"},
        {"ip-literal-link", "a link goes to a bare IP address"},
        {"obscured-link", "a link or address is obscured (hxxp, [.], \" dot \", user@host)"},
        {"reply-to-off-brand", "Reply-To is outside the sender's domains"},
        {"off-brand-contact-address", "the text gives a contact address outside the sender's domains"},
        {"callback-phone", "a phone number the reader is asked to call, not one of the brand's"},
        {"crypto-address", "a cryptocurrency wallet address (Bitcoin checked by checksum, Ethereum)"},
        {"crypto-giveaway-lure", "a promise to double or triple cryptocurrency sent"},
        {"security-alert-subject", "the subject imitates a security or fraud alert"},
        {"display-name-impersonation", "the display name names a brand whose domain the address is not"},
        {"platform-signature-only", "the only valid DKIM signature is a shared sending platform's, not the brand's"},
        {"dkim-few-signed-headers", "the DKIM signature covers few header fields (Subject, Date or Message-ID unsigned)"},
        {"dkim-recipients-unsigned", "the DKIM signature does not cover To or Cc"},
        {"dkim-signature-old", "the DKIM signature (t=) is much older than the message's arrival"},
        {"dkim-signature-expired", "the DKIM signature had expired (x=) when the message arrived"},
        {"dkim-foreign-relay", "after signing, the message passed through hosts unrelated to the signer and the receiver"},
        {"dkim-replay-suspected", "two or more replay signs together, at least one of them about time or path"},
        {"lure-crypto", "a cryptocurrency lure: airdrop, staking reward, token claim, wallet or recovery-phrase \"verification\""},
        {"lure-advance-fee", "an advance-fee fraud: a fortune, inheritance, grant or fund transfer offered for a reply"},
        {"lure-refund", "a refund, compensation or money-waiting-to-be-released lure"},
        {"lure-prize", "a prize, reward, gift-card or \"you have been selected\" lure"},
        {"lure-invoice-callback", "an invoice, renewal or purchase to dispute by calling a phone number (callback phishing)"},
        {"lure-account", "an account threat: suspension, lock, unusual sign-in, storage full, payment to update"},
        {"lure-delivery", "a parcel held, a delivery fee or an address to confirm"},
        {"lure-attachment-password", "a password for an attached file, given so that the file escapes scanning"},
        {"lure-dating", "a dating or adult-content lure"},
        {"lure-gambling", "a casino or betting lure: bonus, free spins, no deposit"},
        {"lure-health-product", "a miracle health-product pitch: weight loss, hair, blood sugar, pills"},
        {"lure-investment", "a get-rich pitch: guaranteed returns, trading bots, famous backers"},
        {"evasive-text", "words disguised from filters: look-alike letters inside Latin words, letter-by-letter spacing, styled letters"},
        {"redirector-link", "a link through a trusted redirector or proxy (Google /url, Translate proxy, AMP cache, click tracker) to another site"},
        {"reply-to-freemail", "Reply-To is a free-mail address other than the sender's"},
        {"freemail-contact", "the text asks the reader to write to a free-mail address other than the sender's"},
        {"freemail-brand-claim", "a brand named, with a lure's wording, in mail from a free-mail address"},
        {"brand-in-user-text", "a brand named in text the sender's users set (\"X via Platform\", [bot] name, tenant name or subdomain, share message) of mail from another domain"},
    };
    return r;
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

nlohmann::ordered_json explain_json(const ExplainReport& r) {
    Json j;
    j["result"] = std::string(to_string(r.auth.dmarc));
    j["reason"] = {{"code", r.reason.code}, {"text", r.reason.text}};
    j["verdict"] = r.verdict;
    j["authenticated_domain"] = r.authenticated_domain.empty() ? Json(nullptr) : Json(r.authenticated_domain);
    j["brand"] = r.brand ? Json{{"id", r.brand->id}, {"name", r.brand->name}, {"claimed_only", r.brand_claimed_only}} : Json(nullptr);
    Json a;
    a["source"] = r.auth.source;
    a["dmarc"] = {{"result", std::string(to_string(r.auth.dmarc))},
                  {"reason", {{"code", r.auth.dmarc_reason.code}, {"text", r.auth.dmarc_reason.text}}},
                  {"from_domain", r.auth.from_domain},
                  {"policy_domain", r.auth.policy_domain.empty() ? Json(nullptr) : Json(r.auth.policy_domain)},
                  {"policy", r.auth.policy.empty() ? Json(nullptr) : Json(r.auth.policy)}};
    a["spf"] = {{"result", std::string(to_string(r.auth.spf))}, {"domain", r.auth.spf_domain}, {"aligned", r.auth.spf_aligned}};
    Json sigs = Json::array();
    for (const auto& s : r.auth.signatures)
        sigs.push_back({{"d", s.d}, {"s", s.s}, {"result", std::string(to_string(s.result))}, {"reason", s.reason}, {"aligned", s.aligned}});
    a["dkim"] = sigs;
    a["unchecked"] = r.auth.unchecked;
    Json trust = trust_json(r.auth);  // whose results, and where authscope differs
    for (auto& [k, v] : trust.items()) a[k] = v;
    j["authentication"] = a;
    j["proves"] = r.proves;
    j["does_not_prove"] = r.does_not_prove;
    Json f = Json::array();
    std::set<std::string> ids;
    for (const auto& x : r.findings) {
        f.push_back({{"id", x.id}, {"severity", to_string(x.severity)}, {"summary", x.summary}, {"evidence", x.evidence}});
        ids.insert(x.id);
    }
    j["findings"] = f;
    j["finding_ids"] = std::vector<std::string>(ids.begin(), ids.end());
    // Indicators, defanged, unique, in order of appearance.
    Json ind;
    auto uniq = [&](const char* kind, bool defanged) {
        std::vector<std::string> v;
        for (const auto* i : r.indicators.of(kind)) {
            std::string s = defanged ? i->defanged : i->value;
            if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
        }
        return v;
    };
    ind["urls"] = uniq("url", true);
    std::vector<std::string> doms;
    for (const auto& d : r.indicators.domains()) doms.push_back(defang(d));
    ind["domains"] = doms;
    ind["emails"] = uniq("email", true);
    ind["phones"] = uniq("phone", false);
    ind["wallets"] = uniq("wallet", false);
    ind["money"] = uniq("money", false);
    j["indicators"] = ind;
    j["next_steps"] = r.next_steps;
    j["report_to"] = r.report_to.empty() ? Json(nullptr) : Json(r.report_to);
    j["notes"] = r.notes;
    return j;
}

std::string explain_text(const ExplainReport& r, const std::string& file) {
    std::ostringstream o;
    std::string who = brand_phrase(r);
    o << r.verdict << ": ";
    if (r.verdict == "authentic-but-abusive")
        o << "sent by " << possessive(who) << " systems (" << r.authenticated_domain << "), carrying content " << who << " did not write\n";
    else if (r.verdict == "authentic")
        o << "sent by " << possessive(who) << " systems (" << r.authenticated_domain << "); no sign of abuse\n";
    else if (r.verdict == "spoofed")
        o << "claims to be " << who << " but does not authenticate as it\n";
    else if (r.verdict == "inconclusive")
        o << "authentication could not be checked (DNS temporary failure)\n";
    else
        o << "nothing proves who sent it\n";
    o << "  " << r.reason.text << "\n\n";
    o << "What authentication proves\n";
    for (const auto& p : r.proves) o << "  " << p << "\n";
    std::vector<std::string> trust = trust_lines(r.auth);
    if (!trust.empty()) {
        o << "\nWhose results\n";
        for (const auto& l : trust) o << "  " << l << "\n";
    }
    o << "\nWhat it does not prove\n";
    for (const auto& p : r.does_not_prove) o << "  " << p << "\n";
    int n[4] = {0, 0, 0, 0};
    for (const auto& f : r.findings) ++n[int(f.severity)];
    o << "\nFindings";
    if (r.findings.empty()) o << ": none\n";
    else {
        std::vector<std::string> counts;
        const char* names[] = {"high", "medium", "low", "info"};
        for (int i = 0; i < 4; ++i)
            if (n[i]) counts.push_back(std::to_string(n[i]) + " " + names[i]);
        o << " (" << join(counts, ", ") << ")\n";
    }
    for (const auto& f : r.findings) {
        o << "  [" << to_string(f.severity) << "] " << f.id << ": " << f.summary << "\n";
        for (const auto& e : f.evidence) o << "      " << e << "\n";
    }
    std::vector<std::string> iv;
    auto count = [&](const char* k, const char* one, const char* many) {
        std::set<std::string> s;
        for (const auto* i : r.indicators.of(k)) s.insert(i->value);
        if (!s.empty()) iv.push_back(std::to_string(s.size()) + " " + (s.size() == 1 ? one : many));
    };
    count("url", "link", "links");
    count("email", "address", "addresses");
    count("phone", "phone number", "phone numbers");
    count("wallet", "wallet", "wallets");
    count("money", "amount", "amounts");
    if (!iv.empty()) o << "\nIndicators: " << join(iv, ", ") << " (--json lists them, defanged)\n";
    if (!r.notes.empty()) {
        o << "\nNotes\n";
        for (const auto& x : r.notes) o << "  " << x << "\n";
    }
    o << "\nWhat to do next\n";
    for (const auto& s : r.next_steps) {
        if (s.rfind("authscope report", 0) == 0) {
            std::string cmd = s;
            auto p = cmd.rfind(" FILE");
            if (p != std::string::npos && !file.empty() && file != "-") cmd = cmd.substr(0, p) + " " + file;
            o << "    " << cmd << "\n";
        } else {
            o << "  " << s << "\n";
        }
    }
    return o.str();
}

int explain_exit(const ExplainReport& r) {
    if (r.verdict == "authentic") return kExitPass;
    if (r.verdict == "inconclusive") return kExitDnsTemp;
    return kExitNotPass;
}

}  // namespace auth
