// Lenient HTML reading with libxml2's HTML parser (recovery mode, no network, no entities
// loaded): a message's HTML as a plain tree, for the inert re-rendering of auth/html.hpp.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auth::detail {

// One node: an element (lower-case name, attributes as given, children in order) or a text.
struct HtmlNode {
    bool is_text = false;
    std::string name;   // element
    std::string text;   // text node, UTF-8
    std::vector<std::pair<std::string, std::string>> attributes;
    std::vector<HtmlNode> children;
};

struct HtmlLimits {
    std::size_t max_bytes = 4u << 20;   // HTML read; the rest is dropped
    std::size_t max_nodes = 200000;     // nodes kept; the rest is dropped
    std::size_t max_depth = 48;         // deeper elements are unwrapped (their text is kept)
};

// The nodes of the document's body (of the whole document when it has none), whatever the
// markup: broken HTML is repaired by the parser's rules. Comments, processing instructions and
// the document type are not kept. Never throws for any input.
// `complete` (when given) is false when the parser gave up part way (nesting deeper than
// libxml2's limit) or a limit was reached: the tree then lacks what came after.
std::vector<HtmlNode> parse_html(std::string_view html, const HtmlLimits& limits = {}, bool* complete = nullptr);

}  // namespace auth::detail
