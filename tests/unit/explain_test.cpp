#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "auth/brands.hpp"
#include "auth/dns.hpp"
#include "auth/explain.hpp"

using namespace auth;

namespace {

// 2025-10-14 09:12:44 UTC: the arrival time of every test message.
constexpr std::time_t kArrival = 1760433164;

const BrandSet& test_brands() {
    static BrandSet b = [] {
        BrandSet s;
        s.load_text(R"({"id":"fabrikam","name":"Fabrikam","names":["Fabrikam","Fabrikam Cloud"],
            "domains":["fabrikam.example"],"link_domains":["fabrikam-cdn.example"],
            "sending_platforms":["esp.example.net"],"customer_settable":["Workspace title"],
            "phones":["+1 800 555 0100"],"abuse":"abuse@fabrikam.example"})",
                    "fabrikam.json");
        s.load_text(R"({"id":"paypal","name":"PayPal","domains":["paypal.com"]})", "paypal.json");
        s.load_text(R"({"id":"esp","name":"Example Mail Platform","kind":"platform","domains":["esp.example.net"]})",
                    "esp.json");
        return s;
    }();
    return b;
}

const char* kFullH[] = {"from", "to", "subject", "date", "message-id", "mime-version", "content-type"};

SignatureFacts sig(const std::string& d, bool aligned, std::vector<std::string> h = {}, Result r = Result::pass) {
    SignatureFacts s;
    s.d = d;
    s.s = "s1";
    s.result = r;
    s.reason = r == Result::pass ? "verified" : "signature-mismatch";
    s.verified = r == Result::pass;
    s.aligned = aligned;
    s.h = h.empty() ? std::vector<std::string>(std::begin(kFullH), std::end(kFullH)) : h;
    s.t = std::uint64_t(kArrival - 5);
    return s;
}

// A DMARC pass for fabrikam.example through an aligned, fully signed DKIM signature.
AuthSummary pass_auth(std::vector<SignatureFacts> sigs = {}) {
    AuthSummary a;
    a.dmarc = Result::pass;
    a.dmarc_reason = {"aligned-dkim-pass", "DKIM aligned."};
    a.from_domain = "fabrikam.example";
    a.org_domain = "fabrikam.example";
    a.policy = "reject";
    a.spf = Result::pass;
    a.spf_domain = "fabrikam.example";
    a.spf_aligned = true;
    a.dkim = Result::pass;
    a.signatures = sigs.empty() ? std::vector<SignatureFacts>{sig("fabrikam.example", true)} : sigs;
    return a;
}

std::string received_brand() {
    return "Received: from out1.fabrikam.example (out1.fabrikam.example [198.51.100.7])\r\n"
           "\tby mx1.example.org (Postfix) with ESMTPS id 1\r\n"
           "\tfor <alex@example.org>; Tue, 14 Oct 2025 09:12:44 +0000\r\n";
}

std::string mail(const std::string& body, const std::string& extra_headers = "",
                 const std::string& from = "\"Fabrikam Cloud\" <notify@fabrikam.example>",
                 const std::string& subject = "Your workspace is ready", const std::string& received = received_brand(),
                 const std::string& ctype = "text/plain; charset=utf-8") {
    return received + "From: " + from + "\r\nTo: <alex@example.org>\r\nSubject: " + subject +
           "\r\nDate: Tue, 14 Oct 2025 09:12:40 +0000\r\nMessage-ID: <1@fabrikam.example>\r\n" + extra_headers +
           "MIME-Version: 1.0\r\nContent-Type: " + ctype + "\r\n\r\n" + body;
}

ExplainReport run(const std::string& eml, const AuthSummary& a = pass_auth()) {
    ExplainOptions o;
    o.arrival = kArrival;
    return explain(Message::parse(eml), a, test_brands(), o);
}

const Finding* find(const ExplainReport& r, const std::string& id) {
    for (const auto& f : r.findings)
        if (f.id == id) return &f;
    return nullptr;
}

const std::string kClean =
    "Hello Alex,\r\n\r\nYour Fabrikam Cloud workspace is ready.\r\n\r\nWorkspace title: Design team\r\n\r\n"
    "Open it at https://app.fabrikam.example/w/123 or see https://fabrikam-cdn.example/help.\r\n\r\n"
    "Questions? Call us at +1 (800) 555-0100.\r\n";

}  // namespace

TEST_CASE("explain: a clean genuine notification is authentic with no finding", "[explain]") {
    auto r = run(mail(kClean));
    CHECK(r.verdict == "authentic");
    CHECK(r.findings.empty());
    CHECK(r.authenticated_domain == "fabrikam.example");
    REQUIRE(r.brand);
    CHECK(r.brand->id == "fabrikam");
    CHECK(explain_exit(r) == 0);
}

TEST_CASE("explain: rule list has unique ids", "[explain]") {
    std::vector<std::string> ids;
    for (const auto& r : explain_rules()) ids.push_back(r.id);
    std::sort(ids.begin(), ids.end());
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
    CHECK(ids.size() == 22);
}

TEST_CASE("explain: customer-text-payload fires on a settable field with a phone and money", "[explain][rule]") {
    auto r = run(mail("Workspace title: Refund of $499.99 pending - call +1 (888) 555-0143 now\r\n"));
    const Finding* f = find(r, "customer-text-payload");
    REQUIRE(f);
    CHECK(f->severity == Severity::high);
    CHECK(r.verdict == "authentic-but-abusive");
    CHECK(explain_exit(r) == 1);
}

TEST_CASE("explain: customer-text-payload does not fire on an ordinary field", "[explain][rule]") {
    auto r = run(mail("Organization: Northwind Traders Ltd\r\nWorkspace title: Design team\r\n"));
    CHECK_FALSE(find(r, "customer-text-payload"));
}

TEST_CASE("explain: customer-text-payload reads a quoted organisation name and a display name", "[explain][rule]") {
    auto r = run(mail("Your subscription for the organization \"Visit https://claim-prize.test/x now\" is active.\r\n"));
    CHECK(find(r, "customer-text-payload"));
    auto r2 = run(mail("Hi\r\n", "", "\"Call +1 (877) 555-0111 now\" <notify@fabrikam.example>"));
    CHECK(find(r2, "customer-text-payload"));
}

TEST_CASE("explain: off-brand-link fires for a foreign link and not for the brand's own", "[explain][rule]") {
    auto r = run(mail("See https://evil-portal.test/login\r\n"));
    const Finding* f = find(r, "off-brand-link");
    REQUIRE(f);
    CHECK(f->severity == Severity::medium);
    CHECK(f->evidence.front().find("hxxps://evil-portal[.]test/login") != std::string::npos);
    CHECK_FALSE(find(run(mail(kClean)), "off-brand-link"));
}

TEST_CASE("explain: off-brand-link is high when the link asks to sign in", "[explain][rule]") {
    auto r = run(mail("<p><a href=\"https://evil-portal.test/login\">Sign in to your account</a></p>", "", "\"Fabrikam\" <notify@fabrikam.example>",
                      "Hello", received_brand(), "text/html; charset=utf-8"));
    const Finding* f = find(r, "off-brand-link");
    REQUIRE(f);
    CHECK(f->severity == Severity::high);
}

TEST_CASE("explain: link-text-mismatch fires when the text shows the brand and the href goes elsewhere", "[explain][rule]") {
    std::string html = "<a href=\"https://evil-portal.test/x\">https://app.fabrikam.example/login</a>";
    auto r = run(mail(html, "", "\"Fabrikam\" <notify@fabrikam.example>", "Hello", received_brand(), "text/html"));
    CHECK(find(r, "link-text-mismatch"));
}

TEST_CASE("explain: link-text-mismatch does not fire for the brand's platform click tracking", "[explain][rule]") {
    std::string html = "<a href=\"https://click.esp.example.net/ls?u=1\">https://app.fabrikam.example/login</a>";
    auto r = run(mail(html, "", "\"Fabrikam\" <notify@fabrikam.example>", "Hello", received_brand(), "text/html"));
    CHECK_FALSE(find(r, "link-text-mismatch"));
    CHECK_FALSE(find(r, "off-brand-link"));
}

TEST_CASE("explain: lookalike-domain fires for brand-name-plus-word and misspellings", "[explain][rule]") {
    CHECK(find(run(mail("Go to https://fabrikam-billing.test/pay\r\n")), "lookalike-domain"));
    CHECK(find(run(mail("Go to https://fabrlkam.example/pay\r\n")), "lookalike-domain"));
    CHECK(find(run(mail("Go to https://paypa1.com/pay\r\n")), "lookalike-domain"));
}

TEST_CASE("explain: lookalike-domain does not fire for unrelated or own domains", "[explain][rule]") {
    CHECK_FALSE(find(run(mail("Go to https://northwind.test/pay and https://app.fabrikam.example/\r\n")), "lookalike-domain"));
}

TEST_CASE("explain: mixed-script-domain fires for Latin mixed with Cyrillic", "[explain][rule]") {
    // "pаypal.com" with a Cyrillic а (U+0430)
    auto r = run(mail("Pay at https://p\xD0\xB0ypal.com/x\r\n"));
    CHECK(find(r, "mixed-script-domain"));
    CHECK(find(r, "lookalike-domain"));
}

TEST_CASE("explain: mixed-script-domain does not fire for a single-script IDN", "[explain][rule]") {
    auto r = run(mail("Read https://b\xC3\xBC" "cher.example/x\r\n"));
    CHECK_FALSE(find(r, "mixed-script-domain"));
}

TEST_CASE("explain: shortener-link fires for a URL shortener only", "[explain][rule]") {
    CHECK(find(run(mail("Details: https://bit.ly/3xYz\r\n")), "shortener-link"));
    CHECK_FALSE(find(run(mail(kClean)), "shortener-link"));
}

TEST_CASE("explain: ip-literal-link fires for a bare IP host only", "[explain][rule]") {
    CHECK(find(run(mail("Log in at http://192.0.2.55/login\r\n")), "ip-literal-link"));
    CHECK_FALSE(find(run(mail(kClean)), "ip-literal-link"));
}

TEST_CASE("explain: obscured-link fires for defanged or user@host links", "[explain][rule]") {
    CHECK(find(run(mail("Visit hxxps://evil-portal[.]test/path today\r\n")), "obscured-link"));
    CHECK(find(run(mail("Visit https://app.fabrikam.example@evil-portal.test/path\r\n")), "obscured-link"));
    CHECK(find(run(mail("Visit evil-portal dot test/path today\r\n")), "obscured-link"));
    CHECK_FALSE(find(run(mail("Visit https://evil-portal.test/path today\r\n")), "obscured-link"));
}

TEST_CASE("explain: reply-to-off-brand fires for a foreign Reply-To only", "[explain][rule]") {
    auto r = run(mail("Hi\r\n", "Reply-To: <fabrikam.refunds@freemail.test>\r\n"));
    const Finding* f = find(r, "reply-to-off-brand");
    REQUIRE(f);
    CHECK(f->severity == Severity::high);
    CHECK_FALSE(find(run(mail("Hi\r\n", "Reply-To: <support@help.fabrikam.example>\r\n")), "reply-to-off-brand"));
}

TEST_CASE("explain: off-brand-contact-address fires for a foreign address in the text", "[explain][rule]") {
    CHECK(find(run(mail("Write to refunds@fastrefund.test for help\r\n")), "off-brand-contact-address"));
    CHECK_FALSE(find(run(mail("Write to help@fabrikam.example; this was sent to alex@example.org\r\n")),
                     "off-brand-contact-address"));
}

TEST_CASE("explain: callback-phone fires for a number to call with money around it", "[explain][rule]") {
    auto r = run(mail("Your renewal of $499.99 was charged. If you did not authorize it call +1 (855) 555-0199.\r\n"));
    const Finding* f = find(r, "callback-phone");
    REQUIRE(f);
    CHECK(f->severity == Severity::high);
}

TEST_CASE("explain: callback-phone does not fire for the brand's official number", "[explain][rule]") {
    CHECK_FALSE(find(run(mail(kClean)), "callback-phone"));
}

TEST_CASE("explain: crypto-address fires for a valid Bitcoin address only", "[explain][rule]") {
    const Finding* f = nullptr;
    auto r = run(mail("Send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\r\n"));
    f = find(r, "crypto-address");
    REQUIRE(f);
    CHECK(f->severity == Severity::high);
    // One character changed: the base58check checksum fails, so it is not an address.
    CHECK_FALSE(find(run(mail("Send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3\r\n")), "crypto-address"));
}

TEST_CASE("explain: crypto-giveaway-lure fires on a multiply-your-crypto promise", "[explain][rule]") {
    CHECK(find(run(mail("Anniversary event: we double any bitcoin you send!\r\n")), "crypto-giveaway-lure"));
    CHECK_FALSE(find(run(mail("Double your savings with our new plan.\r\n")), "crypto-giveaway-lure"));
}

TEST_CASE("explain: security-alert-subject fires on an alert-like subject", "[explain][rule]") {
    auto r = run(mail("Hi\r\n", "", "\"Fabrikam\" <notify@fabrikam.example>", "Unusual sign-in activity on your account"));
    const Finding* f = find(r, "security-alert-subject");
    REQUIRE(f);
    CHECK(f->severity == Severity::medium);
    CHECK(r.verdict == "authentic");  // a medium finding alone does not make genuine mail abusive
    CHECK_FALSE(find(run(mail(kClean)), "security-alert-subject"));
}

TEST_CASE("explain: display-name-impersonation fires for a brand name on a foreign address", "[explain][rule]") {
    AuthSummary a;
    a.dmarc = Result::none;
    a.from_domain = "mailer.test";
    a.org_domain = "mailer.test";
    auto r = run(mail("Hi\r\n", "", "\"PayPal Service\" <service@mailer.test>"), a);
    REQUIRE(find(r, "display-name-impersonation"));
    CHECK(r.verdict == "spoofed");
    REQUIRE(r.brand);
    CHECK(r.brand->id == "paypal");
    CHECK_FALSE(find(run(mail(kClean)), "display-name-impersonation"));
}

TEST_CASE("explain: platform-signature-only fires when only the platform's d= verifies", "[explain][rule]") {
    auto a = pass_auth({sig("esp.example.net", false)});
    a.spf_domain = "bounce.fabrikam.example";
    auto r = run(mail(kClean), a);
    const Finding* f = find(r, "platform-signature-only");
    REQUIRE(f);
    CHECK(f->severity == Severity::medium);
    CHECK_FALSE(find(run(mail(kClean), pass_auth({sig("fabrikam.example", true), sig("esp.example.net", false)})),
                     "platform-signature-only"));
}

TEST_CASE("explain: dkim-few-signed-headers fires when only From is signed", "[explain][rule]") {
    CHECK(find(run(mail(kClean), pass_auth({sig("fabrikam.example", true, {"from"})})), "dkim-few-signed-headers"));
    CHECK_FALSE(find(run(mail(kClean)), "dkim-few-signed-headers"));
}

TEST_CASE("explain: dkim-recipients-unsigned fires when To and Cc are not signed", "[explain][rule]") {
    auto r = run(mail(kClean), pass_auth({sig("fabrikam.example", true, {"from", "subject", "date", "message-id"})}));
    const Finding* f = find(r, "dkim-recipients-unsigned");
    REQUIRE(f);
    CHECK(f->severity == Severity::low);
    CHECK(r.verdict == "authentic");
    CHECK_FALSE(find(run(mail(kClean)), "dkim-recipients-unsigned"));
}

TEST_CASE("explain: dkim-signature-old fires for a signature days older than arrival", "[explain][rule]") {
    auto s = sig("fabrikam.example", true);
    s.t = std::uint64_t(kArrival - 5 * 86400);
    CHECK(find(run(mail(kClean), pass_auth({s})), "dkim-signature-old"));
    CHECK_FALSE(find(run(mail(kClean)), "dkim-signature-old"));
}

TEST_CASE("explain: dkim-signature-expired fires when x= was before arrival", "[explain][rule]") {
    auto s = sig("fabrikam.example", true);
    s.x = std::uint64_t(kArrival - 3600);
    CHECK(find(run(mail(kClean), pass_auth({s})), "dkim-signature-expired"));
    s.x = std::uint64_t(kArrival + 3600);
    CHECK_FALSE(find(run(mail(kClean), pass_auth({s})), "dkim-signature-expired"));
}

namespace {
std::string foreign_received() {
    return "Received: from relay.bulk-relay.test (relay.bulk-relay.test [192.0.2.77])\r\n"
           "\tby mx1.example.org (Postfix) with ESMTPS id 2\r\n"
           "\tfor <casey@example.net>; Tue, 14 Oct 2025 09:12:44 +0000\r\n" +
           std::string("Received: from [192.0.2.200] by relay.bulk-relay.test with ESMTPSA id 3;\r\n"
                       "\tTue, 14 Oct 2025 09:11:44 +0000\r\n");
}
}  // namespace

TEST_CASE("explain: dkim-foreign-relay fires for hops through unrelated hosts", "[explain][rule]") {
    auto r = run(mail(kClean, "", "\"Fabrikam Cloud\" <notify@fabrikam.example>", "Your workspace is ready", foreign_received()));
    CHECK(find(r, "dkim-foreign-relay"));
    CHECK_FALSE(find(run(mail(kClean)), "dkim-foreign-relay"));
}

TEST_CASE("explain: dkim-replay-suspected needs several signs, one of time or path", "[explain][rule]") {
    auto s = sig("fabrikam.example", true, {"from", "subject", "date", "message-id"});
    s.t = std::uint64_t(kArrival - 10 * 86400);
    auto r = run(mail(kClean, "", "\"Fabrikam Cloud\" <notify@fabrikam.example>", "Your workspace is ready", foreign_received()),
                 pass_auth({s}));
    const Finding* f = find(r, "dkim-replay-suspected");
    REQUIRE(f);
    CHECK(f->severity == Severity::high);
    CHECK(r.verdict == "authentic-but-abusive");
    // Only the unsigned recipients (as large platforms sign): no replay.
    auto r2 = run(mail(kClean), pass_auth({sig("fabrikam.example", true, {"from", "subject", "date", "message-id"})}));
    CHECK_FALSE(find(r2, "dkim-replay-suspected"));
}

TEST_CASE("explain: verdicts spoofed, unauthenticated and inconclusive", "[explain]") {
    AuthSummary fail;
    fail.dmarc = Result::fail;
    fail.dmarc_reason = {"no-aligned-pass", "Nothing aligned passed."};
    fail.from_domain = "fabrikam.example";
    fail.org_domain = "fabrikam.example";
    auto r = run(mail(kClean), fail);
    CHECK(r.verdict == "spoofed");
    CHECK(r.authenticated_domain.empty());
    CHECK(r.report_to == "abuse@fabrikam.example");
    CHECK(explain_exit(r) == 1);

    AuthSummary none;
    none.dmarc = Result::none;
    none.from_domain = "unknown-sender.test";
    none.org_domain = "unknown-sender.test";
    auto u = run(mail("Hello\r\n", "", "\"Someone\" <a@unknown-sender.test>"), none);
    CHECK(u.verdict == "unauthenticated");

    AuthSummary temp = fail;
    temp.dmarc = Result::temperror;
    temp.unchecked = {"DMARC: SERVFAIL"};
    auto t = run(mail(kClean), temp);
    CHECK(t.verdict == "inconclusive");
    CHECK(explain_exit(t) == 4);
}

TEST_CASE("explain: JSON carries the DESIGN keys, indicators defanged", "[explain]") {
    auto r = run(mail("Workspace title: see https://evil-portal.test/x or mail x@evil-portal.test\r\n"));
    auto j = explain_json(r);
    CHECK(j["verdict"] == "authentic-but-abusive");
    CHECK(j["result"] == "pass");
    CHECK(j["authenticated_domain"] == "fabrikam.example");
    REQUIRE(j["findings"].is_array());
    CHECK(j["findings"][0].contains("id"));
    CHECK(j["findings"][0]["severity"] == "high");
    CHECK(j["findings"][0]["evidence"].is_array());
    auto urls = j["indicators"]["urls"];
    CHECK(std::find(urls.begin(), urls.end(), "hxxps://evil-portal[.]test/x") != urls.end());
    auto emails = j["indicators"]["emails"];
    CHECK(std::find(emails.begin(), emails.end(), "x[@]evil-portal[.]test") != emails.end());
    CHECK(j["indicators"]["domains"].is_array());
}

TEST_CASE("explain: text output in the documented order", "[explain]") {
    auto r = run(mail("Workspace title: call +1 (888) 555-0143 now about your $20 refund\r\n"));
    std::string t = explain_text(r, "x.eml");
    auto p1 = t.find("authentic-but-abusive:");
    auto p2 = t.find("What authentication proves");
    auto p3 = t.find("What it does not prove");
    auto p4 = t.find("Findings");
    auto p5 = t.find("What to do next");
    CHECK(p1 == 0);
    CHECK(p1 < p2);
    CHECK(p2 < p3);
    CHECK(p3 < p4);
    CHECK(p4 < p5);
    CHECK(t.find("authscope report --to abuse@fabrikam.example x.eml") != std::string::npos);
    CHECK(t.find("1 phone number,") != std::string::npos);  // one, not "1 phone numbers"
}

TEST_CASE("explain: hostile input never throws", "[explain]") {
    std::string junk = "From: \"=?utf-8?B?////?=\" <@@>\r\nSubject: =?x?Q?=ZZ?=\r\nContent-Type: multipart/mixed\r\n\r\n"
                       "--\r\n<a href=\"hxxp://[::1\">x</a> bc1qqqqqqq 0x" + std::string(40, 'g') + "\r\n";
    CHECK_NOTHROW(run(junk));
}

TEST_CASE("explain: the man page lists every finding id and verdict", "[explain]") {
    std::ifstream in(std::string(AUTHSCOPE_SOURCE_DIR) + "/man/authscope-explain.1");
    std::string man((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE_FALSE(man.empty());
    auto roff = [](std::string s) {
        std::string r;
        for (char c : s) r += c == '-' ? std::string("\\-") : std::string(1, c);
        return r;
    };
    for (const auto& r : explain_rules()) {
        INFO(r.id);
        CHECK(man.find(".B " + roff(r.id) + "\n") != std::string::npos);
    }
    for (const char* v : {"authentic", "authentic-but-abusive", "spoofed", "unauthenticated", "inconclusive"}) {
        INFO(v);
        CHECK(man.find(".B " + roff(v) + "\n") != std::string::npos);
    }
}
