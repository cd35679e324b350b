// MIME walk with GMime for the report readers: the leaf parts of a message, decoded.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace auth::detail {

struct MimePart {
    std::string content_type;   // "type/subtype", lower case
    std::vector<std::pair<std::string, std::string>> params;  // content-type parameters, names lower case
    std::string filename;       // Content-Disposition filename or Content-Type name
    std::string bytes;          // decoded content; for message/* parts the embedded message as written
    std::string header_bytes;   // the part's own MIME header fields as written (for diagnostics)
    int depth = 0;              // 0 for the top-level entity
    int child_index = -1;       // for a direct child of the top-level multipart: its 0-based index
};

struct MimeLimits {
    std::size_t max_parts = 1000;
    std::size_t max_part_bytes = 64u << 20;
};

// Every entity of the message in document order (multiparts included, with empty bytes);
// message/rfc822 parts are not descended into. RFC 2045, RFC 2046 §5.
// Throws InputError when GMime cannot parse the message.
std::vector<MimePart> mime_parts(const std::string& message, const MimeLimits& limits = {});

// A date-time as RFC 5322 §3.3 writes it (obsolete zones and forms too), as seconds since
// the epoch; nullopt when it is not a date.
std::optional<long long> parse_mail_date(const std::string& text);

// RFC 2046 §5.1.1: the exact body bytes of the index-th part of a top-level multipart with
// this boundary (the part's own header removed; the CRLF before the delimiter is not part of
// it). nullopt when the split does not find that part. GMime re-serialises what it parsed; this
// keeps a returned message byte for byte.
std::optional<std::string> multipart_child_body(const std::string& message, const std::string& boundary, int index,
                                                std::string* part_header = nullptr);

// The value of a content-type parameter (lower-case name), or "".
std::string mime_param(const MimePart& p, const std::string& name);

}  // namespace auth::detail
