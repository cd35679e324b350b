// The shared authentication options (auth/auth_options.hpp).
#include "auth/auth_options.hpp"

#include "auth/error.hpp"
#include "auth/psl.hpp"

namespace auth {

namespace po = boost::program_options;

void add_auth_options(po::options_description& d, AuthFlags& f) {
    d.add_options()
        ("trust-ar", po::value<std::string>(&f.trust_ar),
         "take SPF, DKIM and DMARC from a receiver's Authentication-Results instead of checking: \"auto\" for the final "
         "receiver (the hop where the message entered the recipient's domain), or an authserv-id (\"\" for fields without one)")
        ("trust-arc", po::value<std::vector<std::string>>(&f.trust_arc)->composing(),
         "let this ARC sealer's ARC-Authentication-Results stand in when DMARC does not pass otherwise, over a chain that "
         "validates (repeatable; e.g. google.com)")
        ("recheck", "with --trust-ar: also check with DNS (live, or the --dns-from snapshot) and say where the results differ")
        ("trusted-host", po::value<std::vector<std::string>>(&f.trusted_hosts)->composing(),
         "a host name or domain of the receiver (repeatable), for the SPF envelope")
        ("rfc7489", "RFC 7489 policy discovery and organizational domain (Public Suffix List) instead of RFC 9989's tree walk")
        ("psl", po::value<std::string>(&f.psl_file), "with --rfc7489: read this public_suffix_list.dat instead of the system's");
}

AuthOptions auth_options(const po::variables_map& vm, const AuthFlags& f, const CommonOptions& common) {
    AuthOptions o;
    if (vm.count("rfc7489")) o.dmarc.mode = DmarcMode::rfc7489;
    if (vm.count("psl")) {
        if (!vm.count("rfc7489")) throw UsageError("--psl needs --rfc7489");
        try {
            o.dmarc.psl = PublicSuffixList::load_file(f.psl_file);
        } catch (const InputError& e) {
            throw UsageError(e.what());
        }
    }
    o.trusted_hosts = f.trusted_hosts;
    for (const auto& s : f.trust_arc) {
        if (s.empty()) throw UsageError("--trust-arc needs a sealer's domain (the ARC-Seal d=)");
        o.trust_arc.push_back(s);
    }
    if (vm.count("trust-ar")) {
        o.trust = iequals(f.trust_ar, "auto") ? TrustMode::automatic : TrustMode::named;
        o.trust_id = f.trust_ar;
        o.recheck = vm.count("recheck") > 0 || !common.dns.from_file.empty();
    } else if (vm.count("recheck")) {
        throw UsageError("--recheck goes with --trust-ar");
    }
    return o;
}

std::time_t time_option(const std::string& name, long long seconds) {
    if (seconds < 0 || seconds > kLatestTime)
        throw UsageError("--" + name + " must be a time in seconds since 1970 (0 to " + std::to_string(kLatestTime) + ")");
    return static_cast<std::time_t>(seconds);
}

}  // namespace auth
