// Tests for auth/arc.hpp: ARC field parsing and chain verification through a replay resolver, on the
// sealed fixtures (fixtures/arc, sealed by dkimpy's arc_sign) and variants made in the tests.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "auth/arc.hpp"
#include "auth/dns.hpp"
#include "auth/message.hpp"

using namespace auth;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    if (!f) throw std::runtime_error("cannot read " + path);
    return ss.str();
}
std::string fixture(const std::string& name) { return std::string(AUTHSCOPE_SOURCE_DIR) + "/fixtures/arc/" + name; }

ArcReport verify_bytes(std::string bytes, const std::string& zone) {
    auto dns = make_replay_resolver_from_text(zone, "test");
    Message m = Message::parse(std::move(bytes));
    return verify_arc(m, *dns);
}
ArcReport verify_fixture(const std::string& name) {
    return verify_bytes(slurp(fixture(name + ".eml")), slurp(fixture(name + ".zone")));
}
std::string replace_once(std::string s, const std::string& from, const std::string& to) {
    auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}
// The message without the field starting with `prefix` (its folded lines too).
std::string drop_field(const std::string& s, const std::string& prefix) {
    auto pos = s.find(prefix);
    REQUIRE(pos != std::string::npos);
    auto end = pos;
    do {
        end = s.find("\r\n", end) + 2;
    } while (end < s.size() && (s[end] == ' ' || s[end] == '\t'));
    return s.substr(0, pos) + s.substr(end);
}

}  // namespace

TEST_CASE("ARC-Seal tags are read and checked (RFC 8617 §4.1.3)", "[arc]") {
    auto p = parse_arc_seal(" i=2; cv=pass; a=rsa-sha256; d=example.org; s=s1; t=12345; b=QUJD");
    REQUIRE(p.ok());
    CHECK(p.sig.instance == 2);
    CHECK(p.sig.cv == "pass");
    CHECK(p.sig.d == "example.org");
    CHECK(p.sig.t == 12345u);
    CHECK(parse_arc_seal("i=1; a=rsa-sha256; d=example.org; s=s1; b=QUJD").error->code == "signature-syntax");  // no cv=
    CHECK(!parse_arc_seal("i=1; cv=Pass; a=rsa-sha256; d=example.org; s=s1; b=QUJD").ok());  // values are case-sensitive
    CHECK(!parse_arc_seal("i=1; cv=none; a=rsa-sha256; d=example.org; s=s1; h=from; b=QUJD").ok());  // h= not allowed
    CHECK(!parse_arc_seal("i=0; cv=none; a=rsa-sha256; d=example.org; s=s1; b=QUJD").ok());
    CHECK(!parse_arc_seal("i=51; cv=none; a=rsa-sha256; d=example.org; s=s1; b=QUJD").ok());
    CHECK(!parse_arc_seal("i=1; cv=none; a=rsa-sha256; d=example.org; s=s1; t=1 2; b=QUJD").ok());
    CHECK(!parse_arc_seal("i=1; cv=none; a=rsa-sha256; d=***; s=s1; b=QUJD").ok());
    CHECK(parse_arc_seal("i=1; cv=none; a=rsa-sha1; d=example.org; s=s1; b=QUJD").error->code == "unsupported-algorithm");
    CHECK(parse_arc_seal("i=1; cv=none; a=ed25519-sha256; d=example.org; s=s1; b=QUJD; xnew=1").ok());  // unknown tags ignored
}

TEST_CASE("ARC-Message-Signature tags are a DKIM-Signature's with i= the instance (RFC 8617 §4.1.2)", "[arc]") {
    auto p = parse_arc_message_signature("i=1; a=rsa-sha256; c=relaxed/simple; d=example.org; s=s1; h=From : To; bh=QUJD; b=QUJD");
    REQUIRE(p.ok());
    CHECK(p.sig.header_canon == "relaxed");
    CHECK(p.sig.body_canon == "simple");
    CHECK(p.sig.h == std::vector<std::string>{"From", "To"});
    // No c=: relaxed/relaxed (the ARC drafts, the ValiMail suite, dkimpy); an empty h= is allowed
    // (no From requirement, unlike DKIM).
    auto q = parse_arc_message_signature("i=1; a=rsa-sha256; d=example.org; s=s1; h=; bh=QUJD; b=QUJD");
    REQUIRE(q.ok());
    CHECK(q.sig.header_canon == "relaxed");
    CHECK(q.sig.body_canon == "relaxed");
    CHECK(q.sig.h.empty());
    CHECK(!parse_arc_message_signature("i=1; a=rsa-sha256; d=example.org; s=s1; h=from:arc-seal; bh=QUJD; b=QUJD").ok());
    CHECK(!parse_arc_message_signature("i=1; a=rsa-sha256; c=; d=example.org; s=s1; h=from; bh=QUJD; b=QUJD").ok());
    CHECK(!parse_arc_message_signature("i=1; a=rsa-sha256; c=fancy/simple; d=example.org; s=s1; h=from; bh=QUJD; b=QUJD").ok());
    CHECK(!parse_arc_message_signature("i=1; a=rsa-sha256; d=example.org; s=s1; bh=QUJD; b=QUJD").ok());  // no h=
    CHECK(!parse_arc_message_signature("i=1; a=rsa-sha256; d=example.org; s=s1; h=from; b=QUJD").ok());   // no bh=
    CHECK(!parse_arc_message_signature("i=1; a=rsa-sha256; d=example.org; s=s1; h=from; bh=QUJD; b=QUJD;;").ok());
    CHECK(!parse_arc_message_signature("i=1; a=rsa-sha256; d=example.org; s=s1; H=from; bh=QUJD; b=QUJD").ok());
}

TEST_CASE("ARC-Authentication-Results: i= first, then an RFC 8601 payload (RFC 8617 §4.1.1)", "[arc]") {
    auto p = parse_arc_authentication_results(" i=3; mx.example.org; spf=pass smtp.mailfrom=example.com;\r\n dkim=fail header.d=example.com");
    REQUIRE(p.ok());
    CHECK(p.instance == 3);
    CHECK(p.results.authserv_id == "mx.example.org");
    REQUIRE(p.results.results.size() == 2);
    CHECK(p.results.results[1].method == "dkim");
    CHECK(p.results.results[1].result == "fail");
    CHECK(!parse_arc_authentication_results("mx.example.org; i=1; spf=pass").ok());
    CHECK(!parse_arc_authentication_results("i=1 mx.example.org; spf=pass").ok());
    CHECK(!parse_arc_authentication_results("i=0; mx.example.org; spf=pass").ok());
    CHECK(!parse_arc_authentication_results("").ok());
}

TEST_CASE("a sealed message passes, with each hop's sealer, results and keys", "[arc]") {
    ArcReport r = verify_fixture("001-pass-one-hop");
    CHECK(r.cv == "pass");
    CHECK(r.verdict.result == Result::pass);
    CHECK(r.verdict.reason.code == "chain-valid");
    CHECK(r.oldest_pass == 0u);
    REQUIRE(r.hops.size() == 1);
    const ArcHop& h = r.hops[0];
    CHECK(h.sealer == "example.net");
    CHECK(h.selector == "s2048");
    CHECK(h.seal.result == Result::pass);
    CHECK(h.ams.result == Result::pass);
    CHECK(h.seal_key.bits == 2048);
    CHECK(h.seal_key.name == "s2048._domainkey.example.net.");
    CHECK(h.aar.authserv_id == "mx.example.net");
    REQUIRE(h.aar.results.size() == 4);
    CHECK(h.aar.results[2].method == "dmarc");
    CHECK(h.aar.results[2].result == "pass");
    CHECK(!r.bare_lf_converted);
}

TEST_CASE("ed25519-sha256 seals and message signatures (RFC 8463)", "[arc]") {
    ArcReport r = verify_fixture("010-pass-ed25519");
    CHECK(r.cv == "pass");
    REQUIRE(r.hops.size() == 1);
    CHECK(r.hops[0].seal_key.type == "ed25519");
    const std::string eml = slurp(fixture("010-pass-ed25519.eml"));
    const std::string zone = slurp(fixture("010-pass-ed25519.zone"));
    ArcReport changed = verify_bytes(replace_once(eml, "To: team@example.net", "To: team@example.org"), zone);
    CHECK(changed.cv == "fail");
    CHECK(changed.hops[0].ams.reason.code == "signature-mismatch");
    // The same key published as RSA: the key type does not match a=.
    ArcReport wrong = verify_bytes(eml, replace_once(zone, "k=ed25519", "k=rsa"));
    CHECK(wrong.cv == "fail");
    CHECK(wrong.hops[0].ams.result == Result::permerror);
}

TEST_CASE("LF line ends are read as CRLF", "[arc]") {
    ArcReport r = verify_fixture("008-pass-lf-line-ends");
    CHECK(r.cv == "pass");
    CHECK(r.bare_lf_converted);
}

TEST_CASE("two hops; a list that changed the message moves oldest-pass (RFC 8617 §5.2 step 5)", "[arc]") {
    ArcReport plain = verify_fixture("002-pass-two-hops");
    CHECK(plain.cv == "pass");
    CHECK(plain.oldest_pass == 0u);
    ArcReport r = verify_fixture("003-pass-list-modified");
    CHECK(r.cv == "pass");
    CHECK(r.oldest_pass == 2u);
    REQUIRE(r.hops.size() == 2);
    CHECK(r.hops[0].ams.result == Result::fail);
    CHECK(r.hops[0].ams.reason.code == "body-hash-mismatch");
    CHECK(r.hops[0].seal.result == Result::pass);
    CHECK(r.hops[1].sealer == "example.org");
    CHECK(r.hops[1].seal_key.bits == 1024);
}

TEST_CASE("a body changed after the last seal fails at the newest AMS", "[arc]") {
    ArcReport r = verify_fixture("004-fail-body-modified");
    CHECK(r.cv == "fail");
    CHECK(r.verdict.reason.code == "ams-failed");
    CHECK(r.broken_at == 1u);
    CHECK(r.hops[0].ams.reason.code == "body-hash-mismatch");
    CHECK(!r.oldest_pass);
}

TEST_CASE("an ARC-Authentication-Results edited after sealing breaks the seal", "[arc]") {
    ArcReport r = verify_fixture("005-fail-aar-altered");
    CHECK(r.cv == "fail");
    CHECK(r.verdict.reason.code == "seal-failed");
    CHECK(r.hops[0].seal.reason.code == "signature-mismatch");
    CHECK(r.hops[0].ams.result == Result::pass);  // the AMS does not cover the AAR here
}

TEST_CASE("no ARC sets: cv=none", "[arc]") {
    ArcReport r = verify_fixture("006-none-no-arc");
    CHECK(r.cv == "none");
    CHECK(r.verdict.result == Result::none);
    CHECK(r.hops.empty());
}

TEST_CASE("keys: missing is a failure, a time-out is temperror", "[arc]") {
    ArcReport r = verify_fixture("007-fail-key-not-found");
    CHECK(r.cv == "fail");
    CHECK(r.hops[0].ams.reason.code == "key-not-found");
    CHECK(r.hops[0].seal_key.dns == "nxdomain");
    ArcReport t = verify_fixture("009-temperror-key-timeout");
    CHECK(t.cv == "fail");
    CHECK(t.verdict.result == Result::temperror);
    CHECK(t.verdict.reason.code == "dns-temperror");
}

TEST_CASE("structure: missing and duplicate members, cv of the first seal (RFC 8617 §5.1.1)", "[arc]") {
    const std::string eml = slurp(fixture("001-pass-one-hop.eml"));
    const std::string zone = slurp(fixture("001-pass-one-hop.zone"));
    ArcReport no_aar = verify_bytes(drop_field(eml, "ARC-Authentication-Results:"), zone);
    CHECK(no_aar.cv == "fail");
    CHECK(no_aar.verdict.reason.code == "structure");
    auto seal_end = eml.find("ARC-Message-Signature:");
    ArcReport dup = verify_bytes(eml.substr(0, seal_end) + eml, zone);  // the seal twice
    CHECK(dup.cv == "fail");
    CHECK(dup.verdict.reason.code == "structure");
    ArcReport cv_pass = verify_bytes(replace_once(eml, "cv=none", "cv=pass"), zone);
    CHECK(cv_pass.cv == "fail");
    CHECK(cv_pass.verdict.reason.code == "cv-invalid");
    ArcReport cv_fail = verify_bytes(replace_once(eml, "cv=none", "cv=fail"), zone);
    CHECK(cv_fail.cv == "fail");
    CHECK(cv_fail.verdict.reason.code == "cv-fail-recorded");
    ArcReport bad_i = verify_bytes(replace_once(eml, "ARC-Seal: i=1;", "ARC-Seal: i=x;"), zone);
    CHECK(bad_i.cv == "fail");
    CHECK(bad_i.verdict.reason.code == "arc-syntax");
    // The second hop's set removed whole leaves a valid one-hop chain; its seal alone, a gap.
    const std::string two = slurp(fixture("002-pass-two-hops.eml"));
    const std::string zone2 = slurp(fixture("002-pass-two-hops.zone"));
    ArcReport gap = verify_bytes(replace_once(two, "i=1; cv=none", "i=3; cv=pass"), zone2);
    CHECK(gap.cv == "fail");
    CHECK(gap.verdict.reason.code == "structure");
}

TEST_CASE("a modified header field signed by the AMS fails; relaxed canonicalisation forgives whitespace", "[arc]") {
    const std::string eml = slurp(fixture("001-pass-one-hop.eml"));
    const std::string zone = slurp(fixture("001-pass-one-hop.zone"));
    ArcReport changed = verify_bytes(replace_once(eml, "Subject: Quarterly figures", "Subject: Quarterly figures!"), zone);
    CHECK(changed.cv == "fail");
    CHECK(changed.hops[0].ams.reason.code == "signature-mismatch");
    ArcReport spaced = verify_bytes(replace_once(eml, "Subject: Quarterly figures", "Subject:   Quarterly \t figures  "), zone);
    CHECK(spaced.cv == "pass");
    ArcReport body_ws = verify_bytes(replace_once(eml, "Hello team,", "Hello   team,  "), zone);
    CHECK(body_ws.cv == "pass");
}

TEST_CASE("arc_results_for gives a sealer's recorded results and how far to believe them", "[arc]") {
    ArcReport r = verify_fixture("003-pass-list-modified");
    auto hop = arc_results_for(r, "EXAMPLE.NET");
    REQUIRE(hop);
    CHECK(hop->instance == 1);
    CHECK(hop->aar.authserv_id == "mx.example.net");
    CHECK(hop->chain_pass);
    CHECK(hop->sealed_intact);
    CHECK(!arc_results_for(r, "example.com"));
    ArcReport broken = verify_fixture("005-fail-aar-altered");
    auto b = arc_results_for(broken, "example.net");
    REQUIRE(b);
    CHECK(!b->chain_pass);
    CHECK(!b->sealed_intact);
}

TEST_CASE("outputs: JSON keys, text verdict first, one arc= clause", "[arc]") {
    ArcReport r = verify_fixture("003-pass-list-modified");
    Json j = to_json(r);
    CHECK(j["result"] == "pass");
    CHECK(j["cv"] == "pass");
    CHECK(j["oldest_pass"] == 2);
    CHECK(j["hops"].size() == 2);
    CHECK(j["hops"][0]["i"] == 1);
    CHECK(j["hops"][0]["sealer"] == "example.net");
    CHECK(j["hops"][0]["seal"] == "pass");
    CHECK(j["hops"][0]["ams"] == "fail");
    CHECK(j["hops"][0]["aar"]["authserv_id"] == "mx.example.net");
    CHECK(to_text(r).rfind("arc=pass: ", 0) == 0);
    auto ar = to_ar(r);
    REQUIRE(ar.size() == 1);
    CHECK(ar[0].method == "arc");
    CHECK(ar[0].result == "pass");
    CHECK(ar[0].properties == std::vector<std::pair<std::string, std::string>>{{"header.oldest-pass", "2"}});
}

TEST_CASE("hostile input: many ARC fields fail fast without crashing", "[arc]") {
    std::string eml;
    for (int k = 0; k < 300; ++k) eml += "ARC-Seal: i=1; cv=none; a=rsa-sha256; d=example.org; s=s; b=QUJD\r\n";
    eml += "From: a@example.org\r\n\r\nbody\r\n";
    ArcReport r = verify_bytes(eml, "");
    CHECK(r.cv == "fail");
    CHECK(r.verdict.reason.code == "too-many-sets");
}

TEST_CASE("hostile input: a very long h= over many fields is read once per name", "[arc]") {
    std::string eml = slurp(fixture("001-pass-one-hop.eml"));
    std::string h = "h=";
    for (int k = 0; k < 100000; ++k) h += "x-a:";
    eml = replace_once(eml, "h=from : to : subject", h + "from : to : subject");
    std::string top;
    for (int k = 0; k < 3000; ++k) top += "X-A: " + std::to_string(k) + "\r\n";
    ArcReport r = verify_bytes(top + eml, slurp(fixture("001-pass-one-hop.zone")));
    CHECK(r.cv == "fail");
    CHECK(r.hops[0].ams.reason.code == "signature-mismatch");  // the AMS itself was changed
    CHECK(r.hops[0].ams_h.size() == 100007);
}
