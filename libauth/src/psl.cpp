#include "auth/psl.hpp"

#include <cctype>
#include <libpsl.h>

#include "auth/error.hpp"

namespace auth {
namespace {

const psl_ctx_t* ctx(void* p) { return static_cast<const psl_ctx_t*>(p); }

// libpsl wants lower-case UTF-8; A-labels pass through unchanged.
std::string lower_utf8(std::string_view in) {
    std::string s(in);
    bool ascii = true;
    for (unsigned char c : s) ascii = ascii && c < 0x80;
    if (ascii) {
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }
    char* out = nullptr;
    if (psl_str_to_utf8lower(s.c_str(), "utf-8", nullptr, &out) == PSL_SUCCESS && out) {
        std::string r(out);
        psl_free_string(out);
        return r;
    }
    return s;
}

}  // namespace

PublicSuffixList::PublicSuffixList(void* c, bool owned) : ctx_(c), owned_(owned) {}

PublicSuffixList::~PublicSuffixList() {
    if (owned_) psl_free(static_cast<psl_ctx_t*>(ctx_));
}

std::shared_ptr<const PublicSuffixList> PublicSuffixList::system() {
    static std::shared_ptr<const PublicSuffixList> sys = [] {
        psl_ctx_t* c = psl_latest(nullptr);
        if (c) return std::shared_ptr<const PublicSuffixList>(new PublicSuffixList(c, true));
        return std::shared_ptr<const PublicSuffixList>(
            new PublicSuffixList(const_cast<psl_ctx_t*>(psl_builtin()), false));
    }();
    return sys;
}

std::shared_ptr<const PublicSuffixList> PublicSuffixList::load_file(const std::string& path) {
    psl_ctx_t* c = psl_load_file(path.c_str());
    if (!c) throw InputError(path + ": cannot read the public suffix list");
    return std::shared_ptr<const PublicSuffixList>(new PublicSuffixList(c, true));
}

bool PublicSuffixList::is_public_suffix(std::string_view domain) const {
    std::string d = lower_utf8(domain);
    return psl_is_public_suffix2(ctx(ctx_), d.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

std::optional<std::string> PublicSuffixList::registrable_domain(std::string_view domain) const {
    std::string d = lower_utf8(domain);
    if (d.empty() || d.front() == '.' || d.find("..") != std::string::npos) return std::nullopt;
    const char* r = psl_registrable_domain(ctx(ctx_), d.c_str());
    if (!r) return std::nullopt;
    return std::string(r);
}

// RFC 7489 §3.2 steps 1-4.
std::string organizational_domain_psl(std::string_view domain, const PublicSuffixList& list) {
    std::string d(domain);
    while (!d.empty() && d.back() == '.') d.pop_back();
    if (auto r = list.registrable_domain(d)) return *r;
    return lower_utf8(d);
}

}  // namespace auth
