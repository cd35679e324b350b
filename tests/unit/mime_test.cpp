#include <catch2/catch.hpp>

#include <string>

#include "auth/mime.hpp"

using namespace auth;

namespace {
DecodedMessage decode(const std::string& eml, const MimeLimits& l = {}) { return decode_mime(Message::parse(eml), l); }
}  // namespace

TEST_CASE("mime: nested multiparts, quoted-printable, base64 and charsets to UTF-8", "[mime]") {
    std::string eml =
        "From: a@example.com\r\nSubject: =?ISO-8859-1?Q?Caf=E9_r=E9serv=E9?=\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
        "--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"
        "--inner\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Caf=E9 =3D bon, long line soft=\r\n break\r\n"
        "--inner\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "PHA+SGVsbG8gPGEgaHJlZj0iaHR0cHM6Ly9ldmlsLnRlc3QveCI+aHR0cHM6Ly9iYW5rLmV4YW1wbGUvPC9hPjwvcD4=\r\n"
        "--inner--\r\n"
        "--outer\r\nContent-Type: application/pdf; name=\"inv.pdf\"\r\nContent-Disposition: attachment; filename=\"inv.pdf\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
        "--outer--\r\n";
    auto d = decode(eml);
    CHECK(d.header("subject") == "Caf\xC3\xA9 r\xC3\xA9serv\xC3\xA9");
    REQUIRE(d.texts.size() == 2);
    CHECK(d.texts[0].path == "1.1");
    CHECK(d.texts[0].text.find("Caf\xC3\xA9 = bon, long line soft break") != std::string::npos);
    CHECK(d.texts[1].html);
    CHECK(d.texts[1].path == "1.2");
    REQUIRE(d.texts[1].links.size() == 1);
    CHECK(d.texts[1].links[0].href == "https://evil.test/x");
    CHECK(d.texts[1].links[0].text == "https://bank.example/");
    REQUIRE(d.attachments.size() == 1);
    CHECK(d.attachments[0].filename == "inv.pdf");
    CHECK(d.attachments[0].content_type == "application/pdf");
    CHECK(d.attachments[0].size == 9);
    CHECK(d.part_count == 3);
}

TEST_CASE("mime: a plain single-part message", "[mime]") {
    auto d = decode("From: a@example.com\r\nSubject: hi\r\n\r\nJust text\r\n");
    REQUIRE(d.texts.size() == 1);
    CHECK(d.texts[0].text == "Just text\r\n");
    CHECK(d.texts[0].content_type == "text/plain");
    CHECK(d.notes.empty());
}

TEST_CASE("mime: malformed MIME is a note, not an error", "[mime]") {
    auto d = decode("From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno boundary here\r\n");
    CHECK_FALSE(d.notes.empty());
    auto d2 = decode("From: a@example.com\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nabc \xE9\r\n");
    REQUIRE(d2.texts.size() == 1);
    CHECK(valid_utf8(d2.texts[0].text));
}

TEST_CASE("mime: limits on depth, part count and decoded size", "[mime]") {
    std::string eml = "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n";
    for (int i = 0; i < 6; ++i)
        eml += "--b" + std::to_string(i) + "\r\nContent-Type: multipart/mixed; boundary=b" + std::to_string(i + 1) + "\r\n\r\n";
    eml += "--b6\r\nContent-Type: text/plain\r\n\r\ndeep\r\n--b6--\r\n";
    MimeLimits l;
    l.max_depth = 3;
    auto d = decode(eml, l);
    bool depth_note = false, raw_note = false;
    for (const auto& n : d.notes) {
        depth_note = depth_note || n.find("nesting") != std::string::npos;
        raw_note = raw_note || n.find("raw body") != std::string::npos;
    }
    CHECK(depth_note);
    // Nothing readable within the limits: the raw body is still scanned, so no link is missed.
    CHECK(raw_note);
    REQUIRE(d.texts.size() == 1);
    CHECK(d.texts[0].text.find("--b6") != std::string::npos);

    std::string many = "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n";
    for (int i = 0; i < 10; ++i) many += "--m\r\nContent-Type: text/plain\r\n\r\npart " + std::to_string(i) + "\r\n";
    many += "--m--\r\n";
    MimeLimits lp;
    lp.max_parts = 4;
    auto dp = decode(many, lp);
    CHECK(dp.texts.size() == 4);
    CHECK_FALSE(dp.notes.empty());

    MimeLimits ls;
    ls.max_decoded_bytes = 10;
    auto ds = decode("From: a@example.com\r\n\r\n0123456789abcdefghij\r\n", ls);
    REQUIRE(ds.texts.size() == 1);
    CHECK(ds.texts[0].text.size() <= 10);
}

TEST_CASE("mime: html_to_text keeps link targets and visible text", "[mime]") {
    std::vector<MimeLink> links;
    std::string t = html_to_text(
        "<html><head><title>T</title><style>p{}</style></head><body><p>Hello&nbsp;<b>Alex</b> &amp; co</p>"
        "<script>var x='<a href=no>';</script><!-- <a href=\"https://hidden.test\">x</a> -->"
        "<div><a href='https://evil.test/a?x=1&amp;y=2'>Sign <i>in</i></a></div>"
        "<a href=https://img.test><img src=x alt=\"Bank logo\"></a><form action=\"https://post.test/\"></form></body></html>",
        &links);
    CHECK(t.find("Hello\xC2\xA0" "Alex & co") != std::string::npos);
    CHECK(t.find("var x") == std::string::npos);
    REQUIRE(links.size() == 3);
    CHECK(links[0].href == "https://evil.test/a?x=1&y=2");
    CHECK(links[0].text == "Sign in");
    CHECK(links[1].text == "Bank logo");
    CHECK(links[2].href == "https://post.test/");
}

TEST_CASE("mime: html_to_text survives broken markup", "[mime]") {
    std::vector<MimeLink> links;
    CHECK_NOTHROW(html_to_text("<a href=\"x<<<<&#99999999999;&#x;<", &links));
    CHECK_NOTHROW(html_to_text("<script>never closed", &links));
    CHECK(html_to_text("a < b &lt; c") .find("a < b < c") != std::string::npos);
}

TEST_CASE("mime: RFC 2047 header text and dates", "[mime]") {
    CHECK(decode_header_text("=?UTF-8?B?SGVsbG8gd29ybGQ=?=") == "Hello world");
    CHECK(decode_header_text("plain") == "plain");
    auto t = parse_mail_date("Tue, 14 Oct 2025 09:12:44 +0000");
    REQUIRE(t);
    CHECK(*t == 1760433164);
    CHECK_FALSE(parse_mail_date(""));
}
