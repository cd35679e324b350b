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

TEST_CASE("brands: the shipped profiles all load, each with its sources", "[brands]") {
    BrandSet s;
    s.load_dir(std::string(AUTHSCOPE_SOURCE_DIR) + "/data/brands");
    CHECK(s.profiles().size() >= 100);
    CHECK(s.by_domain("microsoftonline.com"));
    CHECK(s.platform_by_domain("sendgrid.net"));
    for (const auto& p : s.profiles()) {
        INFO(p.file);
        CHECK(!p.sources.empty());
        // No fictional brand ships.
        for (const auto& d : p.domains) CHECK(d.find(".example") == std::string::npos);
    }
    // The platforms of issue 12, with their conventions.
    for (const char* d : {"github.com", "google.com", "onmicrosoft.com", "sharepoint.com", "icloud.com", "docusign.net",
                          "adobesign.com", "dropbox.com", "box.com", "paypal.com", "quickbooks.com", "squareup.com",
                          "stripe.com", "zoom.us", "calendly.com", "surveymonkey.com", "typeform.com", "jotform.com",
                          "salesforce.com", "zendesk.com", "freshdesk.com", "hubspot.com", "mailchimp.com", "circle.so",
                          "eventbrite.com", "linkedin.com", "facebookmail.com", "metamask.io", "ledger.com",
                          "trustwallet.com", "coinbase.com", "binance.com", "lido.fi"}) {
        INFO(d);
        CHECK(s.by_domain(d));
    }
    CHECK(s.platform_by_domain("sendgrid.net"));
    CHECK(s.platform_by_domain("brevo.com"));
    CHECK(s.by_domain("docusign.net")->reply_to_is_user);
    CHECK(s.by_domain("surveymonkeyuser.com")->reply_to_is_user);
    CHECK(s.by_domain("google.com")->reply_to_is_user);
    CHECK(s.by_domain("github.com")->bot_accounts);
    CHECK(s.tenant_of("harbor-rewards.onmicrosoft.com") == s.by_domain("microsoft.com"));
    CHECK_FALSE(s.tenant_of("onmicrosoft.com"));
    CHECK_THROWS_AS(s.load_dir("/nonexistent-dir"), UsageError);
}

TEST_CASE("brands: the test profiles are the fictional brands only", "[brands]") {
    BrandSet s;
    s.load_dir(std::string(AUTHSCOPE_SOURCE_DIR) + "/fixtures/brands");
    CHECK(s.by_domain("contoso-online.example"));
    for (const auto& p : s.profiles())
        for (const auto& d : p.domains) CHECK(d.find(".example") != std::string::npos);
}

TEST_CASE("brands: conventions, tenant domains and sources are read and checked", "[brands]") {
    BrandSet s;
    s.load_text(R"({"id":"t","name":"T Platform","domains":["t.example"],"category":"notification-platform",
        "user_content":true,"reply_to_is_user":true,"via_display_names":true,"bot_accounts":true,"generic_name":true,
        "tenant_domains":["tenants.t.example"],"sources":["https://docs.t.example/notifications"]})",
                "t.json");
    const BrandProfile* p = s.by_domain("t.example");
    REQUIRE(p);
    CHECK(p->category == "notification-platform");
    CHECK(p->user_content);
    CHECK(p->reply_to_is_user);
    CHECK(p->via_display_names);
    CHECK(p->bot_accounts);
    CHECK(p->generic_name);
    CHECK(p->sources.size() == 1);
    CHECK(s.tenant_of("acme.tenants.t.example") == p);
    CHECK_FALSE(s.tenant_of("t.example"));
    // A generic name is not matched as a single word, nor used for look-alikes.
    CHECK_FALSE(s.by_name_in("T"));
    CHECK(s.all_brand_domains().empty());
    BrandSet bad;
    CHECK_THROWS_AS(bad.load_text(R"({"id":"x","name":"X","domains":["x.example"],"user_content":"yes"})", "x.json"), UsageError);
    CHECK_THROWS_AS(bad.load_text(R"({"id":"x","name":"X","domains":["x.example"],"sources":["ftp://x"]})", "x.json"), UsageError);
    CHECK_THROWS_AS(bad.load_text(R"({"id":"x","name":"X","domains":["x.example"],"tenant_domains":["not a domain"]})", "x.json"), UsageError);
    CHECK_THROWS_AS(bad.load_text(R"({"id":"x","name":"X","domains":["x.example"],"category":"Bank!"})", "x.json"), UsageError);
}

TEST_CASE("brands: names are matched through look-alike letters", "[brands]") {
    BrandSet s;
    s.load_text(R"({"id":"n","name":"Netflix","domains":["netflix.com"]})", "n.json");
    CHECK(s.by_name_in("\xF0\x9D\x97\xA1\xF0\x9D\x97\xB2\xF0\x9D\x98\x81" "flix account"));  // math bold "Net"
    CHECK(s.by_name_in("N\xD0\xB5" "tflix"));                                                       // Cyrillic e
    CHECK_FALSE(s.by_name_in("Netflixing"));
    // One edit from a name of 7+ letters is a misspelt brand; a short name needs the exact word.
    CHECK(s.by_name_in("Conta Netfliix - Atendimento"));
    CHECK_FALSE(s.by_name_in("Network flicks"));
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
