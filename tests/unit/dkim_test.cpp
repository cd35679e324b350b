// Tests for auth/dkim.hpp: DKIM-Signature parsing and verification through a replay resolver,
// on the signed fixtures (fixtures/dkim, signed by dkimpy) and variants made in the tests.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "auth/dkim.hpp"
#include "auth/dns.hpp"
#include "auth/message.hpp"

using namespace auth;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    if (!f) throw std::runtime_error("cannot read " + path);  // no REQUIRE: also used from threads
    return ss.str();
}
std::string fixture(const std::string& name) { return std::string(AUTHSCOPE_SOURCE_DIR) + "/fixtures/dkim/" + name; }

// The 001 fixture's key records (example.com, s2048 and ed) as zone text.
std::string zone001() { return slurp(fixture("001-pass-rsa2048.zone")); }

DkimReport verify_bytes(const std::string& bytes, const std::string& zone, std::optional<std::time_t> now = {}) {
    auto dns = make_replay_resolver_from_text(zone);
    DkimOptions o;
    o.now = now;
    return verify_dkim(Message::parse(bytes), *dns, o);
}

DkimReport verify_fixture(const std::string& name, std::optional<std::time_t> now = {}) {
    return verify_bytes(slurp(fixture(name + ".eml")), slurp(fixture(name + ".zone")), now);
}

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
    auto p = s.find(from);
    REQUIRE(p != std::string::npos);
    return s.replace(p, from.size(), to);
}

std::string to_lf(const std::string& s) {
    std::string out;
    for (std::size_t k = 0; k < s.size(); ++k)
        if (!(s[k] == '\r' && k + 1 < s.size() && s[k + 1] == '\n')) out += s[k];
    return out;
}

bool has_warning(const DkimSignatureResult& s, const std::string& code) {
    for (const auto& w : s.warnings)
        if (w.code == code) return true;
    return false;
}

const char* kSig =
    "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=sel; t=1700000000; x=1700600000; l=120;"
    " i=news@mail.example.com; q=dns/txt; h=From:To:Subject:from; bh=aGVsbG8=; b=aGVs\r\n bG8=";

}  // namespace

TEST_CASE("dkim: signature tags are parsed", "[dkim]") {
    auto p = parse_dkim_signature(kSig);
    REQUIRE(p.ok());
    const auto& s = p.sig;
    CHECK(s.a == "rsa-sha256");
    CHECK(s.key_type() == "rsa");
    CHECK(s.hash() == "sha256");
    CHECK(s.header_canon == "relaxed");
    CHECK(s.body_canon == "simple");
    CHECK(s.d == "example.com");
    CHECK(s.s == "sel");
    CHECK(s.i == "news@mail.example.com");
    CHECK(s.h == std::vector<std::string>{"From", "To", "Subject", "from"});
    CHECK(*s.t == 1700000000u);
    CHECK(*s.x == 1700600000u);
    CHECK(*s.l == 120u);
    CHECK(s.b == "aGVsbG8=");
}

TEST_CASE("dkim: signature errors carry their reasons", "[dkim]") {
    auto code = [](const std::string& v) {
        auto p = parse_dkim_signature(v);
        return p.error ? p.error->code : std::string("ok");
    };
    const std::string base = "v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to; bh=aGVsbG8=; b=aGVsbG8=";
    CHECK(code(base) == "ok");
    CHECK(code("a=rsa-sha256; d=example.com; s=sel; h=from; bh=aGVsbG8=; b=aGVsbG8=") == "signature-syntax");  // no v=
    CHECK(code(replace_once(base, "v=1", "v=2")) == "signature-syntax");
    CHECK(code(replace_once(base, " bh=aGVsbG8=;", "")) == "signature-syntax");
    CHECK(code(replace_once(base, "b=aGVsbG8=", "b=")) == "signature-syntax");
    CHECK(code(replace_once(base, "b=aGVsbG8=", "b=a*b")) == "signature-syntax");
    CHECK(code(base + "; c=fancy/simple") == "signature-syntax");
    CHECK(code(base + "; t=1234567890123") == "signature-syntax");  // t= is 1*12DIGIT
    CHECK(code(base + "; t=200; x=100") == "signature-syntax");      // x= must follow t=
    CHECK(code(base + "; q=http/well-known") == "signature-syntax");
    CHECK(code(base + "; l=12a") == "signature-syntax");
    CHECK(code(replace_once(base, "d=example.com", "d=exa mple..com")) == "signature-syntax");
    CHECK(code(base + "; d=again.example") == "signature-syntax");    // duplicate tag
    CHECK(code(replace_once(base, "a=rsa-sha256", "a=rsa-sha512")) == "unsupported-algorithm");
    CHECK(code(replace_once(base, "h=from:to", "h=to:subject")) == "from-not-signed");
    CHECK(code(base + "; i=@evil.example") == "identity-mismatch");
    CHECK(code(base + "; i=@sub.example.com") == "ok");
    CHECK(code(base + "; i=nobody") == "signature-syntax");
}

TEST_CASE("dkim: clean passes report the key facts", "[dkim]") {
    auto r = verify_fixture("001-pass-rsa2048");
    CHECK(r.verdict.result == Result::pass);
    REQUIRE(r.signatures.size() == 1);
    const auto& s = r.signatures[0];
    CHECK(s.verdict.reason.code == "verified");
    CHECK(s.key_type == "rsa");
    CHECK(s.key_bits == 2048);
    CHECK(s.key_name == "s2048._domainkey.example.com.");
    CHECK(s.crypto_verified);
    CHECK(s.warnings.empty());

    auto e = verify_fixture("002-pass-ed25519");
    CHECK(e.verdict.result == Result::pass);
    CHECK(e.signatures[0].key_type == "ed25519");
    CHECK(e.signatures[0].key_bits == 256);
}

TEST_CASE("dkim: LF-only samples verify exactly like CRLF ones", "[dkim]") {
    for (const char* name : {"001-pass-rsa2048", "005-pass-simple-canonicalization", "080-multiple-mixed"}) {
        std::string crlf = slurp(fixture(std::string(name) + ".eml"));
        auto a = verify_bytes(crlf, slurp(fixture(std::string(name) + ".zone")), 1760433200);
        auto b = verify_bytes(to_lf(crlf), slurp(fixture(std::string(name) + ".zone")), 1760433200);
        CHECK_FALSE(a.bare_lf_converted);
        CHECK(b.bare_lf_converted);
        auto ja = to_json(a), jb = to_json(b);
        ja.erase("bare_lf_converted");
        jb.erase("bare_lf_converted");
        CHECK(ja.dump() == jb.dump());
    }
}

TEST_CASE("dkim: mixed line ends: bare LF only in the body, or only in some fields, is read as CRLF", "[dkim]") {
    std::string crlf = slurp(fixture("001-pass-rsa2048.eml"));
    const auto split = crlf.find("\r\n\r\n");
    REQUIRE(split != std::string::npos);
    const std::string head = crlf.substr(0, split + 4), body = crlf.substr(split + 4);
    auto expected = to_json(verify_bytes(crlf, zone001(), 1760433200));
    expected.erase("bare_lf_converted");
    // CRLF header, LF body; then LF header (the blank line too), CRLF body.
    for (const std::string& msg : {head + to_lf(body), to_lf(head) + body}) {
        auto r = verify_bytes(msg, zone001(), 1760433200);
        CHECK(r.bare_lf_converted);
        CHECK(r.verdict.result == Result::pass);
        auto j = to_json(r);
        j.erase("bare_lf_converted");
        CHECK(j.dump() == expected.dump());
    }
    // A body starting with an empty line (a bare LF at its first byte) still hashes as CRLF would.
    auto blank_first = verify_bytes(head + "\n" + to_lf(body), zone001(), 1760433200);
    CHECK(blank_first.bare_lf_converted);
    CHECK(blank_first.signatures[0].verdict.reason.code == "body-hash-mismatch");
}

TEST_CASE("dkim: changed body and changed header fail with distinct reasons", "[dkim]") {
    std::string msg = slurp(fixture("001-pass-rsa2048.eml"));
    auto body = verify_bytes(replace_once(msg, "\r\n\r\n", "\r\n\r\nP.S. send gift cards.\r\n"), zone001());
    CHECK(body.verdict.result == Result::fail);
    CHECK(body.signatures[0].verdict.reason.code == "body-hash-mismatch");
    auto hdr = verify_bytes(replace_once(msg, "Subject: Your invoice", "Subject: Urgent: your invoice"), zone001());
    CHECK(hdr.verdict.result == Result::fail);
    CHECK(hdr.signatures[0].verdict.reason.code == "signature-mismatch");
}

TEST_CASE("dkim: key record variants give our reasons", "[dkim]") {
    std::string msg = slurp(fixture("001-pass-rsa2048.eml"));
    std::string zone = zone001();
    auto with_key = [&](const std::string& rdata) {
        std::string z = "s2048._domainkey.example.com. 3600 IN TXT " + rdata + "\n";
        return verify_bytes(msg, z).signatures.at(0);
    };
    CHECK(with_key("\"v=DKIM1; k=rsa; p=\"").verdict.reason.code == "key-revoked");
    CHECK(with_key("\"v=DKIM1; k=rsa; p=MIIB!!\"").verdict.reason.code == "key-syntax");
    CHECK(with_key("\"v=DKIM1; k=rsa; s=tlsrpt; p=\"").verdict.reason.code == "key-revoked");
    auto ed = with_key("\"v=DKIM1; k=ed25519; p=TQO037HzhWYW/RWsj/NmVTIWndWofjiWWKgsEQtN9pM=\"");
    CHECK(ed.verdict.reason.code == "key-type-mismatch");
    CHECK(ed.verdict.result == Result::permerror);

    // The real key, but only for another service, or only for sha1 (tags added to the second
    // character-string: the first is already 255 octets).
    std::string real = zone.substr(zone.find("IN TXT ") + 7);
    real = real.substr(0, real.find('\n'));
    auto svc = with_key(replace_once(real, "QIDAQAB\"", "QIDAQAB; s=tlsrpt\""));
    CHECK(svc.verdict.reason.code == "key-not-for-email");
    auto h = with_key(replace_once(real, "QIDAQAB\"", "QIDAQAB; h=sha1\""));
    CHECK(h.verdict.reason.code == "key-hash-mismatch");
    auto testing = with_key(replace_once(real, "QIDAQAB\"", "QIDAQAB; t=y\""));
    CHECK(testing.verdict.result == Result::pass);
    CHECK(testing.key_testing);
    CHECK(has_warning(testing, "key-testing-mode"));

    // Two TXT records at the name: the usable one is used, with a warning.
    std::string two = "s2048._domainkey.example.com. 3600 IN TXT \"v=spf1 -all\"\n"
                      "s2048._domainkey.example.com. 3600 IN TXT " + real + "\n";
    auto r = verify_bytes(msg, two).signatures.at(0);
    CHECK(r.verdict.result == Result::pass);
    CHECK(has_warning(r, "multiple-key-records"));
}

TEST_CASE("dkim: RFC 4871's g= key tag is ignored, as RFC 6376 dropped it", "[dkim]") {
    // Under RFC 4871 §3.6.1, g=billing must match the local-part of i= (here the default "@example.com",
    // an empty local-part) and an empty g= matches nothing: both would fail. RFC 6376 has no g=.
    std::string msg = slurp(fixture("001-pass-rsa2048.eml"));
    std::string zone = zone001();
    std::string real = zone.substr(zone.find("IN TXT ") + 7);
    real = real.substr(0, real.find('\n'));
    for (const char* g : {"g=billing", "g="}) {
        std::string z = "s2048._domainkey.example.com. 3600 IN TXT " + replace_once(real, "QIDAQAB\"", std::string("QIDAQAB; ") + g + "\"") + "\n";
        auto r = verify_bytes(msg, z).signatures.at(0);
        INFO(g);
        CHECK(r.verdict.result == Result::pass);
        CHECK(r.verdict.reason.code == "verified");
    }
}

TEST_CASE("dkim: a body without its final line break, and header fields alone, verify (RFC 6376 §3.4.3/§3.4.4)", "[dkim]") {
    auto relaxed = verify_fixture("007-pass-relaxed-no-final-crlf");
    CHECK(relaxed.verdict.result == Result::pass);
    auto simple = verify_fixture("008-pass-simple-no-final-crlf");
    CHECK(simple.verdict.result == Result::pass);
    auto head = verify_fixture("009-pass-header-only");
    CHECK(head.verdict.result == Result::pass);
    auto changed = verify_fixture("012-body-hash-mismatch-no-final-crlf");
    CHECK(changed.verdict.result == Result::fail);
    CHECK(changed.signatures.at(0).verdict.reason.code == "body-hash-mismatch");
    // LF line ends and no final line break: the same verdicts.
    CHECK(verify_bytes(to_lf(slurp(fixture("007-pass-relaxed-no-final-crlf.eml"))), zone001()).verdict.result == Result::pass);
    CHECK(verify_bytes(to_lf(slurp(fixture("009-pass-header-only.eml"))), zone001()).verdict.result == Result::pass);
}

TEST_CASE("dkim: DNS outcomes stay distinct", "[dkim]") {
    std::string msg = slurp(fixture("001-pass-rsa2048.eml"));
    auto nx = verify_bytes(msg, "other.example.com. 3600 IN TXT \"x\"\n");
    CHECK(nx.signatures[0].verdict.reason.code == "key-not-found");
    CHECK(nx.signatures[0].key_dns == "nxdomain");
    CHECK(nx.verdict.result == Result::permerror);
    auto sf = verify_fixture("060-dns-temperror");
    CHECK(sf.verdict.result == Result::temperror);
    CHECK(sf.signatures[0].verdict.reason.code == "dns-temperror");
    CHECK(exit_status_for(sf.verdict.result) == kExitDnsTemp);
}

TEST_CASE("dkim: time is judged as of DkimOptions::now", "[dkim]") {
    // 030: t=1760433164, x=t+7 days.
    auto early = verify_fixture("030-signature-expired", 1760433164 + 86400);
    CHECK(early.verdict.result == Result::pass);
    auto late = verify_fixture("030-signature-expired", 1760433164 + 30 * 86400);
    CHECK(late.verdict.result == Result::policy);
    CHECK(late.signatures[0].verdict.reason.code == "signature-expired");
    CHECK(late.signatures[0].crypto_verified);
    // Before its own timestamp (beyond the 5-minute tolerance) a signature is "in the future".
    auto before = verify_fixture("001-pass-rsa2048", 1760433164 - 3600);
    CHECK(before.signatures[0].verdict.reason.code == "signature-in-future");
    auto skew = verify_fixture("001-pass-rsa2048", 1760433164 - 60);
    CHECK(skew.verdict.result == Result::pass);
}

TEST_CASE("dkim: RFC 8301 weak algorithm and weak key are policy", "[dkim]") {
    auto sha1 = verify_fixture("040-weak-algorithm-rsa-sha1");
    CHECK(sha1.verdict.result == Result::policy);
    CHECK(sha1.signatures[0].verdict.reason.code == "weak-algorithm");
    CHECK(sha1.signatures[0].verdict.reason.text.find("itself verified") != std::string::npos);
    auto small = verify_fixture("041-weak-key-512");
    CHECK(small.signatures[0].verdict.reason.code == "weak-key");
    CHECK(small.signatures[0].key_bits == 512);
}

TEST_CASE("dkim: warnings for l=, unsigned and not over-signed fields", "[dkim]") {
    auto l = verify_fixture("050-body-length-limit");
    CHECK(l.verdict.result == Result::pass);
    REQUIRE(l.signatures[0].body_length);
    REQUIRE(l.signatures[0].unsigned_body_bytes);
    CHECK(*l.signatures[0].unsigned_body_bytes > 0);
    CHECK(has_warning(l.signatures[0], "body-length-limit"));
    CHECK(has_warning(verify_fixture("051-header-not-signed").signatures[0], "header-not-signed"));
    CHECK(has_warning(verify_fixture("052-not-oversigned").signatures[0], "header-not-oversigned"));
}

TEST_CASE("dkim: overall verdict order and the no-signature case", "[dkim]") {
    auto mixed = verify_fixture("080-multiple-mixed");
    REQUIRE(mixed.signatures.size() == 2);
    CHECK(mixed.signatures[0].verdict.result == Result::fail);
    CHECK(mixed.signatures[1].verdict.result == Result::pass);
    CHECK(mixed.verdict.result == Result::pass);
    CHECK(mixed.verdict.reason.text.find("1 of 2 signatures verified") != std::string::npos);

    auto none = verify_fixture("070-no-signature");
    CHECK(none.verdict.result == Result::none);
    CHECK(none.verdict.reason.code == "no-signature");

    auto make = [](Result r) {
        DkimSignatureResult s;
        s.verdict.result = r;
        return s;
    };
    CHECK(overall_dkim_verdict({make(Result::fail), make(Result::temperror)}).result == Result::temperror);
    CHECK(overall_dkim_verdict({make(Result::fail), make(Result::policy)}).result == Result::policy);
    CHECK(overall_dkim_verdict({make(Result::permerror), make(Result::fail)}).result == Result::fail);
    CHECK(overall_dkim_verdict({make(Result::neutral), make(Result::permerror)}).result == Result::permerror);
    CHECK(overall_dkim_verdict({make(Result::neutral)}).result == Result::neutral);
}

TEST_CASE("dkim: a malformed signature beside a good one keeps its place", "[dkim]") {
    std::string msg = slurp(fixture("001-pass-rsa2048.eml"));
    msg = "DKIM-Signature: v=1; this is ; not a tag list\r\n" + msg;
    auto r = verify_bytes(msg, zone001());
    REQUIRE(r.signatures.size() == 2);
    CHECK(r.signatures[0].verdict.reason.code == "signature-syntax");
    CHECK(r.signatures[1].verdict.result == Result::pass);
}

TEST_CASE("dkim: JSON, text and Authentication-Results shapes", "[dkim]") {
    auto r = verify_fixture("004-pass-two-signatures");
    Json j = to_json(r);
    CHECK(j["result"] == "pass");
    CHECK(j["reason"]["code"] == "verified");
    REQUIRE(j["signatures"].size() == 2);
    for (const char* key : {"d", "s", "a", "result", "reason", "key_bits", "body_length", "warnings"})
        CHECK(j["signatures"][0].contains(key));
    CHECK(j["signatures"][0]["body_length"].is_null());
    std::string text = to_text(r);
    CHECK(text.rfind("dkim=pass: 2 of 2 signatures verified", 0) == 0);
    auto ar = to_ar(r);
    REQUIRE(ar.size() == 2);
    CHECK(ar[0].method == "dkim");
    CHECK(ar[0].result == "pass");
    bool has_b = false;
    for (const auto& [k, v] : ar[0].properties) has_b = has_b || (k == "header.b" && v.size() == 8);
    CHECK(has_b);
    auto none = to_ar(verify_fixture("070-no-signature"));
    REQUIRE(none.size() == 1);
    CHECK(none[0].result == "none");
}

TEST_CASE("dkim: verification is thread-safe over one shared library handle", "[dkim]") {
    const char* names[] = {"001-pass-rsa2048", "002-pass-ed25519", "010-body-hash-mismatch", "080-multiple-mixed"};
    std::vector<std::string> expected;
    for (const char* n : names) expected.push_back(to_json(verify_fixture(n, 1760433200)).dump());
    std::vector<std::thread> threads;
    std::vector<int> bad(8, 0);
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 5; ++round)
                for (std::size_t k = 0; k < 4; ++k)
                    if (to_json(verify_fixture(names[k], 1760433200)).dump() != expected[k]) ++bad[static_cast<std::size_t>(t)];
        });
    }
    for (auto& th : threads) th.join();
    for (int b : bad) CHECK(b == 0);
}
