// The `authscope spf` tool over libauth: its options and its analysis of one sample.
#pragma once
#include <string>
#include <vector>

#include "auth/run.hpp"
#include "auth/spf.hpp"

namespace auth {

// Options of `authscope spf` beyond the common ones.
struct SpfToolOptions {
    std::string ip, helo, mail_from;
    bool mail_from_given = false;   // --mail-from was given (possibly "<>" or "")
    std::vector<std::string> trusted_hosts;
    SpfLimits limits;
};

// The whole analysis of one sample (msg may be null: flags only), as Outcome for the runner.
// Throws InputError (exit 3) when a value cannot be derived, naming the flag to give.
Outcome spf_analyze(const SpfToolOptions& opts, const Message* msg, Resolver& dns,
                    const CommonOptions& common);

}  // namespace auth
