// The worker pool's reply wire format (detail/worker_pool.hpp); the pool itself is exercised
// through run_samples in run_test.cpp.
#include <catch2/catch.hpp>

#include "detail/worker_pool.hpp"

using auth::detail::Rendered;

namespace {
Rendered sample_reply() {
    Rendered r;
    r.out = "{\"tool\":\"dkim\"}\n";
    r.err = "authscope-dkim: x: what\n";
    r.exit = 4;
    auth::DnsAnswer a;
    a.qname = "s._domainkey.example.com.";
    a.qtype = auth::RRType::TXT;
    a.status = auth::DnsStatus::ok;
    auth::DnsRecord rec;
    rec.name = a.qname;
    rec.ttl = 300;
    rec.strings = {"v=DKIM1; p=", std::string("\0\xff", 2)};
    a.records.push_back(rec);
    auth::DnsRecord c;
    c.name = "alias.example.com.";
    c.type = auth::RRType::CNAME;
    c.target = "s._domainkey.example.com.";
    a.cnames.push_back(c);
    a.detail = "d";
    r.answers.push_back(a);
    auth::DnsAnswer b;
    b.qname = "example.com.";
    b.qtype = auth::RRType::MX;
    b.status = auth::DnsStatus::servfail;
    r.answers.push_back(b);
    return r;
}
}  // namespace

TEST_CASE("worker_pool: a reply survives the wire exactly", "[worker_pool]") {
    Rendered r = sample_reply();
    std::string wire = auth::detail::encode_rendered(77, r);
    std::uint64_t seq = 0;
    Rendered back;
    REQUIRE(auth::detail::decode_rendered(wire, seq, back));
    CHECK(seq == 77);
    CHECK(back.out == r.out);
    CHECK(back.err == r.err);
    CHECK(back.exit == 4);
    REQUIRE(back.answers.size() == 2);
    CHECK(back.answers[0].qname == r.answers[0].qname);
    CHECK(back.answers[0].status == auth::DnsStatus::ok);
    REQUIRE(back.answers[0].records.size() == 1);
    CHECK(back.answers[0].records[0].strings == r.answers[0].records[0].strings);
    CHECK(back.answers[0].records[0].ttl == 300);
    REQUIRE(back.answers[0].cnames.size() == 1);
    CHECK(back.answers[0].cnames[0].type == auth::RRType::CNAME);
    CHECK(back.answers[0].cnames[0].target == "s._domainkey.example.com.");
    CHECK(back.answers[0].detail == "d");
    CHECK(back.answers[1].qtype == auth::RRType::MX);
    CHECK(back.answers[1].status == auth::DnsStatus::servfail);
}

TEST_CASE("worker_pool: a truncated, padded or corrupted reply is refused", "[worker_pool]") {
    std::string wire = auth::detail::encode_rendered(1, sample_reply());
    std::uint64_t seq = 0;
    for (std::size_t n = 0; n < wire.size(); ++n) {
        Rendered back;
        CHECK_FALSE(auth::detail::decode_rendered(std::string_view(wire).substr(0, n), seq, back));
    }
    Rendered back;
    CHECK_FALSE(auth::detail::decode_rendered(wire + "x", seq, back));
    std::string bad = wire;
    bad[8] = 9;  // exit status over 255
    bad[9] = 9;
    CHECK_FALSE(auth::detail::decode_rendered(bad, seq, back));
    std::string huge = wire;
    for (int k = 0; k < 8; ++k) huge[12 + k] = '\xff';  // the out string's length
    CHECK_FALSE(auth::detail::decode_rendered(huge, seq, back));
}
