// Received chain (RFC 5321 §4.4), envelope derivation, Received-SPF (RFC 7208 §9.1).
#include "auth/received.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>

namespace auth {
namespace {

constexpr std::size_t kMaxHops = 1000;
constexpr std::size_t kMaxValue = 64 * 1024;  // longer Received values are cut: nothing useful is that long

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// A top-level word of a Received value (outside comments) and where it starts.
struct Word {
    std::string text;
    std::size_t pos;
};

// Splits at top level: words outside parentheses; comments are skipped (quoted pairs kept).
std::vector<Word> top_words(std::string_view v) {
    std::vector<Word> out;
    int depth = 0;
    std::size_t i = 0;
    while (i < v.size() && out.size() < 10000) {
        char c = v[i];
        if (c == '\\' && i + 1 < v.size()) { i += 2; continue; }
        if (c == '(') { ++depth; ++i; continue; }
        if (c == ')') { if (depth > 0) --depth; ++i; continue; }
        if (depth > 0 || is_space(c) || c == ';') { ++i; continue; }
        std::size_t start = i;
        while (i < v.size() && !is_space(v[i]) && v[i] != '(' && v[i] != ';') ++i;
        out.push_back({std::string(v.substr(start, i - start)), start});
    }
    return out;
}

// Position of the last ';' outside comments, or npos.
std::size_t last_top_semicolon(std::string_view v) {
    int depth = 0;
    std::size_t last = std::string_view::npos;
    for (std::size_t i = 0; i < v.size(); ++i) {
        char c = v[i];
        if (c == '\\') { ++i; continue; }
        if (c == '(') ++depth;
        else if (c == ')') { if (depth > 0) --depth; }
        else if (c == ';' && depth == 0) last = i;
    }
    return last;
}

bool is_keyword(const std::string& w) {
    static const char* const kw[] = {"from", "by", "via", "with", "id", "for"};
    for (const char* k : kw)
        if (iequals(w, k)) return true;
    return false;
}

std::string strip_angle(std::string s) {
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
    return s;
}

// The first IP address among the tokens of text: [a.b.c.d], [IPv6:...], (a.b.c.d), bare.
std::string first_ip(std::string_view text) {
    std::string tok;
    auto flush = [&](std::string& t) -> std::string {
        std::string r = normalize_ip(t);
        t.clear();
        return r;
    };
    for (std::size_t i = 0; i <= text.size(); ++i) {
        char c = i < text.size() ? text[i] : ' ';
        if (is_space(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '=' || c == ',' || c == ';' ||
            c == '"' || c == '<' || c == '>') {
            if (!tok.empty()) {
                std::string r = flush(tok);
                if (!r.empty()) return r;
            }
            continue;
        }
        tok += c;
        if (tok.size() > 100) tok.clear();
    }
    return "";
}

// A value after "helo=" or "HELO " inside the from clause's comments (Exim, qmail), or "".
std::string helo_in_comment(std::string_view from_text) {
    std::string low = to_lower(from_text);
    for (const char* key : {"helo=", "helo "}) {
        std::size_t p = low.find(key);
        while (p != std::string::npos) {
            // only inside a comment, and at a word start
            int depth = 0;
            for (std::size_t i = 0; i < p; ++i) {
                if (low[i] == '(') ++depth;
                else if (low[i] == ')' && depth > 0) --depth;
            }
            bool word_start = p == 0 || !std::isalnum(static_cast<unsigned char>(low[p - 1]));
            if (depth > 0 && word_start) {
                std::size_t s = p + std::strlen(key);
                while (s < from_text.size() && is_space(from_text[s])) ++s;
                std::size_t e = s;
                while (e < from_text.size() && !is_space(from_text[e]) && from_text[e] != ')' && from_text[e] != ',')
                    ++e;
                std::string v(from_text.substr(s, e - s));
                if (!v.empty()) return v;
            }
            p = low.find(key, p + 1);
        }
    }
    return "";
}

// Postfix/Sendmail/Gmail: "(rdns [IP])": the word before the bracket inside the first comment.
std::string rdns_in_comment(std::string_view from_text) {
    std::size_t open = from_text.find('(');
    if (open == std::string_view::npos) return "";
    std::size_t close = from_text.find(')', open);
    std::string_view inner = from_text.substr(open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1);
    std::string w;
    std::size_t i = 0;
    while (i < inner.size() && is_space(inner[i])) ++i;
    while (i < inner.size() && !is_space(inner[i]) && inner[i] != '[') w += inner[i++];
    if (w.empty() || !normalize_ip(w).empty() || iequals(w, "unknown") || w.find('=') != std::string::npos ||
        iequals(w, "helo"))
        return "";
    if (w.back() == '.') w.pop_back();
    return w;
}

bool host_matches(const std::string& host, const std::string& trusted) {
    return !host.empty() && !trusted.empty() && domain_within(host, trusted);
}

bool trusted(const std::string& host, const std::vector<std::string>& hosts) {
    for (const auto& t : hosts)
        if (host_matches(host, t)) return true;
    return false;
}

}  // namespace

std::string normalize_ip(std::string_view text) {
    std::string s = trim(text);
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    if (s.size() > 5 && iequals(std::string_view(s).substr(0, 5), "IPv6:")) s = s.substr(5);
    if (s.empty() || s.size() > 64) return "";
    unsigned char buf[16];
    char out[INET6_ADDRSTRLEN];
    if (s.find(':') == std::string::npos) {
        // inet_pton accepts only dotted quads: exactly what an IPv4 literal is.
        if (inet_pton(AF_INET, s.c_str(), buf) == 1) return inet_ntop(AF_INET, buf, out, sizeof out);
        return "";
    }
    if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return inet_ntop(AF_INET6, buf, out, sizeof out);
    return "";
}

bool is_private_ip(std::string_view ip) {
    std::string s(ip);
    unsigned char b[16];
    if (inet_pton(AF_INET, s.c_str(), b) == 1) {
        if (b[0] == 10 || b[0] == 127 || b[0] == 0 || b[0] >= 224) return true;
        if (b[0] == 172 && (b[1] & 0xf0) == 16) return true;
        if (b[0] == 192 && b[1] == 168) return true;
        if (b[0] == 169 && b[1] == 254) return true;
        if (b[0] == 100 && (b[1] & 0xc0) == 64) return true;
        return false;
    }
    if (inet_pton(AF_INET6, s.c_str(), b) == 1) {
        static const unsigned char zero[16] = {0};
        if (std::memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;                         // fe80::/10
        if ((b[0] & 0xfe) == 0xfc) return true;                                          // fc00::/7
        if (b[0] == 0xff) return true;                                                   // multicast
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(b, mapped, 12) == 0) {
            char v4[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, b + 12, v4, sizeof v4);
            return is_private_ip(v4);
        }
        return false;
    }
    return true;  // not an address: never "public"
}

ReceivedHop parse_received(std::string_view value_in) {
    ReceivedHop h;
    std::string_view value = value_in.substr(0, std::min(value_in.size(), kMaxValue));
    h.value = std::string(value);
    std::size_t semi = last_top_semicolon(value);
    std::string_view body = value;
    if (semi != std::string_view::npos) {
        h.date = trim(value.substr(semi + 1));
        body = value.substr(0, semi);
    }
    std::vector<Word> words = top_words(body);
    // Clause boundaries: each keyword runs until the next keyword.
    struct Clause { std::string key; std::size_t begin, end; std::size_t first_word; };
    std::vector<Clause> clauses;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (!is_keyword(words[i].text)) continue;
        // "with Microsoft SMTP Server ... id": only the first occurrence of each key opens a clause
        std::string key = to_lower(words[i].text);
        bool seen = false;
        for (const auto& c : clauses) if (c.key == key) seen = true;
        if (seen) continue;
        if (!clauses.empty()) clauses.back().end = words[i].pos;
        clauses.push_back({key, words[i].pos + words[i].text.size(), body.size(), i + 1});
    }
    for (const auto& c : clauses) {
        std::string_view text = body.substr(c.begin, c.end - c.begin);
        std::string first = c.first_word < words.size() && words[c.first_word].pos < c.end ? words[c.first_word].text : "";
        if (is_keyword(first)) first.clear();
        if (c.key == "from") {
            std::string in_comment = helo_in_comment(text);
            std::size_t paren = text.find('(');
            std::string_view comments = paren == std::string_view::npos ? std::string_view() : text.substr(paren);
            h.from_ip = first_ip(comments);
            if (h.from_ip.empty()) h.from_ip = normalize_ip(first);
            if (!in_comment.empty()) {
                // Exim "rdns ([IP] helo=NAME)", qmail "unknown (HELO NAME)": the first word is rDNS
                h.from_helo = in_comment;
                if (!iequals(first, "unknown") && normalize_ip(first).empty()) h.from_rdns = first;
            } else {
                h.from_helo = first;
                h.from_rdns = rdns_in_comment(text);
            }
        } else if (c.key == "by") {
            h.by = first;
        } else if (c.key == "with") {
            std::size_t p = text.find('(');
            h.with = trim(text.substr(0, p));
        } else if (c.key == "id") {
            h.id = first;
        } else if (c.key == "for") {
            h.for_addr = strip_angle(first);
        }
    }
    if (!h.by.empty() && h.by.back() == '.') h.by.pop_back();
    return h;
}

std::vector<ReceivedHop> received_chain(const Message& msg) {
    std::vector<ReceivedHop> out;
    for (const HeaderField* f : msg.all("Received")) {
        if (out.size() >= kMaxHops) break;
        ReceivedHop h = parse_received(f->value);
        h.hop = out.size() + 1;
        h.line = f->line;
        out.push_back(std::move(h));
    }
    return out;
}

Envelope derive_envelope(const Message& msg, const std::vector<std::string>& trusted_hosts) {
    Envelope env;
    std::vector<ReceivedHop> chain = received_chain(msg);
    const ReceivedHop* entry = nullptr;
    std::string how;
    if (!trusted_hosts.empty()) {
        for (const auto& h : chain) {
            bool from_trusted = trusted(h.from_helo, trusted_hosts) || trusted(h.from_rdns, trusted_hosts);
            if (trusted(h.by, trusted_hosts) && !from_trusted) {
                entry = &h;
                how = "the first hop from the top received by a trusted host (" + h.by + ") from an outside one";
                break;
            }
        }
    } else {
        for (const auto& h : chain) {
            if (!h.from_ip.empty() && !is_private_ip(h.from_ip)) {
                entry = &h;
                how = "the topmost Received with a public IP address in its from clause";
                break;
            }
        }
    }
    if (entry) {
        env.entry_hop = entry->hop;
        env.ip = {entry->from_ip, "Received", entry->hop, how};
        std::string helo = entry->from_helo;
        env.helo = {helo, "Received", entry->hop, ""};
    }
    if (const HeaderField* rp = msg.first("Return-Path")) {
        std::string v = trim(rp->value);
        // "<addr>" possibly with a comment after it; the null sender is "<>".
        std::size_t lt = v.find('<'), gt = v.find('>', lt == std::string::npos ? 0 : lt);
        if (lt != std::string::npos && gt != std::string::npos) v = v.substr(lt + 1, gt - lt - 1);
        v = trim(v);
        env.have_mail_from = true;
        std::size_t idx = 0;
        for (const HeaderField* f : msg.all("Return-Path")) { ++idx; if (f == rp) break; }
        env.mail_from = {v, "Return-Path", idx, v.empty() ? "null sender: postmaster@HELO is checked (RFC 7208 §2.4)" : ""};
    }
    return env;
}

std::optional<ReceivedSpf> parse_received_spf(std::string_view value_in) {
    std::string_view v = value_in.substr(0, std::min(value_in.size(), kMaxValue));
    std::size_t i = 0;
    while (i < v.size() && is_space(v[i])) ++i;
    std::size_t s = i;
    while (i < v.size() && std::isalpha(static_cast<unsigned char>(v[i]))) ++i;
    std::string word = to_lower(v.substr(s, i - s));
    // RFC 4408 used "error" and "unknown" for temperror and permerror.
    if (word == "error") word = "temperror";
    if (word == "unknown") word = "permerror";
    auto r = result_from_string(word);
    if (!r || *r == Result::policy) return std::nullopt;
    ReceivedSpf out;
    out.result = *r;
    while (i < v.size() && is_space(v[i])) ++i;
    if (i < v.size() && v[i] == '(') {
        int depth = 0;
        std::size_t cs = i + 1, ce = v.size();
        for (; i < v.size(); ++i) {
            if (v[i] == '\\') { ++i; continue; }
            if (v[i] == '(') ++depth;
            else if (v[i] == ')' && --depth == 0) { ce = i; ++i; break; }
        }
        if (i > v.size()) i = v.size();
        out.comment = std::string(v.substr(cs, ce > cs ? ce - cs : 0));
    }
    // key=value pairs separated by ';' (values may be quoted)
    while (i < v.size()) {
        while (i < v.size() && (is_space(v[i]) || v[i] == ';')) ++i;
        std::size_t ks = i;
        while (i < v.size() && v[i] != '=' && v[i] != ';' && !is_space(v[i])) ++i;
        std::string key = to_lower(v.substr(ks, i - ks));
        if (i >= v.size() || v[i] != '=') {
            if (i == ks) ++i;
            continue;
        }
        ++i;
        std::string val;
        if (i < v.size() && v[i] == '"') {
            ++i;
            while (i < v.size() && v[i] != '"') {
                if (v[i] == '\\' && i + 1 < v.size()) ++i;
                val += v[i++];
            }
            if (i < v.size()) ++i;
        } else {
            while (i < v.size() && v[i] != ';' && !is_space(v[i])) val += v[i++];
        }
        if (key == "client-ip") out.client_ip = val;
        else if (key == "envelope-from") out.envelope_from = strip_angle(val);
        else if (key == "helo") out.helo = val;
        else if (key == "receiver") out.receiver = val;
        else if (key == "identity") out.identity = val;
        else if (key == "mechanism") out.mechanism = val;
        else if (key == "problem") out.problem = val;
    }
    return out;
}

}  // namespace auth
