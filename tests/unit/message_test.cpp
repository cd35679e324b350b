#include <catch2/catch.hpp>

#include "auth/error.hpp"
#include "auth/message.hpp"

using auth::InputError;
using auth::Message;

TEST_CASE("message: CRLF header fields keep raw bytes and unfold values", "[message]") {
    std::string raw = "From: a@example.com\r\nSubject: hello\r\n  world\r\nX-Empty:\r\n\r\nbody\r\n";
    Message m = Message::parse(raw);
    REQUIRE(m.headers().size() == 3);
    CHECK(m.crlf());
    CHECK(m.bytes() == raw);
    CHECK(m.headers()[1].name == "Subject");
    CHECK(m.headers()[1].raw == "Subject: hello\r\n  world");
    CHECK(m.headers()[1].value == "hello  world");
    CHECK(m.headers()[1].line == 2);
    CHECK(m.headers()[2].value.empty());
    CHECK(m.body() == "body\r\n");
    CHECK(m.header_bytes() == raw.substr(0, raw.size() - 6));
}

TEST_CASE("message: LF line ends are kept exactly", "[message]") {
    std::string raw = "From: a@example.com\nTo: b@example.net\n\nline1\nline2\n";
    Message m = Message::parse(raw);
    CHECK_FALSE(m.crlf());
    CHECK(m.bytes() == raw);
    CHECK(m.body() == "line1\nline2\n");
    CHECK(m.first("to")->value == "b@example.net");
    CHECK(m.all("FROM").size() == 1);
    CHECK(m.first("cc") == nullptr);
}

TEST_CASE("message: an empty body after the blank line is fine", "[message]") {
    Message m = Message::parse("From: a@example.com\r\n\r\n");
    CHECK(m.body().empty());
}

TEST_CASE("message: header fields without the blank line are a message with an empty body (RFC 5322 §3.5)", "[message]") {
    Message m = Message::parse("From: a@example.com\r\nSubject: x\r\n");
    REQUIRE(m.headers().size() == 2);
    CHECK(m.first("subject")->value == "x");
    CHECK(m.body().empty());
    CHECK(m.header_bytes() == "From: a@example.com\r\nSubject: x\r\n");
    REQUIRE(m.warnings().size() == 1);
    CHECK_THAT(m.warnings()[0], Catch::Contains("no blank line") && Catch::Contains("empty body"));
    // The last field without its line break, LF line ends, a folded last field.
    Message n = Message::parse("From: a@example.com\nSubject: x\n y");
    REQUIRE(n.headers().size() == 2);
    CHECK(n.first("subject")->value == "x y");
    CHECK(n.body().empty());
    CHECK(n.warnings().size() == 1);
    // A body line where a field should be is still refused, naming the line.
    CHECK_THROWS_WITH(Message::parse("From: a@example.com\r\nthis is body text\r\n"), Catch::Contains("line 2"));
}

TEST_CASE("message: a leading mbox From_ line is kept apart", "[message]") {
    Message m = Message::parse("From sender@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\n\nx\n");
    CHECK(m.envelope_from() == "sender@example.com Mon Jan  1 00:00:00 2024");
    CHECK(m.bytes() == "From: a@example.com\n\nx\n");
}

TEST_CASE("message: malformed samples are InputErrors with a clear message", "[message]") {
    CHECK_THROWS_WITH(Message::parse(""), Catch::Contains("empty"));
    CHECK_THROWS_WITH(Message::parse("this is not a header\r\n\r\nbody"), Catch::Contains("line 1"));
    CHECK_THROWS_WITH(Message::parse(" folded first\r\n\r\n"), Catch::Contains("continuation"));
    CHECK_THROWS_WITH(Message::parse(std::string("Subject: a\0b\r\n\r\n", 15)), Catch::Contains("NUL"));
    CHECK_THROWS_WITH(Message::parse("Sub\xc3\xa9ject: x\r\n\r\n"), Catch::Contains("not printable ASCII"));
    CHECK_THROWS_AS(Message::parse(": no name\r\n\r\n"), InputError);
}

TEST_CASE("message: a 10 MB header line is refused, not held", "[message]") {
    std::string raw = "Subject: " + std::string(10u << 20, 'a') + "\r\n\r\nbody";
    CHECK_THROWS_WITH(Message::parse(raw), Catch::Contains("over 1048576 bytes"));
}

TEST_CASE("message: invalid UTF-8 in a value is a warning, the bytes are kept", "[message]") {
    std::string raw = "Subject: caf\xe9\r\nFrom: a@example.com\r\n\r\nbody\0x";
    raw.push_back('\0');
    Message m = Message::parse(raw);
    REQUIRE(m.warnings().size() == 2);
    CHECK_THAT(m.warnings()[0], Catch::Contains("Subject") && Catch::Contains("UTF-8"));
    CHECK_THAT(m.warnings()[1], Catch::Contains("NUL"));
    CHECK(m.headers()[0].raw == "Subject: caf\xe9");
}

TEST_CASE("message: utf8 validation", "[message]") {
    CHECK(auth::valid_utf8("plain"));
    CHECK(auth::valid_utf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
    CHECK_FALSE(auth::valid_utf8("\xc0\xaf"));          // overlong
    CHECK_FALSE(auth::valid_utf8("\xed\xa0\x80"));      // surrogate
    CHECK_FALSE(auth::valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(auth::valid_utf8("\xe2\x82"));          // truncated
}

TEST_CASE("message: too many header fields", "[message]") {
    std::string raw;
    for (int i = 0; i < 20; ++i) raw += "X-A: b\n";
    raw += "\n";
    auth::MessageLimits lim;
    lim.max_header_fields = 10;
    CHECK_THROWS_WITH(Message::parse(raw, lim), Catch::Contains("more than 10"));
}

TEST_CASE("message: a first line \"From : x\" is the From field (obs-FWS), not an mbox envelope line", "[message]") {
    auth::Message m = auth::Message::parse("From : a@example.com\nSubject: s\n\nbody\n");
    CHECK(m.envelope_from().empty());
    REQUIRE(m.first("From"));
    CHECK(m.first("From")->value == "a@example.com");
    auth::Message e = auth::Message::parse("From a@example.com Mon Jan  1 00:00:00 2024\nSubject: s\n\nbody\n");
    CHECK(e.envelope_from() == "a@example.com Mon Jan  1 00:00:00 2024");
    CHECK_FALSE(e.first("From"));
}
