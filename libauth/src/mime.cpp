// The decoded message (auth/mime.hpp): RFC 2045-2049 via the GMime adapter, HTML rendering here.
#include "auth/mime.hpp"

#include <cstdint>
#include <cstring>

#include "detail/gmime_mime.hpp"

namespace auth {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

struct Entity {
    const char* name;
    std::uint32_t cp;
};
const Entity kEntities[] = {
    {"amp", '&'},   {"lt", '<'},      {"gt", '>'},      {"quot", '"'},    {"apos", '\''},   {"nbsp", 0xA0},
    {"copy", 0xA9}, {"reg", 0xAE},    {"trade", 0x2122}, {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},
    {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"euro", 0x20AC}, {"pound", 0xA3},
    {"yen", 0xA5},  {"cent", 0xA2},   {"bull", 0x2022}, {"middot", 0xB7}, {"zwnj", 0x200C}, {"zwj", 0x200D},
    {"shy", 0xAD},  {"period", '.'},  {"commat", '@'},  {"colon", ':'},   {"sol", '/'},
};

// Decodes HTML character references (HTML5 §13.2.5.72, the common named ones and numeric).
std::string decode_entities(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out += s[i];
            continue;
        }
        std::size_t semi = s.find(';', i + 1);
        if (semi == std::string_view::npos || semi - i > 12) {
            out += '&';
            continue;
        }
        std::string_view ref = s.substr(i + 1, semi - i - 1);
        bool done = false;
        if (!ref.empty() && ref[0] == '#') {
            std::uint32_t cp = 0;
            bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
            std::size_t k = hex ? 2 : 1;
            bool ok = k < ref.size();
            for (; k < ref.size() && ok; ++k) {
                char c = ref[k];
                int d = (c >= '0' && c <= '9') ? c - '0'
                        : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
                        : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
                if (d < 0) ok = false;
                else if (cp < 0x110000) cp = cp * (hex ? 16 : 10) + std::uint32_t(d);
            }
            if (ok) {
                append_utf8(out, cp);
                done = true;
            }
        } else {
            for (const auto& e : kEntities)
                if (ref == e.name) {
                    append_utf8(out, e.cp);
                    done = true;
                    break;
                }
        }
        if (done)
            i = semi;
        else
            out += '&';
    }
    return out;
}

std::string lower_ascii(std::string_view s) {
    std::string r(s);
    for (auto& c : r) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
    return r;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Collapses runs of whitespace to one space (the HTML rendering of inline text).
std::string collapse(std::string_view s) {
    std::string r;
    bool sp = false;
    for (char c : s) {
        if (is_space(c)) {
            sp = true;
            continue;
        }
        if (sp && !r.empty()) r += ' ';
        sp = false;
        r += c;
    }
    return r;
}

// The value of attribute `name` in a tag's attribute text, entities decoded; "" when absent.
std::string attribute(std::string_view attrs, std::string_view name) {
    std::size_t i = 0;
    while (i < attrs.size()) {
        while (i < attrs.size() && (is_space(attrs[i]) || attrs[i] == '/')) ++i;
        std::size_t ns = i;
        while (i < attrs.size() && !is_space(attrs[i]) && attrs[i] != '=' && attrs[i] != '>' && attrs[i] != '/') ++i;
        std::string n = lower_ascii(attrs.substr(ns, i - ns));
        while (i < attrs.size() && is_space(attrs[i])) ++i;
        std::string v;
        if (i < attrs.size() && attrs[i] == '=') {
            ++i;
            while (i < attrs.size() && is_space(attrs[i])) ++i;
            if (i < attrs.size() && (attrs[i] == '"' || attrs[i] == '\'')) {
                char q = attrs[i++];
                std::size_t e = attrs.find(q, i);
                if (e == std::string_view::npos) e = attrs.size();
                v = std::string(attrs.substr(i, e - i));
                i = e + 1;
            } else {
                std::size_t vs = i;
                while (i < attrs.size() && !is_space(attrs[i]) && attrs[i] != '>') ++i;
                v = std::string(attrs.substr(vs, i - vs));
            }
        }
        if (n == name) return decode_entities(v);
        if (ns == i) ++i;
    }
    return {};
}

bool block_tag(const std::string& t) {
    static const char* kBlocks[] = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
                                    "ul", "ol", "blockquote", "hr", "section", "article", "header", "footer",
                                    "title", "pre", "dd", "dt", "center", "form", "td", "th"};
    for (const char* b : kBlocks)
        if (t == b) return true;
    return false;
}

std::string trim_html_space(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return std::string(s.substr(b, e - b));
}

}  // namespace

std::string html_to_text(std::string_view html, std::vector<MimeLink>* links) {
    std::string out;       // rendered text, lines
    std::string run;       // inline text since the last block boundary (raw, entities undecoded)
    bool in_anchor = false;
    std::string anchor_href, anchor_text;
    bool no_gt = false;
    auto flush = [&](bool newline) {
        std::string t = collapse(decode_entities(run));
        run.clear();
        if (!t.empty()) {
            if (!out.empty() && out.back() != '\n') out += ' ';
            out += t;
        }
        if (newline && !out.empty() && out.back() != '\n') out += '\n';
    };
    auto close_anchor = [&] {
        if (in_anchor && links) links->push_back({trim_html_space(anchor_href), collapse(decode_entities(anchor_text))});
        in_anchor = false;
        anchor_text.clear();
    };
    std::size_t i = 0;
    while (i < html.size()) {
        char c = html[i];
        if (c != '<') {
            run += c;
            if (in_anchor) anchor_text += c;
            ++i;
            continue;
        }
        if (html.compare(i, 4, "<!--") == 0) {
            std::size_t e = html.find("-->", i + 4);
            i = e == std::string_view::npos ? html.size() : e + 3;
            continue;
        }
        // Once a '<' has no '>' after it, none later has: the rest is text (keeps this linear).
        std::size_t e = no_gt ? std::string_view::npos : html.find('>', i + 1);
        if (e == std::string_view::npos) {
            no_gt = true;
            // A lone '<' is text.
            run += c;
            if (in_anchor) anchor_text += c;
            ++i;
            continue;
        }
        std::string_view tag = html.substr(i + 1, e - i - 1);
        i = e + 1;
        bool closing = !tag.empty() && tag[0] == '/';
        if (closing) tag.remove_prefix(1);
        std::size_t ne = 0;
        while (ne < tag.size() && !is_space(tag[ne]) && tag[ne] != '/') ++ne;
        std::string name = lower_ascii(tag.substr(0, ne));
        std::string_view attrs = tag.substr(ne);
        if (!closing && (name == "script" || name == "style" || name == "head" || name == "noscript")) {
            // Skip to the matching end tag; <head> keeps only <title> out of the text.
            std::string end = "</" + name;
            std::size_t k = i;
            while (true) {
                k = html.find('<', k);
                if (k == std::string_view::npos || lower_ascii(html.substr(k, end.size())) == end) break;
                ++k;
            }
            i = k == std::string_view::npos ? html.size() : k;
            continue;
        }
        if (name == "a") {
            if (closing) {
                close_anchor();
            } else {
                close_anchor();
                in_anchor = true;
                anchor_href = attribute(attrs, "href");
            }
            continue;
        }
        if (!closing && (name == "area" || name == "form") && links) {
            std::string target = attribute(attrs, name == "form" ? "action" : "href");
            if (!target.empty()) links->push_back({trim_html_space(target), attribute(attrs, "alt")});
        }
        if (!closing && name == "img" && in_anchor) {
            std::string alt = attribute(attrs, "alt");
            if (!alt.empty()) anchor_text += " " + alt + " ";
        }
        if (block_tag(name)) {
            flush(name != "td" && name != "th");
            if (name == "td" || name == "th") run += ' ';
            if (in_anchor) anchor_text += ' ';
        }
    }
    close_anchor();
    flush(true);
    return out;
}

std::string decode_header_text(std::string_view value) { return detail::gmime_decode_header_text(value); }

std::optional<std::time_t> parse_mail_date(std::string_view text) {
    long long e = 0;
    if (text.empty() || text.size() > 200 || !detail::gmime_parse_date(text, &e)) return std::nullopt;
    return static_cast<std::time_t>(e);
}

DecodedMessage decode_mime(const Message& msg, const MimeLimits& limits) {
    DecodedMessage d;
    for (const auto& h : msg.headers()) d.headers.push_back({h.name, decode_header_text(h.value)});
    detail::gmime_decode(msg.bytes(), limits, d);
    if (d.texts.empty() && d.attachments.empty() && d.part_count == 0) {
        // GMime could not read a structure: read the body as plain text so nothing is missed.
        std::string_view body = msg.body();
        if (body.size() > limits.max_decoded_bytes) body = body.substr(0, limits.max_decoded_bytes);
        MimeTextPart t;
        t.path = "1";
        t.content_type = "text/plain";
        t.text = detail::gmime_to_utf8(body, "");
        d.notes.push_back("MIME: no part could be read; the raw body is scanned as plain text");
        d.texts.push_back(std::move(t));
    }
    return d;
}

std::string DecodedMessage::header(std::string_view name) const {
    for (const auto& h : headers)
        if (iequals(h.name, name)) return h.value;
    return {};
}

std::string DecodedMessage::all_text() const {
    std::string r;
    for (int pass = 0; pass < 2; ++pass)
        for (const auto& t : texts)
            if (t.html == (pass == 1)) {
                r += t.text;
                if (!r.empty() && r.back() != '\n') r += '\n';
            }
    return r;
}

}  // namespace auth
