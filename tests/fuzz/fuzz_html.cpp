// libFuzzer target: the inert re-rendering of a message's HTML (libxml2's HTML parser and our
// whitelist) and the explain page must never crash, hang, or let markup through: the output
// may hold no tag or attribute the page does not write itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "auth/brands.hpp"
#include "auth/error.hpp"
#include "auth/explain.hpp"
#include "auth/explain_html.hpp"
#include "auth/html.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

// Every '<' of the output starts a tag the page writes itself (text is escaped): a whitelisted
// element with only class, title, id, colspan/rowspan, or href to an anchor of the page.
void require_inert(const std::string& out) {
    static const std::set<std::string> tags = {
        "p", "div", "span", "br", "hr", "b", "strong", "i", "em", "u", "s", "small", "sub", "sup", "code", "pre",
        "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead",
        "tbody", "tfoot", "tr", "td", "th", "caption", "abbr", "cite", "q", "address", "tt", "strike", "del", "ins",
        "mark", "a", "article", "header", "section"};
    static const std::set<std::string> attrs = {"class", "title", "id", "colspan", "rowspan", "href"};
    for (std::size_t p = out.find('<'); p != std::string::npos; p = out.find('<', p + 1)) {
        std::size_t e = out.find('>', p);
        require(e != std::string::npos);
        std::string tag = out.substr(p + 1, e - p - 1);
        if (!tag.empty() && tag[0] == '/') tag.erase(0, 1);
        std::size_t sp = tag.find(' ');
        require(tags.count(tag.substr(0, sp)) == 1);
        while (sp != std::string::npos) {
            std::size_t eq = tag.find("=\"", sp);
            require(eq != std::string::npos);
            std::string name = tag.substr(sp + 1, eq - sp - 1);
            require(attrs.count(name) == 1);
            std::size_t close = tag.find('"', eq + 2);
            require(close != std::string::npos);
            if (name == "href") require(tag.compare(eq + 2, 1, "#") == 0);
            sp = close + 1 < tag.size() ? close + 1 : std::string::npos;
            if (sp != std::string::npos) require(tag[sp] == ' ');
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string in(reinterpret_cast<const char*>(data), size);
    std::string esc = auth::html_escape(in);
    require(esc.find('<') == std::string::npos && esc.find('"') == std::string::npos);
    require_inert(auth::sanitize_html(in));
    if (size > (64u << 10)) return 0;
    try {
        auth::Message m = auth::Message::parse(in);
        static const auth::BrandSet brands;
        decltype(auth::ExplainReport::auth) a;
        auth::ExplainReport r = auth::explain(m, a, brands);
        std::string page = auth::explain_html_section(r, m, "fuzz.eml");
        require_inert(page);
    } catch (const auth::InputError&) {
        // Not a message: nothing to explain.
    }
    return 0;
}
