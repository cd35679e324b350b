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
    CHECK(ids.size() == 40);
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

// ---------------------------------------------------------------------------------------------
// Issue 12: profile-free rules and platform conventions.

namespace {

const BrandSet& platform_brands() {
    static BrandSet b = [] {
        BrandSet s;
        s.load_text(R"({"id":"drive","name":"Drive Share","names":["Drive Share"],"domains":["drive.example"],
            "user_content":true,"reply_to_is_user":true,"via_display_names":true})", "drive.json");
        s.load_text(R"({"id":"hub","name":"CodeHub","domains":["codehub.example"],"user_content":true,"bot_accounts":true})", "hub.json");
        s.load_text(R"({"id":"suite","name":"Suite Cloud","domains":["suite.example","tenants.example"],"user_content":true,
            "tenant_domains":["tenants.example"]})", "suite.json");
        s.load_text(R"({"id":"harbor","name":"Harbor Freight","domains":["harborfreight.example"]})", "harbor.json");
        s.load_text(R"({"id":"mask","name":"MetaMask","domains":["metamask.example"],"category":"crypto"})", "mask.json");
        s.load_text(R"({"id":"shop","name":"Fabrikam Shop","domains":["fabrikamshop.example"]})", "shop.json");
        return s;
    }();
    return b;
}

AuthSummary pass_for(const std::string& d) {
    AuthSummary a = pass_auth({sig(d, true)});
    a.from_domain = a.org_domain = a.spf_domain = d;
    return a;
}

ExplainReport run_p(const std::string& eml, const AuthSummary& a) {
    ExplainOptions o;
    o.arrival = kArrival;
    return explain(Message::parse(eml), a, platform_brands(), o);
}

bool high_in(const ExplainReport& r) {
    for (const auto& f : r.findings)
        if (f.severity == Severity::high) return true;
    return false;
}

}  // namespace

// Mail that authenticates for a domain without a profile (a sender's own domain).
ExplainReport run_u(const std::string& body, const std::string& subject = "News") {
    return run_p(mail(body, "", "\"Mailer\" <news@mailer.test>", subject), pass_for("mailer.test"));
}

TEST_CASE("explain: lure-crypto fires on a staking airdrop, not on an ordinary mention", "[explain][rule]") {
    auto r = run_u(("Claim your airdrop now: staking rewards for every wallet holder, connect your wallet today.\r\n"));
    const Finding* f = find(r, "lure-crypto");
    REQUIRE(f);
    CHECK(f->severity == Severity::high);
    CHECK_FALSE(find(run(mail(kClean)), "lure-crypto"));
    CHECK_FALSE(find(run(mail("Our blockchain course starts on Monday.\r\n")), "lure-crypto"));
}

TEST_CASE("explain: lure-crypto reads through look-alike letters and letter spacing", "[explain][rule]") {
    // "Verify your wаllet" with a Cyrillic а, and "s e e d p h r a s e" spaced out.
    auto r = run(mail("Verify your w\xD0\xB0llet: enter your s e e d p h r a s e to keep your tokens.\r\n"));
    CHECK(find(r, "lure-crypto"));
}

TEST_CASE("explain: lure-advance-fee fires on a fund-transfer proposal only", "[explain][rule]") {
    auto r = run_u(("Dear friend, my late father left the sum of US$18.5 million. I need your assistance to transfer the fund; reply with your full names.\r\n"));
    REQUIRE(find(r, "lure-advance-fee"));
    CHECK(find(r, "lure-advance-fee")->severity == Severity::high);
    CHECK_FALSE(find(run(mail("The fund manager will present the quarterly results.\r\n")), "lure-advance-fee"));
}

TEST_CASE("explain: lure-refund fires on money waiting to be claimed", "[explain][rule]") {
    CHECK(find(run(mail("You have a pending refund of $320. Claim it within 24 hours: submit the form with your bank details.\r\n")), "lure-refund"));
    CHECK_FALSE(find(run(mail(kClean)), "lure-refund"));
}

TEST_CASE("explain: lure-prize fires on a you-have-been-selected reward", "[explain][rule]") {
    auto r = run_u(("Congratulations! You have been selected to receive a $500 gift card. Confirm today, offer expires soon.\r\n"));
    REQUIRE(find(r, "lure-prize"));
    CHECK(find(r, "lure-prize")->severity == Severity::high);
    CHECK_FALSE(find(run(mail("The winner of the design award will be announced at the meeting.\r\n")), "lure-prize"));
}

TEST_CASE("explain: lure-invoice-callback needs a number to call", "[explain][rule]") {
    CHECK(find(run(mail("Invoice INV-1: your subscription renewal of $499.99. If you did not authorize this, call +1 (855) 555-0199 to cancel.\r\n")),
               "lure-invoice-callback"));
    // The same words with no number to call, or the brand's own number: not a callback lure.
    CHECK_FALSE(find(run(mail("Invoice INV-1: your subscription renewal of $499.99. If you did not authorize this, cancel in settings.\r\n")),
                     "lure-invoice-callback"));
    CHECK_FALSE(find(run(mail("Invoice INV-1: your subscription renewal. Questions? Call +1 (800) 555-0100.\r\n")), "lure-invoice-callback"));
}

TEST_CASE("explain: lure-account, lure-delivery and lure-attachment-password fire on their wording", "[explain][rule]") {
    CHECK(find(run(mail("Your account has been suspended. Verify your identity within 24 hours to restore access.\r\n")), "lure-account"));
    CHECK(find(run(mail("Delivery failed: your package is held at our depot. Pay the customs fee to reschedule.\r\n")), "lure-delivery"));
    CHECK(find(run(mail("Mais informações no PDF em anexo. Senha do PDF: 123\r\n")), "lure-attachment-password"));
    CHECK_FALSE(find(run(mail(kClean)), "lure-account"));
    CHECK_FALSE(find(run(mail("Your order shipped; track the package in your account.\r\n")), "lure-delivery"));
    CHECK_FALSE(find(run(mail("Change your password in the settings page.\r\n")), "lure-attachment-password"));
}

TEST_CASE("explain: spam lures (dating, gambling, health product, investment) fire on their wording", "[explain][rule]") {
    CHECK(find(run(mail("Hot singles near you are waiting. Meet women tonight!\r\n")), "lure-dating"));
    CHECK(find(run(mail("Casino welcome bonus: 150 free spins, no deposit needed!\r\n")), "lure-gambling"));
    CHECK(find(run(mail("Doctors hate this keto formula: weight loss without diet, order a bottle.\r\n")), "lure-health-product"));
    CHECK(find(run(mail("Passive income with our trading bot: guaranteed returns, make money daily.\r\n")), "lure-investment"));
    for (const char* id : {"lure-dating", "lure-gambling", "lure-health-product", "lure-investment"}) {
        INFO(id);
        CHECK_FALSE(find(run(mail(kClean)), id));
    }
}

TEST_CASE("explain: a brand's own marketing wording is not high by itself", "[explain][rule]") {
    // Genuine Fabrikam mail, all links its own: the prize wording is Fabrikam's, medium at most.
    auto r = run(mail("Congratulations! You have been selected for our loyalty program reward. Details: https://app.fabrikam.example/r\r\n"));
    REQUIRE(find(r, "lure-prize"));
    CHECK(find(r, "lure-prize")->severity != Severity::high);
    CHECK(r.verdict == "authentic");
}

TEST_CASE("explain: evasive-text fires on look-alike letters inside words and letter spacing", "[explain][rule]") {
    auto r = run(mail("C o n g r a t u l a t i o n s ! Y o u h a v e w o n. Impоrtаnt infоrmаtion.\r\n"));
    const Finding* f = find(r, "evasive-text");
    REQUIRE(f);
    CHECK(f->severity == Severity::high);
    CHECK_FALSE(find(run(mail(kClean)), "evasive-text"));
    // Russian text is Cyrillic, not a disguise.
    CHECK_FALSE(find(run(mail("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xD0\xBC\xD0\xB8\xD1\x80 and hello world\r\n")), "evasive-text"));
}

TEST_CASE("explain: redirector-link unwraps Google Translate's proxy and judges the final host", "[explain][rule]") {
    auto r = run(mail("Open your form: https://translate.google.com/translate?sl=auto&tl=en&u=dropsys.example.com.br/x/login\r\n"));
    const Finding* f = find(r, "redirector-link");
    REQUIRE(f);
    CHECK(f->severity == Severity::high);
    CHECK(f->evidence.front().find("dropsys[.]example[.]com[.]br") != std::string::npos);
    bool unwrapped = false;
    for (const auto* i : r.indicators.of("url")) unwrapped = unwrapped || (i->has("unwrapped") && i->domain == "dropsys.example.com.br");
    CHECK(unwrapped);
    // A receiver's Safe Links rewriting of the brand's own link is no redirector abuse.
    CHECK_FALSE(find(run(mail("See https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fapp.fabrikam.example%2Fw&data=1\r\n")),
                     "redirector-link"));
    CHECK_FALSE(find(run(mail(kClean)), "redirector-link"));
}

TEST_CASE("explain: brand-in-user-text fires for a brand in a platform user's display name", "[explain][rule]") {
    auto r = run_p(mail("Someone shared a survey with you.\r\n", "Reply-To: <help@care-metamask.test>\r\n",
                        "\"help@care-metamask.test via Drive Share\" <share@drive.example>", "Wallet check"),
                   pass_for("drive.example"));
    REQUIRE(find(r, "brand-in-user-text"));
    CHECK(r.verdict == "authentic-but-abusive");
    // A bot account named after a brand on a code-hosting platform.
    auto g = run_p(mail("New issue opened.\r\n", "", "\"lido-staking[bot]\" <notifications@codehub.example>", "MetaMask staking update"),
                   pass_for("codehub.example"));
    CHECK(find(g, "brand-in-user-text"));
    // A tenant whose display name is a retailer's.
    auto t = run_p(mail("Thank you for your order.\r\n", "", "\"Harbor Freight - Thank You!\" <info@hfrewards.tenants.example>", "Your reward"),
                   pass_for("hfrewards.tenants.example"));
    CHECK(find(t, "brand-in-user-text"));
    // An ordinary sharer's name names no brand.
    auto ok = run_p(mail("Alex shared a document.\r\n", "Reply-To: <alex@uni.example>\r\n", "\"Alex Rivera (via Drive Share)\" <share@drive.example>",
                         "Document shared with you: \"Budget 2026\""),
                    pass_for("drive.example"));
    CHECK_FALSE(find(ok, "brand-in-user-text"));
}

TEST_CASE("explain: a platform's sharer Reply-To is its convention, not abuse", "[explain][rule]") {
    auto r = run_p(mail("Alex Rivera (alex@uni.example) shared a document with you: https://docs.drive.example/d/1\r\n",
                        "Reply-To: \"Alex Rivera\" <alex@uni.example>\r\n", "\"Alex Rivera (via Drive Share)\" <share@drive.example>",
                        "Document shared with you: \"Budget 2026\""),
                   pass_for("drive.example"));
    const Finding* f = find(r, "reply-to-off-brand");
    REQUIRE(f);
    CHECK(f->severity == Severity::low);
    CHECK_FALSE(high_in(r));
    CHECK(r.verdict == "authentic");
    // The Reply-To is listed among the indicators.
    bool listed = false;
    for (const auto* i : r.indicators.of("email")) listed = listed || i->value == "alex@uni.example";
    CHECK(listed);
}

TEST_CASE("explain: lookalike-domain ignores a brand name beside an ordinary word", "[explain][rule]") {
    // "fabrikamshop" is a profile; "fabrikamshop-university" is a university's, not an imitation.
    auto r = run_p(mail("Hi\r\n", "", "\"Dr. Lee\" <lee@fabrikamshop-university.test>"), pass_for("fabrikamshop-university.test"));
    CHECK_FALSE(find(r, "lookalike-domain"));
    auto l = run_p(mail("Hi\r\n", "", "\"Support\" <help@fabrikamshop-support.test>"), pass_for("fabrikamshop-support.test"));
    CHECK(find(l, "lookalike-domain"));
}

TEST_CASE("explain: reply-to-freemail fires for a free-mail Reply-To other than the sender", "[explain][rule]") {
    auto r = run_u("Kindly get back to me.\r\n");
    CHECK_FALSE(find(r, "reply-to-freemail"));
    AuthSummary a = pass_for("ysra.example");
    auto f = run_p(mail("Kindly get back to me for more info.\r\n", "Reply-To: <dr.andrew@gmail.com>\r\n", "\"Dr Andrew\" <ap@ysra.example>"), a);
    REQUIRE(find(f, "reply-to-freemail"));
    CHECK(find(f, "reply-to-freemail")->severity == Severity::high);
    // The same free-mail address as the sender's is no diversion; a platform's sharer is its convention.
    auto same = run_p(mail("Hi\r\n", "Reply-To: <jo@gmail.com>\r\n", "\"Jo\" <jo@gmail.com>"), pass_for("gmail.com"));
    CHECK_FALSE(find(same, "reply-to-freemail"));
    auto share = run_p(mail("Alex shared a file.\r\n", "Reply-To: <alex@gmail.com>\r\n", "\"Alex (via Drive Share)\" <share@drive.example>"),
                       pass_for("drive.example"));
    CHECK_FALSE(find(share, "reply-to-freemail"));
}

TEST_CASE("explain: freemail-brand-claim fires for a brand's name and a lure from free mail", "[explain][rule]") {
    auto r = run_p(mail("Your MetaMask wallet will be suspended. Verify your wallet and enter your recovery phrase.\r\n", "",
                        "\"MetaMask Support\" <mm.support2024@gmail.com>", "Wallet notice"),
                   pass_for("gmail.com"));
    CHECK(find(r, "freemail-brand-claim"));
    // A person mentioning a brand in ordinary mail from free mail.
    auto ok = run_p(mail("I bought the lamp from Harbor Freight, see you Sunday.\r\n", "", "\"Jo\" <jo@gmail.com>", "Sunday"),
                    pass_for("gmail.com"));
    CHECK_FALSE(find(ok, "freemail-brand-claim"));
}

TEST_CASE("explain: a brand name spelled with dots or overlay marks is still read", "[explain][rule]") {
    AuthSummary a;
    a.dmarc = Result::none;
    a.from_domain = a.org_domain = "mailer.test";
    auto r = run_p(mail("Hi\r\n", "", "\"M.E.T.A.M.A.S.K, JWK\" <admission@mailer.test>"), a);
    CHECK(find(r, "display-name-impersonation"));
}

TEST_CASE("explain: freemail-contact fires for a free-mail address to write to", "[explain][rule]") {
    auto r = run_u("Humanitarian grant has been issued to you. Kindly contact ( pro.grant833@gmail.com ) for quick claims.\r\n");
    REQUIRE(find(r, "freemail-contact"));
    CHECK(find(r, "freemail-contact")->severity == Severity::high);
    CHECK_FALSE(find(run_u("Write to news@mailer.test with questions.\r\n"), "freemail-contact"));
}

TEST_CASE("explain: evasive-text fires for styled letters in the subject and hidden padding", "[explain][rule]") {
    // "YOUR PHOTOS" in mathematical bold capitals.
    auto r = run_u("Prints\r\n", "\xF0\x9D\x90\x98\xF0\x9D\x90\x8E\xF0\x9D\x90\x94\xF0\x9D\x90\x91 "
                                  "\xF0\x9D\x90\x8F\xF0\x9D\x90\x87\xF0\x9D\x90\x8E\xF0\x9D\x90\x93\xF0\x9D\x90\x8E\xF0\x9D\x90\x92");
    REQUIRE(find(r, "evasive-text"));
    CHECK(find(r, "evasive-text")->severity == Severity::high);
    CHECK(find(run_u(".belowView { margin-top: 470500px; } Hello\r\n"), "evasive-text"));
    CHECK_FALSE(find(run_u("p { margin-top: 12px; } Hello\r\n"), "evasive-text"));
}
