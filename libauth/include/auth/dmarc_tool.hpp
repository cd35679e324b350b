// The `authscope dmarc` tool over libauth: its options and its analysis of one sample.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "auth/authenticate.hpp"
#include "auth/dmarc.hpp"
#include "auth/run.hpp"

namespace auth {

// Options of `authscope dmarc` beyond the common ones.
struct DmarcToolOptions {
    AuthOptions auth;                        // mode, --trust-ar, --trusted-host, --now
};

// The whole analysis of one sample for the runner: authenticate() (SPF from the envelope the
// headers give and DKIM computed here, or the receiver's results with --trust-ar), then DMARC.
// Throws InputError when --trust-ar finds no field to trust.
Outcome dmarc_analyze(const DmarcToolOptions& opts, const Message& msg, Resolver& dns, const CommonOptions& common);

}  // namespace auth
