// One result type for every check: an RFC 8601 result word and a reason with a stable code.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace auth {

// RFC 8601 §2.7 result words (the union over dkim, spf and dmarc).
enum class Result { none, pass, fail, softfail, neutral, policy, temperror, permerror };

std::string_view to_string(Result r);
std::optional<Result> result_from_string(std::string_view word);

// Why a result is what it is: `code` is stable (kebab-case, for tests and JSON);
// `text` is one plain sentence for a person.
struct Reason {
    std::string code;
    std::string text;
};

// A result together with its reason: what every check returns.
struct Verdict {
    Result result = Result::none;
    Reason reason;
};

// Exit status contract (README "Output and exit status"): with several samples the highest status wins.
enum ExitStatus : int {
    kExitPass = 0,
    kExitNotPass = 1,
    kExitUsage = 2,
    kExitBadInput = 3,
    kExitDnsTemp = 4,
};

// The status a single verdict maps to: pass -> 0, temperror -> 4, anything else -> 1.
int exit_status_for(Result r);
inline int worst_exit(int a, int b) { return a > b ? a : b; }

}  // namespace auth
