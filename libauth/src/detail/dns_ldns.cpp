// ldns adapter: names, RDATA decoding and the live resolver (README "DNS: one layer, three sources").
#include "detail/dns_ldns.hpp"

#include <arpa/inet.h>
#include <ldns/ldns.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>

#include "auth/error.hpp"

namespace auth::detail {
namespace {

// Owns one ldns_rdf.
struct RdfPtr {
    ldns_rdf* p = nullptr;
    ~RdfPtr() { if (p) ldns_rdf_deep_free(p); }
};
struct PktPtr {
    ldns_pkt* p = nullptr;
    ~PktPtr() { if (p) ldns_pkt_free(p); }
};

std::string rdf_text(const ldns_rdf* d) {
    char* s = ldns_rdf2str(d);
    std::string r = s ? s : "";
    std::free(s);
    return r;
}

// Canonical text of a dname rdf (lower case, escaped, trailing dot). Characters that mean
// something in a master file and that ldns leaves bare ('"', '$', '@', blanks) become \DDD, so
// a name can always be written back into a snapshot.
std::string dname_text(const ldns_rdf* d) {
    ldns_rdf* c = ldns_rdf_clone(d);
    if (!c) return "";
    ldns_dname2canonical(c);
    const std::string r = rdf_text(c);
    ldns_rdf_deep_free(c);
    std::string out;
    out.reserve(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) {
        const unsigned char ch = static_cast<unsigned char>(r[i]);
        if (ch == '\\' && i + 1 < r.size()) {
            if (r[i + 1] == ' ' || r[i + 1] == '\t' || r[i + 1] == '"' || r[i + 1] == '$' || r[i + 1] == '@') {
                char buf[5];
                std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(static_cast<unsigned char>(r[i + 1])));
                out += buf;
            } else {
                out += r[i];
                out += r[i + 1];
            }
            ++i;
        } else if (ch == '"' || ch == '$' || ch == '@' || ch == ' ' || ch == '\t' || ch == '(' || ch == ')' ||
                   ch == ';' || ch < 0x20 || ch >= 0x7f) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(ch));
            out += buf;
        } else {
            out += static_cast<char>(ch);
        }
    }
    return out;
}

// An absolute domain name rdf (relative names cannot be answered or written back).
bool is_dname(const ldns_rdf* d) {
    return d && ldns_rdf_get_type(d) == LDNS_RDF_TYPE_DNAME && ldns_dname_absolute(d);
}

std::string seconds_text(double s) {
    std::ostringstream o;
    o << s;
    return o.str();
}

}  // namespace

// The common case without ldns: an absolute name of letters, digits, '-' and '_' in labels of
// 1 to 63 bytes and at most 255 bytes on the wire is canonical once lower-cased (RFC 4034 §6.2).
std::optional<std::string> plain_canonical_name(const std::string& name) {
    if (name == ".") return name;
    if (name.size() < 2 || name.size() > 254 || name.back() != '.') return std::nullopt;
    std::string out(name);
    std::size_t label = 0;
    for (char& ch : out) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (c == '.') {
            if (label == 0) return std::nullopt;
            label = 0;
            continue;
        }
        if (c >= 'A' && c <= 'Z') ch = static_cast<char>(c + 32);
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return std::nullopt;
        if (++label > 63) return std::nullopt;
    }
    return out;
}

std::optional<std::string> canonical_name(const std::string& name) {
    if (auto plain = plain_canonical_name(name)) return plain;
    return canonical_name_ldns(name);
}

std::optional<std::string> canonical_name_ldns(const std::string& name) {
    if (name.empty() || name.find('\0') != std::string::npos || name.size() > 1024) return std::nullopt;
    RdfPtr d;
    if (ldns_str2rdf_dname(&d.p, name.c_str()) != LDNS_STATUS_OK || !d.p) return std::nullopt;
    // Only absolute names: the last label must be the root.
    if (!ldns_dname_str_absolute(name.c_str())) return std::nullopt;
    return dname_text(d.p);
}

std::optional<std::string> parent_name(const std::string& c) {
    if (c == "." || c.empty()) return std::nullopt;
    for (std::size_t i = 0; i < c.size(); ++i) {
        if (c[i] == '\\') {
            ++i;  // the escaped character (or first digit of \DDD) is never a separator
            continue;
        }
        if (c[i] == '.') {
            std::string rest = c.substr(i + 1);
            return rest.empty() ? std::string(".") : rest;
        }
    }
    return std::string(".");
}

bool is_known_type(std::uint16_t t) {
    switch (static_cast<RRType>(t)) {
    case RRType::A: case RRType::NS: case RRType::CNAME: case RRType::SOA: case RRType::PTR:
    case RRType::MX: case RRType::TXT: case RRType::AAAA: case RRType::SPF:
        return true;
    }
    return false;
}

std::string type_name(std::uint16_t t) {
    char* s = ldns_rr_type2str(static_cast<ldns_rr_type>(t));
    std::string r = s ? s : "TYPE" + std::to_string(t);
    std::free(s);
    return r;
}

std::uint16_t type_from_name(const std::string& name) {
    if (name.empty() || name.find('\0') != std::string::npos) return 0;
    return static_cast<std::uint16_t>(ldns_get_rr_type_by_name(name.c_str()));
}

std::string owner_text(const ldns_rr* rr) {
    const ldns_rdf* o = ldns_rr_owner(rr);
    return is_dname(o) ? dname_text(o) : std::string();
}

bool decode_rr(const ldns_rr* rr, DnsRecord& out, std::string& why) {
    const std::uint16_t t = ldns_rr_get_type(rr);
    const std::size_t n = ldns_rr_rd_count(rr);
    out = DnsRecord{};
    out.name = owner_text(rr);
    if (out.name.empty()) {
        why = "record without a valid absolute owner name";
        return false;
    }
    out.type = static_cast<RRType>(t);
    out.ttl = ldns_rr_ttl(rr);
    const std::string tn = type_name(t);
    switch (out.type) {
    case RRType::A:
    case RRType::AAAA: {
        const bool v6 = out.type == RRType::AAAA;
        const ldns_rdf* d = n == 1 ? ldns_rr_rdf(rr, 0) : nullptr;
        if (!d || ldns_rdf_size(d) != (v6 ? 16u : 4u)) {
            why = "malformed " + tn + " record for " + out.name;
            return false;
        }
        char buf[INET6_ADDRSTRLEN] = {};
        if (!inet_ntop(v6 ? AF_INET6 : AF_INET, ldns_rdf_data(d), buf, sizeof buf)) {
            why = "malformed " + tn + " record for " + out.name;
            return false;
        }
        out.target = buf;
        return true;
    }
    case RRType::TXT:
    case RRType::SPF:
        // RFC 1035 §3.3.14: one or more <character-string>s, each a length byte and data.
        for (std::size_t i = 0; i < n; ++i) {
            const ldns_rdf* d = ldns_rr_rdf(rr, i);
            const std::size_t sz = d ? ldns_rdf_size(d) : 0;
            const std::uint8_t* p = d ? ldns_rdf_data(d) : nullptr;
            if (!d || ldns_rdf_get_type(d) != LDNS_RDF_TYPE_STR || sz < 1 || !p || p[0] != sz - 1) {
                why = "malformed " + tn + " record for " + out.name;
                return false;
            }
            out.strings.emplace_back(reinterpret_cast<const char*>(p + 1), sz - 1);
        }
        return true;
    case RRType::MX: {
        const ldns_rdf* pref = n == 2 ? ldns_rr_rdf(rr, 0) : nullptr;
        const ldns_rdf* host = n == 2 ? ldns_rr_rdf(rr, 1) : nullptr;
        if (!pref || ldns_rdf_size(pref) != 2 || !is_dname(host)) {
            why = "malformed MX record for " + out.name;
            return false;
        }
        out.preference = ldns_rdf2native_int16(pref);
        out.target = dname_text(host);
        return true;
    }
    case RRType::NS:
    case RRType::CNAME:
    case RRType::PTR: {
        const ldns_rdf* d = n == 1 ? ldns_rr_rdf(rr, 0) : nullptr;
        if (!is_dname(d)) {
            why = "malformed " + tn + " record for " + out.name;
            return false;
        }
        out.target = dname_text(d);
        return true;
    }
    case RRType::SOA: {
        // RFC 1035 §3.3.13: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM.
        if (n != 7 || !is_dname(ldns_rr_rdf(rr, 0)) || !is_dname(ldns_rr_rdf(rr, 1))) {
            why = "malformed SOA record for " + out.name;
            return false;
        }
        out.target = dname_text(ldns_rr_rdf(rr, 0));
        out.rdata = out.target + " " + dname_text(ldns_rr_rdf(rr, 1));
        for (std::size_t i = 2; i < 7; ++i) {
            const ldns_rdf* d = ldns_rr_rdf(rr, i);
            if (!d || ldns_rdf_size(d) != 4) {
                why = "malformed SOA record for " + out.name;
                return false;
            }
            out.rdata += " " + std::to_string(ldns_rdf2native_int32(d));
        }
        return true;
    }
    }
    why = "unsupported record type " + tn;
    return false;
}

std::size_t answer_bytes(const std::vector<DnsRecord>& records) {
    std::size_t total = 0;
    for (const auto& r : records) {
        total += r.name.size() + r.target.size() + r.rdata.size();
        for (const auto& s : r.strings) total += s.size();
    }
    return total;
}

ServerAddress parse_server(const std::string& text) {
    auto bad = [&](const std::string& why) {
        return UsageError("--resolver '" + text + "': " + why + " (expected ADDR or ADDR@PORT, e.g. 127.0.0.1@5300 or ::1@5300)");
    };
    ServerAddress s;
    std::string addr = text;
    const auto at = text.rfind('@');
    if (at != std::string::npos) {
        addr = text.substr(0, at);
        const std::string port = text.substr(at + 1);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
            throw bad("the port is not a number");
        const long p = std::strtol(port.c_str(), nullptr, 10);
        if (p < 1 || p > 65535) throw bad("the port is not between 1 and 65535");
        s.port = static_cast<std::uint16_t>(p);
    }
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
    unsigned char buf[16];
    if (addr.find('\0') == std::string::npos && inet_pton(AF_INET, addr.c_str(), buf) == 1) {
        s.ipv6 = false;
    } else if (addr.find('\0') == std::string::npos && inet_pton(AF_INET6, addr.c_str(), buf) == 1) {
        s.ipv6 = true;
    } else {
        throw bad("'" + addr + "' is not an IPv4 or IPv6 address");
    }
    s.address = addr;
    return s;
}

namespace {

// Live queries with ldns_resolver; ldns_resolver is not thread-safe, so each query borrows
// one from a pool and gives it back.
class LdnsResolver : public Resolver {
public:
    LdnsResolver(std::optional<ServerAddress> server, double timeout, int retries)
        : server_(std::move(server)), timeout_(timeout), retries_(retries) {}
    ~LdnsResolver() override {
        for (ldns_resolver* r : idle_) ldns_resolver_deep_free(r);
    }

    DnsAnswer query(const std::string& name, RRType type) override;

private:
    ldns_resolver* acquire(std::string& why);
    void release(ldns_resolver* r);
    std::string server_text() const {
        if (!server_) return "the system resolver";
        return server_->address + "@" + std::to_string(server_->port);
    }

    std::optional<ServerAddress> server_;
    double timeout_;
    int retries_;
    std::mutex mu_;
    std::vector<ldns_resolver*> idle_;
};

ldns_resolver* LdnsResolver::acquire(std::string& why) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!idle_.empty()) {
            ldns_resolver* r = idle_.back();
            idle_.pop_back();
            return r;
        }
    }
    ldns_resolver* r = nullptr;
    if (server_) {
        r = ldns_resolver_new();
        if (!r) {
            why = "out of memory";
            return nullptr;
        }
        RdfPtr a;
        a.p = ldns_rdf_new_frm_str(server_->ipv6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, server_->address.c_str());
        if (!a.p || ldns_resolver_push_nameserver(r, a.p) != LDNS_STATUS_OK) {
            ldns_resolver_deep_free(r);
            why = "cannot use " + server_->address + " as a name server";
            return nullptr;
        }
        ldns_resolver_set_port(r, server_->port);
    } else {
        const ldns_status st = ldns_resolver_new_frm_file(&r, nullptr);
        if (st != LDNS_STATUS_OK || !r) {
            why = std::string("cannot read the system resolver configuration (/etc/resolv.conf): ") +
                  ldns_get_errorstr_by_id(st) + "; give --resolver ADDR[@PORT]";
            return nullptr;
        }
        if (ldns_resolver_nameserver_count(r) == 0) {
            ldns_resolver_deep_free(r);
            why = "/etc/resolv.conf names no name server; give --resolver ADDR[@PORT]";
            return nullptr;
        }
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(std::floor(timeout_));
    tv.tv_usec = static_cast<suseconds_t>((timeout_ - std::floor(timeout_)) * 1e6);
    ldns_resolver_set_timeout(r, tv);
    // ldns counts tries, not retries, and sleeps `retrans` seconds between them.
    ldns_resolver_set_retry(r, static_cast<std::uint8_t>(retries_ + 1));
    ldns_resolver_set_retrans(r, 0);
    // RFC 6891 §6.2.5: advertise a large UDP buffer; on TC=1 ldns repeats the query over TCP.
    ldns_resolver_set_edns_udp_size(r, 4096);
    ldns_resolver_set_fallback(r, true);
    ldns_resolver_set_usevc(r, false);
    ldns_resolver_set_igntc(r, false);
    ldns_resolver_set_random(r, false);
    ldns_resolver_set_dnssec(r, false);
    ldns_resolver_set_recursive(r, true);
    ldns_resolver_set_defnames(r, false);
    ldns_resolver_set_dnsrch(r, false);
    ldns_resolver_set_fail(r, false);
    ldns_resolver_set_ip6(r, LDNS_RESOLV_INETANY);
    return r;
}

void LdnsResolver::release(ldns_resolver* r) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(r);
}

// RFC 1034 §4.3.2 / RFC 6604: follow the CNAME chain inside the answer section; the rcode
// describes the last name of the chain.
DnsAnswer LdnsResolver::query(const std::string& name, RRType type) {
    DnsAnswer ans;
    ans.qname = fqdn(name);
    ans.qtype = type;
    ans.status = DnsStatus::error;
    const auto canon = canonical_name(ans.qname);
    if (!canon) {
        ans.detail = "'" + name + "' is not a valid domain name";
        return ans;
    }
    RdfPtr qn;
    qn.p = ldns_dname_new_frm_str(canon->c_str());
    if (!qn.p) {
        ans.detail = "'" + name + "' is not a valid domain name";
        return ans;
    }

    std::string why;
    ldns_resolver* r = acquire(why);
    if (!r) {
        ans.detail = why;
        return ans;
    }
    struct Return {
        LdnsResolver* self;
        ldns_resolver* r;
        ~Return() { self->release(r); }
    } give_back{this, r};

    // A name server that timed out once is marked unreachable by ldns and never tried again;
    // each question starts afresh.
    for (std::size_t i = 0; i < ldns_resolver_nameserver_count(r); ++i)
        ldns_resolver_set_nameserver_rtt(r, i, LDNS_RESOLV_RTT_MIN);

    PktPtr q;
    ldns_status st = ldns_resolver_prepare_query_pkt(&q.p, r, qn.p, static_cast<ldns_rr_type>(type),
                                                     LDNS_RR_CLASS_IN, LDNS_RD);
    if (st != LDNS_STATUS_OK || !q.p) {
        ans.detail = std::string("cannot build the query: ") + ldns_get_errorstr_by_id(st);
        return ans;
    }
    const auto t0 = std::chrono::steady_clock::now();
    PktPtr reply;
    st = ldns_resolver_send_pkt(&reply.p, r, q.p);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int tries = retries_ + 1;
    if (st != LDNS_STATUS_OK || !reply.p) {
        // ldns reports every unanswered try as a network error; telling a time-out from a
        // refusal needs the clock.
        const double budget = timeout_ * tries * static_cast<double>(ldns_resolver_nameserver_count(r));
        if (elapsed >= 0.8 * budget || st == LDNS_STATUS_RES_NO_NS) {
            ans.status = DnsStatus::timeout;
            ans.detail = "no answer from " + server_text() + " within " + seconds_text(timeout_) + " s (" +
                         std::to_string(tries) + (tries == 1 ? " try)" : " tries)");
        } else {
            ans.detail = "query to " + server_text() + " failed: " + ldns_get_errorstr_by_id(st);
        }
        return ans;
    }

    // The reply must be for our question (RFC 5452 §4.2: ID and question match).
    const ldns_rr_list* question = ldns_pkt_question(reply.p);
    const ldns_rr* q0 = question && ldns_rr_list_rr_count(question) == 1 ? ldns_rr_list_rr(question, 0) : nullptr;
    if (ldns_pkt_id(reply.p) != ldns_pkt_id(q.p) || !q0 || ldns_rr_get_type(q0) != static_cast<ldns_rr_type>(type) ||
        ldns_dname_compare(ldns_rr_owner(q0), qn.p) != 0) {
        ans.detail = "the reply from " + server_text() + " does not match the question";
        return ans;
    }

    const ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply.p);
    if (rcode == LDNS_RCODE_SERVFAIL) {
        ans.status = DnsStatus::servfail;
        ans.detail = server_text() + " answered SERVFAIL";
        return ans;
    }
    if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) {
        ldns_lookup_table* lt = ldns_lookup_by_id(ldns_rcodes, static_cast<int>(rcode));
        ans.detail = server_text() + " answered " + (lt && lt->name ? lt->name : "rcode " + std::to_string(rcode));
        return ans;
    }

    // Decode the answer section once, then walk the chain from the question name.
    std::vector<DnsRecord> section;
    const ldns_rr_list* an = ldns_pkt_answer(reply.p);
    for (std::size_t i = 0; an && i < ldns_rr_list_rr_count(an); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(an, i);
        if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN || !is_known_type(ldns_rr_get_type(rr))) continue;
        const auto rt = static_cast<RRType>(ldns_rr_get_type(rr));
        if (rt != type && rt != RRType::CNAME) continue;
        DnsRecord rec;
        if (!decode_rr(rr, rec, why)) {
            ans.detail = why + " in the reply from " + server_text();
            return ans;
        }
        section.push_back(std::move(rec));
    }
    std::string cur = *canon;
    for (int hop = 0;; ++hop) {
        for (const auto& rec : section)
            if (rec.type == type && rec.name == cur) ans.records.push_back(rec);
        if (!ans.records.empty() || type == RRType::CNAME) break;
        const DnsRecord* cn = nullptr;
        for (const auto& rec : section)
            if (rec.type == RRType::CNAME && rec.name == cur) {
                cn = &rec;
                break;
            }
        if (!cn) break;
        if (hop >= kMaxCnameHops) {
            ans.records.clear();
            ans.cnames.clear();
            ans.detail = "CNAME chain longer than " + std::to_string(kMaxCnameHops) + " from " + ans.qname;
            return ans;
        }
        ans.cnames.push_back(*cn);
        cur = cn->target;
    }
    if (answer_bytes(ans.records) + answer_bytes(ans.cnames) > kMaxAnswerBytes) {
        ans.records.clear();
        ans.cnames.clear();
        ans.detail = "the answer from " + server_text() + " is larger than 64 KiB";
        return ans;
    }
    if (rcode == LDNS_RCODE_NXDOMAIN) {
        ans.records.clear();
        ans.status = DnsStatus::nxdomain;
        ans.detail = "no such name: " + cur;
    } else if (ans.records.empty()) {
        ans.status = DnsStatus::nodata;
        ans.detail = cur + " has no " + to_string(type) + " record";
    } else {
        ans.status = DnsStatus::ok;
    }
    return ans;
}

}  // namespace

std::shared_ptr<Resolver> make_ldns_resolver(const std::string& server, double timeout, int retries) {
    if (!(timeout > 0) || timeout > 3600)
        throw UsageError("--dns-timeout must be more than 0 and at most 3600 seconds");
    if (retries < 0 || retries > 20) throw UsageError("--dns-retries must be between 0 and 20");
    std::optional<ServerAddress> s;
    if (!server.empty()) s = parse_server(server);
    return std::make_shared<LdnsResolver>(std::move(s), timeout, retries);
}

}  // namespace auth::detail
