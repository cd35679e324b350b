#include <catch2/catch.hpp>

#include "auth/address.hpp"

using namespace auth;

TEST_CASE("address: name-addr, addr-spec and comments", "[address]") {
    auto a = parse_address_list("Joe Johnson <joe@Joe.COM>");
    REQUIRE(a.ok());
    REQUIRE(a.mailboxes.size() == 1);
    CHECK(a.mailboxes[0].display_name == "Joe Johnson");
    CHECK(a.mailboxes[0].local_part == "joe");
    CHECK(a.mailboxes[0].domain == "Joe.COM");
    CHECK(a.mailboxes[0].domain_ascii == "joe.com");

    auto b = parse_address_list("(Joe Johnson) joe@joe.com (trailing)");
    REQUIRE(b.ok());
    CHECK(b.mailboxes[0].domain_ascii == "joe.com");
    CHECK(b.mailboxes[0].display_name.empty());
}

TEST_CASE("address: quoted display names and quoted local parts", "[address]") {
    auto a = parse_address_list("\"Mandel, Bob\" <joe@joe.com>, \"john doe\"@example.org");
    REQUIRE(a.ok());
    REQUIRE(a.mailboxes.size() == 2);
    CHECK(a.mailboxes[0].display_name == "Mandel, Bob");
    CHECK(a.mailboxes[1].local_part == "\"john doe\"");
    CHECK(a.mailboxes[1].domain_ascii == "example.org");
}

TEST_CASE("address: group syntax", "[address]") {
    auto a = parse_address_list("Team: alice@a.example, Bob <bob@b.example>;, carol@c.example");
    REQUIRE(a.ok());
    REQUIRE(a.mailboxes.size() == 3);
    CHECK(a.groups == std::vector<std::string>{"Team"});
    CHECK(a.mailboxes[0].group == "Team");
    CHECK(a.mailboxes[1].domain_ascii == "b.example");
    CHECK(a.mailboxes[2].group.empty());

    auto empty = parse_address_list("undisclosed-recipients:;");
    REQUIRE(empty.ok());
    CHECK(empty.mailboxes.empty());
    CHECK(empty.groups.size() == 1);

    auto open = parse_address_list("Mail From:<joe@joe.com>");
    REQUIRE(open.ok());
    CHECK(open.mailboxes.at(0).domain_ascii == "joe.com");
    CHECK_FALSE(open.warnings.empty());
}

TEST_CASE("address: RFC 2047 encoded words in display names", "[address]") {
    auto a = parse_address_list("=?UTF-8?B?TWljcm9zb2Z0IPCfkqw=?= <a@b.example>");
    REQUIRE(a.ok());
    CHECK(a.mailboxes[0].display_name == "Microsoft \xF0\x9F\x92\xAC");
    CHECK(decode_encoded_words("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "Andr\xC3\xA9 Pirard");
    // Whitespace between adjacent encoded words is dropped (RFC 2047 §6.2).
    CHECK(decode_encoded_words("=?UTF-8?Q?a?= =?UTF-8?Q?b?=") == "ab");
    CHECK(decode_encoded_words("=?UTF-8?Q?a_b?=") == "a b");
    // Unknown charset: kept as written.
    CHECK(decode_encoded_words("=?x-nonsense?Q?abc?=") == "=?x-nonsense?Q?abc?=");
}

TEST_CASE("address: IDN domains become A-labels", "[address]") {
    auto a = parse_address_list("b\xC3\xBC" "cher <info@B\xC3\x9C" "CHER.example>");
    REQUIRE(a.ok());
    CHECK(a.mailboxes[0].domain_ascii == "xn--bcher-kva.example");
    CHECK(domain_to_ascii("Example.COM.").value() == "example.com");
    std::string err;
    CHECK_FALSE(domain_to_ascii("a..b", &err));
    CHECK_FALSE(err.empty());
    CHECK_FALSE(domain_to_ascii(std::string(64, 'a') + ".com"));
}

TEST_CASE("address: errors are reported, not thrown", "[address]") {
    CHECK_FALSE(parse_address_list("").ok());
    CHECK_FALSE(parse_address_list("Test User").ok());
    CHECK_FALSE(parse_address_list("<>").ok());
    CHECK_FALSE(parse_address_list("a@").ok());
    CHECK_FALSE(parse_address_list("\"unterminated <a@b.c>").ok());
    CHECK_FALSE(parse_address_list("(open comment a@b.c").ok());
    CHECK_FALSE(parse_address_list("Joe <joe@joe.com").ok());
    auto lit = parse_address_list("a@[192.0.2.1]");
    REQUIRE(lit.ok());
    CHECK(lit.mailboxes[0].domain_ascii.empty());
    CHECK_FALSE(lit.mailboxes[0].domain_error.empty());
}

TEST_CASE("address: lenient display name before a bare address", "[address]") {
    auto a = parse_address_list("\"Johnson, Joe <joe@joe.com>\" joe@joe.com");
    REQUIRE(a.ok());
    REQUIRE(a.mailboxes.size() == 1);
    CHECK(a.mailboxes[0].domain_ascii == "joe.com");
    CHECK(a.mailboxes[0].local_part == "joe");
    CHECK_FALSE(a.warnings.empty());
}
