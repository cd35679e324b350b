// The one DNS layer: every DNS answer any check uses comes through a Resolver.
// Three sources (README "DNS: one layer, three sources"): live (ldns), replay (a snapshot zone file, never the network)
// and record (live, keeping every answer used and writing it as a snapshot).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace auth {

// RR types the checks ask for (RFC 1035 §3.2.2, RFC 3596, RFC 7208 §3.1 for type 99).
enum class RRType : std::uint16_t {
    A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SPF = 99,
};
std::string to_string(RRType t);

// How a query ended. NXDOMAIN, NODATA, SERVFAIL and time-out stay distinct all the way to
// the results (none vs permerror vs temperror).
enum class DnsStatus { ok, nxdomain, nodata, servfail, timeout, error };
std::string to_string(DnsStatus s);
// True for the statuses a check reports as temperror (servfail, timeout, error).
bool is_temporary(DnsStatus s);

// One resource record, its RDATA decoded for the types above.
struct DnsRecord {
    std::string name;                 // owner, fully qualified, lower case, trailing dot
    RRType type = RRType::TXT;
    std::uint32_t ttl = 0;
    std::vector<std::string> strings; // TXT/SPF: the character-strings as sent
    std::string target;               // A/AAAA: address text; MX/PTR/CNAME/NS: the host name (trailing dot)
    std::uint16_t preference = 0;     // MX
    std::string rdata;                // SOA: the whole RDATA in presentation form (RFC 1035 §3.3.13)
    // TXT/SPF: the strings joined with nothing between them (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
    std::string text() const;
};

// The answer to one question.
struct DnsAnswer {
    std::string qname;                // as asked, lower case, trailing dot
    RRType qtype = RRType::TXT;
    DnsStatus status = DnsStatus::nxdomain;
    std::vector<DnsRecord> records;   // records of qtype (after following CNAMEs)
    std::vector<DnsRecord> cnames;    // CNAME chain followed to reach them, if any
    std::string detail;               // for failures: what went wrong, for a person
};

// Normalises a domain name for DNS: lower case, one trailing dot.
std::string fqdn(std::string name);

// A source of DNS answers. Implementations are safe to call from several threads.
class Resolver {
public:
    virtual ~Resolver() = default;
    virtual DnsAnswer query(const std::string& name, RRType type) = 0;
};

// Options shared by every tool (--resolver, --dns-timeout, --dns-retries, --dns-from, --dns-record).
struct DnsOptions {
    std::string resolver;     // "ADDR" or "ADDR@PORT"; empty: the system's /etc/resolv.conf
    double timeout = 5.0;     // seconds per try
    int retries = 2;          // tries after the first
    std::string from_file;    // replay snapshot: never the network
    std::string record_file;  // write every answer used to this snapshot
};

// Builds the resolver the options ask for: replay when from_file is set, else live.
// (record_file is applied by the caller, which wraps the result in a RecordingResolver and
// writes its answers with write_snapshot at the end: see run.hpp.)
// Throws UsageError for a bad option and InputError naming the file for a bad snapshot.
std::shared_ptr<Resolver> make_resolver(const DnsOptions& opts);

// Live queries with ldns to the given server (or the system's).
std::shared_ptr<Resolver> make_live_resolver(const std::string& server, double timeout, int retries);

// Answers only from a snapshot (RFC 1035 master-file text plus authscope directives);
// a name absent from it is NXDOMAIN.
std::shared_ptr<Resolver> make_replay_resolver_from_file(const std::string& path);
std::shared_ptr<Resolver> make_replay_resolver_from_text(const std::string& zone_text,
                                                         const std::string& origin_label = "<snapshot>");

// Keeps every answer that passes through it, in order, de-duplicated by question.
class RecordingResolver : public Resolver {
public:
    explicit RecordingResolver(std::shared_ptr<Resolver> inner);
    DnsAnswer query(const std::string& name, RRType type) override;
    // Keeps an answer obtained elsewhere (a worker process), unless its question is already kept.
    void add(const DnsAnswer& answer);
    std::vector<DnsAnswer> answers() const;
    void clear();
    const std::shared_ptr<Resolver>& inner() const { return inner_; }
private:
    std::shared_ptr<Resolver> inner_;
    mutable std::mutex mu_;
    std::vector<DnsAnswer> answers_;
    std::set<std::pair<std::string, RRType>> seen_;  // questions already in answers_
};

// Writes answers as a snapshot: RFC 1035 master-file text that ldns reads back and nsd can
// serve, with negative and failed answers kept as `;; authscope:` directive comments.
std::string write_snapshot(const std::vector<DnsAnswer>& answers);

}  // namespace auth
