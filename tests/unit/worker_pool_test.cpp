// The worker pool's reply wire format (detail/worker_pool.hpp); the pool itself is exercised
// through run_samples in run_test.cpp.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include <fcntl.h>
#include <unistd.h>

#include "detail/worker_pool.hpp"

using auth::detail::Rendered;

namespace {
Rendered sample_reply() {
    Rendered r;
    r.out = "{\"tool\":\"dkim\"}\n";
    r.err = "authscope-dkim: x: what\n";
    r.exit = 4;
    auth::DnsAnswer a;
    a.qname = "s._domainkey.example.com.";
    a.qtype = auth::RRType::TXT;
    a.status = auth::DnsStatus::ok;
    auth::DnsRecord rec;
    rec.name = a.qname;
    rec.ttl = 300;
    rec.strings = {"v=DKIM1; p=", std::string("\0\xff", 2)};
    a.records.push_back(rec);
    auth::DnsRecord c;
    c.name = "alias.example.com.";
    c.type = auth::RRType::CNAME;
    c.target = "s._domainkey.example.com.";
    a.cnames.push_back(c);
    a.detail = "d";
    r.answers.push_back(a);
    auth::DnsAnswer b;
    b.qname = "example.com.";
    b.qtype = auth::RRType::MX;
    b.status = auth::DnsStatus::servfail;
    r.answers.push_back(b);
    return r;
}
}  // namespace

TEST_CASE("worker_pool: a reply survives the wire exactly", "[worker_pool]") {
    Rendered r = sample_reply();
    std::string wire = auth::detail::encode_rendered(77, r);
    std::uint64_t seq = 0;
    Rendered back;
    REQUIRE(auth::detail::decode_rendered(wire, seq, back));
    CHECK(seq == 77);
    CHECK(back.out == r.out);
    CHECK(back.err == r.err);
    CHECK(back.exit == 4);
    REQUIRE(back.answers.size() == 2);
    CHECK(back.answers[0].qname == r.answers[0].qname);
    CHECK(back.answers[0].status == auth::DnsStatus::ok);
    REQUIRE(back.answers[0].records.size() == 1);
    CHECK(back.answers[0].records[0].strings == r.answers[0].records[0].strings);
    CHECK(back.answers[0].records[0].ttl == 300);
    REQUIRE(back.answers[0].cnames.size() == 1);
    CHECK(back.answers[0].cnames[0].type == auth::RRType::CNAME);
    CHECK(back.answers[0].cnames[0].target == "s._domainkey.example.com.");
    CHECK(back.answers[0].detail == "d");
    CHECK(back.answers[1].qtype == auth::RRType::MX);
    CHECK(back.answers[1].status == auth::DnsStatus::servfail);
}

TEST_CASE("worker_pool: a truncated, padded or corrupted reply is refused", "[worker_pool]") {
    std::string wire = auth::detail::encode_rendered(1, sample_reply());
    std::uint64_t seq = 0;
    for (std::size_t n = 0; n < wire.size(); ++n) {
        Rendered back;
        CHECK_FALSE(auth::detail::decode_rendered(std::string_view(wire).substr(0, n), seq, back));
    }
    Rendered back;
    CHECK_FALSE(auth::detail::decode_rendered(wire + "x", seq, back));
    std::string bad = wire;
    bad[8] = 9;  // exit status over 255
    bad[9] = 9;
    CHECK_FALSE(auth::detail::decode_rendered(bad, seq, back));
    std::string huge = wire;
    for (int k = 0; k < 8; ++k) huge[12 + k] = '\xff';  // the out string's length
    CHECK_FALSE(auth::detail::decode_rendered(huge, seq, back));
}

namespace {
// Every sample worked, in whichever process, appends its name to this log.
std::string g_log;
void note(const std::string& name) {
    std::string line = name + "\n";
    int fd = ::open(g_log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd >= 0) {
        (void)!::write(fd, line.data(), line.size());
        ::close(fd);
    }
}

std::map<std::string, int> worked() {
    std::map<std::string, int> n;
    std::ifstream log(g_log);
    for (std::string l; std::getline(log, l);) ++n[l];
    return n;
}

// Runs n samples "s0".. (each with `bytes` bytes travelling in its request) through one worker.
std::vector<std::string> run_pool(int n, std::size_t bytes, unsigned timeout,
                                  const std::function<void(const std::string&)>& work) {
    g_log = (std::filesystem::temp_directory_path() / ("authscope-pool-" + std::to_string(::getpid()))).string();
    std::filesystem::remove(g_log);
    int given = 0;
    std::vector<std::string> emitted;
    auth::detail::PoolCallbacks cb;
    cb.next = [&](auth::Sample& s) {
        if (given == n) return false;
        s = auth::Sample{};
        s.file = "s" + std::to_string(given++);
        s.bytes.assign(bytes, 'x');
        return true;
    };
    cb.work = [&](auth::Sample& s) {
        note(s.file);
        work(s.file);
        Rendered r;
        r.out = s.file + " ok";
        return r;
    };
    cb.lost = [](const auth::Sample& s, const std::string& why) {
        Rendered r;
        r.out = s.file + " lost: " + why;
        return r;
    };
    cb.emit = [&](Rendered& r) { emitted.push_back(r.out); };
    auth::detail::PoolOptions o;
    o.workers = 1;
    o.sample_timeout = timeout;
    auth::detail::run_in_processes(o, cb);
    return emitted;
}
}  // namespace

TEST_CASE("worker_pool: a sample over the time limit is lost once, and no other sample is worked twice", "[worker_pool]") {
    // Large requests keep the first process writing to the worker when it gives up: its last
    // replies and its 'T' frame must still be read.
    auto out = run_pool(6, 1u << 20, 1, [](const std::string& f) {
        if (f == "s1")
            for (;;) ::pause();
    });
    REQUIRE(out.size() == 6);
    CHECK(out[0] == "s0 ok");
    CHECK_THAT(out[1], Catch::StartsWith("s1 lost: the analysis took longer than 1 s"));
    for (int i = 2; i < 6; ++i) CHECK(out[i] == "s" + std::to_string(i) + " ok");
    for (const auto& [f, n] : worked()) {
        INFO(f);
        CHECK(n == 1);
    }
    std::filesystem::remove(g_log);
}

TEST_CASE("worker_pool: after a crash the samples are worked again alone, and only the culprit is lost", "[worker_pool]") {
    auto out = run_pool(10, 1000, 0, [](const std::string& f) {
        if (f == "s4") ::abort();
    });
    REQUIRE(out.size() == 10);
    for (int i = 0; i < 10; ++i) {
        INFO(out[i]);
        if (i == 4) CHECK_THAT(out[i], Catch::StartsWith("s4 lost: its worker process was killed by signal 6"));
        else CHECK(out[i] == "s" + std::to_string(i) + " ok");
    }
    auto n = worked();
    CHECK(n["s4"] == 2);  // once among the others, once alone
    std::filesystem::remove(g_log);
}
