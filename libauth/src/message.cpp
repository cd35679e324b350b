#include "auth/message.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "auth/error.hpp"

namespace auth {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
        if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
        if (x != y) return false;
    }
    return true;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

bool domain_within(std::string_view domain, std::string_view parent) {
    std::string d = to_lower(domain), p = to_lower(parent);
    while (!d.empty() && d.back() == '.') d.pop_back();
    while (!p.empty() && p.back() == '.') p.pop_back();
    if (d == p) return true;
    return d.size() > p.size() && d.compare(d.size() - p.size(), p.size(), p) == 0 && d[d.size() - p.size() - 1] == '.';
}

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (b < e && ws(s[b])) ++b;
    while (e > b && ws(s[e - 1])) --e;
    return std::string(s.substr(b, e - b));
}

// RFC 3629 §4: well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s) {
    std::size_t i = 0, n = s.size();
    while (i < n) {
        if (n - i >= 8) {  // eight ASCII bytes at a time
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) { ++i; continue; }
        std::size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c == 0xE0) { len = 3; lo = 0xA0; }
        else if (c >= 0xE1 && c <= 0xEC) len = 3;
        else if (c == 0xED) { len = 3; hi = 0x9F; }
        else if (c >= 0xEE && c <= 0xEF) len = 3;
        else if (c == 0xF0) { len = 4; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) len = 4;
        else if (c == 0xF4) { len = 4; hi = 0x8F; }
        else return false;
        if (i + len > n) return false;
        unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
        if (c1 < lo || c1 > hi) return false;
        for (std::size_t k = 2; k < len; ++k) {
            unsigned char ck = static_cast<unsigned char>(s[i + k]);
            if (ck < 0x80 || ck > 0xBF) return false;
        }
        i += len;
    }
    return true;
}

namespace {

// The end of the line starting at pos (index of '\n', or npos) and the length of its content
// without CR LF / LF.
struct Line {
    std::size_t begin, content_end, next;  // next: start of the following line
};

Line line_at(const std::string& s, std::size_t pos) {
    std::size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) return {pos, s.size(), s.size()};
    std::size_t end = nl;
    if (end > pos && s[end - 1] == '\r') --end;
    return {pos, end, nl + 1};
}

std::string unfold(std::string_view raw_value) {
    // RFC 5322 §2.2.3: unfolding removes CRLF that precedes WSP (here every CR and LF), then the
    // value is trimmed of WSP. Runs between line breaks are copied whole.
    std::size_t b = 0, e = raw_value.size();
    auto wsp_or_eol = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (b < e && wsp_or_eol(raw_value[b])) ++b;
    while (e > b && wsp_or_eol(raw_value[e - 1])) --e;
    std::string out;
    out.reserve(e - b);
    std::size_t run = b;
    for (std::size_t i = b; i < e; ++i) {
        char c = raw_value[i];
        if (c != '\r' && c != '\n') continue;
        out.append(raw_value.data() + run, i - run);
        run = i + 1;
    }
    out.append(raw_value.data() + run, e - run);
    return out;
}

}  // namespace

// RFC 5322 §2.1-2.2: header fields (name ":" value, folded lines start with WSP), a blank line, the body.
Message Message::parse(std::string bytes, const MessageLimits& limits) {
    Message m;
    if (bytes.empty()) throw InputError("empty file: no message in it");
    if (bytes.size() > limits.max_message_bytes)
        throw InputError("message is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                         std::to_string(limits.max_message_bytes));
    m.bytes_ = std::move(bytes);
    const std::string& s = m.bytes_;
    // An mbox envelope line saved with the message is not part of the message (RFC 4155); a
    // "From :" line is the From field with obs-FWS before its colon (RFC 5322 §4.5.3), which no
    // envelope line is (its address comes first).
    std::size_t after = s.compare(0, 5, "From ") == 0 ? s.find_first_not_of(" \t", 5) : std::string::npos;
    if (after != std::string::npos && s[after] != ':') {
        Line l = line_at(s, 0);
        m.envelope_from_ = s.substr(5, l.content_end - 5);
        m.start_ = l.next;
        if (m.start_ == s.size()) throw InputError("only an mbox \"From \" line, no message");
    }

    std::size_t pos = m.start_, lineno = 0;
    bool separator = false;
    bool first_line = true;
    while (pos < s.size()) {
        Line l = line_at(s, pos);
        ++lineno;
        if (first_line) {
            m.crlf_ = l.next > l.content_end + 1;
            first_line = false;
        }
        if (l.content_end == l.begin) {  // the blank line
            separator = true;
            pos = l.next;
            break;
        }
        unsigned char c0 = static_cast<unsigned char>(s[l.begin]);
        if (c0 == ' ' || c0 == '\t') {
            // Continuations of a field are taken with it below, so this can only be the first line.
            throw InputError("line " + std::to_string(lineno) + ": a continuation line before any header field");
        }
        std::size_t colon = s.find(':', l.begin);
        if (colon == std::string::npos || colon >= l.content_end)
            throw InputError("line " + std::to_string(lineno) + ": not a header field (no colon) before the blank line");
        std::size_t name_end = colon;
        while (name_end > l.begin && (s[name_end - 1] == ' ' || s[name_end - 1] == '\t')) --name_end;  // obs-FWS
        if (name_end == l.begin)
            throw InputError("line " + std::to_string(lineno) + ": header field with an empty name");
        for (std::size_t i = l.begin; i < name_end; ++i) {
            unsigned char c = static_cast<unsigned char>(s[i]);
            if (c < 33 || c > 126)
                throw InputError("line " + std::to_string(lineno) +
                                 ": header field name has a byte that is not printable ASCII");
        }
        // Take the continuation lines.
        std::size_t field_end = l.content_end, next = l.next;
        std::size_t field_line = lineno;
        while (next < s.size() && (s[next] == ' ' || s[next] == '\t')) {
            Line c = line_at(s, next);
            ++lineno;
            field_end = c.content_end;
            next = c.next;
            if (field_end - l.begin > limits.max_header_field_bytes) break;
        }
        if (field_end - l.begin > limits.max_header_field_bytes)
            throw InputError("line " + std::to_string(field_line) + ": header field is over " +
                             std::to_string(limits.max_header_field_bytes) + " bytes");
        std::string_view raw(s.data() + l.begin, field_end - l.begin);
        if (raw.find('\0') != std::string_view::npos)
            throw InputError("line " + std::to_string(field_line) + ": NUL byte in header field");
        HeaderField f;
        f.name.assign(s, l.begin, name_end - l.begin);
        f.raw.assign(raw);
        f.value = unfold(raw.substr(colon + 1 - l.begin));
        f.line = field_line;
        if (!valid_utf8(f.value))
            m.warnings_.push_back("header field " + f.name + " (line " + std::to_string(field_line) +
                                  ") has bytes that are not valid UTF-8; it is verified as raw bytes");
        m.headers_.push_back(std::move(f));
        if (m.headers_.size() > limits.max_header_fields)
            throw InputError("more than " + std::to_string(limits.max_header_fields) + " header fields");
        pos = next;
    }
    if (m.headers_.empty()) throw InputError("no header fields");
    // RFC 5322 §3.5: message = fields [CRLF body]; header fields alone are a message with no body.
    if (!separator)
        m.warnings_.push_back("the message has no blank line after its header fields: read as header fields only, "
                              "with an empty body (RFC 5322 §3.5)");
    m.body_offset_ = pos;
    if (std::memchr(s.data() + pos, 0, s.size() - pos) != nullptr)
        m.warnings_.push_back("the body contains NUL bytes");
    return m;
}

std::string_view Message::header_bytes() const {
    return std::string_view(bytes_).substr(start_, body_offset_ - start_);
}
std::string_view Message::body() const { return std::string_view(bytes_).substr(body_offset_); }

std::vector<const HeaderField*> Message::all(std::string_view name) const {
    std::vector<const HeaderField*> out;
    for (const auto& h : headers_)
        if (iequals(h.name, name)) out.push_back(&h);
    return out;
}

const HeaderField* Message::first(std::string_view name) const {
    for (const auto& h : headers_)
        if (iequals(h.name, name)) return &h;
    return nullptr;
}

}  // namespace auth
