// Brand profiles: what a brand's genuine mail looks like (its domains, notification senders, link
// domains, sending platforms, the fields its customers can set), read from JSON files so that a
// user can add a brand without touching code. A profile with "kind": "platform" describes a
// shared sending platform (an ESP) instead of a brand.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/message.hpp"  // domain_within

namespace auth {

struct BrandProfile {
    std::string id;                                  // stable, [a-z0-9-]+
    std::string name;                                // "Contoso"
    std::string kind = "brand";                      // "brand" or "platform"
    std::vector<std::string> names;                  // names a display name may use ("Contoso 365")
    std::vector<std::string> domains;                // registrable domains the brand owns (lower-case A-labels)
    std::vector<std::string> notification_senders;   // addresses its automated mail comes from
    std::vector<std::string> link_domains;           // other domains its genuine links go to
    std::vector<std::string> sending_platforms;      // ESP domains (DKIM d=) it legitimately sends through
    std::vector<std::string> customer_settable;      // labels of fields a customer controls ("Organization")
    std::vector<std::string> phones;                 // official phone numbers, +digits
    std::string abuse;                               // where to report abuse (address), "" when unknown
    bool crypto_addresses_expected = false;          // its genuine mail may show wallet addresses
    // What kind of brand ("notification-platform", "bank", "carrier", "retail", "streaming",
    // "crypto", "government", "software", "esp", ...), "" when not said.
    std::string category;
    // Conventions of its genuine notifications (see authscope-explain(1), BRAND PROFILES):
    bool user_content = false;       // its notifications carry text its users write (shares, issues, forms)
    bool reply_to_is_user = false;   // Reply-To is the user who shared or sent (Drive, DocuSign, SurveyMonkey)
    bool via_display_names = false;  // display names "X via Brand" / "X (via Brand)": X is the user's name
    bool bot_accounts = false;       // user accounts named "name[bot]" (GitHub Apps) post notifications
    bool generic_name = false;       // its name is an ordinary word: no look-alike check on its label
    std::vector<std::string> tenant_domains;  // customers pick a subdomain under these (xyz.onmicrosoft.com)
    std::vector<std::string> sources;         // where this knowledge comes from (URLs)
    std::string file;                                // where the profile was read from

    // True when `domain` (any case, A-labels) is one of `domains` or under one of them.
    bool owns(std::string_view domain) const;
    // owns(), or a link domain or sending platform of the brand (or under one).
    bool expected_link(std::string_view domain) const;
};

class BrandSet {
public:
    // Reads every *.json in `dir` (sorted by name). A later profile with the same id replaces
    // an earlier one. Throws UsageError naming the file and the problem for a malformed profile
    // or an unreadable directory.
    void load_dir(const std::string& dir);
    // The tools' brands: the shipped profiles (default_dir(), when `shipped` and there is one),
    // then each of `dirs` in order (a same id replaces an earlier one).
    void load_dirs(bool shipped, const std::vector<std::string>& dirs);
    // Reads one profile from JSON text; `file` names it in errors. Throws UsageError.
    void load_text(std::string_view json_text, const std::string& file);
    void add(BrandProfile p);

    const std::vector<BrandProfile>& profiles() const { return profiles_; }
    // The brand (kind brand) that owns the domain, or null.
    const BrandProfile* by_domain(std::string_view domain) const;
    // The platform (kind platform, or a brand's listed sending platform) the domain belongs to,
    // or null when it is none.
    const BrandProfile* platform_by_domain(std::string_view domain) const;
    // A brand whose name appears as a word in `text` (display name, subject), or null.
    const BrandProfile* by_name_in(std::string_view text) const;
    // Every brand (kind brand) named in `text`, in profile order.
    std::vector<const BrandProfile*> all_named_in(std::string_view text) const;
    // True when the domain is a domain, link domain or platform of any profile.
    bool known_domain(std::string_view domain) const;
    // Every domain of every brand (kind brand), for look-alike checks; brands whose name is an
    // ordinary word (generic_name) are left out, as are domains whose first label is under 4 letters.
    std::vector<std::string> all_brand_domains() const;
    // The brand whose tenant_domains hold `domain` as a customer-chosen subdomain, or null.
    const BrandProfile* tenant_of(std::string_view domain) const;

    // The profiles shipped with authscope: $AUTHSCOPE_BRANDS if set, else the installed data
    // directory (share/authscope/brands), else the source tree's data/brands. (The fictional
    // brands of the tests live in fixtures/brands and are never a default.)
    static std::string default_dir();

private:
    std::vector<BrandProfile> profiles_;
};

}  // namespace auth
