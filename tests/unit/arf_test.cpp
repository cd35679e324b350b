// Tests for auth/arf.hpp: ARF (RFC 5965), authentication failure reports (RFC 6591).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "auth/arf.hpp"
#include "auth/error.hpp"

namespace {
std::string fixture(const std::string& name) {
    std::ifstream f(std::string(AUTHSCOPE_SOURCE_DIR) + "/fixtures/report/" + name, std::ios::binary);
    REQUIRE(f);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}
}  // namespace

TEST_CASE("arf: every RFC 5965 and RFC 6591 field of an auth-failure report", "[arf]") {
    auto r = auth::parse_feedback_report(fixture("arf-auth-failure.eml"));
    CHECK(r.format == "arf");
    CHECK(r.feedback_type == "auth-failure");
    CHECK(r.user_agent == "ReceiverDMARC/2.1");
    CHECK(r.version == std::optional<int>(1));
    CHECK(r.original_envelope_id == std::optional<std::string>("4Qx7Zp0abc"));
    CHECK(r.original_mail_from == std::optional<std::string>("<billing@bulk-mailer.test>"));
    REQUIRE(r.original_rcpt_to.size() == 1);
    CHECK(r.arrival_date_epoch == std::optional<long long>(1760435881));
    CHECK(r.reporting_mta == std::optional<std::string>("mx1.receiver.example"));
    CHECK(r.source_ip == std::optional<std::string>("203.0.113.66"));
    CHECK(r.incidents == std::optional<std::uint32_t>(3));
    REQUIRE(r.authentication_results.size() == 1);
    CHECK(r.authentication_results[0] ==
          "mx1.receiver.example; dkim=fail (bodyhash)    header.d=brand.example; spf=fail smtp.mailfrom=bulk-mailer.test;"
          "    dmarc=fail header.from=brand.example");
    CHECK(r.reported_domain == std::vector<std::string>{"brand.example"});
    CHECK(r.reported_uri == std::vector<std::string>{"http://brand-example-login.test/verify"});
    CHECK(r.auth_failure == std::optional<std::string>("bodyhash"));
    CHECK(r.delivery_result == std::optional<std::string>("reject"));
    CHECK(r.dkim_domain == std::optional<std::string>("brand.example"));
    CHECK(r.dkim_selector == std::optional<std::string>("s1"));
    CHECK(r.dkim_identity == std::optional<std::string>("@brand.example"));
    CHECK(r.spf_dns == std::optional<std::string>("txt : bulk-mailer.test : \"v=spf1 ip4:198.51.100.0/24 -all\""));
    CHECK(r.identity_alignment == std::optional<std::string>("none"));
    CHECK(r.original_kind == "text/rfc822-headers");
    CHECK(r.original.find("Subject: Your invoice is overdue") != std::string::npos);
    CHECK(r.fields.size() == 20);
    CHECK(r.warnings.empty());
    auto j = auth::feedback_json(r);
    CHECK(j["original"]["subject"] == "Your invoice is overdue");
    CHECK(j["fields"].size() == 20);
}

TEST_CASE("arf: report fields unfold and ignore junk lines", "[arf]") {
    auto f = auth::parse_report_fields("Feedback-Type: abuse\r\nAuthentication-Results: a;\r\n  b\r\nnot a field\r\n\r\nVersion: 1\r\n");
    REQUIRE(f.size() == 3);
    CHECK(f[1].second == "a;  b");
    CHECK(f[2].first == "Version");
}

TEST_CASE("arf: missing required fields are warnings, a non-report is an error", "[arf]") {
    std::string m =
        "From: a@example.net\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nhello\n--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n--b--\n";
    auto r = auth::parse_feedback_report(m);
    CHECK(r.feedback_type == "abuse");
    CHECK(r.warnings.size() == 3);  // User-Agent, Version, the original message
    CHECK_THROWS_WITH(auth::parse_feedback_report("Subject: x\n\nbody\n"), Catch::Contains("no message/feedback-report"));
    CHECK_THROWS_WITH(auth::parse_feedback_report(""), Catch::Contains("empty"));
    std::string tls = "Content-Type: multipart/report; report-type=tlsrpt; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n--b--\n";
    CHECK_THROWS_WITH(auth::parse_feedback_report(tls), Catch::Contains("SMTP TLS"));
}

namespace {
// A minimal ARF report (RFC 5965 §2) with `eol` line ends and the returned part given.
std::string small_report(const std::string& eol, const std::string& original_type, const std::string& original) {
    std::string m = "From: fbl@receiver.example\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
                    "--b\nContent-Type: text/plain\n\nan abuse report\n"
                    "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: fbl/1\nVersion: 1\n"
                    "--b\nContent-Type: " + original_type + "\n\n" + original + "--b--\n";
    std::string out;
    for (char c : m) {
        if (c == '\n') out += eol;
        else out += c;
    }
    return out;
}
}  // namespace

TEST_CASE("arf: a report with bare CR line ends is read, with a warning", "[arf]") {
    auto r = auth::parse_feedback_report(small_report("\r", "message/rfc822", "From: a@brand.example\nSubject: hi\n\nbody\n"));
    CHECK(r.format == "arf");
    CHECK(r.feedback_type == "abuse");
    CHECK(r.user_agent == "fbl/1");
    CHECK(r.original_kind == "message/rfc822");
    REQUIRE(r.warnings.size() == 1);
    CHECK_THAT(r.warnings[0], Catch::Contains("bare CR"));
    auto j = auth::feedback_json(r);
    CHECK(j["original"]["subject"] == "hi");
    CHECK(j["original"]["message_id"].is_null());  // the returned message has no Message-ID
    // CRLF and LF reports are not touched.
    CHECK(auth::parse_feedback_report(small_report("\r\n", "message/rfc822", "From: a@brand.example\n\nx\n")).warnings.empty());
    CHECK(auth::parse_feedback_report(small_report("\n", "message/rfc822", "From: a@brand.example\n\nx\n")).warnings.empty());
}

TEST_CASE("arf: text/rfc822-header (without the s) is the returned header, with a warning", "[arf]") {
    auto r = auth::parse_feedback_report(small_report("\r\n", "text/rfc822-header", "From: a@brand.example\nMessage-ID: <m1@brand.example>\n"));
    CHECK(r.original_kind == "text/rfc822-headers");
    CHECK(r.original.find("Message-ID: <m1@brand.example>") != std::string::npos);
    REQUIRE(r.warnings.size() == 1);
    CHECK_THAT(r.warnings[0], Catch::Contains("text/rfc822-header;"));
    auto j = auth::feedback_json(r);
    CHECK(j["original"]["message_id"] == "<m1@brand.example>");
    CHECK(j["original"]["from"] == "a@brand.example");
}
