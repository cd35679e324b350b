// The authentication options `dmarc`, `explain` and `report` share (tool layer): whose results to
// trust (--trust-ar), whether to also check (--recheck), the SPF envelope's receiver hosts
// (--trusted-host) and the DMARC mode (--rfc7489, --psl).
#pragma once
#include <ctime>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "auth/authenticate.hpp"
#include "auth/run.hpp"

namespace auth {

struct AuthFlags {
    std::string trust_ar;                    // "auto", an authserv-id, or "" (fields without one)
    std::vector<std::string> trusted_hosts;
    std::string psl_file;
    std::vector<std::string> trust_arc;      // --trust-arc SEALER (repeatable)
};

// Adds --trust-ar, --trust-arc, --recheck, --trusted-host, --rfc7489 and --psl to a tool's options.
void add_auth_options(boost::program_options::options_description& d, AuthFlags& flags);

// The AuthOptions the parsed flags ask for (trust mode, DMARC mode and list). With --dns-from a
// trusted receiver's results are also checked against the snapshot (as with --recheck). Throws
// UsageError for --psl without --rfc7489 or a list that cannot be read.
AuthOptions auth_options(const boost::program_options::variables_map& vm, const AuthFlags& flags,
                         const CommonOptions& common);

// A --NAME time option: seconds since 1970, 0 to kLatestTime; else throws UsageError.
std::time_t time_option(const std::string& name, long long seconds);

}  // namespace auth
