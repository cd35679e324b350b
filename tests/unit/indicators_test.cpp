#include <catch2/catch.hpp>

#include <string>

#include "auth/indicators.hpp"

using namespace auth;

namespace {
std::vector<std::string> values(const Indicators& in, const char* kind) {
    std::vector<std::string> v;
    for (const auto* i : in.of(kind)) v.push_back(i->value);
    return v;
}
const Indicator* first(const Indicators& in, const char* kind) {
    auto v = in.of(kind);
    return v.empty() ? nullptr : v.front();
}
}  // namespace

TEST_CASE("indicators: refang and defang", "[indicators]") {
    CHECK(refang("hxxps://evil[.]example/path") == "https://evil.example/path");
    CHECK(refang("user[@]example[.]com") == "user@example.com");
    CHECK(refang("evil (dot) example/x") == "evil.example/x");
    CHECK(refang("evil dot com is bad") == "evil.com is bad");
    CHECK(refang("the red dot moved") == "the red dot moved");  // "moved" is not a TLD
    CHECK(defang("https://evil.example/a.b?c=d.e") == "hxxps://evil[.]example/a.b?c=d.e");
    CHECK(defang("user@example.com") == "user[@]example[.]com");
}

TEST_CASE("indicators: URLs from text, plain, www, bare and obscured", "[indicators]") {
    Indicators in;
    extract_urls("See https://Secure.Example.COM/login?x=1, www.shop.test/a. Also (https://b.example/x) and "
                 "visit secure-portal.test/verify or hxxps://evil[.]test/p and report.pdf v1.2.3",
                 "text part 1", in);
    auto v = values(in, "url");
    REQUIRE(v.size() == 5);
    CHECK(v[0] == "https://secure.example.com/login?x=1");
    CHECK(v[1] == "http://www.shop.test/a");
    CHECK(v[2] == "https://b.example/x");
    CHECK(v[3] == "https://evil.test/p");
    CHECK(v[4] == "http://secure-portal.test/verify");
    CHECK(in.of("url")[3]->has("obscured"));
    CHECK(in.of("url")[4]->has("bare-domain"));
    CHECK(in.of("url")[0]->registrable == "example.com");
    CHECK(in.of("url")[0]->defanged == "hxxps://secure[.]example[.]com/login?x=1");
    CHECK(in.of("url")[0]->where == "text part 1");
}

TEST_CASE("indicators: URL host tricks: userinfo, IP literal, shortener, IDN", "[indicators]") {
    Indicators in;
    extract_urls("https://bank.example@evil.test/x http://192.0.2.1/a http://[2001:db8::1]/b https://bit.ly/abc "
                 "https://xn--bcher-kva.example/", "t", in);
    auto u = in.of("url");
    REQUIRE(u.size() == 5);
    CHECK(u[0]->domain == "evil.test");
    CHECK(u[0]->has("userinfo"));
    CHECK(u[1]->has("ip-literal"));
    CHECK(u[2]->has("ip-literal"));
    CHECK(u[3]->has("shortener"));
    CHECK(u[4]->has("idn"));
    CHECK(u[4]->domain_unicode == "b\xC3\xBC" "cher.example");
    CHECK_FALSE(u[4]->has("mixed-script"));
}

TEST_CASE("indicators: hrefs, mailto and tel", "[indicators]") {
    Indicators in;
    add_href(" https://evil.test/x ", "https://bank.example", "link in HTML part 2", in);
    add_href("mailto:Help@Evil.test?subject=x", "", "link", in);
    add_href("tel:+18885550143", "", "link", in);
    add_href("#top", "", "link", in);
    add_href("/relative", "", "link", in);
    REQUIRE(in.of("url").size() == 1);
    CHECK(in.of("url")[0]->link_text == "https://bank.example");
    CHECK(values(in, "email") == std::vector<std::string>{"help@evil.test"});
    CHECK(values(in, "phone") == std::vector<std::string>{"+18885550143"});
}

TEST_CASE("indicators: a protocol-relative href keeps its whole host; a bare \"//\" is no link", "[indicators]") {
    Indicators in;
    CHECK_NOTHROW(add_href("//", "", "link", in));  // was std::out_of_range (an internal error in explain)
    CHECK_NOTHROW(add_href("///x", "", "link", in));
    add_href("//evil.test/login", "Sign in", "link", in);
    REQUIRE(in.of("url").size() == 1);
    CHECK(in.of("url")[0]->domain == "evil.test");  // was "vil.test"
    CHECK(in.of("url")[0]->value == "https://evil.test/login");
}

TEST_CASE("indicators: e-mail addresses, plain and obscured", "[indicators]") {
    Indicators in;
    extract_emails("Write to Refunds@Fast-Refund.test or billing[@]evil[.]example; not a@b or x@localhost.", "t", in);
    auto v = values(in, "email");
    REQUIRE(v.size() == 2);
    CHECK(v[0] == "refunds@fast-refund.test");
    CHECK(v[1] == "billing@evil.example");
    CHECK(in.of("email")[1]->has("obscured"));
    CHECK(in.of("email")[1]->defanged == "billing[@]evil[.]example");
}

TEST_CASE("indicators: phone numbers (E.164, NANP, national) and what is not one", "[indicators]") {
    Indicators in;
    extract_phones("Call +1 (888) 555-0143, 1-800-555-0199, (212) 555-0187, +44 20 7946 0958 or 020 7946 0958.", "t", in);
    auto v = values(in, "phone");
    REQUIRE(v.size() == 5);
    CHECK(v[0] == "+18885550143");
    CHECK(in.of("phone")[0]->subtype == "toll-free");
    CHECK(v[1] == "+18005550199");
    CHECK(v[2] == "+12125550187");
    CHECK(v[3] == "+442079460958");
    CHECK(v[4] == "02079460958");
    Indicators none;
    extract_phones("Date 2025-10-14, IP 198.51.100.25, ACC-1189-0042, INV-20417, tenant 5f1c2a9e-7b3d, "
                   "id 15.20.8200.12, order 1234567890123, total 1,299.00, version 10.0.19045.3693", "t", none);
    CHECK(none.items.empty());
}

TEST_CASE("indicators: Bitcoin and Ethereum wallets with checksums", "[indicators]") {
    CHECK(base58check_valid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
    CHECK(base58check_valid("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
    CHECK_FALSE(base58check_valid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"));
    CHECK(segwit_address_kind("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq") == 1);
    CHECK(segwit_address_kind("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4") == 1);
    CHECK(segwit_address_kind("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0") == 2);
    CHECK(segwit_address_kind("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr") == 0);
    Indicators in;
    extract_wallets("BTC 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 or bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq, "
                    "ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed and 0xde709f2102306220921060314715629080e2fb77",
                    "t", in);
    auto w = in.of("wallet");
    REQUIRE(w.size() == 4);
    CHECK(w[0]->subtype == "bitcoin-base58");
    CHECK(w[1]->subtype == "bitcoin-bech32");
    CHECK(w[2]->subtype == "ethereum");
    CHECK(w[2]->has("checksum-unverified"));
    CHECK(w[3]->has("no-checksum"));
    Indicators none;
    extract_wallets("Tenant 5f1c2a9e7b3d4e8a9c612d4b8f0e3a17 and hash 1111111111111111111114oLvT3", "t", none);
    CHECK(none.items.empty());
}

TEST_CASE("indicators: money amounts", "[indicators]") {
    Indicators in;
    extract_money("Pay $1,299.00 or USD 399.99 or 50 EUR or \xE2\x82\xAC" "12,50 or 0.5 BTC; not 3x or USDT", "t", in);
    auto v = values(in, "money");
    REQUIRE(v.size() == 5);
    CHECK(v[0] == "USD 1299.00");
    CHECK(v[1] == "USD 399.99");
    CHECK(v[2] == "EUR 50");
    CHECK(v[3] == "EUR 12.50");
    CHECK(v[4] == "BTC 0.5");
}

TEST_CASE("indicators: domain analysis, mixed scripts and look-alikes", "[indicators]") {
    auto d = analyze_domain("p\xD0\xB0ypal.com");  // Cyrillic а
    CHECK(d.idn);
    CHECK(d.mixed_script);
    CHECK(d.ascii.rfind("xn--", 0) == 0);
    CHECK(d.registrable == d.ascii);
    CHECK(lookalike_of(d, {"paypal.com"}) == "paypal.com");
    CHECK(confusable_skeleton("rnicros0ft") == "microsoft");
    CHECK(lookalike_of(analyze_domain("paypa1.com"), {"paypal.com"}) == "paypal.com");
    CHECK(lookalike_of(analyze_domain("paypal-secure-login.test"), {"paypal.com"}) == "paypal.com");
    CHECK(lookalike_of(analyze_domain("paypal.co"), {"paypal.com"}) == "paypal.com");
    CHECK(lookalike_of(analyze_domain("www.paypal.com"), {"paypal.com"}).empty());
    CHECK(lookalike_of(analyze_domain("appleinsider.com"), {"apple.com"}).empty());
    CHECK(lookalike_of(analyze_domain("northwind.test"), {"paypal.com"}).empty());
    auto j = analyze_domain("\xE6\x9D\xB1\xE4\xBA\xAC" "tokyo.jp");  // Han + Latin: allowed combination
    CHECK_FALSE(j.mixed_script);
    auto ip = analyze_domain("192.0.2.1");
    CHECK(ip.ip_literal);
}

TEST_CASE("indicators: extract_all and domains()", "[indicators]") {
    Indicators in;
    extract_all("Visit https://a.evil.test/x, mail b@other.example, call +1 (877) 555-0111 about $20.", "t", in);
    CHECK(in.of("url").size() == 1);
    CHECK(in.of("email").size() == 1);
    CHECK(in.of("phone").size() == 1);
    CHECK(in.of("money").size() == 1);
    CHECK(in.domains() == std::vector<std::string>{"evil.test", "other.example"});
}

TEST_CASE("final_destination finds the URL a redirector or wrapper hides", "[indicators]") {
    CHECK(final_destination("https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2Flogin&data=05") ==
          "https://evil.example/login");
    CHECK(final_destination("https://www.google.com/url?q=https://a.example/x&sa=D") == "https://a.example/x");
    // Two levels.
    CHECK(final_destination("https://t.example/r?u=https%3A%2F%2Fl.example%2F%3Fto%3Dhttps%253A%252F%252Ffinal.example%252Fp") ==
          "https://final.example/p");
    CHECK(final_destination("https://plain.example/path?x=1") == "https://plain.example/path?x=1");
    CHECK(final_destination("not a url") == "not a url");
}
