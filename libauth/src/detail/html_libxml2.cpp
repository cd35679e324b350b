#include "detail/html_libxml2.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <cctype>
#include <memory>
#include <mutex>

namespace auth::detail {

namespace {

struct Walk {
    const HtmlLimits& limits;
    std::size_t nodes = 0;
};

std::string lower(const xmlChar* s) {
    std::string out = s ? reinterpret_cast<const char*>(s) : "";
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Appends the nodes of `n`'s children to `out`; past max_depth, elements are unwrapped.
void convert_children(xmlNode* first, std::vector<HtmlNode>& out, Walk& w, std::size_t depth) {
    for (xmlNode* n = first; n; n = n->next) {
        if (w.nodes >= w.limits.max_nodes) return;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (!n->content) continue;
            ++w.nodes;
            if (!out.empty() && out.back().is_text) {
                out.back().text += reinterpret_cast<const char*>(n->content);
            } else {
                HtmlNode t;
                t.is_text = true;
                t.text = reinterpret_cast<const char*>(n->content);
                out.push_back(std::move(t));
            }
        } else if (n->type == XML_ELEMENT_NODE) {
            if (depth >= w.limits.max_depth) {
                convert_children(n->children, out, w, depth);
                continue;
            }
            ++w.nodes;
            HtmlNode e;
            e.name = lower(n->name);
            for (xmlAttr* a = n->properties; a; a = a->next) {
                std::unique_ptr<xmlChar, void (*)(void*)> v(xmlNodeGetContent(reinterpret_cast<xmlNode*>(a)), xmlFree);
                e.attributes.emplace_back(lower(a->name), v ? reinterpret_cast<const char*>(v.get()) : "");
            }
            convert_children(n->children, e.children, w, depth + 1);
            out.push_back(std::move(e));
        }
        // Comments, processing instructions, entity references, DTD nodes: not kept.
    }
}

xmlNode* find_body(xmlNode* n) {
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (lower(n->name) == "body") return n;
        if (xmlNode* b = find_body(n->children)) return b;
    }
    return nullptr;
}

}  // namespace

std::vector<HtmlNode> parse_html(std::string_view html, const HtmlLimits& limits, bool* complete) {
    if (complete) *complete = html.size() <= limits.max_bytes;
    static std::once_flag once;
    std::call_once(once, [] { xmlInitParser(); });
    std::vector<HtmlNode> out;
    if (html.size() > limits.max_bytes) html = html.substr(0, limits.max_bytes);
    if (html.empty()) return out;
    // Recovery mode reads any markup; no network; errors and warnings are not printed.
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING;
    std::unique_ptr<htmlParserCtxt, void (*)(htmlParserCtxtPtr)> ctxt(htmlNewParserCtxt(), htmlFreeParserCtxt);
    if (!ctxt) {
        if (complete) *complete = false;
        return out;
    }
    htmlDocPtr doc = htmlCtxtReadMemory(ctxt.get(), html.data(), static_cast<int>(html.size()), nullptr, "UTF-8", opts);
    // The parser stops at nesting deeper than its limit (XML_ERR_INTERNAL_ERROR, "Excessive depth").
    if (complete && (ctxt->lastError.code == XML_ERR_INTERNAL_ERROR || ctxt->disableSAX)) *complete = false;
    if (!doc) {
        if (complete) *complete = false;
        return out;
    }
    std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> guard(doc, xmlFreeDoc);
    xmlNode* root = xmlDocGetRootElement(doc);
    if (!root) return out;
    Walk w{limits};
    if (xmlNode* body = find_body(root)) convert_children(body->children, out, w, 0);
    else convert_children(root, out, w, 0);
    if (complete && w.nodes >= limits.max_nodes) *complete = false;
    return out;
}

}  // namespace auth::detail
