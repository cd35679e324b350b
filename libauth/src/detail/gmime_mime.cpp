// GMime 3 adapter: parses the MIME tree, decodes transfer encodings and charsets.
#include "detail/gmime_mime.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <mutex>

namespace auth::detail {
namespace {

const char* warning_text(GMimeParserWarning w) {
    switch (w) {
    case GMIME_WARN_DUPLICATED_HEADER: return "a header field that should appear once is repeated";
    case GMIME_WARN_DUPLICATED_PARAMETER: return "a header parameter is repeated";
    case GMIME_WARN_UNENCODED_8BIT_HEADER: return "a header field holds unencoded 8-bit characters";
    case GMIME_WARN_INVALID_CONTENT_TYPE: return "a Content-Type is invalid (read as application/octet-stream)";
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return "a header holds an invalid RFC 2047 encoded word";
    case GMIME_WARN_MALFORMED_MULTIPART: return "a multipart has no child parts";
    case GMIME_WARN_TRUNCATED_MESSAGE: return "the message is truncated";
    case GMIME_WARN_MALFORMED_MESSAGE: return "the message is malformed";
    case GMIME_CRIT_INVALID_HEADER_NAME: return "a header field name is invalid; parts of the message may be skipped";
    case GMIME_CRIT_CONFLICTING_HEADER: return "conflicting header fields";
    case GMIME_CRIT_CONFLICTING_PARAMETER: return "conflicting header parameters";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return "a multipart lacks its boundary parameter";
    case GMIME_WARN_INVALID_PARAMETER: return "a header parameter is invalid";
    case GMIME_WARN_INVALID_ADDRESS_LIST: return "an address list is invalid";
    case GMIME_CRIT_NESTING_OVERFLOW: return "MIME nesting is too deep";
    case GMIME_WARN_PART_WITHOUT_CONTENT: return "a MIME part has no content";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: return "a MIME part has neither header nor content";
    }
    return "malformed MIME";
}

struct WalkState {
    const MimeLimits& limits;
    DecodedMessage& out;
    std::size_t decoded = 0;
    bool parts_note = false, size_note = false, depth_note = false;
};

void warning_cb(gint64, GMimeParserWarning code, const gchar* item, gpointer user) {
    auto* notes = static_cast<std::vector<std::string>*>(user);
    if (notes->size() >= 50) return;
    std::string s = std::string("MIME: ") + warning_text(code);
    if (item && *item) {
        std::string it(item);
        if (it.size() > 60) it = it.substr(0, 60) + "...";
        s += " (" + it + ")";
    }
    if (std::find(notes->begin(), notes->end(), s) == notes->end()) notes->push_back(s);
}

std::string lower(const char* s) {
    std::string r = s ? s : "";
    for (auto& c : r) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
    return r;
}

// The decoded content of a leaf (transfer encoding removed), at most `cap` bytes kept.
std::string part_bytes(GMimePart* part, std::size_t cap, bool* truncated) {
    std::string r;
    GMimeDataWrapper* w = g_mime_part_get_content(part);
    if (!w) return r;
    GMimeStream* mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(w, mem);
    GByteArray* arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    if (arr) {
        std::size_t n = arr->len;
        *truncated = n > cap;
        r.assign(reinterpret_cast<const char*>(arr->data), std::min(n, cap));
    }
    g_object_unref(mem);
    return r;
}

void walk(GMimeObject* obj, const std::string& path, std::size_t depth, WalkState& st) {
    if (!obj) return;
    if (depth > st.limits.max_depth) {
        if (!st.depth_note) st.out.notes.push_back("MIME: nesting deeper than " + std::to_string(st.limits.max_depth) +
                                                   " levels; the deeper parts were not read");
        st.depth_note = true;
        return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart* mp = GMIME_MULTIPART(obj);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; ++i) {
            std::string p = path.empty() ? std::to_string(i + 1) : path + "." + std::to_string(i + 1);
            walk(g_mime_multipart_get_part(mp, i), p, depth + 1, st);
        }
        return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (inner) walk(g_mime_message_get_mime_part(inner), path.empty() ? "1" : path, depth + 1, st);
        return;
    }
    if (!GMIME_IS_PART(obj)) return;
    if (st.out.part_count >= st.limits.max_parts) {
        if (!st.parts_note) st.out.notes.push_back("MIME: more than " + std::to_string(st.limits.max_parts) +
                                                   " parts; the rest were not read");
        st.parts_note = true;
        return;
    }
    ++st.out.part_count;
    GMimePart* part = GMIME_PART(obj);
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    std::string type = ct ? lower(g_mime_content_type_get_media_type(ct)) : "text";
    std::string sub = ct ? lower(g_mime_content_type_get_media_subtype(ct)) : "plain";
    std::string full = type + "/" + sub;
    std::string p = path.empty() ? "1" : path;
    GMimeContentDisposition* disp = g_mime_object_get_content_disposition(obj);
    bool attachment = disp && g_mime_content_disposition_is_attachment(disp);
    const char* fname = g_mime_part_get_filename(part);
    bool is_text = type == "text" && (sub == "plain" || sub == "html") && !attachment;

    std::size_t room = st.decoded < st.limits.max_decoded_bytes ? st.limits.max_decoded_bytes - st.decoded : 0;
    bool truncated = false;
    std::string data = part_bytes(part, is_text ? room : SIZE_MAX / 2, &truncated);
    if (!is_text) {
        st.out.attachments.push_back({p, fname ? fname : "", full, data.size()});
        return;
    }
    if (truncated && !st.size_note) {
        st.out.notes.push_back("MIME: decoded text over " + std::to_string(st.limits.max_decoded_bytes) +
                               " bytes; the rest was not read");
        st.size_note = true;
    }
    st.decoded += data.size();
    const char* cs = ct ? g_mime_content_type_get_parameter(ct, "charset") : nullptr;
    MimeTextPart t;
    t.path = p;
    t.content_type = full;
    t.charset = cs ? cs : "";
    t.html = sub == "html";
    std::string utf8 = gmime_to_utf8(data, t.charset);
    if (t.html && st.limits.keep_html_source) t.html_source = utf8;
    if (t.html)
        t.text = html_to_text(utf8, &t.links);
    else
        t.text = std::move(utf8);
    st.out.texts.push_back(std::move(t));
}

}  // namespace

void gmime_init() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

std::string gmime_to_utf8(std::string_view bytes, const std::string& charset) {
    gmime_init();
    std::string cs = charset.empty() ? "us-ascii" : charset;
    std::string lc = lower(cs.c_str());
    if ((lc == "us-ascii" || lc == "utf-8" || lc == "utf8" || lc == "ascii") && valid_utf8(bytes))
        return std::string(bytes);
    const char* iconv_name = g_mime_charset_iconv_name(cs.c_str());
    // us-ascii declared but 8-bit present: senders mean UTF-8 or Windows-1252 (the HTML5 rule).
    if (lc == "us-ascii" || lc == "ascii" || lc == "utf-8" || lc == "utf8") iconv_name = "WINDOWS-1252";
    gsize written = 0;
    GError* err = nullptr;
    gchar* out = g_convert_with_fallback(bytes.data(), gssize(bytes.size()), "UTF-8", iconv_name, "\xEF\xBF\xBD",
                                         nullptr, &written, &err);
    if (!out) {
        if (err) g_error_free(err);
        err = nullptr;
        out = g_convert_with_fallback(bytes.data(), gssize(bytes.size()), "UTF-8", "WINDOWS-1252", "\xEF\xBF\xBD",
                                      nullptr, &written, &err);
    }
    if (err) g_error_free(err);
    if (!out) {
        // Last resort: keep ASCII, replace the rest.
        std::string r;
        for (unsigned char c : bytes) r += c < 0x80 ? std::string(1, char(c)) : std::string("\xEF\xBF\xBD");
        return r;
    }
    std::string r(out, written);
    g_free(out);
    return r;
}

std::string gmime_decode_header_text(std::string_view value) {
    gmime_init();
    std::string v(value);
    GMimeParserOptions* opts = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
    char* d = g_mime_utils_header_decode_text(opts, v.c_str());
    g_mime_parser_options_free(opts);
    if (!d) return v;
    std::string r(d);
    g_free(d);
    if (!valid_utf8(r)) r = gmime_to_utf8(r, "windows-1252");
    return r;
}

bool gmime_parse_date(std::string_view text, long long* epoch) {
    gmime_init();
    std::string t(text);
    GDateTime* dt = g_mime_utils_header_decode_date(t.c_str());
    if (!dt) return false;
    *epoch = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return true;
}

void gmime_decode(std::string_view bytes, const MimeLimits& limits, DecodedMessage& out) {
    gmime_init();
    GMimeParserOptions* opts = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_warning_callback(opts, warning_cb, &out.notes);
    GMimeStream* stream = g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size());
    GMimeParser* parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage* msg = g_mime_parser_construct_message(parser, opts);
    if (!msg) {
        out.notes.push_back("MIME: the message structure could not be read; the body is read as plain text");
    } else {
        WalkState st{limits, out};
        walk(g_mime_message_get_mime_part(msg), "", 0, st);
        g_object_unref(msg);
    }
    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_parser_options_free(opts);
}

}  // namespace auth::detail
