#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "auth/dns.hpp"
#include "auth/error.hpp"
#include "auth/spf.hpp"
#include "auth/spf_tool.hpp"
#include "detail/libspf2_dns.hpp"

using namespace auth;

namespace {
std::shared_ptr<Resolver> zone(const std::string& text) { return make_replay_resolver_from_text(text, "spf_test"); }

SpfCheck check(const std::string& z, const std::string& ip, const std::string& from, const std::string& helo = "mx.example.net",
               const SpfLimits& lim = {}) {
    auto dns = zone(z);
    return spf_check(SpfRequest{ip, helo, from}, *dns, lim);
}
}  // namespace

TEST_CASE("spf: pass, fail, softfail, neutral, none with the deciding term", "[spf]") {
    const std::string z =
        "example.com. IN TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all\"\n"
        "_spf.example.net. IN TXT \"v=spf1 ip6:2001:db8::/32 -all\"\n"
        "hard.example.com. IN TXT \"v=spf1 mx -all\"\n"
        "hard.example.com. IN MX 10 mx.hard.example.com.\n"
        "mx.hard.example.com. IN A 198.51.100.5\n"
        "q.example.com. IN TXT \"v=spf1 ?all\"\n";
    auto p = check(z, "192.0.2.7", "a@example.com");
    CHECK(p.result == Result::pass);
    CHECK(p.mechanism == "ip4:192.0.2.0/24");
    CHECK(p.domain == "example.com");
    CHECK(p.identity == "mailfrom");
    CHECK(p.record == "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all");
    auto i = check(z, "2001:db8::9", "a@example.com");
    CHECK(i.result == Result::pass);
    CHECK(i.mechanism == "include:_spf.example.net");
    CHECK(i.lookups == 1);
    auto s = check(z, "203.0.113.1", "a@example.com");
    CHECK(s.result == Result::softfail);
    CHECK(s.mechanism == "~all");
    auto m = check(z, "198.51.100.5", "a@hard.example.com");
    CHECK(m.result == Result::pass);
    CHECK(m.mechanism == "mx");
    auto f = check(z, "198.51.100.6", "a@hard.example.com");
    CHECK(f.result == Result::fail);
    CHECK(f.reason.code == "not-authorized");
    CHECK(check(z, "198.51.100.6", "a@q.example.com").result == Result::neutral);
    auto n = check(z, "198.51.100.6", "a@nothing.example.com");
    CHECK(n.result == Result::none);
    CHECK(n.reason.code == "no-spf-record");
}

TEST_CASE("spf: null sender checks postmaster@HELO (RFC 7208 §2.4)", "[spf]") {
    const std::string z = "mx.example.net. IN TXT \"v=spf1 a -all\"\nmx.example.net. IN A 192.0.2.1\n";
    for (const char* from : {"", "<>"}) {
        auto c = check(z, "192.0.2.1", from);
        CHECK(c.result == Result::pass);
        CHECK(c.identity == "helo");
        CHECK(c.sender == "postmaster@mx.example.net");
    }
}

TEST_CASE("spf: limits: 10 terms, 2 void lookups, a time budget", "[spf]") {
    std::string z = "loop.example.com. IN TXT \"v=spf1 include:loop.example.com -all\"\n"
                    "voids.example.com. IN TXT \"v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com -all\"\n"
                    "many.example.com. IN TXT \"v=spf1";
    for (int k = 0; k < 11; ++k) z += " a:h" + std::to_string(k) + ".example.com";
    z += " -all\"\n";
    for (int k = 0; k < 11; ++k) z += "h" + std::to_string(k) + ".example.com. IN A 198.51.100." + std::to_string(k + 1) + "\n";
    auto loop = check(z, "192.0.2.1", "a@loop.example.com");
    CHECK(loop.result == Result::permerror);
    auto many = check(z, "192.0.2.1", "a@many.example.com");
    CHECK(many.result == Result::permerror);
    CHECK(many.reason.code == "too-many-dns-lookups");
    CHECK(many.lookups == 11);
    // The 10th term still counts: a match there passes.
    CHECK(check(z, "198.51.100.10", "a@many.example.com").result == Result::pass);
    auto v = check(z, "192.0.2.1", "a@voids.example.com");
    CHECK(v.result == Result::permerror);
    CHECK(v.reason.code == "too-many-void-lookups");
    CHECK(v.void_lookups == 3);
    SpfLimits two;
    two.max_void_lookups = 3;
    CHECK(check(z, "192.0.2.1", "a@voids.example.com", "mx.example.net", two).result == Result::fail);
    SpfLimits none;
    none.time_budget = 0.0;
    auto t = check(z, "192.0.2.1", "a@voids.example.com", "mx.example.net", none);
    CHECK(t.result == Result::temperror);
    CHECK(t.reason.code == "time-budget");
}

TEST_CASE("spf: DNS failures stay distinct: timeout is temperror", "[spf]") {
    const std::string z = "t.example.com. IN TXT \"v=spf1 a:slow.example.com -all\"\n;; authscope: TIMEOUT slow.example.com.\n"
                          ";; authscope: SERVFAIL broken.example.com. TXT\n";
    auto t = check(z, "192.0.2.1", "a@t.example.com");
    CHECK(t.result == Result::temperror);
    CHECK(t.reason.code == "dns-temporary-failure");
    CHECK(t.reason.text.find("slow.example.com") != std::string::npos);
    CHECK(check(z, "192.0.2.1", "a@broken.example.com").result == Result::temperror);
}

TEST_CASE("spf: hostile records end in permerror, never a crash", "[spf]") {
    std::string huge = "v=spf1";
    for (int k = 0; k < 400; ++k) huge += " ip4:192.0.2." + std::to_string(k % 250);
    std::string z = "big.example.com. IN TXT";
    for (std::size_t k = 0; k < huge.size(); k += 250) z += " \"" + huge.substr(k, 250) + "\"";
    z += "\n";
    z += "macro.example.com. IN TXT \"v=spf1 exists:%{l1000r}.%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.example.com -all\"\n";
    z += "two.example.com. IN TXT \"v=spf1 -all\"\ntwo.example.com. IN TXT \"v=spf1 +all\"\n";
    z += "bad.example.com. IN TXT \"v=spf1 ip4:300.1.1.1 -all\"\n";
    z += "unknown.example.com. IN TXT \"v=spf1 foo:bar -all\"\n";
    auto big = check(z, "192.0.2.1", "a@big.example.com");
    CHECK(big.result == Result::permerror);
    CHECK(big.reason.code == "record-syntax");
    auto mac = check(z, "192.0.2.1", std::string(60, 'x') + "@macro.example.com");
    CHECK((mac.result == Result::fail || mac.result == Result::permerror));
    auto two = check(z, "192.0.2.1", "a@two.example.com");
    CHECK(two.result == Result::permerror);
    CHECK(two.reason.code == "multiple-records");
    CHECK(check(z, "192.0.2.1", "a@bad.example.com").result == Result::permerror);
    CHECK(check(z, "192.0.2.1", "a@unknown.example.com").result == Result::permerror);
}

TEST_CASE("spf: bad inputs give none with a reason", "[spf]") {
    const std::string z = "example.com. IN TXT \"v=spf1 -all\"\n";
    CHECK(check(z, "not-an-ip", "a@example.com").reason.code == "bad-ip");
    CHECK(check(z, "192.0.2.1", "a@[192.0.2.1]").reason.code == "malformed-domain");
    CHECK(check(z, "192.0.2.1", "a@nodots").reason.code == "malformed-domain");
    CHECK(check(z, "192.0.2.1", "a@" + std::string(64, 'a') + ".example.com").reason.code == "malformed-domain");
    // Loopback clients get no free pass (libspf2's SPF_request_query_mailfrom would give one).
    CHECK(check(z, "127.0.0.1", "a@example.com").result == Result::fail);
    // IPv4-mapped IPv6 is the IPv4 address.
    CHECK(check("m.example.com. IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n", "::ffff:192.0.2.1", "a@m.example.com").result ==
          Result::pass);
}

TEST_CASE("spf: explanation from exp= only on fail, expanded (RFC 7208 §6.2)", "[spf]") {
    const std::string z = "e.example.com. IN TXT \"v=spf1 -all exp=why.e.example.com\"\n"
                          "why.e.example.com. IN TXT \"%{i} may not send for %{d} (%{L})\"\n";
    auto f = check(z, "192.0.2.1", "Jo.Doe@e.example.com");
    CHECK(f.result == Result::fail);
    CHECK(f.explanation == "192.0.2.1 may not send for e.example.com (Jo.Doe)");
}

TEST_CASE("spf: the record checks of our layer", "[spf]") {
    using detail::spf_record_syntax_error;
    CHECK(spf_record_syntax_error("v=spf1 a mx -all").empty());
    CHECK(spf_record_syntax_error("v=spf1 a:foo:bar/baz.example.com/24//64 -all").empty());
    CHECK(spf_record_syntax_error("v=spf1 moo.cow-far_out=man:dog/cat -all").empty());
    CHECK_FALSE(spf_record_syntax_error("v=spf1 a:example.123 -all").empty());
    CHECK_FALSE(spf_record_syntax_error("v=spf1 ip4:1.2.3.4/032").empty());
    CHECK_FALSE(spf_record_syntax_error("v=spf1 redirect=a.example.com redirect=b.example.com").empty());
    CHECK_FALSE(spf_record_syntax_error("v=spf1 exists:%{x}.example.com").empty());
    CHECK_FALSE(spf_record_syntax_error("v=spf1 ptr/0 -all").empty());
    CHECK(detail::spf_record_for_libspf2("v=spf1 redirect=x.example.com ~all exp=e.example.com", false) == "v=spf1 ~all");
    CHECK(detail::spf_record_for_libspf2("v=spf1 ip4:1.1.1.1/0 -all", false) == "v=spf1 ip4:0.0.0.0/1 ip4:128.0.0.0/1 -all");
    CHECK(detail::spf_record_for_libspf2("v=spf1 a/0//64 redirect=r.example", false) ==
          std::string("v=spf1 a:%{d}") + detail::kCidr0Suffix + " redirect=r.example");
}

TEST_CASE("spf: evaluations in parallel threads are independent", "[spf]") {
    const std::string z = "example.com. IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n";
    auto dns = zone(z);
    std::vector<std::thread> ts;
    std::atomic<int> ok{0};
    for (int t = 0; t < 4; ++t)
        ts.emplace_back([&, t] {
            for (int k = 0; k < 50; ++k) {
                bool in = (k + t) % 2 == 0;
                auto c = spf_check(SpfRequest{in ? "192.0.2.9" : "198.51.100.9", "h.example.net", "a@example.com"}, *dns);
                if (c.result == (in ? Result::pass : Result::fail)) ++ok;
            }
        });
    for (auto& t : ts) t.join();
    CHECK(ok == 200);
}

TEST_CASE("spf: the analysis of a sample: sources, recorded result, AR", "[spf]") {
    const std::string z = "shop.example.com. IN TXT \"v=spf1 ip4:203.0.113.0/28 -all\"\n";
    auto dns = zone(z);
    Message m = Message::parse(
        "Return-Path: <bounce@shop.example.com>\n"
        "Received: from mail.shop.example.com (mail.shop.example.com. [203.0.113.45]) by mx.google.com with ESMTPS id x "
        "for <a@gmail.example>; Mon, 04 Mar 2024 02:00:00 -0800\n"
        "Received-SPF: pass (google.com: domain of bounce@shop.example.com designates 203.0.113.45) client-ip=203.0.113.45;\n"
        "\nbody\n");
    SpfToolOptions o;
    CommonOptions common;
    Outcome out = spf_analyze(o, &m, *dns, common);
    CHECK(out.json["result"] == "fail");
    CHECK(out.json["sources"]["ip"]["hop"] == 1);
    CHECK(out.json["sources"]["mail_from"]["header"] == "Return-Path");
    CHECK(out.json["recorded"]["result"] == "pass");
    CHECK(out.json["differs"] == true);
    CHECK(out.exit == kExitNotPass);
    CHECK(out.text.rfind("spf: fail", 0) == 0);
    CHECK(out.text.find("records change") != std::string::npos);
    CHECK(out.ar.find("spf=fail") != std::string::npos);
    CHECK(out.ar.find("smtp.mailfrom=bounce@shop.example.com") != std::string::npos);
    CHECK(out.ar.find("smtp.helo=mail.shop.example.com") != std::string::npos);

    Message bare = Message::parse("From: a@b.example\n\nbody\n");
    CHECK_THROWS_AS(spf_analyze(o, &bare, *dns, common), InputError);
    try {
        spf_analyze(o, &bare, *dns, common);
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).find("--ip") != std::string::npos);
    }
}

TEST_CASE("spf: Authentication-Results spf= is the recorded result without Received-SPF", "[spf]") {
    Message m = Message::parse("Authentication-Results: mx.example.org; spf=softfail smtp.mailfrom=a@b.example\n\nbody\n");
    auto r = spf_recorded(m);
    REQUIRE(r);
    CHECK(r->source == "Authentication-Results");
    CHECK(r->result == Result::softfail);
    CHECK(r->mail_from == "a@b.example");
}
