#include <catch2/catch.hpp>

#include "auth/error.hpp"
#include "auth/psl.hpp"

using namespace auth;

static std::shared_ptr<const PublicSuffixList> shared_list() {
    static auto l = PublicSuffixList::load_file(std::string(AUTHSCOPE_SHARED_DIR) + "/conformance/psl/public_suffix_list.dat");
    return l;
}

TEST_CASE("psl: registrable domains from a given list", "[psl]") {
    auto l = shared_list();
    CHECK(l->registrable_domain("www.example.co.uk").value() == "example.co.uk");
    CHECK(l->registrable_domain("WWW.Example.COM").value() == "example.com");
    CHECK_FALSE(l->registrable_domain("co.uk"));
    CHECK(l->is_public_suffix("co.uk"));
    CHECK_FALSE(l->is_public_suffix("example.co.uk"));
    CHECK_FALSE(l->registrable_domain(".example.com"));
}

TEST_CASE("psl: RFC 7489 organizational domain", "[psl]") {
    auto l = shared_list();
    CHECK(organizational_domain_psl("a.b.mail.example.com", *l) == "example.com");
    CHECK(organizational_domain_psl("example.com.", *l) == "example.com");
    CHECK(organizational_domain_psl("com", *l) == "com");
}

TEST_CASE("psl: the system list loads and a missing file is an input error", "[psl]") {
    CHECK(PublicSuffixList::system()->registrable_domain("mail.example.org").value() == "example.org");
    CHECK_THROWS_AS(PublicSuffixList::load_file("/nonexistent/list.dat"), InputError);
}
