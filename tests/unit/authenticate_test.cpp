#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "auth/authenticate.hpp"
#include "auth/error.hpp"

using namespace auth;

namespace {

Message sample() {
    std::ifstream in(std::string(AUTHSCOPE_SOURCE_DIR) + "/fixtures/sample/sample.eml", std::ios::binary);
    return Message::parse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
}

AuthOptions trusting(const std::string& id) {
    AuthOptions o;
    o.trust = id == "auto" ? TrustMode::automatic : TrustMode::named;
    o.trust_id = id;
    return o;
}

}  // namespace

TEST_CASE("authenticate: checked from a snapshot (sample)", "[authenticate]") {
    auto dns = make_replay_resolver_from_file(std::string(AUTHSCOPE_SOURCE_DIR) + "/fixtures/sample/sample.zone");
    Message m = sample();
    AuthSummary a = authenticate(m, *dns);
    CHECK(a.source == "checked");
    CHECK(a.dmarc == Result::pass);
    CHECK(a.from_domain == "contoso-online.example");
    REQUIRE(a.signatures.size() == 1);
    CHECK(a.signatures[0].aligned);
    CHECK(a.signatures[0].t.has_value());
    CHECK(a.spf_identity == "mailfrom");
    REQUIRE(a.dmarc_report);
    CHECK(a.dmarc_report->result == a.dmarc);
}

TEST_CASE("authenticate: a named receiver's fields", "[authenticate]") {
    auto dns = make_replay_resolver_from_file(std::string(AUTHSCOPE_SOURCE_DIR) + "/fixtures/sample/sample.zone");
    Message m = sample();
    AuthSummary t = authenticate(m, *dns, trusting("mx1.example.org"));
    CHECK(t.dmarc == Result::pass);
    CHECK(t.source == "authentication-results:mx1.example.org");
    CHECK(t.dmarc_origin == "receiver");
    REQUIRE(t.signatures.size() == 1);
    CHECK(t.signatures[0].h.size() == 7);
    REQUIRE(t.receiver);
    CHECK(t.receiver->fields.size() == 1);
    CHECK_THROWS_AS(authenticate(m, *dns, trusting("mx.other.example")), InputError);
}

TEST_CASE("authenticate: summary_from_results reads clauses whatever their field", "[authenticate]") {
    auto dns = make_replay_resolver_from_text("$TTL 300\n");
    Message m = Message::parse(
        "Authentication-Results: mx.mine.example; spf=pass smtp.mailfrom=bounce@mail.example.com;"
        " dkim=pass header.d=example.com header.s=s1; dmarc=pass header.from=example.com\r\n"
        "Authentication-Results: evil.example; dkim=pass header.d=evil.example\r\n"
        "Authentication-Results: spf=pass smtp.mailfrom=x.example; dkim=none header.d=none;"
        " dmarc=bestguesspass action=none header.from=x.example; compauth=pass reason=100\r\n"
        "From: a@example.com\r\n\r\nbody\r\n");
    AuthSummary t = authenticate(m, *dns, trusting("mx.mine.example"));
    REQUIRE(t.signatures.size() == 1);
    CHECK(t.signatures[0].d == "example.com");
    CHECK(t.signatures[0].s == "s1");
    CHECK(t.signatures[0].aligned);
    CHECK(t.spf_domain == "mail.example.com");
    CHECK(t.spf_aligned);
    // The same through the writer: the clauses authscope would write parse back to the same facts.
    auto field = format_authentication_results("arc.example", authentication_clauses(t));
    auto back = parse_authentication_results(field.substr(field.find(':') + 1));
    REQUIRE(back.ok());
    AuthSummary again = summary_from_results(m, back.results, "arc:arc.example", *dns, {});
    CHECK(again.source == "arc:arc.example");
    CHECK(again.dmarc == t.dmarc);
    CHECK(again.spf == t.spf);
    CHECK(again.spf_domain == t.spf_domain);
    REQUIRE(again.signatures.size() == 1);
    CHECK(again.signatures[0].d == "example.com");

    // Exchange Online's id-less fields: header.d=none is no signature; bestguesspass is none;
    // compauth is kept and explained.
    AuthSummary ms = authenticate(m, *dns, trusting(""));
    CHECK(ms.signatures.empty());
    CHECK(ms.spf_domain == "x.example");
    CHECK(ms.dmarc == Result::none);
    bool compauth = false;
    for (const auto& n : ms.receiver_notes)
        if (n.key == "compauth") compauth = n.value == "pass reason=100" && n.meaning.find("passed") != std::string::npos;
    CHECK(compauth);
}

TEST_CASE("authenticate: the spf= clause names the identity that was checked", "[authenticate]") {
    AuthSummary a;
    a.spf = Result::pass;
    a.spf_identity = "helo";
    a.spf_domain = "mta.example.net";
    a.spf_helo = "mta.example.net";
    auto cl = authentication_clauses(a);
    REQUIRE(cl.size() == 1);
    REQUIRE(cl[0].properties.size() == 1);
    CHECK(cl[0].properties[0].first == "smtp.helo");
    a.spf_identity = "mailfrom";
    a.spf_domain = "example.com";
    cl = authentication_clauses(a);
    CHECK(cl[0].properties[0].first == "smtp.mailfrom");
}
