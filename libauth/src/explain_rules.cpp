// The rules of `authscope explain` (auth/explain.hpp): the profile-free rules (lures, evasive
// text, redirectors, free mail ...) and the rules that read a brand or platform profile. Each
// reads the context (explain_ctx.hpp) and adds at most one finding; none depends on another.
#include <algorithm>
#include <cstring>
#include <set>

#include "auth/address.hpp"
#include "auth/lures.hpp"
#include "auth/psl.hpp"
#include "explain_ctx.hpp"

namespace auth {
namespace explain_detail {
namespace {

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


}  // namespace

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

}  // namespace explain_detail

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

}  // namespace auth
