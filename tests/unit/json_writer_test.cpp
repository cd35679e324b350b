// detail/json_writer.hpp: the compact writer must give nlohmann's dump(-1, ' ', false, replace)
// byte for byte, for any value, invalid UTF-8 included.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "detail/json_writer.hpp"

using auth::detail::OrderedJson;

namespace {

std::string reference(const OrderedJson& j) { return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace); }

std::string ours(const OrderedJson& j) {
    std::string s;
    auth::detail::append_json(s, j);
    return s;
}

struct Rng {
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    std::uint32_t next() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return static_cast<std::uint32_t>(x >> 16);
    }
    std::uint32_t below(std::uint32_t n) { return next() % n; }
};

// Strings made of the pieces that matter: plain ASCII, escapes, control bytes, valid multi-byte
// sequences, and truncated, overlong, surrogate and stray bytes.
std::string random_string(Rng& r) {
    static const char* pieces[] = {"abc", "\"", "\\", "\n", "\t", "\x01", "\x1f", "\x7f", "/",
                                   "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3", "\xe2\x82",
                                   "\xf0\x9f\x98", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                   "\x80", "\xbf", "\xff", "\xfe", " ", "\b", "\f", "\r", std::string("\0", 1).c_str()};
    std::string s;
    std::uint32_t n = r.below(8);
    for (std::uint32_t k = 0; k < n; ++k) {
        std::uint32_t p = r.below(sizeof pieces / sizeof *pieces);
        if (p == sizeof pieces / sizeof *pieces - 1) s.push_back('\0');
        else s += pieces[p];
    }
    return s;
}

OrderedJson random_value(Rng& r, int depth) {
    switch (r.below(depth > 3 ? 7 : 9)) {
    case 0: return nullptr;
    case 1: return r.below(2) == 0;
    case 2: return static_cast<std::int64_t>(r.next()) - (std::int64_t(1) << 31);
    case 3: {
        static const std::int64_t edge[] = {0, -1, std::numeric_limits<std::int64_t>::min(),
                                            std::numeric_limits<std::int64_t>::max()};
        return edge[r.below(4)];
    }
    case 4: return std::numeric_limits<std::uint64_t>::max() - r.below(3);
    case 5: {
        static const double f[] = {0.5, -0.0, 1e300, 3.14159, std::nan(""), 1.0 / 3};
        return f[r.below(6)];
    }
    case 6: return random_string(r);
    case 7: {
        OrderedJson a = OrderedJson::array();
        for (std::uint32_t k = r.below(4); k > 0; --k) a.push_back(random_value(r, depth + 1));
        return a;
    }
    default: {
        OrderedJson o = OrderedJson::object();
        for (std::uint32_t k = r.below(4); k > 0; --k) o[random_string(r)] = random_value(r, depth + 1);
        return o;
    }
    }
}

}  // namespace

TEST_CASE("json_writer: the same bytes as nlohmann's dump for random values", "[json_writer]") {
    Rng r;
    for (int i = 0; i < 20000; ++i) {
        OrderedJson j = random_value(r, 0);
        std::string want = reference(j);
        INFO("case " << i << ": " << want);
        REQUIRE(ours(j) == want);
    }
}

TEST_CASE("json_writer: escapes and replacement characters", "[json_writer]") {
    CHECK(ours("a\"b\\c\n\x01\x7f") == "\"a\\\"b\\\\c\\n\\u0001\x7f\"");
    CHECK(ours("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
    CHECK(ours("caf\xe9") == "\"caf\xef\xbf\xbd\"");
    CHECK(ours(OrderedJson::object()) == "{}");
    CHECK(ours(OrderedJson::array()) == "[]");
    CHECK(ours(OrderedJson{{"b", 1}, {"a", {true, nullptr, -2}}}) == "{\"b\":1,\"a\":[true,null,-2]}");
}
