#include <catch2/catch.hpp>

#include "auth/authres.hpp"
#include "auth/dmarc.hpp"

using namespace auth;

namespace {

std::shared_ptr<Resolver> zone(const std::string& text) { return make_replay_resolver_from_text("$TTL 300\n" + text); }

DmarcOptions o7489() {
    DmarcOptions o;
    o.mode = DmarcMode::rfc7489;
    o.psl = PublicSuffixList::load_file(std::string(AUTHSCOPE_SHARED_DIR) + "/conformance/psl/public_suffix_list.dat");
    return o;
}

const char* kZone = R"(
_dmarc.example.com.        TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:agg@example.com,mailto:x@reports.example.net"
example.reports.example.net. TXT "v=DMARC1"
example.com._report._dmarc.reports.example.net. TXT "v=DMARC1"
mail.example.com.          A   192.0.2.1
_dmarc.example.org.        TXT "v=DMARC1; p=quarantine; np=reject; adkim=s; aspf=s; t=y"
exists.example.org.        MX  10 mx.example.org.
_dmarc.tld.                TXT "v=DMARC1; p=reject; psd=y"
_dmarc.dept.org.tld.       TXT "v=DMARC1; p=none; psd=n"
_dmarc.a.b.c.d.e.f.g.h.i.example.net. TXT "v=DMARC1; p=none"
_dmarc.example.net.        TXT "v=DMARC1; p=reject"
_dmarc.two.example.        TXT "v=DMARC1; p=none"
_dmarc.two.example.        TXT "v=DMARC1; p=reject"
_dmarc.bad.example.        TXT "v=DMARC1; p=none; reject"
_dmarc.nop.example.        TXT "v=DMARC1; sp=quarantine; np=reject"
;; authscope: SERVFAIL _dmarc.broken.example. TXT
)";

}  // namespace

TEST_CASE("dmarc: record parser, all RFC 9989 tags", "[dmarc]") {
    auto p = parse_dmarc_record("v=DMARC1; p=Reject; sp=quarantine; np=reject; psd=n; t=y; adkim=s; aspf=r; "
                                "rua=mailto:a@example.com, mailto:b@example.net!10m; ruf=mailto:f@example.com; fo=1:d");
    REQUIRE(p.ok());
    const auto& r = *p.record;
    CHECK(r.p == DmarcPolicy::reject);
    CHECK(r.sp == DmarcPolicy::quarantine);
    CHECK(r.np == DmarcPolicy::reject);
    CHECK(r.psd == 'n');
    CHECK(r.testing);
    CHECK(r.adkim == Alignment::strict);
    CHECK(r.aspf == Alignment::relaxed);
    CHECK(r.rua.size() == 2);
    CHECK(r.ruf.size() == 1);
    CHECK(r.fo == "1:d");
    CHECK(r.warnings.empty());
}

TEST_CASE("dmarc: RFC 7489 tags by mode, unknown tags warned", "[dmarc]") {
    auto a = parse_dmarc_record("v=DMARC1; p=none; pct=50; rf=afrf; ri=3600; foo=bar", DmarcMode::rfc7489);
    REQUIRE(a.ok());
    CHECK(a.record->pct == 50);
    CHECK(a.record->rf == std::string("afrf"));
    CHECK(a.record->ri == 3600ul);
    CHECK(a.record->warnings.size() == 1);
    auto b = parse_dmarc_record("v=DMARC1; p=none; pct=50; rf=afrf; ri=3600", DmarcMode::rfc9989);
    REQUIRE(b.ok());
    CHECK_FALSE(b.record->pct);
    CHECK(b.record->warnings.size() == 3);
}

TEST_CASE("dmarc: record syntax errors are named", "[dmarc]") {
    CHECK(parse_dmarc_record("").error.code == "empty-record");
    CHECK(parse_dmarc_record("v=spf1 -all").error.code == "not-dmarc");
    CHECK(parse_dmarc_record("p=none; v=DMARC1").error.code == "not-dmarc");
    CHECK(parse_dmarc_record("v=DMARC1; p=none; reject").error.code == "syntax-error");
    CHECK(parse_dmarc_record("v=DMARC1; p=bob").error.code == "invalid-policy");
    CHECK(parse_dmarc_record("v=DMARC1; p=none; adkim=x").error.code == "bad-tag-value");
    CHECK(parse_dmarc_record("v=DMARC1; p=none; psd=maybe").error.code == "bad-tag-value");
    CHECK(parse_dmarc_record("v=DMARC1; sp=none").error.code == "missing-p");
    CHECK(parse_dmarc_record("v=DMARC1; p=none; p=reject").error.code == "duplicate-tag");
    CHECK(parse_dmarc_record("v=DMARC1; p=none; pct=101", DmarcMode::rfc7489).error.code == "bad-tag-value");
    // A missing p= with a valid rua= is p=none (RFC 9989 §4.7).
    auto r = parse_dmarc_record("v=DMARC1; rua=mailto:a@example.com");
    REQUIRE(r.ok());
    CHECK(r.record->p == DmarcPolicy::none);
    CHECK_FALSE(r.record->p_given);
}

TEST_CASE("dmarc: tree walk queries at most 8 names", "[dmarc]") {
    auto dns = zone(kZone);
    std::vector<DmarcQuery> q;
    bool temp = false;
    std::string detail;
    auto found = dmarc_tree_walk("x.a.b.c.d.e.f.g.h.i.j.k.example.org", *dns, DmarcMode::rfc9989, q, false, temp, detail);
    CHECK(q.size() == 8);
    CHECK(q[0].name == "_dmarc.x.a.b.c.d.e.f.g.h.i.j.k.example.org.");
    CHECK(q[1].name == "_dmarc.g.h.i.j.k.example.org.");
    CHECK(q.back().name == "_dmarc.org.");
    REQUIRE(found.size() == 1);
    CHECK(found[0].domain == "example.org");
}

TEST_CASE("dmarc: organizational domain by tree walk (psd=y, psd=n, fewest labels)", "[dmarc]") {
    auto dns = zone(kZone);
    DmarcOptions o;
    std::string m;
    CHECK(organizational_domain("a.b.example.com", *dns, o, nullptr, &m) == "example.com");
    CHECK(organizational_domain("x.y.org.tld", *dns, o, nullptr, &m) == "org.tld");
    CHECK(m.find("public suffix domain") != std::string::npos);
    CHECK(organizational_domain("a.dept.org.tld", *dns, o) == "dept.org.tld");
    CHECK(organizational_domain("nothing.invalid", *dns, o) == "nothing.invalid");
    CHECK(organizational_domain("a.b.c.d.e.f.g.h.i.example.net", *dns, o) == "example.net");
}

TEST_CASE("dmarc: alignment relaxed and strict, both modes", "[dmarc]") {
    auto dns = zone(kZone);
    DmarcOptions o;
    CHECK(domains_aligned("mail.example.com", "example.com", Alignment::relaxed, *dns, o));
    CHECK_FALSE(domains_aligned("mail.example.com", "example.com", Alignment::strict, *dns, o));
    CHECK(domains_aligned("Example.COM.", "example.com", Alignment::strict, *dns, o));
    CHECK_FALSE(domains_aligned("example.net", "example.com", Alignment::relaxed, *dns, o));
    auto p = o7489();
    CHECK(domains_aligned("a.example.co.uk", "b.example.co.uk", Alignment::relaxed, *dns, p));
    CHECK_FALSE(domains_aligned("a.co.uk", "b.co.uk", Alignment::relaxed, *dns, p));
}

TEST_CASE("dmarc: pass says why; report destinations checked", "[dmarc]") {
    auto dns = zone(kZone);
    auto r = evaluate_dmarc("example.com", {{"mail.example.com", Result::pass, "s1"}}, std::nullopt, *dns, {});
    CHECK(r.result == Result::pass);
    CHECK(r.why == "DKIM d=mail.example.com aligns with From example.com (relaxed).");
    CHECK(r.policy_domain == "example.com");
    CHECK(r.org_domain == "example.com");
    CHECK(r.applied_tag == "p");
    CHECK(r.disposition == "none");
    REQUIRE(r.report_destinations.size() == 2);
    CHECK(r.report_destinations[0].status == "same-organization");
    CHECK(r.report_destinations[1].status == "authorized");
    CHECK(r.report_destinations[1].checked_name == "example.com._report._dmarc.reports.example.net");
}

TEST_CASE("dmarc: fail, subdomain policy and non-existent subdomain", "[dmarc]") {
    auto dns = zone(kZone);
    auto sub = evaluate_dmarc("mail.example.com", {}, DmarcSpfInput{"other.example", Result::pass, "mailfrom"}, *dns, {});
    CHECK(sub.result == Result::fail);
    CHECK(sub.reason.code == "no-aligned-identifier");
    CHECK(sub.policy_domain == "example.com");
    CHECK(sub.applied_tag == "sp");
    CHECK(sub.disposition == "quarantine");

    auto nx = evaluate_dmarc("ghost.example.org", {}, std::nullopt, *dns, {});
    CHECK(nx.result == Result::fail);
    CHECK(nx.applied_tag == "np");
    CHECK_FALSE(nx.from_domain_exists);
    // t=y: reject is applied as quarantine.
    CHECK(nx.disposition == "quarantine");
    CHECK_FALSE(nx.disposition_note.empty());

    auto ex = evaluate_dmarc("exists.example.org", {}, std::nullopt, *dns, {});
    CHECK(ex.applied_tag == "p");
    CHECK(ex.disposition == "none");  // quarantine with t=y
}

TEST_CASE("dmarc: strict alignment fails a subdomain signature", "[dmarc]") {
    auto dns = zone(kZone);
    auto r = evaluate_dmarc("example.org", {{"mail.example.org", Result::pass, ""}}, std::nullopt, *dns, {});
    CHECK(r.result == Result::fail);
    REQUIRE(r.dkim.size() == 1);
    CHECK_FALSE(r.dkim[0].aligned);
}

TEST_CASE("dmarc: none, permerror, temperror, several records", "[dmarc]") {
    auto dns = zone(kZone);
    CHECK(evaluate_dmarc("nothing.invalid", {}, std::nullopt, *dns, {}).result == Result::none);
    auto bad = evaluate_dmarc("bad.example", {}, std::nullopt, *dns, {});
    CHECK(bad.result == Result::permerror);
    CHECK(bad.reason.code == "syntax-error");
    auto nop = evaluate_dmarc("nop.example", {}, std::nullopt, *dns, {});
    CHECK(nop.result == Result::none);
    CHECK(nop.reason.code == "missing-p");
    auto temp = evaluate_dmarc("broken.example", {}, std::nullopt, *dns, {});
    CHECK(temp.result == Result::temperror);
    auto two = evaluate_dmarc("two.example", {}, std::nullopt, *dns, {});
    CHECK(two.result == Result::none);
    bool saw = false;
    for (const auto& q : two.queried) saw = saw || q.found == "several-records";
    CHECK(saw);
}

TEST_CASE("dmarc: RFC 7489 discovery with the PSL and pct", "[dmarc]") {
    auto dns = zone("_dmarc.example.co.uk. TXT \"v=DMARC1; p=reject; pct=20\"\n");
    auto r = evaluate_dmarc("a.b.example.co.uk", {}, std::nullopt, *dns, o7489());
    CHECK(r.result == Result::fail);
    CHECK(r.policy_domain == "example.co.uk");
    CHECK(r.org_domain == "example.co.uk");
    CHECK(r.queried.size() == 2);
    REQUIRE(r.policy);
    CHECK(r.policy->pct == 20);
    CHECK(r.disposition == "reject");
    CHECK(r.disposition_note.find("pct=20") != std::string::npos);
    auto j = dmarc_json(r);
    CHECK(j["policy"]["pct"] == 20);
    CHECK(j["mode"] == "rfc7489");
}

TEST_CASE("dmarc: From handling ends in results with reasons", "[dmarc]") {
    auto dns = zone(kZone);
    auto run = [&](const std::string& head) {
        Message m = Message::parse(head + "Subject: x\r\n\r\nbody\r\n");
        return evaluate_dmarc_message(m, {{"example.com", Result::pass, ""}}, std::nullopt, *dns, {});
    };
    auto none = run("To: a@b.example\r\n");
    CHECK(none.result == Result::permerror);
    CHECK(none.reason.code == "no-from");
    CHECK(run("From: Test User\r\n").reason.code == "from-unparseable");
    CHECK(run("From: undisclosed:;\r\n").reason.code == "from-no-address");
    CHECK(run("From: a@[192.0.2.1]\r\n").reason.code == "from-domain-invalid");
    auto enc = run("From: =?UTF-8?B?RXhhbXBsZQ==?= <a@example.com>\r\n");
    CHECK(enc.result == Result::pass);
    auto multi = run("From: a@example.com, b@example.org\r\n");
    CHECK(multi.result == Result::fail);
    CHECK(multi.from_domain == "example.org");
    CHECK(multi.from_domains.size() == 2);
    auto two = run("From: a@example.com\r\nFrom: b@example.com\r\n");
    CHECK(two.result == Result::pass);
    CHECK_FALSE(two.warnings.empty());
    auto idn = run("From: a@EXAMPLE.com\r\n");
    CHECK(idn.from_domain == "example.com");
}

TEST_CASE("dmarc: --format ar clause parses back", "[dmarc]") {
    auto dns = zone(kZone);
    auto r = evaluate_dmarc("mail.example.com", {}, std::nullopt, *dns, {});
    std::string field = format_authentication_results("mx.example", {dmarc_ar_clause(r)});
    auto back = parse_authentication_results(field.substr(field.find(':') + 1));
    REQUIRE(back.ok());
    REQUIRE(back.results.size() == 1);
    CHECK(back.results[0].method == "dmarc");
    CHECK(back.results[0].result == "fail");
    CHECK(ar_property(back.results[0], "header.from") == "mail.example.com");
    CHECK(ar_property(back.results[0], "policy.dmarc") == "quarantine");
    CHECK(back.results[0].reason == r.reason.text);
    CHECK(r.reason.code == "no-aligned-identifier");
}
