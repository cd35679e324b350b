// Tests for auth/dkim_key.hpp: the tag-list syntax (RFC 6376 §3.2) and key records (§3.6.1, RFC 8463).
#include <catch2/catch.hpp>

#include "auth/dkim_key.hpp"

using namespace auth;

namespace {
// A 2048-bit RSA key as SubjectPublicKeyInfo (fixtures/keys/s2048) and a 1024-bit key written as a
// bare RSAPublicKey (Stalwart's 002 case), plus the RFC 8463 §A.2 ed25519 key.
const char* kSpki2048 =
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxpl5St+iyqBVA2r2wHEeq4Hkt3lUXx47YLakiIf86ln2UsB6Y/gYYfESySHz6u95Sk+ltqI/"
    "TLQkLdgJxIv8HWbwz2MeSLxGb8C0+LZ9cy6+RDpUt2oFXjFAew9QrG2HKeuwzZgEE46SHvD7KPi71+oNQ0WZJdzLtFiuW+ySR1EBTKSY47YCuqNU0Kl8MWXoe"
    "mDI7MEjFU+t86fxLJz0GI55r3NNII7USh2Qv7gwD96ljJRs1lZ7a/fhvpO1jYXzY/Xni/OeWB/Bj9o6BjbSL0uv0FHa1UXvsWTFGyhCRE2W3OO1/V1L3E9p3ulVXmAMZHI/"
    "M2rjuZVVvpcXC+uK2QIDAQAB";
const char* kPkcs1_1024 =
    "MIGJAoGBALVI635dLK4cJJAH3Lx6upo3X/Lm1tQz3mezcWTA3BUBnyIsdnRf57aD5BtNmhPrYYDlWlzw3UgnKisIxktkk5+iMQMlFtAS10JB8L3YadXNJY+JBcbeSi5TgJe4WFzNgW95FWDAuSTRXSWZfA/8xjflbTLDx0euFZOM7C4T0GwLAgMBAAE=";
const char* kEd = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
}  // namespace

TEST_CASE("dkim_key: tag list parses names, values and folding whitespace", "[dkim_key]") {
    auto l = parse_dkim_tag_list(" v=1;\r\n\ta = rsa-sha256 ; h=From : To;b=ab cd\r\n ef;");
    REQUIRE(l.ok());
    REQUIRE(l.tags.size() == 4);
    CHECK(l.tags[1].name == "a");
    CHECK(l.tags[1].value == "rsa-sha256");
    CHECK(l.find("h")->value == "From : To");
    CHECK(strip_whitespace(l.find("b")->value) == "abcdef");
    CHECK(l.find("x") == nullptr);
}

TEST_CASE("dkim_key: tag list errors", "[dkim_key]") {
    CHECK_FALSE(parse_dkim_tag_list("").ok());
    CHECK_FALSE(parse_dkim_tag_list("a=1;;b=2").ok());
    CHECK_FALSE(parse_dkim_tag_list(";a=1").ok());
    CHECK_FALSE(parse_dkim_tag_list("a=1; b").ok());
    CHECK_FALSE(parse_dkim_tag_list("1a=x").ok());
    CHECK_FALSE(parse_dkim_tag_list("a=1; a=2").ok());  // §3.2: duplicate tags invalidate the list
    CHECK_FALSE(parse_dkim_tag_list(std::string("a=\x01", 3)).ok());
    CHECK(parse_dkim_tag_list("a=").ok());  // an empty value is allowed
}

TEST_CASE("dkim_key: base64 decoding", "[dkim_key]") {
    CHECK(decode_base64("aGVsbG8=").value() == "hello");
    CHECK(decode_base64("aGVsbG8").value() == "hello");
    CHECK_FALSE(decode_base64("aGVsb*8="));
    CHECK_FALSE(decode_base64("aGVsbG8=x"));
    CHECK_FALSE(decode_base64("a"));
    CHECK(encode_base64("hello") == "aGVsbG8=");
    // valid_base64 accepts exactly what decode_base64 decodes.
    for (const char* t : {"", "a", "aG", "aGV", "aGVs", "aGVsbG8=", "aGVsbG8", "aGVsbG8==", "aGVsbA==", "aGVsbA=", "aGVsbA===",
                          "=", "==", "a=", "aG==", "aGV=", "aG=V", "aGVsb*8=", "aGVsbG8=x", "aGVs bG8=", "+/+/", "-_-_"})
        CHECK(valid_base64(t) == decode_base64(t).has_value());
}

TEST_CASE("dkim_key: a full RSA record with every tag", "[dkim_key]") {
    auto p = parse_dkim_key(std::string("v=DKIM1; h=sha256:SHA1; k=rsa; n=note here; s=email:*; t=y:s; xnew=1; p=") + kSpki2048);
    REQUIRE(p.ok());
    const auto& r = p.record;
    CHECK(r.version == "DKIM1");
    CHECK(r.hashes == std::vector<std::string>{"sha256", "sha1"});
    CHECK(r.allows_hash("sha256"));
    CHECK(r.key_type == "rsa");
    CHECK(r.notes == "note here");
    CHECK(r.for_email());
    CHECK(r.testing());
    CHECK(r.strict_identity());
    CHECK(r.unknown_tags == std::vector<std::string>{"xnew"});
    CHECK(r.key_bits == 2048);
    CHECK_FALSE(r.rsa_public_key_form);
    CHECK_FALSE(r.revoked);
}

TEST_CASE("dkim_key: defaults when tags are absent", "[dkim_key]") {
    auto p = parse_dkim_key(std::string("p=") + kSpki2048);
    REQUIRE(p.ok());
    CHECK(p.record.key_type == "rsa");
    CHECK(p.record.allows_hash("sha1"));
    CHECK(p.record.for_email());
    CHECK_FALSE(p.record.testing());
    CHECK_FALSE(p.record.strict_identity());
}

TEST_CASE("dkim_key: h= restricts hashes, unknown ones ignored", "[dkim_key]") {
    auto p = parse_dkim_key(std::string("h=sha1:sha512; p=") + kSpki2048);
    REQUIRE(p.ok());
    CHECK(p.record.allows_hash("sha1"));
    CHECK_FALSE(p.record.allows_hash("sha256"));
}

TEST_CASE("dkim_key: a bare RSAPublicKey is accepted and normalised", "[dkim_key]") {
    auto p = parse_dkim_key(std::string("v=DKIM1; p=") + kPkcs1_1024);
    REQUIRE(p.ok());
    CHECK(p.record.rsa_public_key_form);
    CHECK(p.record.key_bits == 1024);
    CHECK(p.record.spki_der.size() > p.record.public_key.size());
}

TEST_CASE("dkim_key: ed25519 keys (RFC 8463)", "[dkim_key]") {
    auto p = parse_dkim_key(std::string("v=DKIM1; k=ed25519; p=") + kEd);
    REQUIRE(p.ok());
    CHECK(p.record.key_type == "ed25519");
    CHECK(p.record.key_bits == 256);
    auto bad = parse_dkim_key(std::string("k=ed25519; p=") + kSpki2048);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error->code == "key-syntax");
}

TEST_CASE("dkim_key: an empty p= means revoked", "[dkim_key]") {
    auto p = parse_dkim_key("v=DKIM1; k=rsa; p=");
    REQUIRE(p.ok());
    CHECK(p.record.revoked);
    CHECK(parse_dkim_key("v=DKIM1; p= ;").record.revoked);
}

TEST_CASE("dkim_key: syntax errors are key-syntax", "[dkim_key]") {
    auto code = [](const std::string& t) {
        auto p = parse_dkim_key(t);
        return p.error ? p.error->code : std::string("ok");
    };
    CHECK(code("v=DKIM1; k=rsa") == "key-syntax");                               // no p=
    CHECK(code("v=DKIM1; p=!!!notbase64") == "key-syntax");
    CHECK(code("v=DKIM1; p=aGVsbG8=") == "key-syntax");                          // base64, not a key
    CHECK(code(std::string("k=rsa; v=DKIM1; p=") + kSpki2048) == "key-syntax");  // v= not first
    CHECK(code(std::string("v=DKIM2; p=") + kSpki2048) == "key-syntax");
    CHECK(code(std::string("v=DKIM1; p=") + kSpki2048 + "; p=" + kSpki2048) == "key-syntax");
    CHECK(code("v=DKIM1; p=abc;;") == "key-syntax");
    CHECK(code(std::string("v=DKIM1; k=dsa; p=") + kSpki2048) == "unsupported-algorithm");
    CHECK(code(std::string("k=rsa; p=") + kEd) == "key-syntax");
    CHECK(code(std::string("v=DKIM1; p=") + std::string(kSpki2048).substr(0, 200)) == "key-syntax");  // truncated
}

TEST_CASE("dkim_key: s= other than email makes the key unusable for mail", "[dkim_key]") {
    auto p = parse_dkim_key(std::string("s=tlsrpt; p=") + kSpki2048);
    REQUIRE(p.ok());
    CHECK_FALSE(p.record.for_email());
}
