#include "auth/html.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "auth/indicators.hpp"
#include "auth/mime.hpp"
#include "detail/html_libxml2.hpp"

namespace auth {

namespace {

// The page's only styles: system fonts, no url(), no @import, nothing fetched.
const char kStyle[] = R"CSS(
:root{--ink:#1b1f24;--muted:#59636e;--line:#d0d7de;--soft:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--none:#6e7781;--info:#0969da}
*{box-sizing:border-box}
body{margin:0;background:#eef1f4;color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px}
.sample{background:#fff;border:1px solid var(--line);border-radius:8px;margin:0 0 28px;overflow:hidden}
.sample>section{padding:16px 24px;border-top:1px solid var(--line)}
h2{font-size:13px;letter-spacing:.06em;text-transform:uppercase;color:var(--muted);margin:0 0 10px}
h3{font-size:15px;margin:0 0 4px}
h3.sub{margin-top:14px}
code,.mono,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:13px}
.verdict{padding:18px 24px;border-left:8px solid var(--none)}
.verdict .word{font-size:26px;font-weight:700;line-height:1.2}
.verdict .reason{font-size:16px;margin:4px 0 8px}
.verdict .meta{color:var(--muted);font-size:13px}
.v-authentic{border-color:var(--pass);background:#f0faf3}.v-authentic .word{color:var(--pass)}
.v-authentic-but-abusive{border-color:var(--fail);background:#fff5f5}.v-authentic-but-abusive .word{color:var(--fail)}
.v-spoofed{border-color:var(--fail);background:#fff5f5}.v-spoofed .word{color:var(--fail)}
.v-unauthenticated{border-color:var(--none);background:var(--soft)}.v-unauthenticated .word{color:#424a53}
.v-inconclusive{border-color:var(--warn);background:#fff8e6}.v-inconclusive .word{color:var(--warn)}
.v-error{border-color:var(--fail);background:#fff5f5}.v-error .word{color:var(--fail)}
.counts span{display:inline-block;margin-right:8px}
.chain{display:flex;flex-wrap:wrap;align-items:flex-start;gap:0}
.box{border:1px solid var(--line);border-top:4px solid var(--none);border-radius:6px;padding:8px 12px;min-width:160px;max-width:270px;background:#fff}
.box .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.box .r{font-weight:700}
.box .d{font-size:13px;overflow-wrap:anywhere}
.box.v-authentic-but-abusive,.box.v-spoofed{border-top-color:var(--fail)}.box.v-authentic{border-top-color:var(--pass)}.box.v-inconclusive{border-top-color:var(--warn)}
.arrow{align-self:center;color:var(--muted);font-size:22px;padding:0 8px}
.stack{display:flex;flex-direction:column;gap:8px}
.r-pass{border-top-color:var(--pass)}.r-pass .r{color:var(--pass)}
.r-fail,.r-permerror{border-top-color:var(--fail)}.r-fail .r,.r-permerror .r{color:var(--fail)}
.r-softfail,.r-temperror,.r-neutral,.r-policy{border-top-color:var(--warn)}.r-softfail .r,.r-temperror .r,.r-neutral .r,.r-policy .r{color:var(--warn)}
.al{display:inline-block;font-size:12px;border-radius:10px;padding:0 8px;margin-top:4px}
.al-yes{background:#dafbe1;color:#116329}.al-no{background:#ffebe9;color:#a40e26}
.source{color:var(--muted);font-size:13px;margin-top:8px}
.finding{border:1px solid var(--line);border-left:5px solid var(--none);border-radius:6px;padding:10px 14px;margin:0 0 10px;break-inside:avoid}
.finding:target{outline:3px solid #fbca04}
.sev{display:inline-block;font-size:12px;font-weight:700;text-transform:uppercase;border-radius:4px;padding:0 6px;margin-right:6px;color:#fff;background:var(--none)}
.s-high{border-left-color:var(--fail)}.s-high .sev{background:var(--fail)}
.s-medium{border-left-color:#bc4c00}.s-medium .sev{background:#bc4c00}
.s-low{border-left-color:var(--warn)}.s-low .sev{background:var(--warn)}
.s-info{border-left-color:var(--info)}.s-info .sev{background:var(--info)}
.fid{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;color:var(--muted)}
.evidence{margin:6px 0 0;padding-left:18px;font-size:13px}
.evidence li{word-break:break-word}
.mail{border:1px solid var(--line);border-radius:6px;background:#fff}
.mail .hdr{background:var(--soft);border-bottom:1px solid var(--line);padding:10px 14px}
.mail .hdr table{border-collapse:collapse}
.mail .hdr td{padding:1px 10px 1px 0;vertical-align:top;font-size:14px}
.mail .hdr td:first-child{color:var(--muted);white-space:nowrap}
.part{padding:12px 14px;border-top:1px dashed var(--line)}
.part:first-of-type{border-top:0}
.part .ptitle{font-size:12px;color:var(--muted);margin-bottom:6px}
.part pre{white-space:pre-wrap;word-break:break-word;margin:0}
.mail-html{overflow-wrap:anywhere}
.mail-html h1{font-size:20px}.mail-html h2{font-size:17px;text-transform:none;letter-spacing:0;color:inherit}.mail-html h3,.mail-html h4{font-size:15px}
.mail-html table{border-collapse:collapse;max-width:100%}
.mail-html td,.mail-html th{padding:2px 4px;vertical-align:top}
.lnk{color:#0550ae;text-decoration:underline dotted}
.href,.img,.ctl{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#6639ba;background:#fbefff;border-radius:3px;padding:0 3px;word-break:break-all}
.img,.ctl{color:var(--muted);background:var(--soft)}
mark{background:#fff1a8;border-bottom:2px solid #d4a72c;padding:0 1px;color:inherit}
mark.field{background:#ddf4ff;border-bottom-color:#54aeff}
mark.quiet{background:none;border-bottom:1px dotted #8c959f}
mark.quiet sup{color:var(--muted)}
mark a,.ref{color:inherit;text-decoration:none}
mark sup{font-size:10px;font-weight:700;color:#9a6700;margin-left:1px}
mark.field sup{color:#0969da}
.legend{font-size:13px;color:var(--muted);margin:0 0 8px}
table.ind{border-collapse:collapse;width:100%;font-size:13px}
table.ind th,table.ind td{text-align:left;border-bottom:1px solid var(--line);padding:4px 8px 4px 0;vertical-align:top}
table.ind td.v{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
ol.next li,ul.plain li{margin:0 0 4px}
.cmd{display:block;background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:6px 10px;margin:4px 0}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 24px 24px}
@media print{body{background:#fff;font-size:12px}main{padding:0;max-width:none}.sample{border:0;break-after:page}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}.finding,.box,.part{break-inside:avoid}}
)CSS";

// Elements kept, as themselves; everything else is unwrapped (its content kept) or dropped.
const std::set<std::string> kKeep = {
    "p", "div", "span", "br", "hr", "b", "strong", "i", "em", "u", "s", "small", "sub", "sup", "code", "pre",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead",
    "tbody", "tfoot", "tr", "td", "th", "caption", "abbr", "cite", "q", "address", "tt", "strike", "del", "ins"};
// Block containers shown as a plain div.
const std::set<std::string> kAsDiv = {"center", "section", "article", "header", "footer", "main", "nav", "aside",
                                      "figure", "figcaption", "form", "fieldset", "noscript", "body", "html", "details",
                                      "summary"};
// Dropped with everything inside them: scripts, styles, metadata, documents of their own.
const std::set<std::string> kDrop = {"script", "style", "head", "title", "iframe", "template", "svg", "math",
                                     "xmp", "plaintext", "noembed", "noframes"};
// Dropped, their content kept: embedded objects and media (their fallback is what a mail reader
// shows; and an element the parser does not know as empty, such as <embed>, swallows what follows).
const std::set<std::string> kUnwrap = {"meta", "link", "base", "frame", "frameset", "object", "embed", "applet",
                                       "param", "audio", "video", "source", "track", "canvas", "map", "xml", "portal",
                                       "slot"};
const std::set<std::string> kVoid = {"br", "hr"};

std::string attribute(const detail::HtmlNode& n, const char* name) {
    for (const auto& [k, v] : n.attributes)
        if (k == name) return v;
    return {};
}

std::string clip(std::string s, std::size_t n) {
    if (s.size() <= n) return s;
    std::size_t cut = n;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
    return s.substr(0, cut) + "…";
}

std::string trim_ws(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

struct Emitter {
    const SanitizeHooks& hooks;
    std::string out;

    std::string text(std::string_view t) { return hooks.text ? hooks.text(t) : html_escape(t); }
    std::string link(std::string_view href) {
        if (hooks.link) return hooks.link(href);
        return "<span class=\"href\">[" + html_escape(defang_target(href)) + "]</span>";
    }

    void children(const std::vector<detail::HtmlNode>& v) {
        for (const auto& c : v) node(c);
    }

    void node(const detail::HtmlNode& n) {
        if (n.is_text) {
            out += text(n.text);
            return;
        }
        const std::string& name = n.name;
        if (kDrop.count(name)) return;
        if (name == "a" || name == "area") {
            std::string href = trim_ws(attribute(n, "href"));
            out += "<span class=\"lnk\">";
            children(n.children);
            out += "</span>";
            if (!href.empty() && href[0] != '#') out += " " + link(href);
            return;
        }
        if (name == "img" || name == "image" || name == "picture") {
            std::string alt = trim_ws(attribute(n, "alt")), src = trim_ws(attribute(n, "src"));
            std::string s = "[image";
            if (!alt.empty()) s += " \"" + clip(alt, 120) + "\"";
            if (src.rfind("data:", 0) == 0) s += ", embedded data";
            else if (src.rfind("cid:", 0) == 0) s += ", attached " + clip(src.substr(4), 80);
            else if (!src.empty()) s += " from " + defang_target(src, 200);
            s += ", not loaded]";
            out += "<span class=\"img\">" + html_escape(s) + "</span>";
            return;
        }
        if (name == "input" || name == "button" || name == "select" || name == "textarea") {
            std::string what = attribute(n, "type");
            std::string label = trim_ws(attribute(n, "value"));
            if (label.empty()) label = trim_ws(attribute(n, "placeholder"));
            std::string s = "[" + (name == "input" ? (what.empty() ? std::string("text") : clip(what, 20)) + " field" : name);
            if (!label.empty()) s += " \"" + clip(label, 80) + "\"";
            out += "<span class=\"ctl\">" + html_escape(s + "]") + "</span>";
            if (name != "input") children(n.children);
            return;
        }
        if (name == "form") {
            std::string action = trim_ws(attribute(n, "action"));
            out += "<div>";
            if (!action.empty())
                out += "<span class=\"ctl\">" + html_escape("[form sending to " + defang_target(action, 200) + "]") + "</span>";
            children(n.children);
            out += "</div>";
            return;
        }
        std::string tag = kKeep.count(name) ? name : kAsDiv.count(name) ? "div" : name == "font" ? "span" : "";
        if (tag.empty() || kUnwrap.count(name)) {  // an unknown or embedding element: its content only
            children(n.children);
            return;
        }
        out += "<" + tag;
        if (tag == "td" || tag == "th") {
            for (const char* a : {"colspan", "rowspan"}) {
                std::string v = trim_ws(attribute(n, a));
                if (!v.empty() && v.size() <= 3 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
                    out += std::string(" ") + a + "=\"" + v + "\"";
            }
        }
        out += ">";
        if (kVoid.count(tag)) return;
        children(n.children);
        out += "</" + tag + ">";
    }
};

}  // namespace

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default:
                if (c >= 0x20 || c == '\t' || c == '\n') out.push_back(static_cast<char>(c));
                else if (c == '\r') {}
                else out += "\xEF\xBF\xBD";
            }
            ++i;
            continue;
        }
        // A well-formed UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF), or U+FFFD.
        std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
        bool ok = len && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (ok && len == 3) {
            unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
            ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
        }
        if (ok && len == 4) {
            unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
            ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
        }
        if (!ok) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        out.append(s.substr(i, len));
        i += len;
    }
    return out;
}

std::string defang_target(std::string_view href, std::size_t max) {
    std::string h = trim_ws(href);
    std::size_t colon = h.find(':');
    bool web = colon != std::string::npos && colon <= 5 && (h.compare(0, colon, "http") == 0 || h.compare(0, colon, "https") == 0 ||
                                                            h.compare(0, colon, "HTTP") == 0 || h.compare(0, colon, "HTTPS") == 0);
    std::string out;
    if (web || colon == std::string::npos) out = defang(h);
    else out = h.substr(0, colon) + "[:]" + defang(h.substr(colon + 1));
    return clip(std::move(out), max);
}

std::string html_page_begin(std::string_view title) {
    std::string o = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    // Defence in depth: even markup that slipped through could fetch nothing and run nothing.
    o += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n";
    o += "<meta name=\"referrer\" content=\"no-referrer\">\n";
    o += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    o += "<title>" + html_escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n";
    return o;
}

std::string html_page_end() {
    return "</main>\n<footer>Made by authscope " AUTHSCOPE_VERSION
           ". An inert page: no script, nothing loaded from the network; links from the message are defanged and "
           "not clickable.</footer>\n</body>\n</html>\n";
}

std::string html_error_section(std::string_view file, std::string_view error) {
    return "<article class=\"sample\"><div class=\"verdict v-error\"><div class=\"word\">error</div><div class=\"reason\">" +
           html_escape(error) + "</div><div class=\"meta\">" + html_escape(file) + "</div></div></article>\n";
}

std::string sanitize_html(std::string_view html, const SanitizeHooks& hooks) {
    try {
        Emitter e{hooks, {}};
        bool complete = true;
        auto tree = detail::parse_html(html, {}, &complete);
        if (!complete) {
            // Nothing may go unseen: HTML the parser could not read whole is shown as its text.
            return "<p><span class=\"ctl\">[HTML nested too deep or too large to re-render: shown as its text]</span></p><pre>" +
                   e.text(html_to_text(html)) + "</pre>";
        }
        e.children(tree);
        return e.out;
    } catch (const std::exception&) {
        return "<pre>" + html_escape(html) + "</pre>";  // could not be parsed: shown as escaped source
    }
}

}  // namespace auth
