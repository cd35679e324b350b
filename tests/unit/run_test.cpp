#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <csignal>

#include <fcntl.h>
#include <unistd.h>

#include "auth/error.hpp"
#include "auth/run.hpp"

namespace fs = std::filesystem;

namespace {

// An analyzer that reports the Subject, fails on "bad", and looks up one TXT name.
auth::Outcome subject_analyzer(const auth::SampleContext& c) {
    auth::Outcome o;
    const auth::HeaderField* s = c.message.first("Subject");
    std::string subj = s ? s->value : "";
    if (subj == "explode") throw auth::InputError("the analyzer refused it");
    c.dns.query("probe.example.", auth::RRType::TXT);
    o.text = c.file + ": " + subj + "\n";
    o.json["result"] = subj == "pass" ? "pass" : "fail";
    o.ar = "Authentication-Results: x; none";
    o.exit = subj == "pass" ? auth::kExitPass : auth::kExitNotPass;
    return o;
}

fs::path make_mbox(int n) {
    fs::path p = fs::temp_directory_path() / ("authscope-run-" + std::to_string(::getpid()) + ".mbox");
    std::ofstream f(p, std::ios::binary);
    for (int i = 0; i < n; ++i) {
        f << "From x\n";
        if (i == 3) f << "garbage line without colon\n\nbody\n\n";
        else if (i == 5) f << "Subject: explode\n\nbody\n\n";
        else f << "Subject: " << (i % 2 ? "pass" : "m" + std::to_string(i)) << "\n\nbody\n\n";
    }
    return p;
}

fs::path write_mbox(const std::string& name, const std::vector<std::string>& subjects) {
    fs::path p = fs::temp_directory_path() / ("authscope-run-" + name + "-" + std::to_string(::getpid()) + ".mbox");
    std::ofstream f(p, std::ios::binary);
    for (const auto& s : subjects) f << "From x\nSubject: " << s << "\n\nbody\n\n";
    return p;
}

// Runs the analyzer over one input as JSON, with worker processes; the output lines parsed.
struct JsonRun {
    int status = 0;
    std::vector<nlohmann::json> lines;
    std::string err;
};
JsonRun run_json(const auth::Analyzer& analyze, const fs::path& input, unsigned jobs, unsigned timeout = 600,
                 auth::Workers workers = auth::Workers::processes) {
    auth::CommonOptions opts;
    opts.format = auth::Format::json;
    opts.jobs = jobs;
    opts.workers = workers;
    opts.sample_timeout = timeout;
    opts.inputs = {input.string()};
    opts.dns.from_file = AUTHSCOPE_SOURCE_DIR "/tests/unit/data/empty.zone";
    std::ostringstream out, err;
    JsonRun r;
    r.status = auth::run_samples("test", opts, analyze, out, err);
    std::istringstream lines(out.str());
    for (std::string line; std::getline(lines, line);) r.lines.push_back(nlohmann::json::parse(line));
    r.err = err.str();
    return r;
}

}  // namespace

TEST_CASE("run: samples come out in input order with any number of jobs; bad ones do not stop the rest", "[run]") {
    fs::path mbox = make_mbox(40);
    for (auto [jobs, workers] : {std::pair{1u, auth::Workers::processes}, {2u, auth::Workers::processes},
                                 {7u, auth::Workers::processes}, {2u, auth::Workers::threads},
                                 {7u, auth::Workers::threads}}) {
        INFO("jobs " << jobs << (workers == auth::Workers::threads ? " threads" : " processes"));
        JsonRun r = run_json(subject_analyzer, mbox, jobs, 600, workers);
        CHECK(r.status == auth::kExitBadInput);
        int i = 0;
        for (const auto& j : r.lines) {
            CHECK(j["tool"] == "test");
            CHECK(j["file"] == mbox.string() + "#" + std::to_string(i + 1));
            if (i == 3 || i == 5) {
                CHECK(j["result"] == "error");
            } else {
                CHECK(j["result"] == (i % 2 ? "pass" : "fail"));
                REQUIRE(j["dns"].size() == 1);
                CHECK(j["dns"][0]["name"] == "probe.example.");
                CHECK(j["dns"][0]["status"] == "nxdomain");
            }
            ++i;
        }
        CHECK(i == 40);
        CHECK_THAT(r.err, Catch::Contains("authscope-test: " + mbox.string() + "#4: line 1: not a header field"));
        CHECK_THAT(r.err, Catch::Contains("#6: the analyzer refused it"));
    }
    fs::remove(mbox);
}

TEST_CASE("run: an exception other than an input error is named a bug, apart from input errors", "[run]") {
    fs::path mbox = write_mbox("bug", {"a", "b"});
    auto buggy = [](const auth::SampleContext& c) -> auth::Outcome {
        if (c.message.first("Subject")->value == "b") throw std::out_of_range("basic_string::substr");
        return subject_analyzer(c);
    };
    for (auto workers : {auth::Workers::processes, auth::Workers::threads}) {
        JsonRun r = run_json(buggy, mbox, 1, 600, workers);
        CHECK(r.status == auth::kExitBadInput);
        REQUIRE(r.lines.size() == 2);
        CHECK(r.lines[0]["result"] == "fail");
        CHECK(r.lines[1]["result"] == "error");
        CHECK(r.lines[1]["error"] == "internal error (a bug in authscope, please report it): basic_string::substr");
        CHECK_THAT(r.err, Catch::Contains("#2: internal error (a bug in authscope, please report it): basic_string::substr"));
    }
    fs::remove(mbox);
}

TEST_CASE("run: text output separates samples with a blank line; ar prints the header", "[run]") {
    fs::path mbox = make_mbox(3);
    auth::CommonOptions opts;
    opts.inputs = {mbox.string()};
    opts.jobs = 1;
    opts.dns.from_file = AUTHSCOPE_SOURCE_DIR "/tests/unit/data/empty.zone";
    std::ostringstream out, err;
    CHECK(auth::run_samples("test", opts, subject_analyzer, out, err) == auth::kExitNotPass);
    CHECK(out.str() == mbox.string() + "#1: m0\n\n" + mbox.string() + "#2: pass\n\n" + mbox.string() + "#3: m2\n");
    opts.format = auth::Format::ar;
    std::ostringstream out2;
    auth::run_samples("test", opts, subject_analyzer, out2, err);
    CHECK(out2.str() == "Authentication-Results: x; none\nAuthentication-Results: x; none\nAuthentication-Results: x; none\n");
    fs::remove(mbox);
}

TEST_CASE("run: --dns-from with --dns-record is a usage error", "[run]") {
    auth::CommonOptions opts;
    opts.dns.from_file = "a.zone";
    opts.dns.record_file = "b.zone";
    CHECK_THROWS_AS(auth::open_session_dns(opts), auth::UsageError);
}

TEST_CASE("run: JSON lines survive invalid UTF-8", "[run]") {
    auth::Json j;
    j["s"] = std::string("caf\xe9");
    CHECK(auth::json_line(j) == "{\"s\":\"caf\xef\xbf\xbd\"}");
}

namespace {
// Dies (SIGKILL, as a crash in a library would end it) on the Subject "die".
auth::Outcome dying_analyzer(const auth::SampleContext& c) {
    const auth::HeaderField* s = c.message.first("Subject");
    if (s && s->value == "die") ::kill(::getpid(), SIGKILL);
    return subject_analyzer(c);
}
}  // namespace

TEST_CASE("run: a worker process that dies loses only its sample; the others are done, in order", "[run]") {
    std::vector<std::string> subjects;
    for (int i = 0; i < 30; ++i) subjects.push_back(i == 7 || i == 19 ? "die" : i % 2 ? "pass" : "m");
    fs::path p = write_mbox("die", subjects);
    JsonRun r = run_json(dying_analyzer, p, 3);
    CHECK(r.status == auth::kExitBadInput);
    REQUIRE(r.lines.size() == 30);
    for (int i = 0; i < 30; ++i) {
        const auto& j = r.lines[i];
        CHECK(j["file"] == p.string() + "#" + std::to_string(i + 1));
        if (i == 7 || i == 19) {
            CHECK(j["result"] == "error");
            CHECK_THAT(j["error"].get<std::string>(), Catch::Contains("killed by signal 9"));
        } else {
            CHECK(j["result"] == (i % 2 ? "pass" : "fail"));
        }
    }
    CHECK_THAT(r.err, Catch::Contains("#8: internal error (a bug in authscope, please report it): the analysis stopped (its worker process was killed by signal 9"));
    CHECK_THAT(r.err, Catch::Contains("the other samples go on"));
    fs::remove(p);
}

TEST_CASE("run: a folder of messages with workers: each file read by a worker, output in order", "[run]") {
    fs::path d = fs::temp_directory_path() / ("authscope-run-dir-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    for (int i = 0; i < 12; ++i) {
        std::ofstream f(d / ("m" + std::to_string(10 + i) + ".eml"), std::ios::binary);
        f << "Subject: " << (i % 3 ? "pass" : "s" + std::to_string(i)) << "\r\n\r\nbody\r\n";
    }
    { std::ofstream f(d / "m99.eml"); }  // empty: an error sample
    auth::CommonOptions opts;
    opts.jobs = 2;
    opts.inputs = {d.string()};
    opts.dns.from_file = AUTHSCOPE_SOURCE_DIR "/tests/unit/data/empty.zone";
    std::ostringstream out, err;
    CHECK(auth::run_samples("test", opts, subject_analyzer, out, err) == auth::kExitBadInput);
    std::string want;
    for (int i = 0; i < 12; ++i)
        want += (i ? "\n" : "") + (d / ("m" + std::to_string(10 + i) + ".eml")).string() + ": " +
                (i % 3 ? "pass" : "s" + std::to_string(i)) + "\n";
    CHECK(out.str() == want);
    CHECK_THAT(err.str(), Catch::Contains("m99.eml: empty file"));
    fs::remove_all(d);
}

TEST_CASE("run: an mbox on stdin with workers: the bytes travel with the requests, large ones too", "[run]") {
    std::string mbox;
    for (int i = 0; i < 25; ++i) {
        mbox += "From x\nSubject: " + std::string(i % 2 ? "pass" : "m" + std::to_string(i)) + "\n\n";
        // Some bodies far larger than a socket buffer, so requests are written in many parts.
        mbox += i % 7 == 3 ? std::string(3u << 20, 'b') + "\n\n" : "body\n\n";
    }
    std::string outputs[2];
    for (int k = 0; k < 2; ++k) {
        std::istringstream in(mbox);
        std::streambuf* saved = std::cin.rdbuf(in.rdbuf());
        auth::CommonOptions opts;
        opts.format = auth::Format::json;
        opts.jobs = k == 0 ? 1 : 3;
        opts.dns.from_file = AUTHSCOPE_SOURCE_DIR "/tests/unit/data/empty.zone";
        std::ostringstream out, err;
        int status = auth::run_samples("test", opts, subject_analyzer, out, err);
        std::cin.rdbuf(saved);
        CHECK(status == auth::kExitNotPass);
        CHECK(err.str().empty());
        outputs[k] = out.str();
    }
    CHECK(std::count(outputs[0].begin(), outputs[0].end(), '\n') == 25);
    CHECK_THAT(outputs[0], Catch::Contains("\"file\":\"-#25\""));
    CHECK(outputs[1] == outputs[0]);
}

namespace {
// "poison" harms its process without crashing it (a flag standing for corrupted memory); any
// later sample in that process then dies.
bool g_poisoned = false;
auth::Outcome poisoning_analyzer(const auth::SampleContext& c) {
    const auth::HeaderField* s = c.message.first("Subject");
    if (g_poisoned) ::kill(::getpid(), SIGKILL);
    if (s && s->value == "poison") g_poisoned = true;
    return subject_analyzer(c);
}

// "hang" never ends.
auth::Outcome hanging_analyzer(const auth::SampleContext& c) {
    const auth::HeaderField* s = c.message.first("Subject");
    if (s && s->value == "hang")
        for (;;) ::pause();
    return subject_analyzer(c);
}

}  // namespace

TEST_CASE("run: a sample that harms its worker without killing it does not get another sample blamed", "[run]") {
    std::vector<std::string> subjects;
    for (int i = 0; i < 30; ++i) subjects.push_back(i == 9 ? "poison" : i % 2 ? "pass" : "m");
    fs::path p = write_mbox("poison", subjects);
    // Every sample is worked again alone in a fresh process after the crash: none is lost.
    JsonRun r = run_json(poisoning_analyzer, p, 2);
    CHECK(r.status == auth::kExitNotPass);
    CHECK(r.err.empty());
    REQUIRE(r.lines.size() == 30);
    for (int i = 0; i < 30; ++i) {
        CHECK(r.lines[i]["file"] == p.string() + "#" + std::to_string(i + 1));
        CHECK(r.lines[i]["result"] == (i % 2 && i != 9 ? "pass" : "fail"));
    }
    fs::remove(p);
}

TEST_CASE("run: a sample over --sample-timeout is an error; the others are done, in order", "[run]") {
    std::vector<std::string> subjects;
    for (int i = 0; i < 20; ++i) subjects.push_back(i == 6 ? "hang" : i % 2 ? "pass" : "m");
    fs::path p = write_mbox("hang", subjects);
    JsonRun r = run_json(hanging_analyzer, p, 2, 1);
    CHECK(r.status == auth::kExitBadInput);
    REQUIRE(r.lines.size() == 20);
    for (int i = 0; i < 20; ++i) {
        CHECK(r.lines[i]["file"] == p.string() + "#" + std::to_string(i + 1));
        if (i == 6) CHECK(r.lines[i]["result"] == "error");
        else CHECK(r.lines[i]["result"] == (i % 2 ? "pass" : "fail"));
    }
    CHECK_THAT(r.err, Catch::Contains("#7: internal error (a bug in authscope, please report it): the analysis stopped (the analysis took longer than 1 s (--sample-timeout))"));
    fs::remove(p);
}
