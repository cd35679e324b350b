#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>

#include "auth/brands.hpp"
#include "auth/explain.hpp"
#include "auth/explain_html.hpp"
#include "auth/html.hpp"

using namespace auth;

namespace {

using Auth = decltype(ExplainReport::auth);

const BrandSet& brands() {
    static BrandSet b = [] {
        BrandSet s;
        s.load_text(R"({"id":"fabrikam","name":"Fabrikam","domains":["fabrikam.example"],
            "customer_settable":["Workspace title"],"phones":["+1 800 555 0100"],"abuse":"abuse@fabrikam.example"})",
                    "fabrikam.json");
        return s;
    }();
    return b;
}

Auth passing() {
    Auth a;
    a.dmarc = Result::pass;
    a.dmarc_reason = {"aligned-dkim-pass", "DKIM aligned."};
    a.from_domain = "fabrikam.example";
    a.org_domain = "fabrikam.example";
    a.policy = "reject";
    a.spf = Result::pass;
    a.spf_domain = "fabrikam.example";
    a.spf_aligned = true;
    a.dkim = Result::pass;
    a.signatures.resize(1);
    a.signatures[0].d = "fabrikam.example";
    a.signatures[0].s = "s1\"><script>alert(1)</script>";
    a.signatures[0].result = Result::pass;
    a.signatures[0].aligned = true;
    a.signatures[0].verified = true;
    a.signatures[0].h = {"from", "to", "subject", "date", "message-id"};
    return a;
}

// A notification whose customer-set workspace title carries a callback number, with hostile HTML.
const char kMessage[] =
    "From: \"Fabrikam <script>alert('from')</script>\" <notify@fabrikam.example>\r\n"
    "To: victim@example.org\r\n"
    "Subject: Your workspace <img src=x onerror=alert(1)> is ready\r\n"
    "Date: Tue, 14 Oct 2025 09:12:40 +0000\r\n"
    "Message-ID: <1@fabrikam.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Workspace title: Billing desk call +1 (888) 555-0199 now\r\n"
    "Open https://fabrikam.example/w/1\r\n"
    "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<html><head><style>body{background:url(https://evil.example/x)}</style></head><body onload=\"x()\">"
    "<p>Workspace title: <b>Billing desk call +1 (888) 555-0199 now</b></p>"
    "<p><a href=\"https://login.evil.example/verify\" onclick=\"steal()\">Open your workspace</a></p>"
    "<img src=\"https://tracker.evil.example/p.gif\"><script>alert(2)</script><!-- <script>alert(3)</script> -->"
    "</body></html>\r\n"
    "--b--\r\n";

}  // namespace

TEST_CASE("the explain page is inert and highlights fields and indicators in place", "[html][explain]") {
    Message msg = Message::parse(std::string(kMessage));
    ExplainReport r = explain(msg, passing(), brands());
    REQUIRE(!r.findings.empty());
    std::string page = explain_html(r, msg, "sample<1>.eml");

    // Nothing active and nothing remote.
    for (const char* bad : {"<script", "<img", "<iframe", "url(", "@import", "http://", "https://", "javascript:", "<!--"}) {
        INFO(bad);
        CHECK(page.find(bad) == std::string::npos);
    }
    // No tag carries an attribute but the page's own (class, title, id, href to an anchor, the CSP meta's).
    std::regex tag(R"(<[a-zA-Z][^>]*>)"), attr(R"(\s([a-zA-Z-]+)=\"[^\"]*\")");
    for (auto it = std::sregex_iterator(page.begin(), page.end(), tag); it != std::sregex_iterator(); ++it) {
        std::string t = (*it)[0];
        for (auto a = std::sregex_iterator(t.begin(), t.end(), attr); a != std::sregex_iterator(); ++a) {
            std::string k = (*a)[1];
            INFO(t);
            CHECK((k == "class" || k == "title" || k == "id" || k == "href" || k == "lang" || k == "charset" ||
                   k == "http-equiv" || k == "content" || k == "name"));
        }
    }
    std::regex href(R"(href=\"([^\"]*)\")");
    std::set<std::string> ids;
    std::regex id(R"(id=\"([^\"]*)\")");
    for (auto it = std::sregex_iterator(page.begin(), page.end(), id); it != std::sregex_iterator(); ++it) ids.insert((*it)[1]);
    int links = 0;
    for (auto it = std::sregex_iterator(page.begin(), page.end(), href); it != std::sregex_iterator(); ++it) {
        std::string target = (*it)[1];
        INFO(target);
        REQUIRE(target.rfind("#", 0) == 0);
        CHECK(ids.count(target.substr(1)) == 1);  // every link goes to an anchor of the page
        ++links;
    }
    CHECK(links > 0);
    // The verdict comes first, then the chain.
    CHECK(page.find("authentic-but-abusive") < page.find("Authentication chain"));
    // The customer-set field is marked where it is, in the text and in the HTML rendering.
    std::size_t fields = 0;
    for (std::size_t p = page.find("<mark class=\"field\""); p != std::string::npos; p = page.find("<mark class=\"field\"", p + 1)) ++fields;
    CHECK(fields >= 3);  // the legend, the text part, the HTML part (and the Subject)
    // The callback number is an indicator linked to its finding.
    CHECK(page.find("+1 (888) 555-0199</a><sup>") != std::string::npos);
    // The off-brand link shows its defanged target, never as a link.
    CHECK(page.find("hxxps://login[.]evil[.]example/verify") != std::string::npos);
    CHECK(page.find("[image from hxxps://tracker[.]evil[.]example/p.gif, not loaded]") != std::string::npos);
    // Text from the message is escaped.
    CHECK(page.find("&lt;script&gt;alert(&#39;from&#39;)&lt;/script&gt;") != std::string::npos);
    CHECK(page.find("s1&quot;&gt;&lt;script&gt;") != std::string::npos);
}

TEST_CASE("sections of several samples have distinct anchors", "[html][explain]") {
    Message msg = Message::parse(std::string(kMessage));
    ExplainReport r = explain(msg, passing(), brands());
    std::string a = explain_html_section(r, msg, "one.eml"), b = explain_html_section(r, msg, "two.eml");
    std::regex id(R"(id=\"([^\"]*)\")");
    std::set<std::string> ia, ib;
    for (auto it = std::sregex_iterator(a.begin(), a.end(), id); it != std::sregex_iterator(); ++it) ia.insert((*it)[1]);
    for (auto it = std::sregex_iterator(b.begin(), b.end(), id); it != std::sregex_iterator(); ++it) ib.insert((*it)[1]);
    REQUIRE(!ia.empty());
    for (const auto& x : ia) CHECK(ib.count(x) == 0);
}
