// The Public Suffix List (libpsl): public suffixes, registrable domains and the RFC 7489
// organizational domain. The system's list by default; a given .dat for tests and pinning.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace auth {

class PublicSuffixList {
public:
    // The list installed on the system (libpsl's latest: /usr/share/publicsuffix), else libpsl's
    // built-in copy. Shared, loaded once.
    static std::shared_ptr<const PublicSuffixList> system();
    // A list read from a public_suffix_list.dat file; throws InputError when it cannot be read.
    static std::shared_ptr<const PublicSuffixList> load_file(const std::string& path);

    ~PublicSuffixList();
    PublicSuffixList(const PublicSuffixList&) = delete;
    PublicSuffixList& operator=(const PublicSuffixList&) = delete;

    // True when the name (any case, U- or A-labels, no trailing dot) is a public suffix.
    bool is_public_suffix(std::string_view domain) const;
    // The registrable domain: the public suffix plus one label (lower case, same label form as
    // the input); nullopt for a public suffix itself, an empty label or a leading dot.
    std::optional<std::string> registrable_domain(std::string_view domain) const;

private:
    explicit PublicSuffixList(void* ctx, bool owned);
    void* ctx_;   // psl_ctx_t*
    bool owned_;
};

// RFC 7489 §3.2: the organizational domain of a name is its registrable domain under the PSL; a
// name that is itself a public suffix (or not under any rule) is its own organizational domain.
std::string organizational_domain_psl(std::string_view domain, const PublicSuffixList& list);

}  // namespace auth
