// GMime adapter for the report readers: GMime types stay in this file.
#include "detail/archive_mime.hpp"

#include <gmime/gmime.h>

#include "auth/error.hpp"
#include "auth/message.hpp"
#include "detail/gmime_mime.hpp"

namespace auth::detail {
namespace {

std::string stream_bytes(GMimeStream* s) {
    GByteArray* arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
    return std::string(reinterpret_cast<const char*>(arr->data), arr->len);
}

struct Walker {
    const MimeLimits& limits;
    std::vector<MimePart>& out;

    void visit(GMimeObject* obj, int depth) {
        if (out.size() >= limits.max_parts)
            throw InputError("the message has more than " + std::to_string(limits.max_parts) + " MIME parts");
        if (depth > 32) throw InputError("the message's MIME parts are nested too deeply");
        MimePart p;
        p.depth = depth;
        GMimeContentType* ct = g_mime_object_get_content_type(obj);
        const char* type = ct ? g_mime_content_type_get_media_type(ct) : nullptr;
        const char* sub = ct ? g_mime_content_type_get_media_subtype(ct) : nullptr;
        p.content_type = to_lower(std::string(type ? type : "text") + "/" + (sub ? sub : "plain"));
        if (ct) {
            GMimeParamList* pl = g_mime_content_type_get_parameters(ct);
            int n = pl ? g_mime_param_list_length(pl) : 0;
            for (int i = 0; i < n; ++i) {
                GMimeParam* prm = g_mime_param_list_get_parameter_at(pl, i);
                const char* pn = g_mime_param_get_name(prm);
                const char* pv = g_mime_param_get_value(prm);
                p.params.emplace_back(to_lower(pn ? pn : ""), pv ? pv : "");
            }
        }
        {
            GMimeHeaderList* hl = g_mime_object_get_header_list(obj);
            if (hl) {
                char* h = g_mime_header_list_to_string(hl, nullptr);
                if (h) {
                    p.header_bytes = h;
                    g_free(h);
                }
            }
        }
        if (GMIME_IS_MULTIPART(obj)) {
            out.push_back(std::move(p));
            GMimeMultipart* mp = GMIME_MULTIPART(obj);
            int n = g_mime_multipart_get_count(mp);
            for (int i = 0; i < n; ++i) {
                std::size_t at = out.size();
                visit(g_mime_multipart_get_part(mp, i), depth + 1);
                if (depth == 0 && at < out.size()) out[at].child_index = i;
            }
            return;
        }
        if (GMIME_IS_MESSAGE_PART(obj)) {
            GMimeMessage* m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
            if (m) {
                GMimeStream* s = g_mime_stream_mem_new();
                g_mime_object_write_to_stream(GMIME_OBJECT(m), nullptr, s);
                p.bytes = stream_bytes(s);
                g_object_unref(s);
            }
        } else if (GMIME_IS_PART(obj)) {
            GMimePart* part = GMIME_PART(obj);
            const char* fn = g_mime_part_get_filename(part);
            if (fn) p.filename = fn;
            GMimeDataWrapper* w = g_mime_part_get_content(part);
            if (w) {
                GMimeStream* s = g_mime_stream_mem_new();
                g_mime_data_wrapper_write_to_stream(w, s);
                p.bytes = stream_bytes(s);
                g_object_unref(s);
            }
        }
        if (p.bytes.size() > limits.max_part_bytes) throw InputError("a MIME part is larger than the limit");
        out.push_back(std::move(p));
    }
};

}  // namespace

std::vector<MimePart> mime_parts(const std::string& message, const MimeLimits& limits) {
    gmime_init();
    GMimeStream* s = g_mime_stream_mem_new_with_buffer(message.data(), message.size());
    GMimeParser* parser = g_mime_parser_new_with_stream(s);
    g_object_unref(s);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage* m = g_mime_parser_construct_message(parser, nullptr);
    g_object_unref(parser);
    if (!m) throw InputError("the message cannot be parsed as MIME");
    std::vector<MimePart> out;
    try {
        GMimeObject* body = g_mime_message_get_mime_part(m);
        if (body) Walker{limits, out}.visit(body, 0);
    } catch (...) {
        g_object_unref(m);
        throw;
    }
    g_object_unref(m);
    return out;
}

std::optional<long long> parse_mail_date(const std::string& text) {
    gmime_init();
    if (text.empty()) return std::nullopt;
    GDateTime* dt = g_mime_utils_header_decode_date(text.c_str());
    if (!dt) return std::nullopt;
    long long t = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return t;
}

std::optional<std::string> multipart_child_body(const std::string& m, const std::string& boundary, int index,
                                                std::string* part_header) {
    if (boundary.empty() || index < 0) return std::nullopt;
    const std::string dash = "--" + boundary;
    // Delimiter lines start at a line start and are "--boundary" followed by optional "--" and
    // white space (RFC 2046 §5.1.1).
    auto is_delim = [&](std::size_t pos) {
        if (m.compare(pos, dash.size(), dash) != 0) return false;
        std::size_t e = pos + dash.size();
        if (m.compare(e, 2, "--") == 0) e += 2;
        while (e < m.size() && (m[e] == ' ' || m[e] == '\t')) ++e;
        return e >= m.size() || m[e] == '\r' || m[e] == '\n';
    };
    std::vector<std::size_t> delims;
    std::size_t pos = 0;
    // Skip the top-level header section first.
    std::size_t hdr_end = m.find("\n\n");
    std::size_t hdr_end2 = m.find("\r\n\r\n");
    if (hdr_end2 != std::string::npos && (hdr_end == std::string::npos || hdr_end2 < hdr_end)) hdr_end = hdr_end2 + 2;
    if (hdr_end == std::string::npos) return std::nullopt;
    pos = hdr_end + 1;
    while (pos < m.size()) {
        if (is_delim(pos)) delims.push_back(pos);
        std::size_t nl = m.find('\n', pos);
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    if (static_cast<std::size_t>(index) + 1 >= delims.size()) return std::nullopt;
    std::size_t start = m.find('\n', delims[index]);
    if (start == std::string::npos) return std::nullopt;
    ++start;
    std::size_t end = delims[index + 1];
    // The line break before the delimiter belongs to the delimiter.
    if (end > start && m[end - 1] == '\n') --end;
    if (end > start && m[end - 1] == '\r') --end;
    if (end < start) end = start;
    std::string part = m.substr(start, end - start);
    std::size_t blank = std::string::npos, body = 0;
    if (part.compare(0, 1, "\n") == 0) { blank = 0; body = 1; }
    else if (part.compare(0, 2, "\r\n") == 0) { blank = 0; body = 2; }
    else {
        std::size_t a = part.find("\n\n"), b = part.find("\r\n\r\n");
        if (b != std::string::npos && (a == std::string::npos || b < a)) { blank = b; body = b + 4; }
        else if (a != std::string::npos) { blank = a; body = a + 2; }
    }
    if (blank == std::string::npos) return std::nullopt;
    if (part_header) *part_header = part.substr(0, blank);
    return part.substr(body);
}

std::string mime_param(const MimePart& p, const std::string& name) {
    for (const auto& kv : p.params)
        if (kv.first == name) return kv.second;
    return {};
}

}  // namespace auth::detail
