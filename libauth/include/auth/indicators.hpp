// Indicators in a message's text: URLs (plain, HTML href, obscured), domains, e-mail addresses,
// phone numbers, crypto wallet addresses and money amounts; each keeps where it was found.
// Domains are analysed for IDN (libidn2, RFC 5891), mixed scripts (UTS #39 §5.1 in outline),
// look-alikes of brand domains (a confusable skeleton, UTS #39 §4, and edit distance).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace auth {

class PublicSuffixList;

// Facts about one host name.
struct DomainInfo {
    std::string ascii;          // lower-case A-labels ("xn--..."), "" when not a valid name
    std::string unicode;        // U-labels (what a reader sees)
    std::string registrable;    // registrable domain (PSL) in A-labels; the name itself when none
    bool ip_literal = false;    // 192.0.2.1, [2001:db8::1], or a decimal/hex IPv4 form
    bool idn = false;           // has an xn-- label or non-ASCII characters
    bool mixed_script = false;  // one label mixes Latin with Cyrillic/Greek/Armenian ...
};

// Reads a host name (A- or U-labels, any case). Never throws.
DomainInfo analyze_domain(std::string_view host, const PublicSuffixList* psl = nullptr);

// The UTS #39-style skeleton of a name: confusable characters (Cyrillic а, Greek ο, 0, 1, rn ...)
// mapped to the Latin letters they imitate, lower case, then hyphens and dots kept.
std::string confusable_skeleton(std::string_view unicode_name);

// The brand domain `registrable` imitates (same skeleton, or one or two edits away from a
// brand domain of 6+ letters), or "" when none. A brand domain itself is never a look-alike.
std::string lookalike_of(const DomainInfo& d, const std::vector<std::string>& brand_domains);

// One indicator. `kind`: url, email, phone, wallet, money.
struct Indicator {
    std::string kind;
    std::string value;     // normalised: refanged URL, lower-case address, +digits phone, wallet, "USD 399.99"
    std::string raw;       // as written in the message
    std::string defanged;  // safe to paste: hxxps://evil[.]example/path, user[@]example[.]com
    std::string where;     // "Subject", "From display name", "text part 1", "href in part 2" ...
    std::string domain;    // url: host (ASCII); email: domain (ASCII)
    std::string domain_unicode;
    std::string registrable;
    std::string subtype;   // wallet: bitcoin-base58, bitcoin-bech32, bitcoin-bech32m, ethereum;
                           // money: currency code; phone: toll-free, nanp, e164, national
    std::string link_text; // url from an href: the anchor's visible text
    std::vector<std::string> flags;  // obscured, ip-literal, idn, mixed-script, shortener,
                                     // bare-domain, checksum-ok, checksum-unverified,
                                     // redirector (a link whose destination is unwrapped),
                                     // unwrapped + via-proxy / via-open-redirect /
                                     // via-receiver-rewrite (that destination)
    std::string target;    // url behind a redirector: the destination it leads to, "" when none
    std::string via;       // the redirector or proxy ("Google Translate's proxy"), "" when none
    bool has(std::string_view flag) const;
};

struct Indicators {
    std::vector<Indicator> items;
    void add(Indicator i);  // ignores an exact duplicate (same kind, value and where)
    std::vector<const Indicator*> of(std::string_view kind) const;
    // Registrable domains of every url and email, sorted, unique.
    std::vector<std::string> domains() const;

private:
    std::unordered_set<std::string> seen_;  // kind, value and where of each item (add() stays linear)
};

// Undoes common defanging so obscured links can be read: hxxp(s) -> http(s), [.] (.) {.} [dot]
// (dot) " dot " -> ".", [:] -> ":", [@] (at) [at] -> "@", spaces around dots inside host names.
// `changed`, when given, marks each output byte that comes from a rewritten region.
std::string refang(std::string_view text, std::vector<bool>* changed = nullptr);

// The defanged form of a URL or address (scheme hxxp, dots in the host as [.], @ as [@]).
std::string defang(std::string_view url_or_address);

// Extractors over plain text (UTF-8); each appends to `out` with the given `where`.
void extract_urls(std::string_view text, std::string_view where, Indicators& out, const PublicSuffixList* psl = nullptr);
void extract_emails(std::string_view text, std::string_view where, Indicators& out, const PublicSuffixList* psl = nullptr);
void extract_phones(std::string_view text, std::string_view where, Indicators& out);
void extract_wallets(std::string_view text, std::string_view where, Indicators& out);
void extract_money(std::string_view text, std::string_view where, Indicators& out);
// All of the above.
void extract_all(std::string_view text, std::string_view where, Indicators& out, const PublicSuffixList* psl = nullptr);

// One URL (from an href): parsed and analysed as a url Indicator; nullopt for mailto:, tel:,
// fragments and relative links (mailto: and tel: become email / phone indicators in `out`).
void add_href(std::string_view href, std::string_view link_text, std::string_view where, Indicators& out,
              const PublicSuffixList* psl = nullptr);

// A link through a redirector or proxy and where it leads: Google's /url and AMP viewer,
// Google Translate's proxy (translate.google.com/translate?u=, SITE.translate.goog), AMP caches,
// Bing's click links, Outlook Safe Links and Proofpoint URL Defense (receiver rewriting), and any
// click tracker carrying the destination as a URL parameter (url=, u=, redirect= ...).
struct Redirect {
    std::string target;  // the destination URL
    std::string via;     // who redirects, in words
    std::string kind;    // proxy, open-redirect, receiver-rewrite
};
std::optional<Redirect> unwrap_redirect(std::string_view url);
// Where a link finally leads: unwrap_redirect followed up to 4 deep; the URL itself when it is no redirect.
std::string final_destination(std::string_view url);
// For every url in `ind` behind a redirector (up to 4 deep): marks it "redirector" with its
// target, and adds the destination as a url indicator of its own ("unwrapped"), where it was found
// plus "(behind VIA)", so that rules judge the host the reader really reaches.
void unwrap_redirects(Indicators& ind, const PublicSuffixList* psl = nullptr);

// Checksums (also used by the extractors).
bool base58check_valid(std::string_view address);   // Bitcoin P2PKH/P2SH, double SHA-256 (OpenSSL)
// BIP 173 / BIP 350: 0 when invalid, 1 for bech32 (witness v0), 2 for bech32m (v1+).
int segwit_address_kind(std::string_view address);
bool is_shortener(std::string_view registrable);    // bit.ly, tinyurl.com, t.co, ... (built-in list)

}  // namespace auth
