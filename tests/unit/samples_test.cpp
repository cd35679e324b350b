#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

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

namespace {
// The mbox rules written line by line over a whole string (RFC 4155, mboxrd), as a reference
// for the block reader: a From_ line at the start or after a blank line opens a message, the
// blank line before it is the separator, ">From " lines lose one '>'.
std::vector<std::string> reference_split(const std::string& s) {
    std::vector<std::string> lines;  // each with its '\n' when it had one
    for (std::size_t p = 0; p < s.size();) {
        std::size_t nl = s.find('\n', p);
        std::size_t e = nl == std::string::npos ? s.size() : nl + 1;
        lines.push_back(s.substr(p, e - p));
        p = e;
    }
    auto content = [](const std::string& l) { return l.back() == '\n' ? l.substr(0, l.size() - 1) : l; };
    auto blank = [&](const std::string& l) { std::string c = content(l); return c.empty() || c == "\r"; };
    auto from = [](const std::string& l) { return l.compare(0, 5, "From ") == 0; };
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < lines.size() && !from(lines[i])) ++i;
    if (i == lines.size()) return out;
    ++i;
    std::string cur;
    bool prev_blank = false;
    std::size_t blank_at = 0;
    for (; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        if (prev_blank && from(l)) {
            cur.resize(blank_at);
            out.push_back(cur);
            cur.clear();
            prev_blank = false;
            continue;
        }
        std::size_t k = 0;
        while (k < l.size() && l[k] == '>') ++k;
        bool quoted = k > 0 && l.compare(k, 5, "From ") == 0;
        if (blank(l)) blank_at = cur.size();
        prev_blank = blank(l);
        cur += quoted ? l.substr(1) : l;
    }
    if (prev_blank) cur.resize(blank_at);
    out.push_back(cur);
    return out;
}
}  // namespace

TEST_CASE("samples: the block reader splits as the line-by-line rules do, for any block size", "[samples]") {
    // Random mboxes built from the pieces that matter (From_ lines, blank LF and CRLF lines,
    // quoted From lines, bare CRs, long lines), read with blocks of 1 byte up to 64 KiB.
    const char* pieces[] = {"From ", "From a@b Mon\n", "\n", "\r\n", "\r", ">From x\n", ">>From y\n",
                            ">", ">>>", "From", "Subject: s\n", "body line\n", "x", "\n\n", "F"};
    std::uint32_t seed = 12345;
    auto rnd = [&](std::uint32_t n) { seed = seed * 1103515245u + 12345u; return (seed >> 8) % n; };
    for (int round = 0; round < 400; ++round) {
        std::string mbox = round % 3 ? "From start\n" : "";
        int n = 1 + static_cast<int>(rnd(60));
        for (int k = 0; k < n; ++k) {
            if (rnd(20) == 0) mbox += std::string(1 + rnd(300), rnd(2) ? 'a' : '>');
            else mbox += pieces[rnd(sizeof pieces / sizeof *pieces)];
        }
        std::vector<std::string> want = reference_split(mbox);
        for (std::size_t block : {1u, 2u, 3u, 5u, 7u, 64u, 65536u}) {
            std::istringstream in(mbox);
            auth::MboxReader r(in, 1u << 20, "", block);
            std::vector<std::string> got;
            std::string bytes, err;
            while (r.next(bytes, err)) {
                REQUIRE(err.empty());
                got.push_back(bytes);
            }
            INFO("round " << round << " block " << block);
            REQUIRE(got == want);
            // The extent walk finds the same messages: their stored bytes, unquoted, are the same.
            std::istringstream in2(mbox);
            auth::MboxReader r2(in2, 1u << 20, "", block);
            std::vector<std::string> located;
            auth::MboxReader::Extent x;
            while (r2.next_extent(x, err)) {
                REQUIRE(err.empty());
                REQUIRE(x.offset + x.length <= mbox.size());
                std::string m = mbox.substr(x.offset, x.length);
                std::string stored = m;
                auth::mbox_unquote(m);
                CHECK(x.quoted == (m != stored));  // flagged exactly when a line needs unquoting
                located.push_back(m);
            }
            REQUIRE(located == want);
        }
    }
}

TEST_CASE("samples: bytes already read from the stream come first", "[samples]") {
    std::istringstream in("a@b Mon\nSubject: x\n\nbody\n");
    auth::MboxReader r(in, 1u << 20, "From ");
    std::string bytes, err;
    REQUIRE(r.next(bytes, err));
    CHECK(bytes == "Subject: x\n\nbody\n");
    CHECK_FALSE(r.next(bytes, err));
}

TEST_CASE("samples: a single file over the size limit is an error sample and is not read", "[samples]") {
    fs::path d = temp_dir("big");
    write(d / "big.eml", "Subject: big\n\n" + std::string(5000, 'x') + "\n");
    write(d / "small.eml", "Subject: small\n\nx\n");
    auth::SampleSource src({(d / "big.eml").string(), (d / "small.eml").string()}, 1000);
    auth::Sample s;
    REQUIRE(src.next(s));
    CHECK_THAT(s.error, Catch::Contains("over the limit of 1000"));
    CHECK(s.bytes.empty());
    REQUIRE(src.next(s));
    CHECK(s.error.empty());
    CHECK(s.bytes == "Subject: small\n\nx\n");
    CHECK_FALSE(src.next(s));
    fs::remove_all(d);
}

TEST_CASE("samples: deferred samples are located, then read by load_sample", "[samples]") {
    fs::path d = temp_dir("defer");
    write(d / "a.eml", "Subject: a\n\na\n");
    write(d / "box", "From x\nSubject: 1\n\n>From quoted\n\nFrom y\nSubject: 2\n\ntwo\n");
    auth::SampleSource src({(d / "a.eml").string(), (d / "box").string()}, 64u << 20, true);
    std::vector<auth::Sample> got;
    auth::Sample s;
    while (src.next(s)) got.push_back(s);
    REQUIRE(got.size() == 3);
    for (const auto& g : got) {
        CHECK(g.bytes.empty());
        CHECK_FALSE(g.path.empty());
    }
    CHECK(got[1].file == (d / "box").string() + "#1");
    CHECK(got[1].in_mbox);
    CHECK(got[1].quoted);
    CHECK_FALSE(got[2].quoted);
    for (auto& g : got) auth::load_sample(g);
    CHECK(got[0].bytes == "Subject: a\n\na\n");
    CHECK(got[1].bytes == "Subject: 1\n\nFrom quoted\n");
    CHECK(got[2].bytes == "Subject: 2\n\ntwo\n");
    CHECK(got[2].path.empty());

    auth::Sample gone = got[0];
    gone.path = (d / "missing.eml").string();
    gone.bytes.clear();
    auth::load_sample(gone);
    CHECK_THAT(gone.error, Catch::StartsWith("cannot open"));

    auth::Sample moved;  // an mbox cut shorter after it was listed
    moved.path = (d / "box").string();
    moved.in_mbox = true;
    moved.offset = 10;
    moved.length = 1000;
    auth::load_sample(moved);
    CHECK_THAT(moved.error, Catch::Contains("the mbox changed"));
    CHECK(moved.bytes.empty());

    auth::Sample big;  // a file that grew past the limit after it was listed
    write(d / "grown.eml", "Subject: g\n\n" + std::string(3000, 'x'));
    big.path = (d / "grown.eml").string();
    big.length = 10;
    auth::load_sample(big, 1000);
    CHECK_THAT(big.error, Catch::Contains("over the limit of 1000"));
    fs::remove_all(d);
}

TEST_CASE("samples: the limit is on the message, not on its blank separator line", "[samples]") {
    for (const char* eol : {"\n", "\r\n"}) {
        std::string body(1000 - 13 - 2 * std::strlen(eol), 'x');
        std::string exact = std::string("Subject: s") + eol + eol + body;  // 10 + 2 eol + body
        exact.resize(1000, 'x');
        std::string mbox = "From a\n" + exact + eol + eol + "From b\n" + exact + "y" + eol + eol + "From c\n" + exact + eol;
        for (bool extents : {false, true}) {
            INFO("eol " << (eol[0] == '\r' ? "CRLF" : "LF") << (extents ? " extents" : " copies"));
            std::istringstream in(mbox);
            auth::MboxReader r(in, 1000 + std::strlen(eol), "", 7);
            std::string bytes, err;
            auth::MboxReader::Extent x;
            auto next = [&]() { return extents ? r.next_extent(x, err) : r.next(bytes, err); };
            REQUIRE(next());  // exactly the limit (with its line end), then the separator
            CHECK(err.empty());
            if (extents) CHECK(x.length == exact.size() + std::strlen(eol));
            else CHECK(bytes == exact + eol);
            REQUIRE(next());  // one byte more
            CHECK_THAT(err, Catch::Contains("over the limit"));
            REQUIRE(next());  // the limit at the end of the stream, no separator after it
            CHECK(err.empty());
            CHECK_FALSE(next());
        }
    }
}

TEST_CASE("samples: a line of millions of '>' is read in one pass and unquoted once", "[samples]") {
    std::string run(3u << 20, '>');
    std::string mbox = "From a\nSubject: q\n\n" + run + "From x\n" + run + "not from\n";
    for (std::size_t block : {64u, 65536u}) {
        std::istringstream in(mbox);
        auth::MboxReader r(in, 64u << 20, "", block);
        std::string bytes, err;
        REQUIRE(r.next(bytes, err));
        CHECK(bytes == "Subject: q\n\n" + run.substr(1) + "From x\n" + run + "not from\n");
        std::istringstream in2(mbox);
        auth::MboxReader r2(in2, 64u << 20, "", block);
        auth::MboxReader::Extent x;
        REQUIRE(r2.next_extent(x, err));
        CHECK(x.quoted);
        std::string m = mbox.substr(x.offset, x.length);
        auth::mbox_unquote(m);
        CHECK(m == bytes);
    }
}

TEST_CASE("samples: an mbox replaced after it was scanned is an error, not other bytes", "[samples]") {
    fs::path d = temp_dir("replaced");
    write(d / "box", "From x\nSubject: 1\n\none\n\nFrom y\nSubject: 2\n\ntwo\n");
    auth::SampleSource src({(d / "box").string()}, 64u << 20, true);
    auth::Sample a, b, c;
    REQUIRE(src.next(a));
    REQUIRE(src.next(b));
    c = b;
    auth::load_sample(a);  // this thread now holds the mbox open
    CHECK(a.bytes == "Subject: 1\n\none\n");
    write(d / "new", "From z\nSubject: other\n\nother text, longer than before\n");
    fs::rename(d / "new", d / "box");  // as mail clients rewrite an mbox
    // A reader that opens it now finds another file: an error, not other bytes.
    std::thread([&] { auth::load_sample(b); }).join();
    CHECK_THAT(b.error, Catch::Contains("the mbox was replaced"));
    CHECK(b.bytes.empty());
    // One that has it open still reads the file it scanned.
    auth::load_sample(c);
    CHECK(c.error.empty());
    CHECK(c.bytes == "Subject: 2\n\ntwo\n");
    fs::remove_all(d);
}
