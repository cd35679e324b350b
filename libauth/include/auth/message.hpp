// The one message reader: a sample's exact bytes, its header fields (raw for DKIM, unfolded
// for reading) and its body. RFC 5322 §2.1-2.2 (lines, header fields, folding).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace auth {

struct HeaderField {
    std::string name;   // as written, case kept
    std::string raw;    // exact bytes of the whole field (name, colon, folded value), no final line break
    std::string value;  // after the colon, unfolded (line breaks removed), leading/trailing WSP trimmed
    std::size_t line = 0;  // 1-based line number where the field starts
};

// Limits that protect against hostile samples (a message over them is an InputError).
struct MessageLimits {
    std::size_t max_message_bytes = 64u << 20;   // 64 MiB
    std::size_t max_header_field_bytes = 1u << 20; // 1 MiB for one (folded) header field
    std::size_t max_header_fields = 10000;
};

class Message {
public:
    // Parses exact bytes (LF or CRLF line ends, never altered). Throws InputError for: an empty
    // sample, a NUL byte in the header, a header line that is not a field, a field name that is
    // not printable ASCII, or a limit exceeded. Header fields without the blank line are a message
    // with an empty body (RFC 5322 §3.5), with a warning.
    // A leading mbox "From " envelope line is removed and kept in envelope_from().
    // Pass the bytes with std::move: the message keeps them and copies nothing.
    static Message parse(std::string bytes, const MessageLimits& limits = {});

    // The message as verified (no From_ line).
    std::string_view bytes() const { return std::string_view(bytes_).substr(start_); }
    // The sample exactly as given, a leading From_ line included (for evidence copies).
    const std::string& original() const { return bytes_; }
    const std::vector<HeaderField>& headers() const { return headers_; }
    std::string_view header_bytes() const;                     // header section incl. the blank line (if any)
    std::string_view body() const;                             // exact bytes after the blank line
    bool crlf() const { return crlf_; }                        // true when the header uses CRLF line ends
    const std::string& envelope_from() const { return envelope_from_; }
    // Non-fatal oddities (invalid UTF-8 in a field, NUL in the body, bare CR ...), one sentence each.
    const std::vector<std::string>& warnings() const { return warnings_; }

    // Hands the sample's buffer back (the message is left empty), for the caller to reuse.
    std::string take_bytes() {
        headers_.clear();
        body_offset_ = start_ = 0;
        return std::move(bytes_);
    }

    // Fields with this name (case-insensitive), in order of appearance (top first).
    std::vector<const HeaderField*> all(std::string_view name) const;
    const HeaderField* first(std::string_view name) const;

private:
    std::string bytes_;
    std::size_t start_ = 0;  // after a leading From_ line
    std::vector<HeaderField> headers_;
    std::size_t body_offset_ = 0;
    bool crlf_ = false;
    std::string envelope_from_;
    std::vector<std::string> warnings_;
};

// The latest time authscope reads or shows: 9999-12-31 23:59:59 UTC (seconds since 1970), where
// four-digit years (RFC 5322 §3.3, ISO 8601) end.
constexpr long long kLatestTime = 253402300799LL;

// ASCII case-insensitive comparison, for header names and domains.
bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
// True when `domain` equals `parent` or is a subdomain of it (ASCII case-insensitive, trailing
// dots ignored, A-labels); an empty parent holds only the empty name.
bool domain_within(std::string_view domain, std::string_view parent);
// s without leading and trailing space, tab, CR and LF.
std::string trim(std::string_view s);
// True when s is valid UTF-8 (RFC 3629).
bool valid_utf8(std::string_view s);

}  // namespace auth
