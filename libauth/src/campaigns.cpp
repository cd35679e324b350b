#include "auth/campaigns.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <sstream>

#include <openssl/sha.h>

#include "auth/address.hpp"
#include "auth/error.hpp"
#include "auth/indicators.hpp"
#include "auth/psl.hpp"
#include "auth/received.hpp"

namespace auth {

namespace {

using Json = nlohmann::ordered_json;

std::string sha256_prefix(std::string_view bytes, std::size_t n = 16) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
    static const char* hx = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n && i < sizeof md; ++i) {
        out.push_back(hx[md[i] >> 4]);
        out.push_back(hx[md[i] & 15]);
    }
    return out;
}

// SplitMix64's finaliser: a cheap, well-mixed 64-bit permutation (one per MinHash row with a seed).
std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_edge_punct(unsigned char c) {
    return c < 128 && !std::isalnum(c) && c != '@' && c != '<' && c != '>';
}

bool starts_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.compare(0, p.size(), p) == 0; }

// Words after which a name usually follows (greetings in the languages the corpus holds).
bool is_greeting(std::string_view w) {
    static const std::set<std::string, std::less<>> g = {"dear", "hi", "hello", "hey", "ola", "olá", "oi", "bonjour",
                                                         "hallo", "hola", "ciao", "caro", "cara", "estimado",
                                                         "estimada", "prezado", "prezada", "beste", "liebe", "lieber"};
    return g.count(w) > 0;
}

// Free-mail providers: a Reply-To domain of one of these says nothing about who sent it.
bool is_freemail(std::string_view registrable) {
    static const std::set<std::string, std::less<>> f = {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
        "ymail.com", "aol.com", "icloud.com", "me.com", "mac.com", "gmx.com", "gmx.net", "gmx.de", "web.de",
        "mail.com", "proton.me", "protonmail.com", "pm.me", "tutanota.com", "yandex.com", "yandex.ru", "mail.ru",
        "bk.ru", "inbox.ru", "list.ru", "rambler.ru", "qq.com", "163.com", "126.com", "sina.com", "naver.com",
        "bluewin.ch", "libero.it", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "t-online.de",
        "zoho.com", "uol.com.br", "bol.com.br", "terra.com.br", "hotmail.fr", "hotmail.co.uk", "yahoo.fr",
        "yahoo.co.uk", "yahoo.co.jp", "outlook.fr", "live.fr", "rediffmail.com", "seznam.cz", "wp.pl", "o2.pl"};
    if (f.count(registrable)) return true;
    // yahoo.es, hotmail.it, outlook.com.br ...: the big providers' country domains.
    for (const char* p : {"yahoo.", "hotmail.", "outlook.", "live.", "gmx.", "aol."})
        if (starts_with(registrable, p)) return true;
    return false;
}

// Hosts every kind of mail links to (markup namespaces, CDNs, social networks, the big platforms'
// own pages): never a tie. The per-value cap (CampaignOptions::max_tie_members) catches the rest.
bool is_generic_link_domain(std::string_view registrable) {
    static const std::set<std::string, std::less<>> g = {
        "w3.org", "schema.org", "xmlsoap.org", "purl.org", "openxmlformats.org", "googleapis.com", "gstatic.com",
        "google.com", "youtube.com", "facebook.com", "fb.com", "fbcdn.net", "twitter.com", "x.com", "t.co",
        "instagram.com", "linkedin.com", "pinterest.com", "tiktok.com", "whatsapp.com", "wa.me", "apple.com",
        "microsoft.com", "office.com", "live.com", "outlook.com", "aka.ms", "t.me", "telegram.me", "imgur.com", "wikipedia.org", "gravatar.com",
        "cloudflare.com", "jsdelivr.net", "unpkg.com", "bootstrapcdn.com", "fontawesome.com", "typekit.net",
        "fonts.net", "mozilla.org", "adobe.com"};
    return g.count(registrable) > 0;
}

// Platforms on which an account is a subdomain, outside the Public Suffix List's private section
// (every new Entra tenant gets NAME.onmicrosoft.com and phishers send from fresh ones: the open
// Sublime rule abuse_onmicrosoft_domain in padey/Sublime-Detection-Rules; Circle communities and
// Zendesk desks are NAME.circle.so, NAME.zendesk.com, as the corpus's samples show)
// (which already makes e.g. tenant.github.io or app.web.app registrable domains of their own):
// Circle communities, Zendesk and Freshdesk help desks, Microsoft 365 tenants, SharePoint sites,
// Typeform workspaces, Atlassian sites, Slack workspaces, HubSpot and Notion sites.
const std::vector<std::string>& tenant_platforms() {
    static const std::vector<std::string> p = {"circle.so", "zendesk.com", "freshdesk.com", "onmicrosoft.com",
                                               "sharepoint.com", "typeform.com", "atlassian.net", "slack.com",
                                               "notion.site", "hs-sites.com", "hubspotpagebuilder.com",
                                               "myfreshworks.com", "kickserv.com", "salonized.com"};
    return p;
}

// Labels a platform uses for its own service hosts (email.notification.circle.so), never an account.
bool is_service_label(std::string_view l) {
    static const std::set<std::string, std::less<>> g = {
        "www", "www2", "m", "mail", "email", "emails", "e", "em", "notification", "notifications", "notify",
        "news", "newsletter", "assets", "cdn", "static", "img", "images", "image", "media", "click", "clicks",
        "link", "links", "track", "tracking", "t", "go", "url", "app", "apps", "api", "help", "support", "login",
        "auth", "accounts", "account", "secure", "admin", "status", "blog", "docs", "community", "form",
        "forms", "survey", "my", "id", "info", "service", "services", "mx", "smtp", "bounce", "bounces",
        "reply", "noreply", "no-reply", "outbound", "send", "mailer", "eur", "nam", "apc", "prod", "protection",
        "admin", "login", "portal", "files", "file", "public", "s", "u", "ct", "r"};
    if (g.count(l)) return true;
    for (const char* p : {"assets-", "cdn-", "cdn", "static-", "img-", "email-", "mail-", "click-", "track-", "em-", "url"})
        if (starts_with(l, p) && l.size() > std::char_traits<char>::length(p) &&
            std::all_of(l.begin() + std::char_traits<char>::length(p), l.end(),
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == 'v' || c == '-'; }))
            return true;
    return false;
}

// The account a host names on a multi-tenant platform ("circle.so:debix-six"), or "".
std::string tenant_of(const std::string& host) {
    for (const auto& p : tenant_platforms()) {
        if (host.size() <= p.size() + 1 || !domain_within(host, p)) continue;
        std::string rest = host.substr(0, host.size() - p.size() - 1);
        // The rightmost label that is not a service host: acme.mail.onmicrosoft.com -> acme.
        std::vector<std::string> labels;
        std::size_t s = 0;
        for (;;) {
            std::size_t d = rest.find('.', s);
            labels.push_back(rest.substr(s, d == std::string::npos ? std::string::npos : d - s));
            if (d == std::string::npos) break;
            s = d + 1;
        }
        for (auto it = labels.rbegin(); it != labels.rend(); ++it)
            if (!it->empty() && !is_service_label(*it)) return p + ":" + *it;
        return "";
    }
    return "";
}

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The host of an absolute http(s) URL (lower case, no port, no userinfo), "" when none.
std::string url_host(std::string_view url) {
    std::size_t p = url.find("://");
    if (p == std::string_view::npos || p > 10) return "";
    std::string_view rest = url.substr(p + 3);
    std::size_t end = rest.find_first_of("/?#\\ ");
    std::string_view auth = rest.substr(0, end);
    std::size_t at = auth.rfind('@');
    if (at != std::string_view::npos) auth = auth.substr(at + 1);
    if (!auth.empty() && auth.front() == '[') {
        std::size_t rb = auth.find(']');
        return to_lower(auth.substr(0, rb == std::string_view::npos ? auth.size() : rb + 1));
    }
    std::size_t colon = auth.find(':');
    if (colon != std::string_view::npos) auth = auth.substr(0, colon);
    while (!auth.empty() && auth.back() == '.') auth.remove_suffix(1);
    return to_lower(auth);
}

struct Ctx {
    SampleSignature& sig;
    const SignatureOptions& opts;
    std::set<std::pair<std::string, std::string>> seen;
    void tie(std::string kind, std::string value, std::string where) {
        if (value.empty() || sig.ties.size() >= opts.max_ties) return;
        if (!seen.emplace(kind, value).second) return;
        sig.ties.push_back({std::move(kind), std::move(value), std::move(where)});
    }
};

std::vector<Mailbox> mailboxes(const Message& msg, std::string_view name) {
    std::vector<Mailbox> out;
    for (const HeaderField* f : msg.all(name)) {
        AddressList l = parse_address_list(f->value);
        for (auto& m : l.mailboxes) out.push_back(std::move(m));
    }
    return out;
}

std::string lower_address(const Mailbox& m) {
    std::string d = m.domain_ascii.empty() ? to_lower(m.domain) : m.domain_ascii;
    return to_lower(m.local_part) + "@" + d;
}

std::string domain_of(const Mailbox& m) { return m.domain_ascii.empty() ? to_lower(m.domain) : m.domain_ascii; }

std::string registrable_of(const std::string& host, const PublicSuffixList& psl) {
    if (host.empty()) return "";
    return organizational_domain_psl(host, psl);
}

// The value of one tag of a DKIM-Signature (RFC 6376 §3.5 tag=value list), whitespace removed.
std::string dkim_tag(std::string_view v, std::string_view tag) {
    std::size_t s = 0;
    while (s < v.size()) {
        std::size_t e = v.find(';', s);
        std::string_view item = v.substr(s, e == std::string_view::npos ? std::string_view::npos : e - s);
        std::size_t eq = item.find('=');
        if (eq != std::string_view::npos) {
            std::string name = trim(item.substr(0, eq));
            if (name == tag) {
                std::string out;
                for (char c : item.substr(eq + 1))
                    if (!is_space(static_cast<unsigned char>(c))) out.push_back(c);
                return out;
            }
        }
        if (e == std::string_view::npos) break;
        s = e + 1;
    }
    return "";
}

std::optional<std::time_t> arrival_of(const Message& msg) {
    for (const HeaderField* f : msg.all("Received")) {
        std::size_t semi = f->value.rfind(';');
        if (semi == std::string::npos) continue;
        if (auto t = parse_mail_date(trim(std::string_view(f->value).substr(semi + 1)))) return t;
        break;  // the top hop's date decides; a later hop is not when it arrived
    }
    if (const HeaderField* d = msg.first("Date"))
        if (auto t = parse_mail_date(d->value)) return t;
    return std::nullopt;
}

// True when a label of the registrable domain (4+ letters) is a word of the name the message
// claims (display name and subject, spaces removed): the impersonated brand's own site
// (ledger.com in a "Ledger" message) is decoration every imitation of it carries, not a tie.
bool claimed_brand_site(const std::string& registrable, const std::string& claimed) {
    std::size_t s = 0;
    while (s < registrable.size()) {
        std::size_t d = registrable.find('.', s);
        std::string label = registrable.substr(s, d == std::string::npos ? std::string::npos : d - s);
        if (label.size() >= 4 && claimed.find(label) != std::string::npos) return true;
        if (d == std::string::npos) break;
        s = d + 1;
    }
    return false;
}

void add_link_ties(Ctx& c, const Indicators& ind, const std::string& sender_reg, const BrandSet* brands,
                   const PublicSuffixList& psl, const std::string& claimed) {
    for (const Indicator* u : ind.of("url")) {
        std::string final_url = final_destination(u->value);
        std::string host = url_host(final_url);
        if (host.empty()) continue;
        std::string tenant = tenant_of(host);
        if (!tenant.empty()) {
            c.tie("account", tenant, "link in " + u->where);
            continue;
        }
        std::string reg = registrable_of(host, psl);
        if (reg == sender_reg || is_generic_link_domain(reg)) continue;  // the platform's or sender's own
        if (brands && brands->known_domain(reg)) continue;              // a brand's or platform's domain
        if (claimed_brand_site(reg, claimed)) continue;
        if (is_shortener(reg)) {
            // The short link itself names one target; the shortener's host is everyone's.
            std::size_t p = final_url.find("://");
            std::size_t path = final_url.find_first_of("/?#", p + 3);
            std::string v = host + (path == std::string::npos ? "" : final_url.substr(path));
            c.tie("link-url", v, u->where);
            continue;
        }
        c.tie("link-host", host, u->where);
    }
}

// Web addresses that identify one account's form, survey or shared document.
void add_platform_object_ties(Ctx& c, const Indicators& ind) {
    struct Pattern {
        const char* host;    // the host (or a parent of it)
        const char* prefix;  // path prefix before the id
        const char* name;
    };
    static const Pattern pats[] = {
        {"typeform.com", "/to/", "typeform-form"},
        {"surveymonkey.com", "/r/", "surveymonkey-survey"},
        {"docs.google.com", "/forms/d/e/", "google-form"},
        {"docs.google.com", "/forms/d/", "google-form"},
        {"forms.gle", "/", "google-form"},
        {"docs.google.com", "/document/d/", "google-document"},
        {"docs.google.com", "/presentation/d/", "google-slides"},
        {"docs.google.com", "/spreadsheets/d/", "google-sheet"},
        {"drive.google.com", "/file/d/", "google-drive-file"},
        {"forms.office.com", "/r/", "microsoft-form"},
        {"jotform.com", "/", "jotform-form"},
    };
    for (const Indicator* u : ind.of("url")) {
        std::string url = final_destination(u->value);
        std::string host = url_host(url);
        if (host.empty()) continue;
        std::size_t hp = url.find(host);
        std::string path = hp == std::string::npos ? "" : url.substr(hp + host.size());
        for (const auto& p : pats) {
            if (!domain_within(host, p.host) || !starts_with(path, p.prefix)) continue;
            std::string id;
            for (char ch : path.substr(std::char_traits<char>::length(p.prefix))) {
                if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') id.push_back(ch);
                else break;
            }
            if (id.size() >= 5) c.tie("account", std::string(p.name) + ":" + id, "link in " + u->where);
            break;
        }
    }
}

}  // namespace

std::vector<std::string> masked_words(std::string_view text, const std::vector<std::string>& recipients,
                                      std::size_t max_words) {
    std::set<std::string, std::less<>> rcpt_locals, rcpt_addrs;
    for (const auto& r : recipients) {
        rcpt_addrs.insert(r);
        std::size_t at = r.find('@');
        if (at != std::string::npos && at >= 3) rcpt_locals.insert(r.substr(0, at));
    }
    std::vector<std::string> out;
    std::size_t i = 0;
    bool after_greeting = false;
    while (i < text.size() && out.size() < max_words) {
        while (i < text.size() && is_space(static_cast<unsigned char>(text[i]))) ++i;
        std::size_t s = i;
        while (i < text.size() && !is_space(static_cast<unsigned char>(text[i]))) ++i;
        std::string_view tok = text.substr(s, i - s);
        while (!tok.empty() && is_edge_punct(static_cast<unsigned char>(tok.front()))) tok.remove_prefix(1);
        while (!tok.empty() && is_edge_punct(static_cast<unsigned char>(tok.back()))) tok.remove_suffix(1);
        if (tok.empty()) continue;
        std::string low = to_lower(tok);
        std::string m;
        std::size_t at = low.find('@');
        if (low.find("://") != std::string::npos || starts_with(low, "www.")) m = "<url>";
        else if (at != std::string::npos && at > 0 && low.find('.', at) != std::string::npos)
            m = rcpt_addrs.count(low) ? "<rcpt>" : "<email>";
        else if (std::any_of(low.begin(), low.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            m = "<num>";
        else if (low.size() > 24) m = "<tok>";
        else if (rcpt_locals.count(low)) m = "<rcpt>";
        else if (after_greeting) m = "<name>";
        else m = low;
        after_greeting = is_greeting(low);
        if (m.front() == '<' && !out.empty() && out.back() == m) continue;
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<std::uint32_t> template_minhash(const std::vector<std::string>& words, std::size_t k, std::size_t w,
                                            std::size_t min_shingles) {
    if (w == 0 || k == 0 || words.size() < w) return {};
    std::vector<std::uint64_t> sh;
    sh.reserve(words.size());
    for (std::size_t i = 0; i + w <= words.size(); ++i) {
        std::uint64_t h = 0xcbf29ce484222325ULL;
        for (std::size_t j = 0; j < w; ++j) {
            h = fnv1a(words[i + j], h);
            h = fnv1a("\x1f", h);
        }
        sh.push_back(h);
    }
    std::sort(sh.begin(), sh.end());
    sh.erase(std::unique(sh.begin(), sh.end()), sh.end());
    if (sh.size() < min_shingles) return {};
    std::vector<std::uint32_t> mh(k, 0xffffffffu);
    for (std::size_t r = 0; r < k; ++r) {
        std::uint64_t seed = mix64(r + 1);
        std::uint32_t best = 0xffffffffu;
        for (std::uint64_t h : sh) {
            auto v = static_cast<std::uint32_t>(mix64(h ^ seed) >> 32);
            if (v < best) best = v;
        }
        mh[r] = best;
    }
    return mh;
}

double minhash_similarity(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    if (a.empty() || a.size() != b.size()) return 0.0;
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
    return double(same) / double(a.size());
}

SampleSignature sample_signature(const std::string& file, const Message& msg, const DecodedMessage& mime,
                                 const ExplainReport& report, const BrandSet* brands, const SignatureOptions& opts) {
    auto psl = PublicSuffixList::system();
    SampleSignature sig;
    sig.file = file;
    if (auto t = arrival_of(msg)) sig.arrival = static_cast<std::int64_t>(*t);
    sig.digest = sha256_prefix(msg.bytes());
    sig.subject = mime.header("Subject");
    for (char& ch : sig.subject)
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    if (sig.subject.size() > 160) {
        std::size_t cut = 160;
        while (cut > 0 && (static_cast<unsigned char>(sig.subject[cut]) & 0xC0) == 0x80) --cut;
        sig.subject.resize(cut);
    }
    // The From domain as written, when authentication did not name one (no From: result at all).
    std::string from_domain = report.auth.from_domain;
    if (from_domain.empty()) {
        auto froms = mailboxes(msg, "From");
        if (!froms.empty()) from_domain = domain_of(froms.front());
    }
    sig.sender = !report.authenticated_domain.empty() ? report.authenticated_domain : from_domain;
    sig.dmarc = to_string(report.auth.dmarc);
    sig.auth_source = report.auth.source;
    sig.report_to = report.report_to;

    // Recipients: masked in the text, and what tells a replay from a copy of one message.
    std::vector<std::string> rcpts;
    for (const char* h : {"To", "Cc", "Delivered-To", "X-Original-To"})
        for (const auto& m : mailboxes(msg, h)) rcpts.push_back(lower_address(m));
    std::sort(rcpts.begin(), rcpts.end());
    rcpts.erase(std::unique(rcpts.begin(), rcpts.end()), rcpts.end());
    {
        std::string joined;
        for (const auto& r : rcpts) joined += r + "\n";
        sig.recipients = sha256_prefix(joined, 8);
    }

    // The template: subject and decoded text, variable parts masked.
    std::string text = sig.subject + "\n" + mime.all_text();
    sig.minhash = template_minhash(masked_words(text, rcpts, opts.max_words), opts.minhash_size, opts.shingle_words,
                                   opts.min_shingles);

    Ctx c{sig, opts, {}};
    std::string sender_reg = registrable_of(to_lower(sig.sender), *psl);
    std::string from_reg = registrable_of(to_lower(from_domain), *psl);

    // The sending account on a platform. GitHub's notification headers (docs.github.com,
    // "Email notification headers"): List-Id is "OWNER/REPOSITORY <REPOSITORY.OWNER.github.com>";
    // X-GitHub-Sender names the account (user or bot) whose action sent it.
    if (const HeaderField* gs = msg.first("X-GitHub-Sender")) c.tie("account", "github:user/" + to_lower(trim(gs->value)), "X-GitHub-Sender");
    if (from_reg == "github.com" || sender_reg == "github.com")
        if (const HeaderField* li = msg.first("List-ID")) {
            std::string v = trim(li->value);
            std::size_t lt = v.find('<');
            std::string repo = trim(lt == std::string::npos ? v : v.substr(0, lt));
            if (repo.find('/') != std::string::npos) c.tie("account", "github:repo/" + to_lower(repo), "List-ID");
        }
    for (const char* h : {"From", "Sender", "Reply-To", "Return-Path"})
        for (const auto& m : mailboxes(msg, h)) {
            std::string t = tenant_of(domain_of(m));
            if (!t.empty()) c.tie("account", t, h);
        }
    for (const HeaderField* f : msg.all("DKIM-Signature")) {
        std::string t = tenant_of(to_lower(dkim_tag(f->value, "d")));
        if (!t.empty()) c.tie("account", t, "DKIM-Signature d=");
    }
    add_platform_object_ties(c, report.indicators);

    // Reply-To: where the answers go is the sender's choice, unless it is the platform's own.
    for (const auto& m : mailboxes(msg, "Reply-To")) {
        std::string d = domain_of(m);
        std::string reg = registrable_of(d, *psl);
        if (reg.empty() || reg == sender_reg || reg == from_reg) continue;
        if (m.local_part.find('+') == std::string::npos) c.tie("reply-to", lower_address(m), "Reply-To");
        if (!is_freemail(reg) && tenant_of(d).empty()) c.tie("reply-to-domain", reg, "Reply-To");
    }

    // Link and contact infrastructure.
    std::string claimed;
    {
        std::string raw = sig.subject;
        if (const HeaderField* f = msg.first("From")) {
            AddressList l = parse_address_list(f->value);
            for (const auto& m : l.mailboxes) raw += " " + m.display_name;
        }
        for (char ch : to_lower(raw))
            if (ch != ' ' && ch != '-' && ch != '_') claimed.push_back(ch);
    }
    add_link_ties(c, report.indicators, sender_reg, brands, *psl, claimed);
    for (const Indicator* e : report.indicators.of("email")) {
        if (std::binary_search(rcpts.begin(), rcpts.end(), e->value)) continue;
        std::string reg = e->registrable.empty() ? registrable_of(e->domain, *psl) : e->registrable;
        if (reg.empty() || reg == sender_reg || reg == from_reg) continue;
        if (starts_with(e->where, "From") || starts_with(e->where, "To")) continue;
        c.tie("contact-email", e->value, e->where);
    }
    for (const Indicator* p : report.indicators.of("phone")) c.tie("phone", p->value, p->where);
    for (const Indicator* w : report.indicators.of("wallet")) c.tie("wallet", w->value, w->where);

    // RFC 6376 §3.5 b=: the same signature value means the same signed bytes; seen for different
    // recipients it is a replay (DESIGN: what one message alone cannot show).
    for (const HeaderField* f : msg.all("DKIM-Signature")) {
        std::string b = dkim_tag(f->value, "b");
        if (b.size() < 16) continue;
        c.tie("dkim-signature", "d=" + to_lower(dkim_tag(f->value, "d")) + " b=" + sha256_prefix(b, 12), "DKIM-Signature");
    }

    // Indicators to report, defanged, a few of each kind.
    std::map<std::string, std::size_t> per_kind;
    for (const auto& i : report.indicators.items) {
        if (i.kind == "money") continue;
        if (i.kind == "email" && std::binary_search(rcpts.begin(), rcpts.end(), i.value)) continue;
        if (per_kind[i.kind]++ >= opts.max_indicators) continue;
        std::string v = i.kind + ": " + (i.defanged.empty() ? i.value : i.defanged);
        if (std::find(sig.indicators.begin(), sig.indicators.end(), v) == sig.indicators.end()) sig.indicators.push_back(v);
    }
    return sig;
}

// ---- signature <-> JSON ------------------------------------------------------------------

Json signature_json(const SampleSignature& s) {
    Json j;
    j["result"] = "signature";
    j["arrival"] = s.arrival;
    j["digest"] = s.digest;
    j["subject"] = s.subject;
    std::string mh;
    static const char* hx = "0123456789abcdef";
    for (std::uint32_t v : s.minhash)
        for (int sh = 28; sh >= 0; sh -= 4) mh.push_back(hx[(v >> sh) & 15]);
    j["minhash"] = mh;
    Json ties = Json::array();
    for (const auto& t : s.ties) ties.push_back(Json::array({t.kind, t.value, t.where}));
    j["ties"] = ties;
    j["sender"] = s.sender;
    j["dmarc"] = s.dmarc;
    j["auth_source"] = s.auth_source;
    j["recipients"] = s.recipients;
    j["indicators"] = s.indicators;
    j["report_to"] = s.report_to;
    j["dns"] = Json::array();  // grouping needs no DNS evidence; the runner would add it otherwise
    return j;
}

SampleSignature signature_from_json(const Json& j) {
    try {
        SampleSignature s;
        s.file = j.value("file", "");
        s.arrival = j.at("arrival").get<std::int64_t>();
        s.digest = j.at("digest").get<std::string>();
        s.subject = j.at("subject").get<std::string>();
        std::string mh = j.at("minhash").get<std::string>();
        if (mh.size() % 8) throw InputError("signature: bad minhash");
        for (std::size_t i = 0; i < mh.size(); i += 8) {
            std::uint32_t v = 0;
            for (std::size_t k = 0; k < 8; ++k) {
                int h = hexval(mh[i + k]);
                if (h < 0) throw InputError("signature: bad minhash");
                v = (v << 4) | std::uint32_t(h);
            }
            s.minhash.push_back(v);
        }
        for (const auto& t : j.at("ties")) s.ties.push_back({t.at(0).get<std::string>(), t.at(1).get<std::string>(), t.at(2).get<std::string>()});
        s.sender = j.at("sender").get<std::string>();
        s.dmarc = j.at("dmarc").get<std::string>();
        s.auth_source = j.at("auth_source").get<std::string>();
        s.recipients = j.at("recipients").get<std::string>();
        s.indicators = j.at("indicators").get<std::vector<std::string>>();
        s.report_to = j.at("report_to").get<std::string>();
        return s;
    } catch (const InputError&) {
        throw;
    } catch (const std::exception& e) {
        throw InputError(std::string("not a campaign signature: ") + e.what());
    }
}

// ---- grouping ----------------------------------------------------------------------------

CampaignGrouper::CampaignGrouper(CampaignOptions opts) : opts_(opts) {
    if (opts_.band_rows == 0) opts_.band_rows = 4;
}

void CampaignGrouper::add(SampleSignature s) {
    auto i = static_cast<std::uint32_t>(sigs_.size());
    sigs_.push_back(std::move(s));
    const auto& mh = sigs_.back().minhash;
    if (mh.empty()) return;
    // LSH (banding): two signatures agreeing on all rows of one band are candidates; each bucket
    // keeps its first few members, so a sample is compared with at most bands x bucket_members others.
    std::vector<Edge> best;
    std::set<std::uint32_t> compared;
    std::size_t bands = mh.size() / opts_.band_rows;
    for (std::size_t b = 0; b < bands; ++b) {
        std::uint64_t key = mix64(b + 0x51ed);
        for (std::size_t r = 0; r < opts_.band_rows; ++r) key = mix64(key ^ mh[b * opts_.band_rows + r]);
        auto& bucket = buckets_[key];
        for (std::uint32_t j : bucket) {
            if (!compared.insert(j).second) continue;
            double sim = minhash_similarity(mh, sigs_[j].minhash);
            if (sim >= opts_.min_similarity) best.push_back({j, i, sim});
        }
        if (bucket.size() < opts_.bucket_members) bucket.push_back(i);
    }
    std::sort(best.begin(), best.end(), [](const Edge& x, const Edge& y) {
        return x.similarity != y.similarity ? x.similarity > y.similarity : x.a < y.a;
    });
    if (best.size() > 4) best.resize(4);
    template_edges_.insert(template_edges_.end(), best.begin(), best.end());
}

namespace {

struct UnionFind {
    std::vector<std::uint32_t> parent;
    explicit UnionFind(std::size_t n) : parent(n) {
        for (std::size_t i = 0; i < n; ++i) parent[i] = static_cast<std::uint32_t>(i);
    }
    std::uint32_t find(std::uint32_t x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }
    bool unite(std::uint32_t a, std::uint32_t b) {
        a = find(a);
        b = find(b);
        if (a == b) return false;
        if (b < a) std::swap(a, b);
        parent[b] = a;  // the earlier sample is the root: deterministic
        return true;
    }
};

// Stronger evidence is applied first, so a merge names the tie that says most.
int kind_rank(const std::string& k) {
    static const std::vector<std::string> order = {"dkim-signature", "account", "reply-to", "contact-email", "wallet",
                                                   "phone", "link-url", "link-host", "reply-to-domain"};
    auto it = std::find(order.begin(), order.end(), k);
    return static_cast<int>(it - order.begin());
}

// Values many unrelated senders share by nature (hosting, trackers, free-mail domains, addresses
// written into many messages): they tie only within a few template families.
bool weak_kind(const std::string& k) {
    return k == "link-host" || k == "link-url" || k == "contact-email" || k == "reply-to-domain";
}

std::string kind_evidence(const std::string& kind) {
    if (kind == "account") return "the same sending account on a platform";
    if (kind == "reply-to") return "the same Reply-To address";
    if (kind == "reply-to-domain") return "Reply-To addresses in the same (non-free-mail) domain";
    if (kind == "link-host") return "links to the same host, after unwrapping redirectors";
    if (kind == "link-url") return "the same short link";
    if (kind == "contact-email") return "the same contact address in the text";
    if (kind == "phone") return "the same phone number";
    if (kind == "wallet") return "the same crypto wallet address";
    if (kind == "dkim-signature") return "the same DKIM signature (identical b=)";
    return "the same " + kind;
}

bool defang_kind(const std::string& kind) {
    return kind == "reply-to" || kind == "reply-to-domain" || kind == "link-host" || kind == "link-url" ||
           kind == "contact-email";
}

std::string shown_value(const std::string& kind, const std::string& value) {
    return defang_kind(kind) ? defang(value) : value;
}

std::string fmt_sim(double s) {
    char b[16];
    std::snprintf(b, sizeof b, "%.2f", s);
    return b;
}

}  // namespace

std::vector<Campaign> CampaignGrouper::finish() {
    std::vector<Campaign> out;
    if (finished_) return out;
    finished_ = true;
    const std::size_t n = sigs_.size();
    UnionFind uf(n);

    // Exact tie values: an index capped per value (a value over the cap is platform-wide).
    std::unordered_map<std::string, std::vector<std::uint32_t>> index;
    for (std::uint32_t i = 0; i < n; ++i)
        for (const auto& t : sigs_[i].ties) {
            auto& v = index[t.kind + '\x1f' + t.value];
            if (v.size() <= opts_.max_tie_members && (v.empty() || v.back() != i)) v.push_back(i);
        }
    struct Key {
        int rank;
        std::string kind, value;
        const std::vector<std::uint32_t>* members;
    };
    // Template groups alone first: they tell a weak value shared within one template family from
    // one shared by many unrelated messages (a tracker, a redirect service, a recipient's address).
    std::vector<Edge> edges = template_edges_;
    std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
        if (x.similarity != y.similarity) return x.similarity > y.similarity;
        return x.a != y.a ? x.a < y.a : x.b < y.b;
    });
    UnionFind tuf(n);
    for (const auto& e : edges) tuf.unite(e.a, e.b);
    std::vector<Key> keys;
    for (const auto& [k, v] : index) {
        if (v.size() < 2 || v.size() > opts_.max_tie_members) continue;
        std::size_t sep = k.find('\x1f');
        std::string kind = k.substr(0, sep);
        if (weak_kind(kind)) {
            std::set<std::uint32_t> templates;
            for (std::uint32_t i : v) templates.insert(tuf.find(i));
            if (templates.size() > opts_.max_weak_templates) continue;
        }
        keys.push_back({kind_rank(kind), kind, k.substr(sep + 1), &v});
    }
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
        return a.rank != b.rank ? a.rank < b.rank : a.value != b.value ? a.value < b.value : a.kind < b.kind;
    });
    struct Merge {
        std::uint32_t a, b;
        std::string kind, value, evidence;
    };
    std::vector<Merge> merges;
    for (const auto& k : keys) {
        const auto& m = *k.members;
        for (std::size_t x = 1; x < m.size(); ++x)
            if (uf.unite(m[0], m[x])) {
                std::string ev = kind_evidence(k.kind);
                if (k.kind == "dkim-signature")
                    ev += sigs_[m[0]].recipients != sigs_[m[x]].recipients
                              ? ", for different recipients: a replay"
                              : ", for the same recipients: one signed message sent or collected more than once";
                merges.push_back({m[0], m[x], k.kind, shown_value(k.kind, k.value), ev});
            }
    }
    for (const auto& e : edges)
        if (uf.unite(e.a, e.b))
            merges.push_back({e.a, e.b, "template", "masked text similarity " + fmt_sim(e.similarity),
                              "the same message template once names, numbers, links and addresses are masked "
                              "(estimated Jaccard similarity " + fmt_sim(e.similarity) + " of word shingles)"});

    // Components in order of their first member.
    std::map<std::uint32_t, std::vector<std::uint32_t>> comps;
    for (std::uint32_t i = 0; i < n; ++i) comps[uf.find(i)].push_back(i);
    std::map<std::uint32_t, std::size_t> slot;
    for (auto& [root, mem] : comps) {
        if (mem.size() < 2 && !opts_.singletons) continue;
        Campaign c;
        std::vector<std::string> digests;
        for (std::uint32_t i : mem) {
            const auto& s = sigs_[i];
            c.members.push_back({s.file, s.arrival, s.subject});
            digests.push_back(s.digest);
            if (s.arrival >= 0) {
                if (c.first_seen < 0 || s.arrival < c.first_seen) c.first_seen = s.arrival;
                if (s.arrival > c.last_seen) c.last_seen = s.arrival;
            }
            bool found = false;
            for (auto& snd : c.senders)
                if (snd.domain == s.sender && snd.dmarc == s.dmarc && snd.source == s.auth_source) {
                    ++snd.members;
                    found = true;
                }
            if (!found) c.senders.push_back({s.sender, s.dmarc, s.auth_source, 1});
            for (const auto& ind : s.indicators)
                if (c.indicators.size() < 200 && std::find(c.indicators.begin(), c.indicators.end(), ind) == c.indicators.end())
                    c.indicators.push_back(ind);
            if (!s.report_to.empty() && std::find(c.report_to.begin(), c.report_to.end(), s.report_to) == c.report_to.end())
                c.report_to.push_back(s.report_to);
        }
        std::sort(digests.begin(), digests.end());
        std::string joined;
        for (const auto& d : digests) joined += d + "\n";
        c.id = "c-" + sha256_prefix(joined, 8);
        std::sort(c.senders.begin(), c.senders.end(), [](const CampaignSender& a, const CampaignSender& b) {
            return a.members != b.members ? a.members > b.members : a.domain < b.domain;
        });
        slot[root] = out.size();
        out.push_back(std::move(c));
    }
    // Ties: every shared value within a campaign, with its members; the template, with the pairs.
    for (const auto& k : keys) {
        std::map<std::uint32_t, std::vector<std::string>> by_root;
        for (std::uint32_t i : *k.members) by_root[uf.find(i)].push_back(sigs_[i].file);
        for (auto& [root, files] : by_root) {
            if (files.size() < 2) continue;
            auto it = slot.find(root);
            if (it == slot.end()) continue;
            std::string ev = kind_evidence(k.kind) + " in " + std::to_string(files.size()) + " members";
            out[it->second].ties.push_back({k.kind, shown_value(k.kind, k.value), ev, std::move(files)});
        }
    }
    std::map<std::uint32_t, std::pair<double, std::set<std::uint32_t>>> tmpl;
    for (const auto& m : merges) {
        std::uint32_t root = uf.find(m.a);
        auto it = slot.find(root);
        if (it == slot.end()) continue;
        out[it->second].merges.push_back({sigs_[m.a].file, sigs_[m.b].file, m.kind, m.value, m.evidence});
    }
    for (const auto& e : edges) {
        std::uint32_t root = uf.find(e.a);
        auto& t = tmpl[root];
        if (t.second.empty() || e.similarity < t.first) t.first = e.similarity;
        t.second.insert(e.a);
        t.second.insert(e.b);
    }
    for (auto& [root, t] : tmpl) {
        auto it = slot.find(root);
        if (it == slot.end()) continue;
        std::vector<std::string> files;
        for (std::uint32_t i : t.second) files.push_back(sigs_[i].file);
        out[it->second].ties.push_back({"template", "masked text similarity >= " + fmt_sim(t.first),
                                        "the same message template once names, numbers, links and addresses are "
                                        "masked, in " + std::to_string(files.size()) + " members",
                                        std::move(files)});
    }
    std::stable_sort(out.begin(), out.end(), [](const Campaign& a, const Campaign& b) {
        if (a.members.size() != b.members.size()) return a.members.size() > b.members.size();
        std::int64_t fa = a.first_seen < 0 ? INT64_MAX : a.first_seen, fb = b.first_seen < 0 ? INT64_MAX : b.first_seen;
        if (fa != fb) return fa < fb;
        return a.id < b.id;
    });
    sigs_.clear();
    buckets_.clear();
    template_edges_.clear();
    return out;
}

// ---- output ------------------------------------------------------------------------------

std::string iso_time(std::int64_t t) {
    if (t < 0) return "";
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (!gmtime_r(&tt, &tm)) return "";
    char b[32];
    std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return b;
}

namespace {
Json time_json(std::int64_t t) { return t < 0 ? Json(nullptr) : Json(iso_time(t)); }
}  // namespace

Json campaign_json(const Campaign& c) {
    Json j;
    j["tool"] = "campaigns";
    j["file"] = c.members.empty() ? "" : c.members.front().file;
    j["result"] = c.members.size() > 1 ? "campaign" : "single";
    j["id"] = c.id;
    j["size"] = c.members.size();
    Json mem = Json::array();
    for (const auto& m : c.members) {
        Json o;
        o["file"] = m.file;
        o["arrival"] = time_json(m.arrival);
        o["subject"] = m.subject;
        mem.push_back(o);
    }
    j["members"] = mem;
    j["first_seen"] = time_json(c.first_seen);
    j["last_seen"] = time_json(c.last_seen);
    j["ties"] = Json::array();
    for (const auto& t : c.ties)
        j["ties"].push_back({{"kind", t.kind}, {"value", t.value}, {"evidence", t.evidence}, {"members", t.files}});
    j["merges"] = Json::array();
    for (const auto& m : c.merges)
        j["merges"].push_back({{"a", m.a}, {"b", m.b}, {"kind", m.kind}, {"value", m.value}, {"evidence", m.evidence}});
    j["senders"] = Json::array();
    for (const auto& s : c.senders)
        j["senders"].push_back({{"domain", s.domain}, {"dmarc", s.dmarc}, {"source", s.source}, {"members", s.members}});
    j["indicators"] = c.indicators;
    j["report_to"] = c.report_to;
    return j;
}

std::string campaigns_text(const std::vector<Campaign>& cs, std::size_t samples, std::size_t errors) {
    std::size_t grouped = 0, groups = 0;
    for (const auto& c : cs)
        if (c.members.size() > 1) {
            grouped += c.members.size();
            ++groups;
        }
    std::ostringstream o;
    o << groups << (groups == 1 ? " campaign" : " campaigns") << " of 2 or more samples (" << grouped << " of "
      << samples << " samples)";
    if (errors) o << ", " << errors << (errors == 1 ? " sample" : " samples") << " not read";
    o << "\n";
    if (cs.empty()) return o.str();
    o << "\n";
    char line[256];
    std::snprintf(line, sizeof line, "%5s  %-10s  %-10s  %-18s  %-34s  %s\n", "size", "first seen", "last seen", "id",
                  "ties", "subject (first member)");
    o << line;
    for (const auto& c : cs) {
        std::set<std::string> kinds;
        for (const auto& t : c.ties) kinds.insert(t.kind);
        std::string k;
        for (const auto& x : kinds) k += (k.empty() ? "" : ",") + x;
        if (k.empty()) k = "-";
        if (k.size() > 34) k = k.substr(0, 31) + "...";
        std::string fs = iso_time(c.first_seen).substr(0, 10), ls = iso_time(c.last_seen).substr(0, 10);
        std::snprintf(line, sizeof line, "%5zu  %-10s  %-10s  %-18s  %-34s  ", c.members.size(), fs.empty() ? "-" : fs.c_str(),
                      ls.empty() ? "-" : ls.c_str(), c.id.c_str(), k.c_str());
        o << line << (c.members.empty() ? "" : c.members.front().subject) << "\n";
    }
    return o.str();
}

}  // namespace auth
