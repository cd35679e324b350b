// Parallel analysis in worker processes (fork, one socketpair each): run_samples' engine for
// --jobs N. Processes rather than threads because libopendkim decodes every signature's key
// with OpenSSL 3.0's d2i_PUBKEY, whose decoder lookups take shared locks that make threads
// contend (openssl/openssl#17064, #20286); separate processes share nothing and scale.
// A worker that dies costs only the sample it was on.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/dns.hpp"
#include "auth/samples.hpp"

namespace auth::detail {

// What the analysis of one sample printed and returned, as the parent needs it.
struct Rendered {
    std::string out;                   // for stdout
    std::string err;                   // for stderr
    int exit = 0;
    std::vector<DnsAnswer> answers;    // DNS answers used, when the run records a snapshot
};

struct PoolCallbacks {
    std::function<bool(Sample&)> next;                        // the next sample; false at the end
    std::function<Rendered(Sample&)> work;                    // runs in a worker (may move the bytes)
    std::function<Rendered(const Sample&, const std::string& why)> lost;  // the sample's worker died
    std::function<void(Rendered&)> emit;                      // in the parent, in input order
};

// Runs every sample through `work` in up to `workers` forked processes, at most `window`
// samples between the oldest not yet emitted and the newest read. Forks lazily (never more
// workers than samples in flight). Call with no other threads running. When no worker can be
// forked the samples are worked in this process.
void run_in_processes(unsigned workers, std::size_t window, const PoolCallbacks& cb);

// The reply wire format (exposed for tests and the fuzz target): one Rendered per frame.
std::string encode_rendered(std::uint64_t seq, const Rendered& r);
// Decodes one frame's payload; false when it is malformed (never reads outside `payload`).
bool decode_rendered(std::string_view payload, std::uint64_t& seq, Rendered& r);

}  // namespace auth::detail
