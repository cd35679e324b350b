#include <catch2/catch.hpp>

#include "auth/authres.hpp"

using namespace auth;

TEST_CASE("authres: RFC 8601 Appendix B.2 no result", "[authres]") {
    auto ar = parse_authentication_results(" example.org 1; none");
    CHECK(ar.ok());
    CHECK(ar.authserv_id == "example.org");
    CHECK(ar.version == "1");
    CHECK(ar.no_result);
    CHECK(ar.results.empty());
}

TEST_CASE("authres: RFC 8601 Appendix B.5 folded, versioned, several methods", "[authres]") {
    auto ar = parse_authentication_results(
        " example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
        "          spf=fail smtp.mailfrom=example.com");
    REQUIRE(ar.ok());
    CHECK(ar.authserv_id == "example.com");
    REQUIRE(ar.results.size() == 2);
    CHECK(ar.results[0].method == "auth");
    CHECK(ar.results[0].comment == "cram-md5");
    CHECK(ar_property(ar.results[0], "smtp.auth") == "sender@example.com");
    CHECK(ar.results[1].result == "fail");
}

TEST_CASE("authres: several results, comments, reason and properties", "[authres]") {
    auto ar = parse_authentication_results(
        "mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=s1 header.b=AbCd;\r\n"
        "       spf=pass (google.com: domain of bounce@example.com designates 192.0.2.1 as permitted sender)"
        " smtp.mailfrom=bounce@example.com;\r\n"
        "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com");
    REQUIRE(ar.ok());
    CHECK(ar.authserv_id == "mx.google.com");
    REQUIRE(ar.results.size() == 3);
    CHECK(ar.results[0].method == "dkim");
    CHECK(ar.results[0].result == "pass");
    CHECK(ar_property(ar.results[0], "header.i") == "@example.com");
    CHECK(ar_property(ar.results[0], "header.s") == "s1");
    CHECK(ar_property(ar.results[0], "header.b") == "AbCd");
    CHECK(ar.results[1].method == "spf");
    CHECK(ar.results[1].comment ==
          "google.com: domain of bounce@example.com designates 192.0.2.1 as permitted sender");
    CHECK(ar_property(ar.results[1], "smtp.mailfrom") == "bounce@example.com");
    CHECK(ar.results[2].method == "dmarc");
    CHECK(ar.results[2].comment == "p=REJECT sp=REJECT dis=NONE");
    CHECK(ar_property(ar.results[2], "header.from") == "example.com");
    CHECK(ar_property(ar.results[2], "HEADER.FROM") == "example.com");
    CHECK(ar_property(ar.results[2], "header.d").empty());
}

TEST_CASE("authres: reason and quoted values", "[authres]") {
    auto ar = parse_authentication_results(
        "example.com; dkim=fail reason=\"signature verification failed\" header.d=\"example.net\"");
    REQUIRE(ar.ok());
    REQUIRE(ar.results.size() == 1);
    CHECK(ar.results[0].reason == "signature verification failed");
    CHECK(ar_property(ar.results[0], "header.d") == "example.net");
    CHECK(ar_property(ar.results[0], "reason") == "signature verification failed");
}

TEST_CASE("authres: Microsoft style without authserv-id, action= and compauth=", "[authres]") {
    auto ar = parse_authentication_results(
        "spf=pass (sender IP is 40.107.1.2)\r\n smtp.mailfrom=microsoftonline.com; dkim=pass (signature was"
        " verified)\r\n header.d=microsoftonline.com;dmarc=pass action=none\r\n"
        " header.from=microsoftonline.com;compauth=pass reason=100");
    REQUIRE(ar.ok());
    CHECK(ar.authserv_id.empty());
    REQUIRE(ar.results.size() == 4);
    CHECK(ar.results[0].method == "spf");
    CHECK(ar.results[0].comment == "sender IP is 40.107.1.2");
    CHECK(ar_property(ar.results[1], "header.d") == "microsoftonline.com");
    CHECK(ar_property(ar.results[2], "action") == "none");
    CHECK(ar_property(ar.results[2], "header.from") == "microsoftonline.com");
    CHECK(ar.results[3].method == "compauth");
    CHECK(ar.results[3].result == "pass");
    CHECK(ar.results[3].reason == "100");
}

TEST_CASE("authres: method version, case and CFWS everywhere", "[authres]") {
    auto ar = parse_authentication_results(
        "(c1) \"mail.example\" (c2) ; DKIM / 1 (x) = PASS (good (nested)) Header . D (y) = example.com");
    REQUIRE(ar.ok());
    CHECK(ar.authserv_id == "mail.example");
    REQUIRE(ar.results.size() == 1);
    CHECK(ar.results[0].method == "dkim");
    CHECK(ar.method_versions[0] == "1");
    CHECK(ar.results[0].result == "pass");
    CHECK(ar.results[0].comment == "good (nested); y");
    CHECK(ar_property(ar.results[0], "header.d") == "example.com");
}

TEST_CASE("authres: quoted local part in a pvalue", "[authres]") {
    auto ar = parse_authentication_results("a.example; spf=pass smtp.mailfrom=\"john doe\"@example.com");
    REQUIRE(ar.ok());
    CHECK(ar_property(ar.results[0], "smtp.mailfrom") == "\"john doe\"@example.com");
}

TEST_CASE("authres: trailing semicolon tolerated", "[authres]") {
    auto ar = parse_authentication_results("a.example; spf=pass smtp.mailfrom=example.com;");
    CHECK(ar.ok());
    CHECK(ar.results.size() == 1);
}

TEST_CASE("authres: malformed fields say why and keep what came before", "[authres]") {
    auto a = parse_authentication_results("a.example; spf=pass smtp.mailfrom=example.com; dkim");
    CHECK_FALSE(a.ok());
    CHECK(a.results.size() == 1);
    CHECK(a.error.find("expected '='") != std::string::npos);

    auto b = parse_authentication_results("a.example; spf=pass (unterminated");
    CHECK_FALSE(b.ok());

    auto c = parse_authentication_results("a.example");
    CHECK_FALSE(c.ok());

    auto d = parse_authentication_results("");
    CHECK_FALSE(d.ok());

    auto e = parse_authentication_results("a.example; spf=");
    CHECK_FALSE(e.ok());

    auto f = parse_authentication_results("a.example; spf=pass header.=x");
    CHECK_FALSE(f.ok());

    auto g = parse_authentication_results("a.example; spf=pass smtp.mailfrom=\"abc");
    CHECK_FALSE(g.ok());
}

TEST_CASE("authres: writer output parses back", "[authres]") {
    std::vector<ArClause> clauses;
    clauses.push_back({"dkim", "pass", "", "", {{"header.d", "example.com"}, {"header.s", "sel"}}});
    clauses.push_back({"spf", "fail", "some comment", "", {{"smtp.mailfrom", "a b@example.com"}}});
    clauses.push_back({"dmarc", "fail", "", "no aligned identifier",
                       {{"header.from", "example.com"}, {"policy.dmarc", "reject"}}});
    std::string field = format_authentication_results("mx.example", clauses);
    REQUIRE(field.rfind("Authentication-Results:", 0) == 0);
    auto ar = parse_authentication_results(field.substr(field.find(':') + 1));
    REQUIRE(ar.ok());
    CHECK(ar.authserv_id == "mx.example");
    REQUIRE(ar.results.size() == 3);
    CHECK(ar.results[0].method == "dkim");
    CHECK(ar_property(ar.results[0], "header.s") == "sel");
    CHECK(ar.results[1].comment == "some comment");
    CHECK(ar_property(ar.results[1], "smtp.mailfrom") == "a b@example.com");
    CHECK(ar.results[2].reason == "no aligned identifier");
    CHECK(ar_property(ar.results[2], "policy.dmarc") == "reject");
}

TEST_CASE("authres: find by authserv-id in a message", "[authres]") {
    std::string raw =
        "Authentication-Results: mx.mine.example; spf=pass smtp.mailfrom=a@example.com\r\n"
        "Authentication-Results: other.example; dkim=fail header.d=example.com\r\n"
        "Authentication-Results: MX.MINE.EXAMPLE; dkim=pass header.d=example.com\r\n"
        "From: a@example.com\r\n\r\nbody\r\n";
    Message m = Message::parse(raw);
    auto mine = find_authentication_results(m, "mx.mine.example");
    REQUIRE(mine.size() == 2);
    CHECK(mine[0].results[0].method == "spf");
    CHECK(mine[1].results[0].method == "dkim");
    CHECK(find_authentication_results(m, "nobody.example").empty());
}
