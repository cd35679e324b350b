// `--format html`: one self-contained, inert page (README "Tools", explain --format html).
// Everything taken from a message is escaped; the page has no script, no remote reference and no
// clickable link out of it; a Content-Security-Policy meta forbids every fetch as defence in depth.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace auth {

// Text for an element's content or a double-quoted attribute: & < > " ' escaped; invalid
// UTF-8 replaced with U+FFFD; control characters other than tab and newline dropped.
std::string html_escape(std::string_view text);

// A link target made safe to show and paste: http(s) defanged (hxxps://host[.]example/...),
// any other scheme's colon bracketed (javascript[:]..., data[:]...); clipped to `max` bytes.
std::string defang_target(std::string_view href, std::size_t max = 300);

// The document around one or more sections: doctype, the CSP meta, the stylesheet, the title.
std::string html_page_begin(std::string_view title);
std::string html_page_end();

// The section of a page for a sample that could not be read: its name and the error sentence.
std::string html_error_section(std::string_view file, std::string_view error);

// How a message's HTML is shown (sanitize_html).
struct SanitizeHooks {
    // Renders a text node (UTF-8, not escaped): returns HTML. Default: html_escape.
    std::function<std::string(std::string_view text)> text;
    // Renders a link's target beside its text: href as written (not escaped); returns HTML.
    // Default: the defanged target in brackets.
    std::function<std::string(std::string_view href)> link;
};

// A message's HTML re-emitted as inert markup: the parser's tree (libxml2, recovery mode) walked
// and written anew with a whitelist of presentational elements and no attribute but a table
// cell's colspan/rowspan. Script, style, embedded objects, frames, forms' controls, comments and
// every event handler, style and class are dropped; a link becomes its text and its defanged
// target (never an <a href>); an image becomes a placeholder naming its defanged source.
// Never throws for any input.
std::string sanitize_html(std::string_view html, const SanitizeHooks& hooks = {});

}  // namespace auth
