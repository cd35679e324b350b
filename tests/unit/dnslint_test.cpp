#include <catch2/catch.hpp>

#include "auth/dnslint.hpp"

using namespace auth;

namespace {

bool has(const DomainLint& l, const std::string& code, const std::string& sev = "") {
    for (const auto& f : l.findings)
        if (f.code == code && (sev.empty() || f.severity == sev)) return true;
    return false;
}

const char* kZone = R"($TTL 300
good.example.        TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.good.example -all"
_spf.good.example.   TXT "v=spf1 ip6:2001:db8::/32 -all"
_dmarc.good.example. TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.example"
sel._domainkey.good.example. TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxpl5St+iyqBVA2r2wHEeq4Hkt3lUXx47YLakiIf86ln2UsB6Y/gYYfESySHz6u95Sk+ltqI/TLQkLdgJxIv8HWbwz2MeSLxGb8C0+LZ9cy6+RDpUt2oFXjFAew9QrG2HKeuwzZgEE4" "6SHvD7KPi71+oNQ0WZJdzLtFiuW+ySR1EBTKSY47YCuqNU0Kl8MWXoemDI7MEjFU+t86fxLJz0GI55r3NNII7USh2Qv7gwD96ljJRs1lZ7a/fhvpO1jYXzY/Xni/OeWB/Bj9o6BjbSL0uv0FHa1UXvsWTFGyhCRE2W3OO1/V1L3E9p3ulVXmAMZHI/M2rjuZVVvpcXC+" "uK2QIDAQAB"
plus.example.        TXT "v=spf1 +all"
two.example.         TXT "v=spf1 -all"
two.example.         TXT "v=spf1 ~all"
deep.example.        TXT "v=spf1 include:l1.example include:l2.example include:l3.example -all"
l1.example.          TXT "v=spf1 a mx include:l2.example -all"
l2.example.          TXT "v=spf1 a mx exists:x.l2.example -all"
l3.example.          TXT "v=spf1 a mx ptr -all"
bad.example.         TXT "v=spf1 foo:bar -all"
_dmarc.bad.example.  TXT "v=DMARC1; p=none; reject"
_dmarc.psd.example.  TXT "v=DMARC1; p=none; psd=y"
revoked._domainkey.bad.example. TXT "v=DKIM1; p="
;; authscope: SERVFAIL temp.example. TXT
)";

}  // namespace

TEST_CASE("dnslint: a clean domain has no error", "[dnslint]") {
    auto dns = make_replay_resolver_from_text(kZone);
    auto l = lint_domain("good.example", {"sel"}, *dns);
    CHECK(l.errors() == 0);
    CHECK(l.spf_lookups == 1);
    CHECK(l.dmarc_policy_domain == "good.example");
    CHECK(lint_exit(l) == 0);
    REQUIRE(l.dkim.size() == 1);
    CHECK(l.dkim[0].key_type == "rsa");
}

TEST_CASE("dnslint: SPF findings", "[dnslint]") {
    auto dns = make_replay_resolver_from_text(kZone);
    CHECK(has(lint_domain("plus.example", {}, *dns), "spf-all-pass", "error"));
    CHECK(has(lint_domain("two.example", {}, *dns), "spf-multiple-records", "error"));
    auto deep = lint_domain("deep.example", {}, *dns);
    CHECK(deep.spf_lookups > 10);
    CHECK(has(deep, "spf-too-many-lookups", "error"));
    CHECK(has(deep, "spf-ptr", "warning"));
    CHECK(has(lint_domain("bad.example", {}, *dns), "spf-syntax", "error"));
    CHECK(has(lint_domain("nothing.example", {}, *dns), "spf-none", "warning"));
    auto temp = lint_domain("temp.example", {}, *dns);
    CHECK(temp.temperror);
    CHECK(lint_exit(temp) == 4);
}

TEST_CASE("dnslint: DMARC findings", "[dnslint]") {
    auto dns = make_replay_resolver_from_text(kZone);
    CHECK(has(lint_domain("bad.example", {}, *dns), "dmarc-syntax-error", "error"));
    CHECK(has(lint_domain("nothing.example", {}, *dns), "dmarc-none", "warning"));
    auto psd = lint_domain("psd.example", {}, *dns);
    CHECK(has(psd, "dmarc-psd"));
    CHECK(has(psd, "dmarc-p-none"));
    CHECK(has(psd, "dmarc-no-rua"));
}

TEST_CASE("dnslint: DKIM key findings", "[dnslint]") {
    auto dns = make_replay_resolver_from_text(kZone);
    auto l = lint_domain("bad.example", {"revoked", "missing"}, *dns);
    CHECK(has(l, "dkim-key-revoked"));
    CHECK(has(l, "dkim-key-missing", "error"));
    auto j = lint_json(l);
    CHECK(j["dkim"].size() == 2);
    CHECK(j["findings"][0]["severity"] == "error");
}
