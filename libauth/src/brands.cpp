// Brand profiles (auth/brands.hpp): JSON (nlohmann) files in a directory, validated strictly so
// that a typo in a user's profile is an error naming the file, never a silently ignored key.
#include "auth/brands.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "auth/address.hpp"
#include "auth/error.hpp"
#include "auth/lures.hpp"
#include "auth/message.hpp"

namespace auth {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void bad(const std::string& file, const std::string& what) {
    throw UsageError("brand profile " + file + ": " + what);
}

std::vector<std::string> string_list(const nlohmann::json& j, const char* key, const std::string& file) {
    std::vector<std::string> r;
    if (!j.contains(key)) return r;
    const auto& v = j.at(key);
    if (!v.is_array()) bad(file, std::string("\"") + key + "\" must be an array of strings");
    for (const auto& e : v) {
        if (!e.is_string()) bad(file, std::string("\"") + key + "\" must be an array of strings");
        r.push_back(e.get<std::string>());
    }
    return r;
}

std::string domain_entry(const std::string& d, const char* key, const std::string& file) {
    std::string err;
    auto a = domain_to_ascii(d, &err);
    if (!a || a->find('.') == std::string::npos)
        bad(file, std::string("\"") + key + "\" has \"" + d + "\", which is not a domain name" +
                      (err.empty() ? "" : " (" + err + ")"));
    return *a;
}

std::string normalise_phone(const std::string& p) {
    std::string digits;
    for (char c : p)
        if (c >= '0' && c <= '9') digits += c;
    if (!p.empty() && p[0] == '+') return "+" + digits;
    if (digits.size() == 10) return "+1" + digits;  // NANP written without the country code
    return "+" + digits;
}

bool word_in(const std::string& hay_lower, const std::string& needle_lower) {
    if (needle_lower.empty()) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    for (std::size_t p = hay_lower.find(needle_lower); p != std::string::npos; p = hay_lower.find(needle_lower, p + 1)) {
        bool left = p == 0 || !alnum(hay_lower[p - 1]);
        std::size_t e = p + needle_lower.size();
        bool right = e >= hay_lower.size() || !alnum(hay_lower[e]);
        if (left && right) return true;
    }
    return false;
}

}  // namespace

bool BrandProfile::owns(std::string_view domain) const {
    for (const auto& d : domains)
        if (domain_within(domain, d)) return true;
    return false;
}

bool BrandProfile::expected_link(std::string_view domain) const {
    if (owns(domain)) return true;
    for (const auto& d : link_domains)
        if (domain_within(domain, d)) return true;
    for (const auto& d : sending_platforms)
        if (domain_within(domain, d)) return true;
    return false;
}

void BrandSet::add(BrandProfile p) {
    for (auto& q : profiles_)
        if (q.id == p.id) {
            q = std::move(p);
            return;
        }
    profiles_.push_back(std::move(p));
}

void BrandSet::load_text(std::string_view text, const std::string& file) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number overflow
        // e.what() carries the byte offset: "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
        std::string w = e.what();
        auto p = w.find("] ");
        bad(file, "not valid JSON: " + (p == std::string::npos ? w : w.substr(p + 2)));
    }
    if (!j.is_object()) bad(file, "the profile must be a JSON object");
    static const char* kKeys[] = {"id", "name", "kind", "names", "domains", "notification_senders", "link_domains",
                                  "sending_platforms", "customer_settable", "phones", "abuse",
                                  "crypto_addresses_expected", "comment", "sources", "category", "user_content",
                                  "reply_to_is_user", "via_display_names", "bot_accounts", "generic_name",
                                  "tenant_domains"};
    for (auto it = j.begin(); it != j.end(); ++it) {
        bool known = false;
        for (const char* k : kKeys) known = known || it.key() == k;
        if (!known) bad(file, "unknown key \"" + it.key() + "\"");
    }
    BrandProfile p;
    p.file = file;
    if (!j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>().empty())
        bad(file, "\"id\" (a non-empty string) is required");
    p.id = j["id"].get<std::string>();
    for (char c : p.id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            bad(file, "\"id\" must be lower-case letters, digits and '-'");
    if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty())
        bad(file, "\"name\" (a non-empty string) is required");
    p.name = j["name"].get<std::string>();
    if (j.contains("kind")) {
        if (!j["kind"].is_string() || (j["kind"] != "brand" && j["kind"] != "platform"))
            bad(file, "\"kind\" must be \"brand\" or \"platform\"");
        p.kind = j["kind"].get<std::string>();
    }
    p.names = string_list(j, "names", file);
    if (std::find(p.names.begin(), p.names.end(), p.name) == p.names.end()) p.names.insert(p.names.begin(), p.name);
    for (const auto& d : string_list(j, "domains", file)) p.domains.push_back(domain_entry(d, "domains", file));
    if (p.domains.empty()) bad(file, "\"domains\" must list at least one domain");
    for (const auto& d : string_list(j, "link_domains", file)) p.link_domains.push_back(domain_entry(d, "link_domains", file));
    for (const auto& d : string_list(j, "sending_platforms", file))
        p.sending_platforms.push_back(domain_entry(d, "sending_platforms", file));
    for (const auto& a : string_list(j, "notification_senders", file)) {
        auto at = a.rfind('@');
        if (at == std::string::npos || at == 0) bad(file, "\"notification_senders\" has \"" + a + "\", which is not an address");
        p.notification_senders.push_back(to_lower(a.substr(0, at)) + "@" + domain_entry(a.substr(at + 1), "notification_senders", file));
    }
    p.customer_settable = string_list(j, "customer_settable", file);
    for (const auto& ph : string_list(j, "phones", file)) {
        std::string n = normalise_phone(ph);
        if (n.size() < 8) bad(file, "\"phones\" has \"" + ph + "\", which is not a phone number");
        p.phones.push_back(n);
    }
    if (j.contains("abuse")) {
        if (!j["abuse"].is_string()) bad(file, "\"abuse\" must be a string (an address)");
        p.abuse = j["abuse"].get<std::string>();
        if (p.abuse.find('@') == std::string::npos) bad(file, "\"abuse\" must be an e-mail address");
    }
    if (j.contains("crypto_addresses_expected")) {
        if (!j["crypto_addresses_expected"].is_boolean()) bad(file, "\"crypto_addresses_expected\" must be true or false");
        p.crypto_addresses_expected = j["crypto_addresses_expected"].get<bool>();
    }
    auto flag = [&](const char* key, bool& into) {
        if (!j.contains(key)) return;
        if (!j[key].is_boolean()) bad(file, std::string("\"") + key + "\" must be true or false");
        into = j[key].get<bool>();
    };
    flag("user_content", p.user_content);
    flag("reply_to_is_user", p.reply_to_is_user);
    flag("via_display_names", p.via_display_names);
    flag("bot_accounts", p.bot_accounts);
    flag("generic_name", p.generic_name);
    if (j.contains("category")) {
        if (!j["category"].is_string()) bad(file, "\"category\" must be a string");
        p.category = j["category"].get<std::string>();
        for (char c : p.category)
            if (!((c >= 'a' && c <= 'z') || c == '-')) bad(file, "\"category\" must be lower-case letters and '-'");
    }
    for (const auto& d : string_list(j, "tenant_domains", file)) p.tenant_domains.push_back(domain_entry(d, "tenant_domains", file));
    for (const auto& u : string_list(j, "sources", file)) {
        if (u.rfind("https://", 0) != 0 && u.rfind("http://", 0) != 0) bad(file, "\"sources\" has \"" + u + "\", which is not an http(s) URL");
        p.sources.push_back(u);
    }
    add(std::move(p));
}

void BrandSet::load_dirs(bool shipped, const std::vector<std::string>& dirs) {
    if (shipped) {
        std::string dir = default_dir();
        if (!dir.empty()) load_dir(dir);
    }
    for (const auto& d : dirs) load_dir(d);
}

void BrandSet::load_dir(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw UsageError("brand profiles: " + dir + " is not a directory");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".json") files.push_back(e.path());
    if (ec) throw UsageError("brand profiles: cannot read " + dir + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        if (!in) throw UsageError("brand profile " + f.string() + ": cannot be read");
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        if (text.size() > (1u << 20)) bad(f.string(), "larger than 1 MiB");
        load_text(text, f.string());
    }
}

const BrandProfile* BrandSet::by_domain(std::string_view domain) const {
    for (const auto& p : profiles_)
        if (p.kind == "brand" && p.owns(domain)) return &p;
    return nullptr;
}

const BrandProfile* BrandSet::platform_by_domain(std::string_view domain) const {
    for (const auto& p : profiles_)
        if (p.kind == "platform" && p.owns(domain)) return &p;
    return nullptr;
}

namespace {
// "N.E.T.F.L.I.X" and "P_a_y_P_a_l" read as the word they spell: single letters joined by one
// separator are put together.
std::string join_single_letters(const std::string& t) {
    std::string r;
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    for (std::size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        if ((c == '.' || c == '_' || c == '-' || c == '*') && i > 0 && i + 1 < t.size() && letter(t[i - 1]) && letter(t[i + 1]) &&
            (i < 2 || !letter(t[i - 2])) && (i + 2 >= t.size() || !letter(t[i + 2])))
            continue;
        r += c;
    }
    return r;
}
}  // namespace

namespace {
// Levenshtein distance of at most 1 ("Microsft", "Netfliix"): one insertion, deletion or change.
bool one_edit(const std::string& a, const std::string& b) {
    if (a == b) return false;
    if (a.size() == b.size()) {
        int diff = 0;
        for (std::size_t i = 0; i < a.size(); ++i) diff += a[i] != b[i];
        return diff == 1;
    }
    const std::string& l = a.size() > b.size() ? a : b;
    const std::string& s = a.size() > b.size() ? b : a;
    if (l.size() != s.size() + 1) return false;
    std::size_t i = 0;
    while (i < s.size() && s[i] == l[i]) ++i;
    return s.compare(i, std::string::npos, l, i + 1, std::string::npos) == 0;
}

// A word of `t` one edit from a one-word brand name of 7+ letters: a misspelt brand.
bool misspelt_in(const std::string& t, const std::string& name) {
    if (name.size() < 7 || name.find(' ') != std::string::npos) return false;
    std::string w;
    for (std::size_t i = 0; i <= t.size(); ++i) {
        char c = i < t.size() ? t[i] : ' ';
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) { w += c; continue; }
        if (w.size() + 1 >= name.size() && w.size() <= name.size() + 1 && one_edit(w, name)) return true;
        w.clear();
    }
    return false;
}

// Text for brand names: folded, so that look-alike letters, accents and styled letters do not hide
// a name, and with spaced-out letters ("P a y P a l") also read joined.
std::string name_text(std::string_view text) {
    std::string t = fold_for_matching(text);
    if (std::string j = join_single_letters(t); j != t) t += " | " + j;
    return t;
}

// True when the folded text names brand p.
bool names_brand(const BrandProfile& p, const std::string& t) {
    if (p.kind != "brand") return false;
    for (const auto& n : p.names) {
        // A brand whose name is an ordinary word ("Chase", "Square") is named only by a longer form.
        if (p.generic_name && n.find(' ') == std::string::npos) continue;
        std::string fn = fold_for_matching(n);
        if ((n.size() >= 3 && word_in(t, fn)) || misspelt_in(t, fn)) return true;
    }
    return false;
}
}  // namespace

std::vector<const BrandProfile*> BrandSet::all_named_in(std::string_view text) const {
    std::vector<const BrandProfile*> r;
    const std::string t = name_text(text);
    for (const auto& p : profiles_)
        if (names_brand(p, t)) r.push_back(&p);
    return r;
}

const BrandProfile* BrandSet::by_name_in(std::string_view text) const {
    const std::string t = name_text(text);
    for (const auto& p : profiles_)
        if (names_brand(p, t)) return &p;
    return nullptr;
}

bool BrandSet::known_domain(std::string_view domain) const {
    for (const auto& p : profiles_)
        if (p.expected_link(domain)) return true;
    return false;
}

std::vector<std::string> BrandSet::all_brand_domains() const {
    std::vector<std::string> r;
    for (const auto& p : profiles_)
        if (p.kind == "brand" && !p.generic_name)
            for (const auto& d : p.domains)
                if (d.find('.') >= 4) r.push_back(d);
    return r;
}

const BrandProfile* BrandSet::tenant_of(std::string_view domain) const {
    for (const auto& p : profiles_)
        for (const auto& t : p.tenant_domains)
            if (domain_within(domain, t) && !domain_within(t, domain)) return &p;
    return nullptr;
}

std::string BrandSet::default_dir() {
    if (const char* e = std::getenv("AUTHSCOPE_BRANDS"); e && *e) return e;
    std::error_code ec;
#ifdef AUTHSCOPE_DATADIR
    if (fs::is_directory(AUTHSCOPE_DATADIR "/brands", ec)) return AUTHSCOPE_DATADIR "/brands";
#endif
#ifdef AUTHSCOPE_SOURCE_DIR
    if (fs::is_directory(AUTHSCOPE_SOURCE_DIR "/data/brands", ec)) return AUTHSCOPE_SOURCE_DIR "/data/brands";
#endif
    return {};
}

}  // namespace auth
