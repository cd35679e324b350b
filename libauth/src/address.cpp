#include "auth/address.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <iconv.h>
#include <idn2.h>

namespace auth {
namespace {

constexpr std::size_t kMaxTokens = 100000;

enum class Tok { atom, quoted, literal, special };

struct Token {
    Tok kind;
    std::string text;  // atom text; quoted-string content (escapes resolved); literal with brackets; special char
    std::string raw;   // as written
};

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_special(char c) {
    return c == '<' || c == '>' || c == '@' || c == ',' || c == ';' || c == ':';
}

// RFC 5322 §3.2: splits a field value into atoms (dots kept inside), quoted-strings,
// domain-literals and specials; comments and FWS are dropped.
bool lex(std::string_view s, std::vector<Token>& out, std::string& error) {
    std::size_t i = 0;
    while (i < s.size()) {
        if (out.size() > kMaxTokens) {
            error = "the field is too long to read";
            return false;
        }
        char c = s[i];
        if (is_wsp(c)) {
            ++i;
        } else if (c == '(') {
            int depth = 0;
            std::size_t b = i;
            for (; i < s.size(); ++i) {
                if (s[i] == '\\') {
                    ++i;
                } else if (s[i] == '(') {
                    ++depth;
                } else if (s[i] == ')') {
                    if (--depth == 0) break;
                }
            }
            if (i >= s.size()) {
                error = "unterminated comment starting at offset " + std::to_string(b);
                return false;
            }
            ++i;
        } else if (c == '"') {
            std::size_t b = i++;
            std::string text;
            bool closed = false;
            while (i < s.size()) {
                char d = s[i++];
                if (d == '\\' && i < s.size()) {
                    text += s[i++];
                } else if (d == '"') {
                    closed = true;
                    break;
                } else if (d != '\r' && d != '\n') {
                    text += d;
                }
            }
            if (!closed) {
                error = "unterminated quoted string starting at offset " + std::to_string(b);
                return false;
            }
            out.push_back({Tok::quoted, text, std::string(s.substr(b, i - b))});
        } else if (c == '[') {
            std::size_t b = i;
            while (i < s.size() && s[i] != ']') ++i;
            if (i >= s.size()) {
                error = "unterminated domain literal starting at offset " + std::to_string(b);
                return false;
            }
            ++i;
            std::string lit(s.substr(b, i - b));
            out.push_back({Tok::literal, lit, lit});
        } else if (is_special(c)) {
            out.push_back({Tok::special, std::string(1, c), std::string(1, c)});
            ++i;
        } else if (c == ')' || c == ']') {
            error = std::string("unbalanced '") + c + "' at offset " + std::to_string(i);
            return false;
        } else {
            std::size_t b = i;
            while (i < s.size() && !is_wsp(s[i]) && !is_special(s[i]) && s[i] != '(' && s[i] != ')' &&
                   s[i] != '"' && s[i] != '[' && s[i] != ']')
                ++i;
            std::string a(s.substr(b, i - b));
            out.push_back({Tok::atom, a, a});
        }
    }
    return true;
}

bool is_sp(const Token& t, char c) { return t.kind == Tok::special && t.text[0] == c; }
bool is_word(const Token& t) { return t.kind == Tok::atom || t.kind == Tok::quoted; }

class Parser {
public:
    Parser(std::vector<Token> toks, AddressList& out) : t_(std::move(toks)), out_(out) {}

    // address-list = (address *("," address)) / obs-addr-list (RFC 5322 §3.4, §4.4)
    void address_list() {
        while (i_ < t_.size()) {
            if (is_sp(t_[i_], ',')) {  // obs-addr-list: empty elements
                ++i_;
                continue;
            }
            if (!address()) return;
            if (i_ < t_.size()) {
                if (!is_sp(t_[i_], ',')) {
                    fail("expected ',' between addresses, found '" + t_[i_].raw + "'");
                    return;
                }
                ++i_;
            }
        }
        if (out_.mailboxes.empty() && out_.groups.empty() && out_.error.empty()) fail("no address");
    }

private:
    void fail(const std::string& e) {
        if (out_.error.empty()) out_.error = e;
    }

    // The first special among < @ , ; : ahead of i at this level, or '\0'.
    char next_special(std::size_t from) const {
        for (std::size_t k = from; k < t_.size(); ++k)
            if (t_[k].kind == Tok::special && t_[k].text[0] != '>') return t_[k].text[0];
        return '\0';
    }

    // address = mailbox / group; group = display-name ":" [group-list] ";" (§3.4)
    bool address() {
        if (next_special(i_) == ':') {
            std::string name = phrase_until(':');
            ++i_;  // ':'
            out_.groups.push_back(name);
            for (;;) {
                if (i_ >= t_.size()) {
                    out_.warnings.push_back("group \"" + name + "\" is not closed with ';'");
                    return true;
                }
                if (is_sp(t_[i_], ';')) {
                    ++i_;
                    return true;
                }
                if (is_sp(t_[i_], ',')) {
                    ++i_;
                    continue;
                }
                if (!mailbox(name)) return false;
                if (i_ < t_.size() && !is_sp(t_[i_], ',') && !is_sp(t_[i_], ';')) {
                    fail("expected ',' or ';' in group \"" + name + "\", found '" + t_[i_].raw + "'");
                    return false;
                }
            }
        }
        return mailbox("");
    }

    std::string phrase_until(char stop) {
        std::string name;
        while (i_ < t_.size() && !is_sp(t_[i_], stop)) {
            if (!name.empty()) name += ' ';
            name += t_[i_].kind == Tok::quoted ? t_[i_].text : t_[i_].raw;
            ++i_;
        }
        return decode_encoded_words(name);
    }

    // mailbox = name-addr / addr-spec (§3.4)
    bool mailbox(const std::string& group) {
        std::size_t k = i_;
        bool angle = false;
        for (; k < t_.size(); ++k) {
            if (is_sp(t_[k], '<')) {
                angle = true;
                break;
            }
            if (is_sp(t_[k], ',') || is_sp(t_[k], ';')) break;
        }
        Mailbox mb;
        mb.group = group;
        if (angle) {
            mb.display_name = phrase_until('<');
            ++i_;  // '<'
            // obs-route: "@a,@b:" before the addr-spec (§4.4)
            if (i_ < t_.size() && is_sp(t_[i_], '@')) {
                while (i_ < t_.size() && !is_sp(t_[i_], ':') && !is_sp(t_[i_], '>')) ++i_;
                if (i_ < t_.size() && is_sp(t_[i_], ':')) ++i_;
                out_.warnings.push_back("obsolete source route in an address ignored");
            }
            if (i_ < t_.size() && is_sp(t_[i_], '>')) {
                fail("empty address '<>'");
                return false;
            }
            if (!addr_spec(mb, false)) return false;
            if (i_ >= t_.size() || !is_sp(t_[i_], '>')) {
                fail("expected '>' after the address " + mb.address());
                return false;
            }
            ++i_;
        } else {
            if (!addr_spec(mb, true)) return false;
        }
        out_.mailboxes.push_back(std::move(mb));
        return true;
    }

    // addr-spec = local-part "@" domain (§3.4.1). With `lenient`, words before the local part
    // are taken as a display name ("Name joe@example.com"), which is not RFC 5322.
    bool addr_spec(Mailbox& mb, bool lenient) {
        std::vector<const Token*> words;
        while (i_ < t_.size() && is_word(t_[i_])) words.push_back(&t_[i_++]);
        if (i_ >= t_.size() || !is_sp(t_[i_], '@')) {
            std::string what;
            for (auto* w : words) what += (what.empty() ? "" : " ") + w->raw;
            if (what.empty() && i_ < t_.size()) what = t_[i_].raw;
            fail(what.empty() ? "no address" : "no '@' in the address \"" + what + "\"");
            return false;
        }
        if (words.empty()) {
            fail("nothing before '@' in an address");
            return false;
        }
        std::size_t first_local = 0;
        // obs-local-part: words joined by '.', which the lexer keeps inside atoms.
        for (std::size_t w = words.size() - 1; w > 0; --w) {
            const std::string& prev = words[w - 1]->raw;
            const std::string& cur = words[w]->raw;
            if (prev.back() == '.' || cur.front() == '.') continue;
            first_local = w;
            break;
        }
        if (first_local > 0) {
            if (!lenient) {
                std::string all;
                for (auto* w : words) all += (all.empty() ? "" : " ") + w->raw;
                fail("spaces in the local part \"" + all + "\"");
                return false;
            }
            std::string name;
            for (std::size_t w = 0; w < first_local; ++w)
                name += (name.empty() ? "" : " ") + (words[w]->kind == Tok::quoted ? words[w]->text : words[w]->raw);
            mb.display_name = decode_encoded_words(name);
            out_.warnings.push_back("display name without angle brackets before " + words[first_local]->raw + "@...");
        }
        for (std::size_t w = first_local; w < words.size(); ++w) mb.local_part += words[w]->raw;
        ++i_;  // '@'
        if (i_ >= t_.size() || (t_[i_].kind != Tok::atom && t_[i_].kind != Tok::literal)) {
            fail("no domain after '@' in \"" + mb.local_part + "@\"");
            return false;
        }
        mb.domain = t_[i_].raw;
        ++i_;
        if (t_[i_ - 1].kind == Tok::literal) {
            mb.domain_error = "the domain is an address literal " + mb.domain;
        } else {
            std::string err;
            auto a = domain_to_ascii(mb.domain, &err);
            if (a) mb.domain_ascii = *a;
            else mb.domain_error = err;
        }
        return true;
    }

    std::vector<Token> t_;
    AddressList& out_;
    std::size_t i_ = 0;
};

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool base64_decode(std::string_view in, std::string& out) {
    unsigned buf = 0;
    int bits = 0;
    for (char c : in) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+') v = 62;
        else if (c == '/') v = 63;
        else if (c == '=') break;
        else return false;
        buf = (buf << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buf >> bits) & 0xff);
        }
    }
    return true;
}

// Converts text in `charset` to UTF-8 with iconv; false when the charset is unknown or the
// bytes are not valid in it.
bool to_utf8(const std::string& charset, const std::string& in, std::string& out) {
    std::string cs;
    for (char c : charset) cs += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (cs == "UTF-8" || cs == "UTF8" || cs == "US-ASCII" || cs == "ASCII") {
        out = in;
        return true;
    }
    iconv_t cd = iconv_open("UTF-8", cs.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    std::string buf(in.size() * 4 + 16, '\0');
    char* ip = const_cast<char*>(in.data());
    std::size_t il = in.size();
    char* op = buf.data();
    std::size_t ol = buf.size();
    std::size_t r = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    if (r == static_cast<std::size_t>(-1)) return false;
    buf.resize(buf.size() - ol);
    out = buf;
    return true;
}

// One encoded word starting at s[i] ("=?"), RFC 2047 §2; on success sets `end` past "?=".
bool decode_one(std::string_view s, std::size_t i, std::size_t& end, std::string& out) {
    std::size_t q1 = s.find('?', i + 2);
    if (q1 == std::string_view::npos) return false;
    std::size_t q2 = s.find('?', q1 + 1);
    if (q2 == std::string_view::npos || q2 != q1 + 2) return false;
    std::size_t q3 = s.find("?=", q2 + 1);
    if (q3 == std::string_view::npos) return false;
    std::string charset(s.substr(i + 2, q1 - i - 2));
    if (auto star = charset.find('*'); star != std::string::npos) charset.resize(star);  // RFC 2231 §5
    char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(s[q1 + 1])));
    std::string_view text = s.substr(q2 + 1, q3 - q2 - 1);
    if (text.find(' ') != std::string_view::npos) return false;
    std::string bytes;
    if (enc == 'B') {
        if (!base64_decode(text, bytes)) return false;
    } else if (enc == 'Q') {
        for (std::size_t k = 0; k < text.size(); ++k) {
            if (text[k] == '_') {
                bytes += ' ';
            } else if (text[k] == '=' && k + 2 < text.size() + 0 && hexval(text[k + 1]) >= 0 &&
                       hexval(text[k + 2]) >= 0) {
                bytes += static_cast<char>(hexval(text[k + 1]) * 16 + hexval(text[k + 2]));
                k += 2;
            } else {
                bytes += text[k];
            }
        }
    } else {
        return false;
    }
    if (!to_utf8(charset, bytes, out)) return false;
    end = q3 + 2;
    return true;
}

}  // namespace

AddressList parse_address_list(std::string_view value) {
    AddressList out;
    std::vector<Token> toks;
    if (!lex(value, toks, out.error)) return out;
    Parser p(std::move(toks), out);
    p.address_list();
    return out;
}

// RFC 2047 §6.1-6.2: decode encoded words, dropping whitespace between two adjacent ones.
std::string decode_encoded_words(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    std::size_t pending_ws_begin = std::string::npos;  // whitespace after an encoded word
    bool last_was_ew = false;
    while (i < s.size()) {
        if (s[i] == '=' && i + 1 < s.size() && s[i + 1] == '?') {
            std::size_t end = 0;
            std::string dec;
            if (decode_one(s, i, end, dec)) {
                if (last_was_ew && pending_ws_begin != std::string::npos) {
                    // drop the whitespace between two encoded words
                    out.resize(pending_ws_begin);
                }
                out += dec;
                i = end;
                last_was_ew = true;
                pending_ws_begin = std::string::npos;
                continue;
            }
        }
        if (s[i] == ' ' || s[i] == '\t') {
            if (last_was_ew && pending_ws_begin == std::string::npos) pending_ws_begin = out.size();
        } else {
            last_was_ew = false;
            pending_ws_begin = std::string::npos;
        }
        out += s[i++];
    }
    return out;
}

// RFC 5890/5891 via libidn2 (IDNA2008, non-transitional), RFC 1035 §2.3.4 length limits.
std::optional<std::string> domain_to_ascii(std::string_view domain, std::string* error) {
    auto bad = [&](const std::string& e) -> std::optional<std::string> {
        if (error) *error = e;
        return std::nullopt;
    };
    std::string d(domain);
    if (!d.empty() && d.back() == '.') d.pop_back();
    if (d.empty()) return bad("the domain is empty");
    bool ascii = true;
    for (unsigned char c : d) {
        if (c >= 0x80) ascii = false;
        if (c < 0x21 || c == 0x7f) return bad("the domain \"" + d + "\" contains a control character or space");
    }
    std::string a;
    if (ascii) {
        for (char c : d) a += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
        char* outp = nullptr;
        int rc = idn2_to_ascii_8z(d.c_str(), &outp, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (rc != IDN2_OK) {
            rc = idn2_to_ascii_8z(d.c_str(), &outp, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
        }
        if (rc != IDN2_OK || !outp) {
            if (outp) idn2_free(outp);
            return bad("the domain \"" + d + "\" is not a valid internationalized name (" +
                       idn2_strerror(rc) + ")");
        }
        a = outp;
        idn2_free(outp);
        for (char& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (a.size() > 253) return bad("the domain is longer than 253 octets");
    std::size_t b = 0;
    for (;;) {
        std::size_t e = a.find('.', b);
        std::size_t len = (e == std::string::npos ? a.size() : e) - b;
        if (len == 0) return bad("the domain \"" + d + "\" has an empty label");
        if (len > 63) return bad("the domain \"" + d + "\" has a label longer than 63 octets");
        if (e == std::string::npos) break;
        b = e + 1;
    }
    return a;
}

}  // namespace auth
