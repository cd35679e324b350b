#include <catch2/catch.hpp>

#include "auth/result.hpp"

TEST_CASE("result: RFC 8601 words round-trip", "[result]") {
    for (const char* w : {"none", "pass", "fail", "softfail", "neutral", "policy", "temperror", "permerror"}) {
        auto r = auth::result_from_string(w);
        REQUIRE(r);
        CHECK(auth::to_string(*r) == w);
    }
    CHECK_FALSE(auth::result_from_string("PASS"));
    CHECK_FALSE(auth::result_from_string("hardfail"));
}

TEST_CASE("result: exit statuses follow the contract", "[result]") {
    CHECK(auth::exit_status_for(auth::Result::pass) == 0);
    CHECK(auth::exit_status_for(auth::Result::fail) == 1);
    CHECK(auth::exit_status_for(auth::Result::none) == 1);
    CHECK(auth::exit_status_for(auth::Result::temperror) == 4);
    CHECK(auth::worst_exit(1, 3) == 3);
    CHECK(auth::worst_exit(4, 3) == 4);
}
