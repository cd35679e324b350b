// libxml2 adapter: the report readers see only XmlNode, never an xmlDoc.
#include "detail/xml_libxml2.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "auth/error.hpp"
#include "auth/message.hpp"

namespace auth::detail {

const XmlNode* XmlNode::child(const std::string& n) const {
    for (const auto& c : children)
        if (c.name == n) return &c;
    return nullptr;
}

std::vector<const XmlNode*> XmlNode::all(const std::string& n) const {
    std::vector<const XmlNode*> out;
    for (const auto& c : children)
        if (c.name == n) out.push_back(&c);
    return out;
}

const std::string* XmlNode::attribute(const std::string& n) const {
    for (const auto& a : attributes)
        if (a.first == n) return &a.second;
    return nullptr;
}

namespace {

// Replaces each invalid UTF-8 sequence with U+FFFD (RFC 3629 §4 byte patterns).
std::string repair_utf8(const std::string& in) {
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0, n = in.size();
    while (i < n) {
        unsigned char c = in[i];
        std::size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                          : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        bool ok = len > 0 && i + len <= n;
        for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
        if (ok && len > 1 && !valid_utf8(std::string_view(in).substr(i, len))) ok = false;
        if (ok) {
            out.append(in, i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

// True when the XML declaration names an encoding other than UTF-8 (libxml2 converts those).
bool declares_other_encoding(const std::string& bytes) {
    auto end = bytes.find("?>");
    if (bytes.compare(0, 5, "<?xml") != 0 || end == std::string::npos) return false;
    std::string decl = to_lower(bytes.substr(0, end));
    auto p = decl.find("encoding");
    if (p == std::string::npos) return false;
    return decl.find("utf-8", p) == std::string::npos && decl.find("utf8", p) == std::string::npos;
}

struct Converter {
    const XmlLimits& limits;
    std::size_t elements = 0;

    void convert(xmlNode* n, XmlNode& out, std::size_t depth) {
        if (++elements > limits.max_elements) throw InputError("the XML document has too many elements");
        if (depth > limits.max_depth) throw InputError("the XML document is nested too deeply");
        out.name = reinterpret_cast<const char*>(n->name);
        for (xmlAttr* a = n->properties; a; a = a->next) {
            xmlChar* v = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
            out.attributes.emplace_back(reinterpret_cast<const char*>(a->name), v ? reinterpret_cast<char*>(v) : "");
            xmlFree(v);
        }
        std::string text;
        for (xmlNode* c = n->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                out.children.emplace_back();
                convert(c, out.children.back(), depth + 1);
            } else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
                text += reinterpret_cast<const char*>(c->content);
            } else if (c->type == XML_ENTITY_REF_NODE) {
                throw InputError("the XML document uses an entity reference, which is refused");
            }
        }
        out.text = trim(std::move(text));
    }
};

}  // namespace

XmlDocument parse_xml(const std::string& input, const XmlLimits& limits) {
    static std::once_flag once;
    std::call_once(once, [] { xmlInitParser(); });
    if (input.size() > limits.max_bytes)
        throw InputError("the XML document is larger than " + std::to_string(limits.max_bytes >> 20) + " MiB");
    XmlDocument doc;
    std::string bytes = input;
    // A UTF-8 BOM is fine; libxml2 handles it. Blank input gets its own message.
    if (bytes.find_first_not_of(" \t\r\n") == std::string::npos) throw InputError("the XML document is empty");
    // DTDs carry both XXE and entity-expansion bombs; DMARC reports never need one.
    if (to_lower(bytes.substr(0, std::min<std::size_t>(bytes.size(), 4096))).find("<!doctype") != std::string::npos ||
        bytes.find("<!ENTITY") != std::string::npos || bytes.find("<!DOCTYPE") != std::string::npos)
        throw InputError("the XML document has a DOCTYPE declaration (DTDs and entities are refused)");
    if (!valid_utf8(bytes) && !declares_other_encoding(bytes)) {
        bytes = repair_utf8(bytes);
        doc.warnings.push_back("The XML is declared UTF-8 but has invalid UTF-8 bytes; they were replaced with U+FFFD.");
    }
    std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
    if (!ctxt) throw InputError("out of memory for the XML parser");
    // No XML_PARSE_NOENT (no entity substitution), no DTDLOAD/DTDATTR, no network, no huge.
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    xmlDocPtr raw = xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), "report.xml", nullptr, opts);
    std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> d(raw, xmlFreeDoc);
    if (!d || !ctxt->wellFormed) {
        const xmlError* e = xmlCtxtGetLastError(ctxt.get());
        std::string where;
        if (e && e->message) where = " (line " + std::to_string(e->line) + ": " + trim(e->message) + ")";
        std::string msg = "the XML is not well-formed" + where;
        // Real reporters send broken XML (unclosed wrappers, stray '<'): libxml2's recovery
        // mode still reads what it can; the caller is told, and so is the user.
        d.reset();
        std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> rctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
        if (rctxt)
            d.reset(xmlCtxtReadMemory(rctxt.get(), bytes.data(), static_cast<int>(bytes.size()), "report.xml", nullptr,
                                      opts | XML_PARSE_RECOVER));
        if (!d || !xmlDocGetRootElement(d.get())) throw InputError(msg);
        doc.recovered_from = msg;
        doc.warnings.push_back("The XML is not well-formed" + where + "; it was read in recovery mode, so check the values.");
    }
    if (d->intSubset || d->extSubset) throw InputError("the XML document has a DTD (refused)");
    xmlNode* root = xmlDocGetRootElement(d.get());
    if (!root) throw InputError("the XML document has no root element");
    Converter conv{limits};
    conv.convert(root, doc.root, 0);
    return doc;
}

}  // namespace auth::detail
