#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "auth/receivers.hpp"

using namespace auth;

namespace {

Message fixture(const std::string& name) {
    std::ifstream in(std::string(AUTHSCOPE_SOURCE_DIR) + "/fixtures/explain/" + name + ".eml", std::ios::binary);
    return Message::parse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
}

}  // namespace

TEST_CASE("receivers: Exchange Online's id-less field by the hop that added it", "[receivers]") {
    Message m = fixture("090-trust-auto-exchange-online");
    ReceiverResults r = final_receiver_results(m);
    REQUIRE(r.found());
    CHECK(r.receiver == "Exchange Online");
    CHECK(r.host == "protection.outlook.com");
    CHECK(r.rule == "exchange-online-hop");
    CHECK(r.hop == 4);
    REQUIRE(r.fields.size() == 1);
    CHECK(r.fields[0].position == 4);  // the receiver's field, not the forged one below the entry hop
    REQUIRE(r.results.size() == 1);
    CHECK(r.results[0].results.back().method == "compauth");
    REQUIRE(r.received_spf);
    CHECK(r.received_spf->result == Result::pass);
    CHECK(r.why.find("X-MS-Exchange-Organization-AuthSource") != std::string::npos);
    // By name: the same field.
    ReceiverResults n = named_receiver_results(m, "protection.outlook.com");
    REQUIRE(n.found());
    CHECK(n.fields[0].position == 4);
    CHECK(receiver_domains(r) == std::vector<std::string>{"outlook.com", "office365.com"});
    CHECK_FALSE(named_receiver_results(m, "mx.other.example").found());
}

TEST_CASE("receivers: a field below an untrusted hop is never the final receiver's", "[receivers]") {
    ReceiverResults r = final_receiver_results(fixture("091-trust-auto-forged-below-untrusted-hop"));
    CHECK_FALSE(r.found());
    CHECK_FALSE(r.notes.empty());
    // An id-less field directly above a non-Microsoft receiver's hop is not Exchange Online's.
    Message m = Message::parse(
        "Authentication-Results: spf=pass smtp.mailfrom=a.example; dmarc=pass header.from=a.example\r\n"
        "Received: from x.example (x.example [192.0.2.1]) by mx.b.example; Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        "From: a@a.example\r\n\r\nbody\r\n");
    CHECK_FALSE(final_receiver_results(m).found());
    // No Received field at all: nothing shows who added the results.
    Message bare = Message::parse("Authentication-Results: mx.b.example; dmarc=pass header.from=a.example\r\nFrom: a@a.example\r\n\r\nx\r\n");
    CHECK_FALSE(final_receiver_results(bare).found());
}

TEST_CASE("receivers: Gmail writes its field below its own Received", "[receivers]") {
    ReceiverResults r = final_receiver_results(fixture("092-trust-auto-gmail"));
    REQUIRE(r.found());
    CHECK(r.receiver == "Gmail");
    CHECK(r.host == "mx.google.com");
    CHECK(r.rule == "authserv-id");
    CHECK(r.hop == 2);
    REQUIRE(r.received_spf);
}

TEST_CASE("receivers: compauth and action in words", "[receivers]") {
    CHECK(compauth_meaning("pass", "130").find("ARC") != std::string::npos);
    CHECK(compauth_meaning("fail", "000").find("p=quarantine or p=reject") != std::string::npos);
    CHECK(compauth_meaning("softpass", "201").find("soft-passed") != std::string::npos);
    CHECK(dmarc_action_meaning("oreject").find("overrode") != std::string::npos);
    CHECK(dmarc_action_meaning("whatever").empty());
}
