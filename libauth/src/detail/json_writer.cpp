#include "detail/json_writer.hpp"

#include <charconv>
#include <cstring>

#include "auth/message.hpp"

namespace auth::detail {

namespace {

// 1: the byte ends a plain run (an ASCII control character, '"', '\\', or a non-ASCII byte).
struct Specials {
    bool t[256] = {};
    constexpr Specials() {
        for (int c = 0; c < 0x20; ++c) t[c] = true;
        t[static_cast<unsigned char>('"')] = t[static_cast<unsigned char>('\\')] = true;
        for (int c = 0x80; c < 0x100; ++c) t[c] = true;
    }
};
constexpr Specials kSpecials;

void append_escape(std::string& out, unsigned char c) {
    switch (c) {
    case '\b': out += "\\b"; return;
    case '\t': out += "\\t"; return;
    case '\n': out += "\\n"; return;
    case '\f': out += "\\f"; return;
    case '\r': out += "\\r"; return;
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    default: {
        static const char hex[] = "0123456789abcdef";
        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out.append(u, 6);
    }
    }
}

template <typename Int>
void append_int(std::string& out, Int v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    // Bytes of 0x80 and up are copied as they are when the string is valid UTF-8 (nlohmann
    // escapes nothing above 0x1F without ensure_ascii); an invalid string goes to nlohmann, whose
    // replacement rules (one U+FFFD per rejected sequence) are the reference.
    bool ascii = true;
    for (unsigned char c : s)
        if (c >= 0x80) {
            ascii = false;
            break;
        }
    if (!ascii && !valid_utf8(s)) {
        out += OrderedJson(std::string(s)).dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
        return;
    }
    out.push_back('"');
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (!kSpecials.t[c] || c >= 0x80) continue;
        out.append(s.data() + run, i - run);
        append_escape(out, c);
        run = i + 1;
    }
    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
}

void append_json(std::string& out, const OrderedJson& j) {
    using T = OrderedJson::value_t;
    switch (j.type()) {
    case T::null: out += "null"; return;
    case T::boolean: out += j.get<bool>() ? "true" : "false"; return;
    case T::number_integer: append_int(out, j.get<std::int64_t>()); return;
    case T::number_unsigned: append_int(out, j.get<std::uint64_t>()); return;
    case T::string: append_json_string(out, j.get_ref<const std::string&>()); return;
    case T::array: {
        out.push_back('[');
        bool first = true;
        for (const auto& v : j) {
            if (!first) out.push_back(',');
            first = false;
            append_json(out, v);
        }
        out.push_back(']');
        return;
    }
    case T::object: {
        out.push_back('{');
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!first) out.push_back(',');
            first = false;
            append_json_string(out, it.key());
            out.push_back(':');
            append_json(out, it.value());
        }
        out.push_back('}');
        return;
    }
    default:  // floating point, binary, discarded: as nlohmann writes them
        out += j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
        return;
    }
}

}  // namespace auth::detail
