// The one DNS layer (README "DNS: one layer, three sources"): live (ldns), replay (snapshot) and record.
#include "auth/dns.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "auth/error.hpp"
#include "detail/dns_ldns.hpp"
#include "detail/dns_snapshot.hpp"

namespace auth {

// RR type mnemonics (RFC 1035 §3.2.2, RFC 3596 §2.1, RFC 7208 §3.1).
std::string to_string(RRType t) {
    switch (t) {
    case RRType::A: return "A";
    case RRType::NS: return "NS";
    case RRType::CNAME: return "CNAME";
    case RRType::SOA: return "SOA";
    case RRType::PTR: return "PTR";
    case RRType::MX: return "MX";
    case RRType::TXT: return "TXT";
    case RRType::AAAA: return "AAAA";
    case RRType::SPF: return "SPF";
    }
    return "TYPE" + std::to_string(static_cast<unsigned>(t));
}

std::string to_string(DnsStatus s) {
    switch (s) {
    case DnsStatus::ok: return "ok";
    case DnsStatus::nxdomain: return "nxdomain";
    case DnsStatus::nodata: return "nodata";
    case DnsStatus::servfail: return "servfail";
    case DnsStatus::timeout: return "timeout";
    case DnsStatus::error: return "error";
    }
    return "error";
}

bool is_temporary(DnsStatus s) {
    return s == DnsStatus::servfail || s == DnsStatus::timeout || s == DnsStatus::error;
}

// RFC 7208 §3.3 and RFC 6376 §3.6.2.2: the strings of one TXT record are concatenated.
std::string DnsRecord::text() const {
    std::string out;
    for (const auto& s : strings) out += s;
    return out;
}

std::string fqdn(std::string name) {
    for (auto& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    // Drop trailing dots that end the name (not an escaped "\." inside the last label).
    auto escaped_at = [&](std::size_t i) {
        std::size_t n = 0;
        while (i > 0 && name[i - 1] == '\\') --i, ++n;
        return n % 2 == 1;
    };
    while (!name.empty() && name.back() == '.' && !escaped_at(name.size() - 1)) name.pop_back();
    name += '.';
    return name;
}

std::shared_ptr<Resolver> make_live_resolver(const std::string& server, double timeout, int retries) {
    return detail::make_ldns_resolver(server, timeout, retries);
}

std::shared_ptr<Resolver> make_replay_resolver_from_text(const std::string& zone_text, const std::string& origin_label) {
    return detail::read_snapshot(zone_text, origin_label);
}

std::shared_ptr<Resolver> make_replay_resolver_from_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw InputError(path + ": cannot read the DNS snapshot: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw InputError(path + ": the DNS snapshot is not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot read the DNS snapshot: " + std::strerror(errno));
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) throw InputError(path + ": cannot read the DNS snapshot");
    return detail::read_snapshot(buf.str(), path);
}

std::shared_ptr<Resolver> make_resolver(const DnsOptions& opts) {
    // A malformed --resolver is a usage error even when a snapshot makes it unused.
    if (!opts.resolver.empty()) detail::parse_server(opts.resolver);
    if (!opts.from_file.empty()) return make_replay_resolver_from_file(opts.from_file);
    return make_live_resolver(opts.resolver, opts.timeout, opts.retries);
}

RecordingResolver::RecordingResolver(std::shared_ptr<Resolver> inner) : inner_(std::move(inner)) {}

DnsAnswer RecordingResolver::query(const std::string& name, RRType type) {
    DnsAnswer a = inner_->query(name, type);
    std::lock_guard<std::mutex> lock(mu_);
    if (seen_.emplace(a.qname, a.qtype).second) answers_.push_back(a);
    return a;
}

void RecordingResolver::add(const DnsAnswer& answer) {
    std::lock_guard<std::mutex> lock(mu_);
    if (seen_.emplace(answer.qname, answer.qtype).second) answers_.push_back(answer);
}

std::vector<DnsAnswer> RecordingResolver::answers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_;
}

void RecordingResolver::clear() {
    std::lock_guard<std::mutex> lock(mu_);
    answers_.clear();
    seen_.clear();
}

std::string write_snapshot(const std::vector<DnsAnswer>& answers) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return detail::render_snapshot(answers, stamp);
}

}  // namespace auth
