// Tests for auth/aggregate.hpp: DMARC aggregate reports (RFC 7489 appendix C, RFC 9990).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "auth/aggregate.hpp"
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

TEST_CASE("aggregate: RFC 9990 report read field by field", "[aggregate]") {
    auto r = auth::parse_aggregate_xml(fixture("aggregate-brand.xml"));
    CHECK(r.version == std::optional<std::string>("1.0"));
    CHECK(r.org_name == "Receiver Example");
    CHECK(r.report_id == "brand-2025-10-14");
    CHECK(r.begin == 1760400000);
    CHECK(r.end == 1760486399);
    CHECK(r.generator == std::optional<std::string>("fixture"));
    CHECK(r.domain == "brand.example");
    CHECK(r.p == std::optional<std::string>("reject"));
    CHECK(r.np == std::optional<std::string>("reject"));
    CHECK(r.testing == std::optional<bool>(false));
    CHECK(r.discovery_method == std::optional<std::string>("treewalk"));
    REQUIRE(r.records.size() == 3);
    CHECK(r.records[0].count == 120);
    CHECK(r.records[0].dmarc_pass());
    CHECK_FALSE(r.records[1].dmarc_pass());
    CHECK(r.records[1].dkim_results.empty());
    REQUIRE(r.records[2].reasons.size() == 1);
    CHECK(r.records[2].reasons[0].type == "local_policy");
    CHECK(r.records[2].spf_results[0].scope == std::optional<std::string>("mfrom"));
    CHECK(r.records[2].spf_results[0].result == "softfail");
    CHECK(r.warnings.empty());
}

TEST_CASE("aggregate: summary per source IP and the failing senders", "[aggregate]") {
    auto j = auth::aggregate_json(auth::parse_aggregate_xml(fixture("aggregate-brand.xml")));
    CHECK(j["summary"]["messages"] == 129);
    CHECK(j["summary"]["dmarc_pass"] == 120);
    CHECK(j["summary"]["dmarc_fail"] == 9);
    REQUIRE(j["summary"]["sources"].size() == 2);
    CHECK(j["summary"]["sources"][1]["source_ip"] == "203.0.113.66");
    CHECK(j["summary"]["sources"][1]["dispositions"]["reject"] == 9);
    REQUIRE(j["summary"]["failing_sources"].size() == 1);
    CHECK(j["summary"]["failing_sources"][0]["messages_failing"] == 9);
    CHECK(j["summary"]["failing_sources"][0]["envelope_from"][0] == "bulk-mailer.test");
    std::string t = auth::aggregate_text(auth::parse_aggregate_xml(fixture("aggregate-brand.xml")));
    CHECK(t.find("Sending as brand.example and failing DMARC") != std::string::npos);
    CHECK(t.find("203.0.113.66: 9 message(s)") != std::string::npos);
}

TEST_CASE("aggregate: gzip and zip hold the same report", "[aggregate]") {
    auto gz = auth::read_aggregate(fixture("aggregate-brand.xml.gz"));
    auto zip = auth::read_aggregate(fixture("aggregate-brand.zip"));
    REQUIRE(gz.size() == 1);
    REQUIRE(zip.size() == 1);
    CHECK(auth::aggregate_json(gz[0])["records"] == auth::aggregate_json(zip[0])["records"]);
    CHECK(zip[0].source == "receiver.example!brand.example!1760400000!1760486399.xml");
}

TEST_CASE("aggregate: XXE and entity expansion are refused", "[aggregate]") {
    CHECK_THROWS_WITH(auth::parse_aggregate_xml(fixture("xxe.xml")), Catch::Contains("DOCTYPE"));
    CHECK_THROWS_WITH(auth::parse_aggregate_xml(fixture("billion-laughs.xml")), Catch::Contains("DOCTYPE"));
    // Lower-case doctype is not XML, but must not slip through either.
    CHECK_THROWS_AS(auth::parse_aggregate_xml("<!doctype feedback SYSTEM \"http://127.0.0.1/x.dtd\"><feedback/>"), auth::InputError);
}

TEST_CASE("aggregate: a decompression bomb is refused at the limit", "[aggregate]") {
    CHECK_THROWS_WITH(auth::read_aggregate(fixture("bomb.xml.gz")), Catch::Contains("decompression bomb"));
    auth::AggregateLimits small;
    small.max_archive_bytes = 1000;
    CHECK_THROWS_WITH(auth::read_aggregate(fixture("aggregate-brand.xml.gz"), small), Catch::Contains("decompression bomb"));
}

TEST_CASE("aggregate: malformed input gives clear errors", "[aggregate]") {
    CHECK_THROWS_WITH(auth::read_aggregate(""), Catch::Contains("empty"));
    CHECK_THROWS_WITH(auth::read_aggregate("   \n"), Catch::Contains("empty"));
    CHECK_THROWS_WITH(auth::parse_aggregate_xml("<html><body/></html>"), Catch::Contains("root element is <html>"));
    CHECK_THROWS_WITH(auth::parse_aggregate_xml("<feedback></feedback>"), Catch::Contains("not a usable"));
    CHECK_THROWS_WITH(auth::read_aggregate(std::string("\x1f\x8b\x08\x00garbage", 11)), Catch::Contains("compressed data"));
    CHECK_THROWS_WITH(auth::read_aggregate("{\"organization-name\": \"x\"}"), Catch::Contains("SMTP TLS"));
    CHECK_THROWS_WITH(auth::read_aggregate("Subject: hi\n\nno attachment\n"), Catch::Contains("no DMARC aggregate report"));
}

TEST_CASE("aggregate: upper-case enumerations and bad numbers are read with warnings", "[aggregate]") {
    auto r = auth::parse_aggregate_xml(
        "<feedback><report_metadata><org_name>x</org_name><date_range><begin>abc</begin><end>5</end></date_range>"
        "</report_metadata><policy_published><domain>Example.COM</domain><p>Reject</p></policy_published>"
        "<record><row><source_ip>192.0.2.1</source_ip><count>-3</count><policy_evaluated><disposition>None</disposition>"
        "<dkim>Pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from>"
        "</identifiers></record></feedback>");
    CHECK(r.domain == "example.com");
    CHECK(r.p == std::optional<std::string>("reject"));
    CHECK(r.records[0].dkim == "pass");
    CHECK(r.records[0].count == 0);
    CHECK(r.begin == 0);
    CHECK(r.warnings.size() >= 3);
}

TEST_CASE("aggregate: invalid UTF-8 is replaced, not fatal", "[aggregate]") {
    auto r = auth::parse_aggregate_xml(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feedback><policy_published><domain>example.com</domain>"
        "</policy_published><record><identifiers><header_from>bad\x91</header_from></identifiers></record></feedback>");
    CHECK(r.records[0].header_from == "bad\xEF\xBF\xBD");
    REQUIRE_FALSE(r.warnings.empty());
    CHECK(r.warnings[0].find("invalid UTF-8") != std::string::npos);
}
