// Safe XML reading with libxml2 for the report readers: no DTD, no entities, no network.
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace auth::detail {

// One element: local name (namespace prefix dropped), its own text (text and CDATA children,
// trimmed), attributes and child elements in document order.
struct XmlNode {
    std::string name;
    std::string text;
    std::vector<std::pair<std::string, std::string>> attributes;
    std::vector<XmlNode> children;

    const XmlNode* child(const std::string& local_name) const;
    std::vector<const XmlNode*> all(const std::string& local_name) const;
    const std::string* attribute(const std::string& n) const;
};

struct XmlLimits {
    std::size_t max_bytes = 64u << 20;   // 64 MiB of XML
    std::size_t max_elements = 2000000;
    std::size_t max_depth = 64;
};

struct XmlDocument {
    XmlNode root;
    std::vector<std::string> warnings;  // e.g. invalid UTF-8 replaced
    std::string recovered_from;         // non-empty: not well-formed, read in recovery mode (the error)
};

// Parses a whole XML document (XML 1.0). A document with a DOCTYPE is refused (XXE and
// entity expansion); invalid UTF-8 in a UTF-8 document is replaced with U+FFFD and noted.
// A document that is not well-formed is read in libxml2's recovery mode when that yields a
// root element (recovered_from says why); otherwise InputError with the line of the first error.
XmlDocument parse_xml(const std::string& bytes, const XmlLimits& limits = {});

}  // namespace auth::detail
