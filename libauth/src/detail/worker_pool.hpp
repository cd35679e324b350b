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
    std::function<void()> done;   // optional: in the parent, as each sample's result comes in (any order)
    std::function<void()> tick;   // optional: in the parent, at least every PoolOptions::tick_ms while waiting
};

struct PoolOptions {
    unsigned workers = 2;          // worker processes (one more runs while a crash is looked into)
    std::size_t window = 128;      // samples between the oldest not yet emitted and the newest read
    unsigned sample_timeout = 0;   // seconds one sample may take in a worker (0: no limit)
    int tick_ms = 250;             // how often PoolCallbacks::tick is called while waiting
};

// Runs every sample through `work` in forked worker processes and emits the results in input
// order. Forks lazily (never more workers than samples in flight). Call with no other threads
// running. When a worker dies, the samples it had been given are worked again, each alone in a
// fresh process: the one that kills its fresh process is reported through `lost`. A sample over
// the time limit is reported through `lost` too. When no worker can be forked, samples are
// worked in this process (as with --jobs 1), but a suspect never is.
void run_in_processes(const PoolOptions& opts, const PoolCallbacks& cb);

// The reply wire format (exposed for tests and the fuzz target): one Rendered per frame.
std::string encode_rendered(std::uint64_t seq, const Rendered& r);
// Decodes one frame's payload; false when it is malformed (never reads outside `payload`).
bool decode_rendered(std::string_view payload, std::uint64_t& seq, Rendered& r);

}  // namespace auth::detail
