// The decoded message: MIME structure (RFC 2045-2049) read through GMime 3, text parts as UTF-8,
// HTML rendered to text with its links kept, RFC 2047 header words decoded, attachments listed.
#pragma once
#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/message.hpp"

namespace auth {

// Limits that keep a hostile sample cheap. Going over one is a note, never an error.
struct MimeLimits {
    std::size_t max_depth = 16;                  // nested multiparts and message/rfc822
    std::size_t max_parts = 256;                 // leaf parts looked at
    std::size_t max_decoded_bytes = 8u << 20;    // decoded text kept, over all parts
    bool keep_html_source = false;               // also keep each HTML part's HTML (MimeTextPart::html_source)
};

// A link of an HTML part: where it goes and what the reader sees.
struct MimeLink {
    std::string href;  // the href attribute, entities decoded, whitespace trimmed
    std::string text;  // the visible text of the anchor (tags removed, whitespace collapsed)
};

// One text/plain or text/html part, decoded (transfer encoding, charset to UTF-8).
struct MimeTextPart {
    std::string path;          // MIME part number, "1", "2.1" ... (RFC 3501 §6.4.5 style)
    std::string content_type;  // "text/plain", "text/html" (lower case)
    std::string charset;       // as declared, "" when none
    bool html = false;
    std::string text;          // UTF-8; for HTML the rendered text (tags removed, blocks on lines)
    std::vector<MimeLink> links;  // HTML anchors (and <area>, <form action>), in order
    std::string html_source;   // an HTML part's HTML (UTF-8), with MimeLimits::keep_html_source
};

// A part that is not read as text: listed, never opened.
struct MimeAttachment {
    std::string path;
    std::string filename;      // RFC 2231 / RFC 2047 decoded, "" when none
    std::string content_type;
    std::size_t size = 0;      // decoded bytes
};

// A header field with its value unfolded and RFC 2047 encoded words decoded to UTF-8.
struct DecodedHeader {
    std::string name;
    std::string value;
};

struct DecodedMessage {
    std::vector<DecodedHeader> headers;       // top-level header, in order
    std::vector<MimeTextPart> texts;
    std::vector<MimeAttachment> attachments;
    std::vector<std::string> notes;           // malformed MIME, limits reached: one sentence each
    std::size_t part_count = 0;

    // The first decoded value of a header (case-insensitive name), "" when absent.
    std::string header(std::string_view name) const;
    // All text parts as one string (plain parts first, then HTML renderings), for scanning.
    std::string all_text() const;
};

// Decodes a parsed message's MIME tree (RFC 2045 §6 transfer encodings, RFC 2046 multiparts,
// RFC 2047 headers, RFC 2231 parameters). Never throws on malformed MIME: it becomes a note.
DecodedMessage decode_mime(const Message& msg, const MimeLimits& limits = {});

// Renders HTML to plain text (blocks on their own lines, entities decoded, script/style
// dropped) and collects the anchors. Never throws; linear in the input.
std::string html_to_text(std::string_view html, std::vector<MimeLink>* links = nullptr);

// Decodes RFC 2047 encoded words in an unstructured header value to UTF-8 (GMime).
std::string decode_header_text(std::string_view value);

// Reads an RFC 5322 §3.3 date-time (with the §4.3 obsolete forms; GMime's lenient parser).
std::optional<std::time_t> parse_mail_date(std::string_view text);

}  // namespace auth
