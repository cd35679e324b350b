#include "auth/authres.hpp"
#include "auth/message.hpp"
#include "detail/text.hpp"

#include <cctype>

namespace auth {
namespace {

constexpr std::size_t kMaxClauses = 1000;
constexpr std::size_t kMaxProperties = 200;

// A cursor over one field value with the RFC 5322 §3.2 lexical pieces RFC 8601 builds on.
class Lexer {
public:
    explicit Lexer(std::string_view s) : s_(s) {}

    bool eof() const { return i_ >= s_.size(); }
    char peek() const { return eof() ? '\0' : s_[i_]; }
    std::size_t pos() const { return i_; }
    void seek(std::size_t p) { i_ = p; }
    void bump() { ++i_; }

    // CFWS (RFC 5322 §3.2.2); comments are appended to `comments` when given.
    // Returns false on an unterminated comment.
    bool cfws(std::vector<std::string>* comments = nullptr) {
        for (;;) {
            while (!eof() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
            if (peek() != '(') return true;
            std::string text;
            if (!comment(text)) return false;
            if (comments) comments->push_back(text);
        }
    }

    // A comment, nesting allowed; the text inside the outer parentheses, escapes resolved.
    bool comment(std::string& out) {
        int depth = 0;
        while (!eof()) {
            char c = s_[i_++];
            if (c == '\\' && !eof()) {
                out += s_[i_++];
                continue;
            }
            if (c == '(') {
                if (depth++ > 0) out += c;
            } else if (c == ')') {
                if (--depth == 0) return true;
                out += c;
            } else {
                out += (c == '\r' || c == '\n') ? ' ' : c;
            }
        }
        return false;
    }

    // quoted-string (RFC 5322 §3.2.4); the content without quotes, escapes resolved.
    bool quoted(std::string& out) {
        if (peek() != '"') return false;
        ++i_;
        while (!eof()) {
            char c = s_[i_++];
            if (c == '\\' && !eof()) {
                out += s_[i_++];
            } else if (c == '"') {
                return true;
            } else if (c != '\r' && c != '\n') {
                out += c;
            }
        }
        return false;
    }

    // token (RFC 2045 §5.1): printable, not space, not a tspecial. UTF-8 octets are accepted
    // (RFC 8601 §2.2 allows UTF-8 in values via RFC 6532).
    static bool token_char(char ch) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7f) return false;
        switch (c) {
        case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':':
        case '\\': case '"': case '/': case '[': case ']': case '?': case '=':
            return false;
        default:
            return true;
        }
    }
    std::string token() {
        std::size_t b = i_;
        while (!eof() && token_char(s_[i_])) ++i_;
        return std::string(s_.substr(b, i_ - b));
    }
    // Keyword for method, result, ptype and property names: a token without '.', so that
    // "header.d" splits (RFC 8601 §2.2 Keyword is ldh-str; we accept a little more).
    std::string keyword() {
        std::size_t b = i_;
        while (!eof() && token_char(s_[i_]) && s_[i_] != '.') ++i_;
        return std::string(s_.substr(b, i_ - b));
    }
    // pvalue (RFC 8601 §2.2): value / [[local-part] "@"] domain-name. We read a quoted-string or a
    // run of characters that are neither CFWS nor ';', so addresses and domains come out whole.
    bool pvalue(std::string& out) {
        if (peek() == '"') {
            if (!quoted(out)) return false;
            if (peek() != '@') return true;
            // "quoted local"@domain: keep the quotes around the local part.
            out = "\"" + out + "\"";
        }
        while (!eof()) {
            char c = s_[i_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(') break;
            if (c == '"') {
                std::string q;
                if (!quoted(q)) return false;
                out += "\"" + q + "\"";
                continue;
            }
            out += c;
            ++i_;
        }
        return true;
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

std::string at(const Lexer& lx, const std::string& what) {
    return what + " at offset " + std::to_string(lx.pos());
}

}  // namespace

// RFC 8601 §2.2: authres-payload = [CFWS] authserv-id [CFWS authres-version] (no-result / 1*resinfo) [CFWS]
AuthResults parse_authentication_results(std::string_view value) {
    AuthResults ar;
    Lexer lx(value);
    if (!lx.cfws()) {
        ar.error = at(lx, "unterminated comment");
        return ar;
    }
    // authserv-id, unless the field starts straight with a resinfo (method=result), as
    // Microsoft's do.
    {
        std::size_t start = lx.pos();
        std::string id;
        bool got = false;
        if (lx.peek() == '"') {
            got = lx.quoted(id);
        } else {
            id = lx.token();
            got = !id.empty();
        }
        std::size_t after = lx.pos();
        lx.cfws();
        char c = lx.peek();
        if (got && (c == '=' || c == '/')) {
            lx.seek(start);  // it was a method: no authserv-id
        } else if (!got && c != ';') {
            ar.error = at(lx, "expected an authserv-id");
            return ar;
        } else {
            ar.authserv_id = id;
            (void)after;
            // Optional authres-version: digits before the first ';'.
            if (std::isdigit(static_cast<unsigned char>(lx.peek()))) {
                std::string v = lx.token();
                bool digits = !v.empty();
                for (char d : v) digits = digits && std::isdigit(static_cast<unsigned char>(d));
                if (!digits) {
                    ar.error = at(lx, "expected a version number or ';' after the authserv-id");
                    return ar;
                }
                ar.version = v;
                lx.cfws();
            }
            if (lx.eof()) {
                ar.error = "no result: the field has only an authserv-id";
                return ar;
            }
            if (lx.peek() != ';') {
                ar.error = at(lx, "expected ';' after the authserv-id");
                return ar;
            }
        }
    }

    bool first = true;
    for (;;) {
        if (!lx.cfws()) {
            ar.error = at(lx, "unterminated comment");
            return ar;
        }
        if (lx.eof()) break;
        if (lx.peek() == ';') {
            lx.bump();
            if (!lx.cfws()) {
                ar.error = at(lx, "unterminated comment");
                return ar;
            }
            if (lx.eof() || lx.peek() == ';') {
                // Trailing or doubled ';': tolerated (several receivers write "...;").
                continue;
            }
        } else if (!first) {
            ar.error = at(lx, "expected ';' between results");
            return ar;
        }
        first = false;
        if (ar.results.size() >= kMaxClauses) {
            ar.error = "more than 1000 results in one field";
            return ar;
        }

        // methodspec = [CFWS] method [CFWS] "=" [CFWS] result; method = Keyword ["/" version]
        std::size_t mstart = lx.pos();
        std::string method = lx.token();
        if (method.empty()) {
            ar.error = at(lx, "expected a method name");
            return ar;
        }
        std::string mversion;
        lx.cfws();
        if (lx.peek() == '/') {
            lx.bump();
            lx.cfws();
            mversion = lx.token();
            if (mversion.empty()) {
                ar.error = at(lx, "expected a method version after '/'");
                return ar;
            }
            lx.cfws();
        }
        if (lx.peek() != '=') {
            if (to_lower(method) == "none" && ar.results.empty()) {
                // no-result = [CFWS] ";" [CFWS] "none"
                lx.cfws();
                if (lx.eof()) {
                    ar.no_result = true;
                    return ar;
                }
            }
            lx.seek(mstart + method.size());
            ar.error = at(lx, "expected '=' after method \"" + method + "\"");
            return ar;
        }
        lx.bump();
        lx.cfws();
        std::string result = lx.token();
        if (result.empty()) {
            ar.error = at(lx, "expected a result for method \"" + method + "\"");
            return ar;
        }
        ArClause clause;
        clause.method = to_lower(method);
        clause.result = to_lower(result);
        std::vector<std::string> comments;
        if (!lx.cfws(&comments)) {
            ar.error = at(lx, "unterminated comment");
            return ar;
        }

        // [CFWS reasonspec] [CFWS 1*propspec], plus bare key=value pairs.
        bool bad = false;
        while (!lx.eof() && lx.peek() != ';') {
            if (clause.properties.size() >= kMaxProperties) {
                ar.error = "more than 200 properties in one result";
                bad = true;
                break;
            }
            std::string ptype = lx.keyword();
            if (ptype.empty()) {
                ar.error = at(lx, "unexpected character in the properties of \"" + clause.method + "\"");
                bad = true;
                break;
            }
            lx.cfws(&comments);
            std::string key = to_lower(ptype);
            if (lx.peek() == '.') {
                lx.bump();
                lx.cfws(&comments);
                std::string prop = lx.token();  // property may itself hold dots? no: keep token
                if (prop.empty()) {
                    ar.error = at(lx, "expected a property name after \"" + ptype + ".\"");
                    bad = true;
                    break;
                }
                key += "." + to_lower(prop);
                lx.cfws(&comments);
            }
            if (lx.peek() != '=') {
                ar.error = at(lx, "expected '=' after \"" + key + "\"");
                bad = true;
                break;
            }
            lx.bump();
            lx.cfws(&comments);
            std::string v;
            if (!lx.pvalue(v)) {
                ar.error = at(lx, "unterminated quoted string in \"" + key + "\"");
                bad = true;
                break;
            }
            if (key == "reason" && clause.reason.empty() && clause.properties.empty()) {
                clause.reason = v;
            } else {
                clause.properties.emplace_back(key, v);
            }
            if (!lx.cfws(&comments)) {
                ar.error = at(lx, "unterminated comment");
                bad = true;
                break;
            }
        }
        clause.comment = detail::join(comments, "; ");
        ar.results.push_back(std::move(clause));
        ar.method_versions.push_back(mversion);
        if (bad) return ar;
    }
    if (ar.results.empty() && !ar.no_result) ar.error = "no result in the field";
    return ar;
}

// RFC 8601 §5: select the fields a trusted authserv-id added.
std::vector<AuthResults> find_authentication_results(const Message& msg, std::string_view authserv_id) {
    std::vector<AuthResults> out;
    for (const HeaderField* f : msg.all("Authentication-Results")) {
        AuthResults ar = parse_authentication_results(f->value);
        if (iequals(ar.authserv_id, authserv_id)) out.push_back(std::move(ar));
    }
    return out;
}

std::string ar_property(const ArClause& c, std::string_view key) {
    for (const auto& [k, v] : c.properties)
        if (iequals(k, key)) return v;
    if (iequals(key, "reason")) return c.reason;
    return {};
}

}  // namespace auth
