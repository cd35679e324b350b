// DNS snapshots: read with ldns (RFC 1035 §5 master files), answered like an authoritative
// server would (RFC 1034 §4.3.2, RFC 4592 wildcards, RFC 8020 empty non-terminals), and written back.
#include "detail/dns_snapshot.hpp"

#include <ldns/ldns.h>

#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "auth/error.hpp"
#include "detail/dns_ldns.hpp"

namespace auth::detail {
namespace {

// Answers recorded as directives: `;; authscope: KIND NAME [TYPE]`.
struct Directive {
    DnsStatus status;
    std::string name;
    std::uint16_t type = 0;  // 0: every type (TIMEOUT only)
};

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::optional<DnsStatus> directive_kind(const std::string& word) {
    const std::string w = upper(word);
    if (w == "NXDOMAIN") return DnsStatus::nxdomain;
    if (w == "NODATA") return DnsStatus::nodata;
    if (w == "SERVFAIL") return DnsStatus::servfail;
    if (w == "TIMEOUT") return DnsStatus::timeout;
    if (w == "ERROR") return DnsStatus::error;
    return std::nullopt;
}

const char* directive_word(DnsStatus s) {
    switch (s) {
    case DnsStatus::nxdomain: return "NXDOMAIN";
    case DnsStatus::nodata: return "NODATA";
    case DnsStatus::servfail: return "SERVFAIL";
    case DnsStatus::timeout: return "TIMEOUT";
    case DnsStatus::error: return "ERROR";
    case DnsStatus::ok: break;
    }
    return "ERROR";
}

// Parses the directive on one line, if the line is one; throws InputError when malformed.
std::optional<Directive> parse_directive(const std::string& line, const std::string& where) {
    std::size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line.compare(i, 2, ";;") != 0) return std::nullopt;
    i = line.find_first_not_of(" \t", i + 2);
    static const std::string tag = "authscope:";
    if (i == std::string::npos || line.compare(i, tag.size(), tag) != 0) return std::nullopt;
    // Words split at blanks; a backslash escapes the next character (names may hold "\;" or
    // "\ "), and an unescaped ';' starts a trailing comment.
    std::vector<std::string> words;
    std::string w;
    for (std::size_t k = i + tag.size(); k < line.size(); ++k) {
        const char c = line[k];
        if (c == '\\' && k + 1 < line.size()) {
            w += c;
            w += line[++k];
        } else if (c == ';') {
            break;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            if (!w.empty()) words.push_back(w);
            w.clear();
        } else {
            w += c;
        }
    }
    if (!w.empty()) words.push_back(w);
    auto fail = [&](const std::string& why) { return InputError(where + why); };
    if (words.empty()) throw fail("empty authscope directive");
    const auto kind = directive_kind(words[0]);
    if (!kind) throw fail("unknown authscope directive '" + words[0] + "' (expected NXDOMAIN, NODATA, SERVFAIL, TIMEOUT or ERROR)");
    if (words.size() < 2) throw fail("authscope directive " + words[0] + " needs a name");
    Directive d;
    d.status = *kind;
    std::string name = words[1];
    if (name.back() != '.') name += '.';
    const auto canon = canonical_name(name);
    if (!canon) throw fail("'" + words[1] + "' is not a valid domain name");
    d.name = *canon;
    if (words.size() >= 3) {
        d.type = type_from_name(words[2]);
        if (d.type == 0) throw fail("unknown record type '" + words[2] + "'");
    } else if (*kind != DnsStatus::timeout) {
        throw fail("authscope directive " + upper(words[0]) + " needs a record type");
    }
    if (words.size() > 3) throw fail("unexpected '" + words[3] + "' after the authscope directive");
    return d;
}

struct Node {
    std::map<std::uint16_t, std::vector<DnsRecord>> rrsets;  // known types, in file order
    std::map<std::uint16_t, DnsStatus> directives;            // first directive per type wins
    bool timeout_all = false;
};

bool same_record(const DnsRecord& a, const DnsRecord& b) {
    return a.name == b.name && a.type == b.type && a.ttl == b.ttl && a.strings == b.strings &&
           a.target == b.target && a.preference == b.preference && a.rdata == b.rdata;
}

// Answers from a parsed snapshot; immutable after construction, so safe from many threads.
class ReplayResolver : public Resolver {
public:
    ReplayResolver(const std::string& text, const std::string& label) { load(text, label); }
    DnsAnswer query(const std::string& name, RRType type) override;

private:
    void load(const std::string& text, const std::string& label);
    void add_existing(std::string name);
    const Node* find(const std::string& name) const {
        auto it = nodes_.find(name);
        return it == nodes_.end() ? nullptr : &it->second;
    }

    std::unordered_map<std::string, Node> nodes_;
    std::unordered_set<std::string> exists_;  // names with data, and every ancestor (ENTs)
};

void ReplayResolver::add_existing(std::string name) {
    for (;;) {
        if (!exists_.insert(name).second) return;  // its ancestors are already in
        auto p = parent_name(name);
        if (!p) return;
        name = *p;
    }
}

// Quoted strings must close on the line they open and parentheses must balance (ldns would
// otherwise run on to the end of the file without complaint).
void check_lexical(const std::string& text, const std::string& label) {
    int line = 1, quote_line = 0, paren_line = 0, depth = 0;
    bool quoted = false, comment = false;
    auto fail = [&](int at, const std::string& why) {
        return InputError(label + ": line " + std::to_string(at) + ": " + why);
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') {
            if (quoted) throw fail(quote_line, "quoted string not closed on its line");
            comment = false;
            ++line;
        } else if (comment) {
        } else if (c == '\\') {
            if (i + 1 < text.size() && text[i + 1] != '\n') ++i;
        } else if (c == '"') {
            quoted = !quoted;
            quote_line = line;
        } else if (quoted) {
        } else if (c == ';') {
            comment = true;
        } else if (c == '(') {
            if (depth++ == 0) paren_line = line;
        } else if (c == ')') {
            if (--depth < 0) throw fail(line, "')' without '('");
        }
    }
    if (quoted) throw fail(quote_line, "quoted string not closed");
    if (depth > 0) throw fail(paren_line, "'(' not closed");
}

void ReplayResolver::load(const std::string& text, const std::string& label) {
    // Directives are comments to ldns (and nsd), so they are read in a pass of their own.
    {
        std::size_t start = 0;
        int line_no = 0;
        while (start <= text.size()) {
            std::size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            ++line_no;
            const std::string line = text.substr(start, end - start);
            const std::string where = label + ": line " + std::to_string(line_no) + ": ";
            if (line.find('\0') != std::string::npos) throw InputError(where + "NUL byte in the snapshot");
            if (auto d = parse_directive(line, where)) {
                Node& n = nodes_[d->name];
                if (d->type == 0)
                    n.timeout_all = true;
                else
                    n.directives.emplace(d->type, d->status);
                if (d->status == DnsStatus::nodata) add_existing(d->name);
            }
            if (end == text.size()) break;
            start = end + 1;
        }
    }
    if (text.empty()) return;
    check_lexical(text, label);

    FILE* fp = fmemopen(const_cast<char*>(text.data()), text.size(), "r");
    if (!fp) throw InputError(label + ": cannot read the snapshot");
    ldns_rdf* origin = ldns_dname_new_frm_str(".");
    ldns_rdf* prev = nullptr;
    std::uint32_t default_ttl = 3600;
    int line_nr = 0;
    auto cleanup = [&] {
        std::fclose(fp);
        if (origin) ldns_rdf_deep_free(origin);
        if (prev) ldns_rdf_deep_free(prev);
    };
    try {
        while (!std::feof(fp)) {
            const int first_line = line_nr + 1;
            ldns_rr* rr = nullptr;
            const ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp, &default_ttl, &origin, &prev, &line_nr);
            const std::string where = label + ": line " + std::to_string(first_line) + ": ";
            switch (st) {
            case LDNS_STATUS_OK:
                break;
            case LDNS_STATUS_SYNTAX_EMPTY:
            case LDNS_STATUS_SYNTAX_TTL:
            case LDNS_STATUS_SYNTAX_ORIGIN:
                if (rr) ldns_rr_free(rr);
                continue;
            case LDNS_STATUS_SYNTAX_INCLUDE:
                if (rr) ldns_rr_free(rr);
                throw InputError(where + "$INCLUDE is not allowed in a snapshot");
            default:
                if (rr) ldns_rr_free(rr);
                throw InputError(where + ldns_get_errorstr_by_id(st));
            }
            if (!rr) continue;
            struct Free {
                ldns_rr* r;
                ~Free() { ldns_rr_free(r); }
            } free_rr{rr};
            if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
                throw InputError(where + "only class IN records belong in a snapshot");
            DnsRecord rec;
            std::string why;
            const std::uint16_t t = ldns_rr_get_type(rr);
            if (is_known_type(t)) {
                if (!decode_rr(rr, rec, why)) throw InputError(where + why);
            } else {
                // A record of a type we never ask for still makes its owner exist (NODATA).
                rec.name = owner_text(rr);
            }
            if (rec.name.empty()) throw InputError(where + "the owner name is not a fully qualified domain name");
            add_existing(rec.name);
            if (!is_known_type(t)) continue;
            auto& set = nodes_[rec.name].rrsets[t];
            bool dup = false;
            for (const auto& r : set) dup = dup || same_record(r, rec);
            if (!dup) set.push_back(std::move(rec));
        }
    } catch (...) {
        cleanup();
        throw;
    }
    cleanup();
}

// RFC 1034 §4.3.2 step 3, with RFC 4592 wildcard synthesis and at most kMaxCnameHops CNAMEs.
DnsAnswer ReplayResolver::query(const std::string& name, RRType type) {
    DnsAnswer ans;
    ans.qname = fqdn(name);
    ans.qtype = type;
    const auto canon = canonical_name(ans.qname);
    if (!canon) {
        ans.status = DnsStatus::error;
        ans.detail = "'" + name + "' is not a valid domain name";
        return ans;
    }
    const auto t = static_cast<std::uint16_t>(type);
    const std::string tn = to_string(type);
    std::string cur = *canon;
    for (int hop = 0;; ++hop) {
        const Node* node = find(cur);
        if (node) {
            auto d = node->directives.find(t);
            if (d != node->directives.end()) {
                ans.status = d->second;
                ans.detail = std::string("snapshot: ") + directive_word(d->second) + " recorded for " + cur + " " + tn;
                return ans;
            }
            if (node->timeout_all) {
                ans.status = DnsStatus::timeout;
                ans.detail = "snapshot: TIMEOUT recorded for " + cur;
                return ans;
            }
        }
        // RFC 4592 §3.3.1: a name that does not exist may be answered from the source of
        // synthesis "*.<closest encloser>".
        const Node* data = node;
        bool synthesized = false;
        if (!exists_.count(cur)) {
            std::optional<std::string> ce = parent_name(cur);
            while (ce && !exists_.count(*ce)) ce = parent_name(*ce);
            if (ce) {
                const Node* w = find(*ce == "." ? std::string("*.") : "*." + *ce);
                if (w && !w->rrsets.empty()) {
                    data = w;
                    synthesized = true;
                }
            }
        }
        auto take = [&](const std::vector<DnsRecord>& set, std::vector<DnsRecord>& out) {
            for (DnsRecord r : set) {
                if (synthesized) r.name = cur;
                out.push_back(std::move(r));
            }
        };
        if (data) {
            auto rs = data->rrsets.find(t);
            if (rs != data->rrsets.end() && !rs->second.empty()) {
                take(rs->second, ans.records);
                ans.status = DnsStatus::ok;
                break;
            }
            auto cn = data->rrsets.find(static_cast<std::uint16_t>(RRType::CNAME));
            if (type != RRType::CNAME && cn != data->rrsets.end() && !cn->second.empty()) {
                if (hop >= kMaxCnameHops) {
                    ans.status = DnsStatus::error;
                    ans.records.clear();
                    ans.cnames.clear();
                    ans.detail = "CNAME chain longer than " + std::to_string(kMaxCnameHops) + " from " + ans.qname;
                    return ans;
                }
                std::vector<DnsRecord> one;
                take({cn->second.front()}, one);
                ans.cnames.push_back(one.front());
                cur = one.front().target;
                continue;
            }
        }
        if (exists_.count(cur) || synthesized) {
            ans.status = DnsStatus::nodata;
            ans.detail = "snapshot: " + cur + " has no " + tn + " record";
        } else {
            ans.status = DnsStatus::nxdomain;
            ans.detail = "snapshot: no such name " + cur;
        }
        return ans;
    }
    if (answer_bytes(ans.records) + answer_bytes(ans.cnames) > kMaxAnswerBytes) {
        ans.status = DnsStatus::error;
        ans.records.clear();
        ans.cnames.clear();
        ans.detail = "snapshot: the answer for " + ans.qname + " " + tn + " is larger than 64 KiB";
    }
    return ans;
}

// Longest RR text written into a snapshot (ldns 1.8 reads up to about 64 KiB per RR).
constexpr std::size_t kMaxRecordText = 64000;

// The RR in master-file form, or nullopt when it cannot be written faithfully.
std::optional<std::string> render_rr(const DnsRecord& r) {
    const auto owner = canonical_name(r.name);
    if (!owner) return std::nullopt;
    std::string rdata;
    switch (r.type) {
    case RRType::A:
    case RRType::AAAA: {
        if (r.target.empty() || r.target.find_first_not_of("0123456789abcdefABCDEF.:") != std::string::npos)
            return std::nullopt;
        rdata = r.target;
        break;
    }
    case RRType::MX: {
        const auto host = canonical_name(r.target);
        if (!host) return std::nullopt;
        rdata = std::to_string(r.preference) + " " + *host;
        break;
    }
    case RRType::NS:
    case RRType::CNAME:
    case RRType::PTR: {
        const auto host = canonical_name(r.target);
        if (!host) return std::nullopt;
        rdata = *host;
        break;
    }
    case RRType::TXT:
    case RRType::SPF:
        if (r.strings.empty()) {
            rdata = "\"\"";
        }
        for (const auto& s : r.strings) {
            if (s.size() > 255) return std::nullopt;
            if (!rdata.empty()) rdata += ' ';
            rdata += quote_character_string(s);
        }
        break;
    case RRType::SOA:
        if (r.rdata.empty()) return std::nullopt;
        for (unsigned char c : r.rdata)
            if (c < 0x20 || c >= 0x7f || c == ';' || c == '(' || c == ')' || c == '"') return std::nullopt;
        rdata = r.rdata;
        break;
    default:
        return std::nullopt;
    }
    std::string line = *owner + "\t" + std::to_string(r.ttl) + "\tIN\t" + to_string(r.type) + "\t" + rdata;
    // Whatever we write must read back; ldns reads one RR of at most about 64 KiB of text.
    if (line.size() > kMaxRecordText) return std::nullopt;
    ldns_rr* back = nullptr;
    const ldns_status st = ldns_rr_new_frm_str(&back, line.c_str(), 3600, nullptr, nullptr);
    if (back) ldns_rr_free(back);
    if (st != LDNS_STATUS_OK) return std::nullopt;
    return line;
}

}  // namespace

std::shared_ptr<Resolver> read_snapshot(const std::string& text, const std::string& label) {
    return std::make_shared<ReplayResolver>(text, label);
}

std::string quote_character_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
    return out;
}

std::string render_snapshot(const std::vector<DnsAnswer>& answers, const std::string& written) {
    std::ostringstream out;
    out << "; authscope DNS snapshot: the DNS answers a check used, as RFC 1035 master-file text.\n"
        << "; Written " << written << ". Replay it with --dns-from FILE; nsd can serve the records.\n"
        << "; Negative and failed answers are kept as \";; authscope: KIND NAME TYPE\" comments.\n"
        << "$ORIGIN .\n";
    std::set<std::string> done;  // RR lines and directives already written
    for (const auto& a : answers) {
        const std::string tn = to_string(a.qtype);
        const auto qn = canonical_name(fqdn(a.qname));
        if (!qn) {
            out << "\n; not kept: '";
            for (unsigned char c : a.qname) out << (c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
            out << "' " << tn << " is not a valid domain name\n";
            continue;
        }
        out << "\n; " << *qn << " " << tn << ": " << to_string(a.status) << "\n";
        std::vector<std::string> lines;
        bool faithful = true;
        for (const auto& c : a.cnames) {
            auto l = render_rr(c);
            if (!l) faithful = false; else lines.push_back(*l);
        }
        std::string last = *qn;
        if (!a.cnames.empty()) {
            auto t = canonical_name(a.cnames.back().target);
            if (t) last = *t; else faithful = false;
        }
        const bool positive = a.status == DnsStatus::ok && !a.records.empty();
        if (positive)
            for (const auto& r : a.records) {
                auto l = render_rr(r);
                if (!l) faithful = false; else lines.push_back(*l);
            }
        std::string directive;
        if (!faithful) {
            out << "; (a record of this answer cannot be written as master-file text: kept as ERROR)\n";
            lines.clear();
            directive = ";; authscope: ERROR " + *qn + " " + tn;
        } else if (!positive) {
            directive = std::string(";; authscope: ") +
                        directive_word(a.status == DnsStatus::ok ? DnsStatus::nodata : a.status) + " " + last + " " + tn;
        }
        for (const auto& l : lines)
            if (done.insert(l).second) out << l << "\n";
        if (!directive.empty() && done.insert(directive).second) out << directive << "\n";
    }
    return out.str();
}

}  // namespace auth::detail
