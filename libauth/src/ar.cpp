#include "auth/ar.hpp"

namespace auth {

namespace {

// RFC 2045 §5.1 token characters.
bool token_char(unsigned char c) {
    if (c <= 32 || c >= 127) return false;
    static const char* tspecials = "()<>@,;:\\\"/[]?=";
    for (const char* p = tspecials; *p; ++p)
        if (c == static_cast<unsigned char>(*p)) return false;
    return true;
}

bool all_token(const std::string& s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!token_char(c)) return false;
    return true;
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        if (c == '\r' || c == '\n') c = ' ';
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string comment(const std::string& s) {
    std::string out = "(";
    for (char c : s) {
        if (c == '(' || c == ')' || c == '\\') out.push_back('\\');
        if (c == '\r' || c == '\n') c = ' ';
        out.push_back(c);
    }
    out.push_back(')');
    return out;
}

}  // namespace

// RFC 8601 §2.2: pvalue is a token, a quoted string, or [local-part] "@" domain-name.
std::string ar_value(const std::string& v) {
    if (all_token(v)) return v;
    std::size_t at = v.rfind('@');
    if (at != std::string::npos) {
        std::string local = v.substr(0, at), domain = v.substr(at + 1);
        bool ok = all_token(domain);
        if (ok && (local.empty() || all_token(local))) return v;
    }
    return quoted(v);
}

// RFC 8601 §2.2: authserv-id, then "; method=result (comment) reason=... ptype.property=value", folded.
std::string format_authentication_results(const std::string& authserv_id, const std::vector<ArClause>& clauses) {
    std::string out = "Authentication-Results: " + authserv_id + ";";
    if (clauses.empty()) return out + " none";
    for (std::size_t i = 0; i < clauses.size(); ++i) {
        const ArClause& c = clauses[i];
        std::vector<std::string> parts;
        parts.push_back(c.method + "=" + c.result);
        if (!c.comment.empty()) parts.push_back(comment(c.comment));
        if (!c.reason.empty()) parts.push_back("reason=" + quoted(c.reason));
        for (const auto& [k, v] : c.properties) parts.push_back(k + "=" + ar_value(v));
        std::string line = "\n\t";
        std::size_t col = 8;
        for (std::size_t k = 0; k < parts.size(); ++k) {
            if (k > 0) {
                if (col + 1 + parts[k].size() > 78) { line += "\n\t  "; col = 10; }
                else { line += " "; ++col; }
            }
            line += parts[k];
            col += parts[k].size();
        }
        if (i + 1 < clauses.size()) line += ";";
        out += line;
    }
    return out;
}

}  // namespace auth
