#include <catch2/catch.hpp>

#include "auth/ar.hpp"

TEST_CASE("ar: values are tokens, addresses, or quoted", "[ar]") {
    CHECK(auth::ar_value("example.com") == "example.com");
    CHECK(auth::ar_value("user@example.com") == "user@example.com");
    CHECK(auth::ar_value("@example.com") == "@example.com");
    CHECK(auth::ar_value("a b") == "\"a b\"");
    CHECK(auth::ar_value("x\"y") == "\"x\\\"y\"");
    CHECK(auth::ar_value("") == "\"\"");
}

TEST_CASE("ar: a field with clauses, comments and reasons", "[ar]") {
    std::vector<auth::ArClause> c{{"dkim", "pass", "2048-bit key", "", {{"header.d", "example.com"}, {"header.s", "sel"}}},
                                  {"spf", "fail", "", "not (permitted)", {{"smtp.mailfrom", "a@example.net"}}}};
    std::string f = auth::format_authentication_results("mx.example.org", c);
    CHECK(f ==
          "Authentication-Results: mx.example.org;\n"
          "\tdkim=pass (2048-bit key) header.d=example.com header.s=sel;\n"
          "\tspf=fail reason=\"not (permitted)\" smtp.mailfrom=a@example.net");
    CHECK(auth::format_authentication_results("mx", {}) == "Authentication-Results: mx; none");
}

TEST_CASE("ar: long clauses fold under 78 columns", "[ar]") {
    auth::ArClause c{"dkim", "fail", std::string(60, 'c'), "", {{"header.d", std::string(50, 'd') + ".example"}}};
    std::string f = auth::format_authentication_results("mx", {c});
    std::size_t start = 0;
    while (start < f.size()) {
        std::size_t nl = f.find('\n', start);
        std::size_t len = (nl == std::string::npos ? f.size() : nl) - start;
        CHECK(len <= 78);
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
}
