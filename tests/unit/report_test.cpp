// Tests for auth/report.hpp: the ARF writer (RFC 5965, RFC 6591, RFC 6590), the reader
// dispatch and the evidence bundle.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/error.hpp"
#include "auth/report.hpp"
#include "auth/report_tool.hpp"

namespace {

const char* kOriginal =
    "Return-Path: <billing@bulk-mailer.test>\n"
    "Received: from mail.bulk-mailer.test (unknown [203.0.113.66])\n"
    "\tby mx.example.org; Tue, 14 Oct 2025 09:58:01 +0000\n"
    "From: Brand Billing <billing@brand.example>\n"
    "To: analyst@example.org\n"
    "Subject: Your invoice is overdue\n"
    "Date: Tue, 14 Oct 2025 09:57:55 +0000\n"
    "Message-ID: <inv-1@bulk-mailer.test>\n"
    "\n"
    "Pay now at http://brand-example-login.test/verify or write to analyst@example.org.\n";

auth::ReportDraft draft() {
    auth::ReportDraft d;
    d.to = "abuse@brand.example";
    d.from = "SOC <soc@example.org>";
    d.date = "Tue, 14 Oct 2025 12:00:00 +0000";
    d.message_id = "<r1@example.org>";
    d.verdict = "spoofed";
    d.verdict_text = "DMARC fails for brand.example.";
    d.findings.push_back({"off-brand-link", "medium", "Links go outside the brand.", "hxxp://brand-example-login[.]test/verify"});
    d.indicators.push_back("url: hxxp://brand-example-login[.]test/verify");
    d.feedback_type = "auth-failure";
    d.original_mail_from = "<billing@bulk-mailer.test>";
    d.original_rcpt_to = {"<analyst@example.org>"};
    d.arrival_date = "Tue, 14 Oct 2025 09:58:01 +0000";
    d.source_ip = "203.0.113.66";
    d.reported_domain = {"brand.example"};
    d.reported_uri = {"http://brand-example-login.test/verify"};
    d.authentication_results = {"authscope; spf=fail smtp.mailfrom=bulk-mailer.test; dkim=none; dmarc=fail header.from=brand.example"};
    d.auth_failure = "dmarc";
    d.dkim_domain = "brand.example";
    d.dkim_selector = "s1";
    d.spf_dns = "txt : bulk-mailer.test : \"v=spf1 ip4:198.51.100.0/24 -all\"";
    d.identity_alignment = "none";
    d.original = kOriginal;
    return d;
}

}  // namespace

TEST_CASE("report: a written report reads back with every field", "[report]") {
    auth::ReportDraft d = draft();
    std::string eml = auth::write_feedback_report(d);
    CHECK(eml.find("Content-Type: multipart/report; report-type=feedback-report;") != std::string::npos);
    auto r = auth::parse_feedback_report(eml);
    CHECK(r.warnings.empty());
    CHECK(r.feedback_type == "auth-failure");
    CHECK(r.user_agent.rfind("authscope/", 0) == 0);
    CHECK(r.version == std::optional<int>(1));
    CHECK(r.original_mail_from == std::optional<std::string>(d.original_mail_from));
    CHECK(r.original_rcpt_to == d.original_rcpt_to);
    CHECK(r.arrival_date == std::optional<std::string>(d.arrival_date));
    CHECK(r.arrival_date_epoch == std::optional<long long>(1760435881));
    CHECK(r.source_ip == std::optional<std::string>(d.source_ip));
    CHECK(r.reported_domain == d.reported_domain);
    CHECK(r.reported_uri == d.reported_uri);
    CHECK(r.authentication_results == d.authentication_results);  // folded by the writer, unfolded by the reader
    CHECK(r.auth_failure == std::optional<std::string>("dmarc"));
    CHECK(r.dkim_domain == std::optional<std::string>("brand.example"));
    CHECK(r.dkim_selector == std::optional<std::string>("s1"));
    CHECK(r.spf_dns == std::optional<std::string>(d.spf_dns));
    CHECK(r.identity_alignment == std::optional<std::string>("none"));
    CHECK(r.original_kind == "message/rfc822");
    // The original goes in its wire form: the same bytes with CRLF line ends.
    std::string crlf;
    for (char c : std::string(kOriginal)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    CHECK(r.original == crlf);
    CHECK(r.human_readable.find("Verdict: spoofed") != std::string::npos);
    CHECK(r.human_readable.find("hxxp://brand-example-login[.]test/verify") != std::string::npos);
    CHECK(r.report_subject == "Authentication failure report: Your invoice is overdue");
    // Every line within RFC 5322's limit, CRLF only.
    std::istringstream in(eml);
    std::string line;
    while (std::getline(in, line)) {
        CHECK(line.size() <= 999);
        CHECK((line.empty() || line.back() == '\r'));
    }
}

TEST_CASE("report: headers only, and RFC 6590 redaction", "[report]") {
    auth::ReportDraft d = draft();
    d.headers_only = true;
    d.redact = {"analyst@example.org"};
    d.redact_key = "fixed-key";
    std::string eml = auth::write_feedback_report(d);
    CHECK(eml.find("analyst@example.org") == std::string::npos);
    CHECK(eml.find("ANALYST@EXAMPLE.ORG") == std::string::npos);
    CHECK(eml.find("@example.org>") != std::string::npos);  // the domain stays
    auto r = auth::parse_feedback_report(eml);
    CHECK(r.original_kind == "text/rfc822-headers");
    CHECK(r.original.find("Pay now") == std::string::npos);
    CHECK(r.original.find("Subject: Your invoice is overdue") != std::string::npos);
    REQUIRE(r.original_rcpt_to.size() == 1);
    CHECK(r.original_rcpt_to[0].rfind("<redacted-", 0) == 0);
    // The same key gives the same token (one redacted address is one token in a report).
    CHECK(auth::redact_addresses("a@x.example A@x.example", {"a@x.example"}, "k") ==
          auth::redact_addresses("a@x.example", {"a@x.example"}, "k") + " " + auth::redact_addresses("a@x.example", {"a@x.example"}, "k"));
    CHECK_THROWS_AS(auth::redact_addresses("x", {"not-an-address"}, "k"), auth::UsageError);
}

TEST_CASE("report: values cannot inject header fields or break the MIME structure", "[report]") {
    auth::ReportDraft d = draft();
    d.source_ip = "203.0.113.66\r\nFeedback-Type: not-spam";
    d.subject = "S\xC3\xBC" "bject with umlaut";
    std::string boundary_guess = "authscope-" + auth::sha256_hex(d.original).substr(0, 24);
    d.original += boundary_guess + "\n";
    std::string eml = auth::write_feedback_report(d);
    auto r = auth::parse_feedback_report(eml);
    CHECK(r.feedback_type == "auth-failure");
    CHECK(r.source_ip == std::optional<std::string>("203.0.113.66 Feedback-Type: not-spam"));
    CHECK(r.original.find(boundary_guess) != std::string::npos);  // the boundary avoided the body's text
    CHECK(eml.find("Subject: =?UTF-8?B?") != std::string::npos);
    d.feedback_type = "spam";
    CHECK_THROWS_AS(auth::write_feedback_report(d), auth::UsageError);
}

TEST_CASE("report: read_report tells the kinds apart", "[report]") {
    auto a = auth::read_report(auth::write_feedback_report(draft()));
    CHECK(a.feedback.has_value());
    CHECK(a.aggregates.empty());
    CHECK_THROWS_WITH(auth::read_report("Subject: hello\n\njust mail\n"), Catch::Contains("not a report"));
    CHECK_THROWS_WITH(auth::read_report(""), Catch::Contains("empty"));
}

TEST_CASE("report: the bundle holds each file with its SHA-256", "[report]") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("authscope-bundle-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    auth::DnsAnswer ans;
    ans.qname = "_dmarc.brand.example.";
    ans.qtype = auth::RRType::TXT;
    ans.status = auth::DnsStatus::nxdomain;
    auto files = auth::write_bundle(dir.string(), "report", kOriginal, {ans}, "{}\n", "0.1.0");
    REQUIRE(files.size() == 4);
    std::ifstream o(dir / "original.eml", std::ios::binary);
    std::ostringstream s;
    s << o.rdbuf();
    CHECK(s.str() == kOriginal);
    CHECK(files[1].sha256 == auth::sha256_hex(kOriginal));
    CHECK(auth::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(fs::exists(dir / "manifest.json"));
    CHECK(fs::exists(dir / "SHA256SUMS"));
    CHECK_THROWS_AS(auth::write_bundle(dir.string(), "r", "o", {}, "{}", "0"), auth::UsageError);  // not empty
    fs::remove_all(dir);
}
