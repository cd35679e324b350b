#include <catch2/catch.hpp>

#include <string>

#include "auth/brands.hpp"
#include "auth/error.hpp"

using namespace auth;

TEST_CASE("brands: a profile is read and answers domain questions", "[brands]") {
    BrandSet s;
    s.load_text(R"({"id":"acme","name":"Acme","domains":["Acme.Example"],"link_domains":["acme-cdn.example"],
                    "sending_platforms":["esp.example.net"],"phones":["(800) 555-0100"],"abuse":"abuse@acme.example"})",
                "acme.json");
    s.load_text(R"({"id":"esp","name":"ESP","kind":"platform","domains":["esp.example.net"]})", "esp.json");
    REQUIRE(s.profiles().size() == 2);
    const BrandProfile* a = s.by_domain("mail.acme.example");
    REQUIRE(a);
    CHECK(a->domains.front() == "acme.example");
    CHECK(a->phones.front() == "+18005550100");
    CHECK(a->expected_link("cdn1.acme-cdn.example"));
    CHECK(a->expected_link("click.esp.example.net"));
    CHECK_FALSE(a->owns("notacme.example"));
    CHECK_FALSE(s.by_domain("esp.example.net"));
    CHECK(s.platform_by_domain("o1.esp.example.net"));
    CHECK(s.by_name_in("Acme Billing Team") == a);
    CHECK_FALSE(s.by_name_in("Acmeville News"));
    CHECK(s.known_domain("acme-cdn.example"));
}

TEST_CASE("brands: a later profile with the same id replaces the earlier one", "[brands]") {
    BrandSet s;
    s.load_text(R"({"id":"acme","name":"Acme","domains":["acme.example"]})", "a.json");
    s.load_text(R"({"id":"acme","name":"Acme Corp","domains":["acme.example"]})", "b.json");
    REQUIRE(s.profiles().size() == 1);
    CHECK(s.profiles()[0].name == "Acme Corp");
}

TEST_CASE("brands: malformed profiles are UsageErrors naming the file and the problem", "[brands]") {
    BrandSet s;
    auto msg = [&](const std::string& text) {
        try {
            s.load_text(text, "bad.json");
        } catch (const UsageError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(msg("{").find("bad.json: not valid JSON") != std::string::npos);
    CHECK(msg("[]").find("must be a JSON object") != std::string::npos);
    CHECK(msg(R"({"id":"x","name":"X","domains":["x.example"],"domain":["typo"]})").find("unknown key \"domain\"") != std::string::npos);
    CHECK(msg(R"({"id":"x","name":"X"})").find("\"domains\"") != std::string::npos);
    CHECK(msg(R"({"id":"x","name":"X","domains":["not a domain"]})").find("not a domain name") != std::string::npos);
    CHECK(msg(R"({"id":"X Y","name":"X","domains":["x.example"]})").find("\"id\"") != std::string::npos);
    CHECK(msg(R"({"id":"x","name":"X","domains":["x.example"],"kind":"bank"})").find("\"kind\"") != std::string::npos);
    CHECK(msg(R"({"id":"x","name":"X","domains":["x.example"],"abuse":"nowhere"})").find("\"abuse\"") != std::string::npos);
    CHECK(msg(R"({"id":"x","name":"X","domains":"x.example"})").find("array of strings") != std::string::npos);
    CHECK(s.profiles().empty());
}

TEST_CASE("brands: the shipped profiles all load", "[brands]") {
    BrandSet s;
    s.load_dir(std::string(AUTHSCOPE_SOURCE_DIR) + "/fixtures/brands");
    CHECK(s.profiles().size() >= 15);
    CHECK(s.by_domain("microsoftonline.com"));
    CHECK(s.by_domain("contoso-online.example"));
    CHECK(s.platform_by_domain("sendgrid.net"));
    CHECK_THROWS_AS(s.load_dir("/nonexistent-dir"), UsageError);
}

TEST_CASE("brands: domain_within", "[brands]") {
    CHECK(domain_within("a.b.example", "b.example"));
    CHECK(domain_within("B.Example.", "b.example"));
    CHECK_FALSE(domain_within("ab.example", "b.example"));
    CHECK_FALSE(domain_within("example", "b.example"));
}

TEST_CASE("brands: a number too large for a double is a UsageError, not a crash", "[brands]") {
    BrandSet s;
    CHECK_THROWS_AS(s.load_text(R"({"comment": 1E999999, "id":"x","name":"X","domains":["x.example"]})", "big.json"), UsageError);
}
