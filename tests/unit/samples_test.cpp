#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "auth/samples.hpp"

namespace fs = std::filesystem;

namespace {
fs::path temp_dir(const std::string& name) {
    fs::path p = fs::temp_directory_path() / ("authscope-test-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}
void write(const fs::path& p, const std::string& s) {
    std::ofstream f(p, std::ios::binary);
    f << s;
}
}  // namespace

TEST_CASE("samples: mbox split, From_ separator and mboxrd unquoting", "[samples]") {
    std::istringstream in(
        "From a@example.com Mon Jan  1 00:00:00 2024\n"
        "Subject: one\n\nbody one\n>From the start\n>>From deeper\n\n"
        "From b@example.com Mon Jan  1 00:00:01 2024\n"
        "Subject: two\n\nbody two\nFrom inside a line is not a separator\n\n\n");
    auth::MboxReader r(in);
    std::string bytes, err;
    REQUIRE(r.next(bytes, err));
    CHECK(err.empty());
    CHECK(bytes == "Subject: one\n\nbody one\nFrom the start\n>From deeper\n");
    REQUIRE(r.next(bytes, err));
    CHECK(bytes == "Subject: two\n\nbody two\nFrom inside a line is not a separator\n\n");
    CHECK_FALSE(r.next(bytes, err));
    CHECK(r.count() == 2);
}

TEST_CASE("samples: CRLF mbox keeps CRLF", "[samples]") {
    std::istringstream in("From x\r\nA: b\r\n\r\nbody\r\n\r\nFrom y\r\nC: d\r\n\r\nz\r\n");
    auth::MboxReader r(in);
    std::string bytes, err;
    REQUIRE(r.next(bytes, err));
    CHECK(bytes == "A: b\r\n\r\nbody\r\n");
    REQUIRE(r.next(bytes, err));
    CHECK(bytes == "C: d\r\n\r\nz\r\n");
}

TEST_CASE("samples: an over-long mbox message is an error and the next one still comes", "[samples]") {
    std::string big(5000, 'x');
    std::istringstream in("From a\nA: b\n\n" + big + "\n\nFrom b\nC: d\n\nz\n");
    auth::MboxReader r(in, 1000);
    std::string bytes, err;
    REQUIRE(r.next(bytes, err));
    CHECK_THAT(err, Catch::Contains("over the limit"));
    CHECK(bytes.empty());
    REQUIRE(r.next(bytes, err));
    CHECK(err.empty());
    CHECK(bytes == "C: d\n\nz\n");
}

TEST_CASE("samples: files, mboxes and folders in order; a missing file is an error sample", "[samples]") {
    fs::path d = temp_dir("src");
    write(d / "b.eml", "Subject: b\n\nb\n");
    write(d / "a.eml", "Subject: a\n\na\n");
    write(d / ".hidden", "x");
    fs::create_directories(d / "md" / "cur");
    fs::create_directories(d / "md" / "new");
    fs::create_directories(d / "md" / "tmp");
    write(d / "md" / "cur" / "1", "Subject: cur\n\n");
    write(d / "md" / "new" / "2", "Subject: new\n\n");
    write(d / "md" / "tmp" / "3", "Subject: tmp\n\n");
    write(d / "box.mbox", "From a\nSubject: m1\n\n1\n\nFrom b\nSubject: m2\n\n2\n");

    auth::SampleSource src({(d / "box.mbox").string(), (d / "missing.eml").string(), d.string()});
    std::vector<std::string> names, subjects;
    auth::Sample s;
    while (src.next(s)) {
        names.push_back(s.file);
        subjects.push_back(s.error.empty() ? s.bytes.substr(0, s.bytes.find('\n')) : "ERROR " + s.error);
    }
    REQUIRE(names.size() == 9);
    CHECK(names[0] == (d / "box.mbox").string() + "#1");
    CHECK(subjects[0] == "Subject: m1");
    CHECK(subjects[1] == "Subject: m2");
    CHECK_THAT(subjects[2], Catch::StartsWith("ERROR cannot open"));
    // the folder: a.eml, b.eml, box.mbox (two messages), md/cur/1, md/new/2 -- sorted, tmp/ skipped
    CHECK(subjects[3] == "Subject: a");
    CHECK(subjects[4] == "Subject: b");
    CHECK(subjects[5] == "Subject: m1");
    CHECK(subjects[6] == "Subject: m2");
    CHECK(names[5] == (d / "box.mbox").string() + "#1");
    CHECK(subjects[7] == "Subject: cur");
    CHECK(subjects[8] == "Subject: new");
    fs::remove_all(d);
}

TEST_CASE("samples: Maildir cur and new are read, tmp is not", "[samples]") {
    fs::path d = temp_dir("md");
    fs::create_directories(d / "cur");
    fs::create_directories(d / "new");
    fs::create_directories(d / "tmp");
    write(d / "cur" / "1", "Subject: cur\n\n");
    write(d / "new" / "2", "Subject: new\n\n");
    write(d / "tmp" / "3", "Subject: tmp\n\n");
    auth::SampleSource src({d.string()});
    std::vector<std::string> got;
    auth::Sample s;
    while (src.next(s)) got.push_back(s.bytes);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == "Subject: cur\n\n");
    CHECK(got[1] == "Subject: new\n\n");
    fs::remove_all(d);
}

TEST_CASE("samples: an empty folder is an error sample", "[samples]") {
    fs::path d = temp_dir("empty");
    auth::SampleSource src({d.string()});
    auth::Sample s;
    REQUIRE(src.next(s));
    CHECK_THAT(s.error, Catch::Contains("no messages"));
    CHECK_FALSE(src.next(s));
    fs::remove_all(d);
}

TEST_CASE("samples: lines and From_ separators across read blocks", "[samples]") {
    // Lines longer than the reader's 64 KiB block, and separators falling at block edges.
    std::string mbox, want1 = "Subject: long\n\n" + std::string(200000, 'a') + "\n>From here\n";
    mbox = "From a\n" + want1 + "\n";
    std::vector<std::string> small;
    for (int i = 0; i < 3000; ++i) {
        std::string m = "Subject: m" + std::to_string(i) + "\r\n\r\nbody " + std::string(i % 97, 'x') + "\r\n";
        small.push_back(m);
        mbox += "From b\r\n" + m + "\n";
    }
    std::istringstream in(mbox);
    auth::MboxReader r(in);
    std::string bytes, err;
    REQUIRE(r.next(bytes, err));
    CHECK(bytes == "Subject: long\n\n" + std::string(200000, 'a') + "\nFrom here\n");
    for (const auto& m : small) {
        REQUIRE(r.next(bytes, err));
        CHECK(err.empty());
        REQUIRE(bytes == m);
    }
    CHECK_FALSE(r.next(bytes, err));
    CHECK(r.count() == 3001);
}
