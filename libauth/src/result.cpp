#include "auth/result.hpp"

namespace auth {

std::string_view to_string(Result r) {
    switch (r) {
    case Result::none: return "none";
    case Result::pass: return "pass";
    case Result::fail: return "fail";
    case Result::softfail: return "softfail";
    case Result::neutral: return "neutral";
    case Result::policy: return "policy";
    case Result::temperror: return "temperror";
    case Result::permerror: return "permerror";
    }
    return "none";
}

std::optional<Result> result_from_string(std::string_view w) {
    static const Result all[] = {Result::none,    Result::pass,   Result::fail,      Result::softfail,
                                 Result::neutral, Result::policy, Result::temperror, Result::permerror};
    for (Result r : all)
        if (to_string(r) == w) return r;
    return std::nullopt;
}

int exit_status_for(Result r) {
    if (r == Result::pass) return kExitPass;
    if (r == Result::temperror) return kExitDnsTemp;
    return kExitNotPass;
}

}  // namespace auth
