// Tests for libauth/include/auth/dns.hpp: replay semantics, directives, snapshots, names,
// and (tag [.live], run by tests/live/with-nsd) the live ldns resolver against a local nsd.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "auth/dns.hpp"
#include "auth/error.hpp"
#include "detail/dns_ldns.hpp"
#include "detail/dns_snapshot.hpp"

using namespace auth;

namespace {

const std::string kFixtures = std::string(AUTHSCOPE_SOURCE_DIR) + "/fixtures/dns-layer/";

std::shared_ptr<Resolver> fixture_resolver() {
    return make_replay_resolver_from_file(kFixtures + "replay.zone");
}

std::shared_ptr<Resolver> replay(const std::string& text) {
    return make_replay_resolver_from_text(text, "<test>");
}

// The InputError message for a snapshot text ("" when it parses).
std::string snapshot_error(const std::string& text) {
    try {
        replay(text);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

bool same_records(const std::vector<DnsRecord>& a, const std::vector<DnsRecord>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto &x = a[i], &y = b[i];
        if (x.name != y.name || x.type != y.type || x.ttl != y.ttl || x.strings != y.strings ||
            x.target != y.target || x.preference != y.preference || x.rdata != y.rdata)
            return false;
    }
    return true;
}

void check_same_answer(const DnsAnswer& a, const DnsAnswer& b) {
    INFO(a.qname << " " << to_string(a.qtype) << ": " << to_string(a.status) << " vs " << to_string(b.status)
                 << " (" << a.detail << " / " << b.detail << ")");
    CHECK(a.qname == b.qname);
    CHECK(a.qtype == b.qtype);
    CHECK(a.status == b.status);
    CHECK(same_records(a.records, b.records));
    CHECK(same_records(a.cnames, b.cnames));
}

std::string require_env(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) FAIL(name << " is not set: run the [.live] tests through tests/live/with-nsd");
    return v;
}

}  // namespace

TEST_CASE("fqdn lower-cases and ends with one dot", "[dns]") {
    CHECK(fqdn("Example.COM") == "example.com.");
    CHECK(fqdn("example.com.") == "example.com.");
    CHECK(fqdn("example.com..") == "example.com.");
    CHECK(fqdn("") == ".");
    CHECK(fqdn(".") == ".");
    CHECK(fqdn("_DMARC.Example.Org") == "_dmarc.example.org.");
    // An escaped dot belongs to the label, it does not end the name.
    CHECK(fqdn("a\\.") == "a\\..");
}

TEST_CASE("names of types and statuses, and which statuses are temporary", "[dns]") {
    CHECK(to_string(RRType::TXT) == "TXT");
    CHECK(to_string(RRType::SPF) == "SPF");
    CHECK(to_string(RRType::AAAA) == "AAAA");
    CHECK(to_string(RRType::PTR) == "PTR");
    CHECK(to_string(DnsStatus::nxdomain) == "nxdomain");
    CHECK(to_string(DnsStatus::nodata) == "nodata");
    CHECK(to_string(DnsStatus::timeout) == "timeout");
    CHECK(is_temporary(DnsStatus::servfail));
    CHECK(is_temporary(DnsStatus::timeout));
    CHECK(is_temporary(DnsStatus::error));
    CHECK_FALSE(is_temporary(DnsStatus::ok));
    CHECK_FALSE(is_temporary(DnsStatus::nxdomain));
    CHECK_FALSE(is_temporary(DnsStatus::nodata));
}

TEST_CASE("DnsRecord::text joins the strings with nothing between them", "[dns]") {
    DnsRecord r;
    r.strings = {"v=spf1 ", "ip4:192.0.2.1", " -all"};
    CHECK(r.text() == "v=spf1 ip4:192.0.2.1 -all");
    r.strings.clear();
    CHECK(r.text().empty());
}

TEST_CASE("replay decodes TXT, SPF, A, AAAA, MX, PTR and NS records", "[dns]") {
    auto r = fixture_resolver();
    auto txt = r->query("example.org", RRType::TXT);
    REQUIRE(txt.status == DnsStatus::ok);
    CHECK(txt.qname == "example.org.");
    REQUIRE(txt.records.size() == 1);
    CHECK(txt.records[0].strings == std::vector<std::string>{"v=spf1 ", "ip4:192.0.2.0/24 ", "-all"});
    CHECK(txt.records[0].text() == "v=spf1 ip4:192.0.2.0/24 -all");
    CHECK(txt.records[0].ttl == 300);
    CHECK(txt.records[0].name == "example.org.");

    auto spf = r->query("example.org.", RRType::SPF);
    REQUIRE(spf.status == DnsStatus::ok);
    CHECK(spf.records.at(0).text() == "v=spf1 -all");
    CHECK(spf.records.at(0).ttl == 600);

    auto a = r->query("example.org.", RRType::A);
    REQUIRE(a.status == DnsStatus::ok);
    CHECK(a.records.at(0).target == "192.0.2.1");
    auto aaaa = r->query("example.org.", RRType::AAAA);
    REQUIRE(aaaa.status == DnsStatus::ok);
    CHECK(aaaa.records.at(0).target == "2001:db8::1");

    auto mx = r->query("example.org.", RRType::MX);
    REQUIRE(mx.status == DnsStatus::ok);
    REQUIRE(mx.records.size() == 2);
    CHECK(mx.records[0].preference == 10);
    CHECK(mx.records[0].target == "mx1.example.org.");
    CHECK(mx.records[1].preference == 20);
    CHECK(mx.records[1].target == "mx2.example.org.");

    auto ptr = r->query("1.2.0.192.in-addr.arpa.", RRType::PTR);
    REQUIRE(ptr.status == DnsStatus::ok);
    CHECK(ptr.records.at(0).target == "example.org.");
    auto ns = r->query("sub.example.org.", RRType::NS);
    REQUIRE(ns.status == DnsStatus::ok);
    CHECK(ns.records.at(0).target == "ns1.example.org.");

    // Another domain in the same snapshot.
    CHECK(r->query("other.example.net", RRType::TXT).records.at(0).text() == "v=DMARC1; p=reject");
}

TEST_CASE("replay: absent names are NXDOMAIN, names without the type are NODATA", "[dns]") {
    auto r = fixture_resolver();
    auto nx = r->query("missing.example.org.", RRType::TXT);
    CHECK(nx.status == DnsStatus::nxdomain);
    CHECK(nx.records.empty());
    CHECK_FALSE(nx.detail.empty());
    CHECK(r->query("no-such-domain.invalid.", RRType::A).status == DnsStatus::nxdomain);

    auto nd = r->query("host.rel.example.org.", RRType::TXT);
    CHECK(nd.status == DnsStatus::nodata);
    CHECK(nd.records.empty());
    // RFC 8020: an empty non-terminal exists; its TXT is NODATA, not NXDOMAIN.
    CHECK(r->query("ent.example.org.", RRType::TXT).status == DnsStatus::nodata);
    CHECK(r->query("deep.ent.example.org.", RRType::TXT).status == DnsStatus::nodata);
    CHECK(r->query("deeper.deep.ent.example.org.", RRType::TXT).status == DnsStatus::nxdomain);
    // A record of a type nobody asks for (NS here) still makes the name exist.
    CHECK(r->query("sub.example.org.", RRType::TXT).status == DnsStatus::nodata);
}

TEST_CASE("replay is case-insensitive and deterministic", "[dns]") {
    auto r = fixture_resolver();
    auto a = r->query("WWW.Example.ORG", RRType::A);
    CHECK(a.qname == "www.example.org.");
    CHECK(a.status == DnsStatus::ok);
    auto mixed = r->query("mixed.case.EXAMPLE.org.", RRType::TXT);
    REQUIRE(mixed.status == DnsStatus::ok);
    CHECK(mixed.records.at(0).name == "mixed.case.example.org.");
    auto r2 = fixture_resolver();
    for (const char* n : {"example.org.", "www.example.org.", "missing.example.org.", "gone.example.org."})
        for (RRType t : {RRType::TXT, RRType::A, RRType::MX}) {
            check_same_answer(r->query(n, t), r->query(n, t));
            check_same_answer(r->query(n, t), r2->query(n, t));
        }
}

TEST_CASE("replay follows CNAMEs inside the snapshot", "[dns]") {
    auto r = fixture_resolver();
    auto a = r->query("alias2.example.org.", RRType::TXT);
    REQUIRE(a.status == DnsStatus::ok);
    REQUIRE(a.cnames.size() == 2);
    CHECK(a.cnames[0].name == "alias2.example.org.");
    CHECK(a.cnames[0].target == "www.example.org.");
    CHECK(a.cnames[1].target == "example.org.");
    CHECK(a.records.at(0).name == "example.org.");
    CHECK(a.records.at(0).text() == "v=spf1 ip4:192.0.2.0/24 -all");

    // Asking for the CNAME itself does not follow it.
    auto c = r->query("www.example.org.", RRType::CNAME);
    REQUIRE(c.status == DnsStatus::ok);
    CHECK(c.cnames.empty());
    CHECK(c.records.at(0).target == "example.org.");

    auto dangling = r->query("dangling.example.org.", RRType::A);
    CHECK(dangling.status == DnsStatus::nxdomain);
    CHECK(dangling.cnames.size() == 1);
    auto end_nodata = r->query("empty-end.example.org.", RRType::TXT);
    CHECK(end_nodata.status == DnsStatus::nodata);
    CHECK(end_nodata.cnames.size() == 1);

    auto loop = r->query("loop1.example.org.", RRType::A);
    CHECK(loop.status == DnsStatus::error);
    CHECK(loop.records.empty());
    CHECK(loop.cnames.empty());
}

TEST_CASE("replay follows at most 8 CNAMEs", "[dns]") {
    auto chain = [](int n) {
        std::string z;
        for (int i = 0; i < n; ++i)
            z += "c" + std::to_string(i) + ".chain.test. CNAME c" + std::to_string(i + 1) + ".chain.test.\n";
        z += "c" + std::to_string(n) + ".chain.test. A 192.0.2.1\n";
        return replay(z);
    };
    auto eight = chain(8)->query("c0.chain.test.", RRType::A);
    CHECK(eight.status == DnsStatus::ok);
    CHECK(eight.cnames.size() == 8);
    auto nine = chain(9)->query("c0.chain.test.", RRType::A);
    CHECK(nine.status == DnsStatus::error);
}

TEST_CASE("replay synthesizes wildcard answers (RFC 4592)", "[dns]") {
    auto r = fixture_resolver();
    auto w = r->query("anything.wild.example.org.", RRType::TXT);
    REQUIRE(w.status == DnsStatus::ok);
    CHECK(w.records.at(0).name == "anything.wild.example.org.");
    CHECK(w.records.at(0).text() == "wildcard");
    CHECK(r->query("anything.wild.example.org.", RRType::A).status == DnsStatus::nodata);
    // wild.example.org itself exists (an empty non-terminal) and is not synthesized.
    CHECK(r->query("wild.example.org.", RRType::TXT).status == DnsStatus::nodata);
}

TEST_CASE("replay: $ORIGIN, $TTL, owner inheritance and parentheses", "[dns]") {
    auto r = fixture_resolver();
    CHECK(r->query("rel.example.org.", RRType::TXT).records.at(0).text() == "at origin");
    CHECK(r->query("host.rel.example.org.", RRType::A).records.at(0).target == "192.0.2.9");
    CHECK(r->query("host.rel.example.org.", RRType::AAAA).records.at(0).target == "2001:db8::9");
    auto multi = r->query("multi.rel.example.org.", RRType::TXT);
    REQUIRE(multi.status == DnsStatus::ok);
    CHECK(multi.records.at(0).strings == std::vector<std::string>{"part one ", "part two"});

    auto t = replay("$TTL 42\nx.test. TXT \"a\"\n$TTL 7\ny.test. TXT \"b\"\n");
    CHECK(t->query("x.test.", RRType::TXT).records.at(0).ttl == 42);
    CHECK(t->query("y.test.", RRType::TXT).records.at(0).ttl == 7);
    // Without $ORIGIN, names are relative to the root.
    CHECK(replay("bare.test TXT \"x\"\n")->query("bare.test.", RRType::TXT).status == DnsStatus::ok);
}

TEST_CASE("replay: identical records are kept once", "[dns]") {
    auto r = replay("d.test. TXT \"x\"\nd.test. TXT \"x\"\nd.test. TXT \"y\"\n");
    CHECK(r->query("d.test.", RRType::TXT).records.size() == 2);
}

TEST_CASE("replay: directives reproduce negative and failed answers", "[dns]") {
    auto r = fixture_resolver();
    CHECK(r->query("gone.example.org.", RRType::TXT).status == DnsStatus::nxdomain);
    auto quiet = r->query("quiet.example.org.", RRType::MX);
    CHECK(quiet.status == DnsStatus::nodata);
    // A name recorded as NODATA exists: its other types are NODATA too.
    CHECK(r->query("quiet.example.org.", RRType::TXT).status == DnsStatus::nodata);

    auto sf = r->query("broken.example.org.", RRType::TXT);
    CHECK(sf.status == DnsStatus::servfail);
    CHECK(is_temporary(sf.status));
    CHECK_FALSE(sf.detail.empty());
    CHECK(r->query("broken.example.org.", RRType::A).status == DnsStatus::nxdomain);

    CHECK(r->query("slow.example.org.", RRType::TXT).status == DnsStatus::timeout);
    CHECK(r->query("slow.example.org.", RRType::A).status == DnsStatus::nxdomain);
    // TIMEOUT without a type: every type of that name times out.
    for (RRType t : {RRType::TXT, RRType::A, RRType::AAAA, RRType::MX, RRType::SPF})
        CHECK(r->query("Dead.Example.Org", t).status == DnsStatus::timeout);
    CHECK(r->query("weird.example.org.", RRType::A).status == DnsStatus::error);
}

TEST_CASE("replay: a directive wins over records of the same question", "[dns]") {
    auto r = replay("x.test. TXT \"v=spf1 -all\"\n;; authscope: SERVFAIL x.test. TXT\n"
                    ";;authscope: timeout y.test. txt\ny.test. A 192.0.2.1\n");
    CHECK(r->query("x.test.", RRType::TXT).status == DnsStatus::servfail);
    CHECK(r->query("y.test.", RRType::TXT).status == DnsStatus::timeout);
    CHECK(r->query("y.test.", RRType::A).status == DnsStatus::ok);
    // Other comments are not directives.
    CHECK(snapshot_error("; authscope: BOGUS x.test.\n;; another comment\n").empty());
}

TEST_CASE("replay: a malformed snapshot names the file and the line", "[dns]") {
    CHECK_THAT(snapshot_error("a.test. TXT \"ok\"\n\nb.test. A 999.1.1.1\n"), Catch::StartsWith("<test>: line 3: "));
    CHECK_THAT(snapshot_error("a.test. TXT \"unterminated\n"), Catch::StartsWith("<test>: line 1: "));
    CHECK_THAT(snapshot_error("a.test. TXT \"a\"\nb.test. TXT \"two\nlines\"\nc.test. A 192.0.2.1\n"),
               Catch::StartsWith("<test>: line 2: "));
    CHECK_THAT(snapshot_error("a.test. TXT ( \"a\"\n\"b\"\n"), Catch::StartsWith("<test>: line 1: "));
    CHECK_THAT(snapshot_error("a.test. MX mail.test.\n"), Catch::StartsWith("<test>: line 1: "));
    CHECK_THAT(snapshot_error("; c\n; c\n; c\n;; authscope: NXDOMAIN\n"),
               Catch::StartsWith("<test>: line 4: ") && Catch::Contains("needs a name"));
    CHECK_THAT(snapshot_error(";; authscope: NXDOMAIN x.test.\n"), Catch::Contains("line 1") && Catch::Contains("record type"));
    CHECK_THAT(snapshot_error("\n;; authscope: GONE x.test. TXT\n"), Catch::Contains("line 2") && Catch::Contains("GONE"));
    CHECK_THAT(snapshot_error(";; authscope: NODATA x.test. NOSUCHTYPE\n"), Catch::Contains("NOSUCHTYPE"));
    CHECK_THAT(snapshot_error(";; authscope: NODATA x..test. TXT\n"), Catch::Contains("not a valid domain name"));
    CHECK_THAT(snapshot_error("x.test. TXT \"a\"\n$INCLUDE /etc/passwd\n"), Catch::StartsWith("<test>: line 2: ") && Catch::Contains("$INCLUDE"));
    CHECK_THAT(snapshot_error("x.test. CH TXT \"a\"\n"), Catch::Contains("class IN"));
    CHECK_THAT(snapshot_error(std::string("x.test. TXT \"a\0b\"\n", 19)), Catch::Contains("NUL"));
    CHECK_THAT(snapshot_error("x.test. TXT \"" + std::string(256, 'a') + "\"\n"), Catch::StartsWith("<test>: line 1: "));

    CHECK_THROWS_AS(make_replay_resolver_from_file(kFixtures + "no-such-file.zone"), InputError);
    CHECK_THROWS_WITH(make_replay_resolver_from_file(kFixtures + "no-such-file.zone"), Catch::Contains("no-such-file.zone"));
    CHECK_THROWS_WITH(make_replay_resolver_from_file(kFixtures), Catch::Contains("not a regular file"));
    CHECK_THROWS_WITH(make_replay_resolver_from_file(kFixtures + "malformed.zone"),
                      Catch::StartsWith(kFixtures + "malformed.zone: line 5: "));
    // Empty and comment-only snapshots are fine: every name is NXDOMAIN.
    CHECK(replay("")->query("a.test.", RRType::TXT).status == DnsStatus::nxdomain);
    CHECK(replay("; nothing\n")->query("a.test.", RRType::TXT).status == DnsStatus::nxdomain);
}

TEST_CASE("replay: answers beyond 64 KiB are errors", "[dns]") {
    std::string z;
    for (int i = 0; i < 300; ++i) z += "big.test. TXT \"" + std::to_string(i) + std::string(250, 'x') + "\"\n";
    auto a = replay(z)->query("big.test.", RRType::TXT);
    CHECK(a.status == DnsStatus::error);
    CHECK(a.records.empty());
}

TEST_CASE("replay: invalid question names are errors, not crashes", "[dns]") {
    auto r = fixture_resolver();
    CHECK(r->query("a..b", RRType::TXT).status == DnsStatus::error);
    CHECK(r->query(std::string(300, 'a'), RRType::TXT).status == DnsStatus::error);
    CHECK(r->query(std::string(70, 'a') + ".test", RRType::TXT).status == DnsStatus::error);
}

TEST_CASE("character-strings are quoted with escapes", "[dns]") {
    CHECK(detail::quote_character_string("plain text") == "\"plain text\"");
    CHECK(detail::quote_character_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(detail::quote_character_string(std::string("\0\t\n\x7f\xff;", 6)) == "\"\\000\\009\\010\\127\\255;\"");
    CHECK(detail::quote_character_string("") == "\"\"");
}

TEST_CASE("write_snapshot -> replay gives the same answers", "[dns]") {
    auto source = fixture_resolver();
    auto rec = std::make_shared<RecordingResolver>(source);
    const std::vector<std::pair<std::string, RRType>> questions = {
        {"example.org.", RRType::TXT},        {"example.org.", RRType::MX},
        {"example.org.", RRType::A},          {"example.org.", RRType::AAAA},
        {"example.org.", RRType::SPF},        {"alias2.example.org.", RRType::TXT},
        {"dangling.example.org.", RRType::A}, {"empty-end.example.org.", RRType::TXT},
        {"missing.example.org.", RRType::TXT}, {"host.rel.example.org.", RRType::TXT},
        {"broken.example.org.", RRType::TXT}, {"dead.example.org.", RRType::MX},
        {"weird.example.org.", RRType::A},    {"1.2.0.192.in-addr.arpa.", RRType::PTR},
        {"sub.example.org.", RRType::NS},     {"multi.rel.example.org.", RRType::TXT},
        {"x.wild.example.org.", RRType::TXT}, {"www.example.org.", RRType::CNAME},
        {"loop1.example.org.", RRType::A},
    };
    for (const auto& [n, t] : questions) rec->query(n, t);
    const std::string snap = write_snapshot(rec->answers());
    INFO(snap);
    CHECK_THAT(snap, Catch::StartsWith("; authscope DNS snapshot"));
    CHECK_THAT(snap, Catch::Contains(";; authscope: NXDOMAIN missing.example.org. TXT"));
    CHECK_THAT(snap, Catch::Contains(";; authscope: NXDOMAIN nowhere.example.org. A"));
    CHECK_THAT(snap, Catch::Contains(";; authscope: NODATA host.rel.example.org. TXT"));
    CHECK_THAT(snap, Catch::Contains(";; authscope: SERVFAIL broken.example.org. TXT"));
    CHECK_THAT(snap, Catch::Contains(";; authscope: TIMEOUT dead.example.org. MX"));
    CHECK_THAT(snap, Catch::Contains("\"v=spf1 \" \"ip4:192.0.2.0/24 \" \"-all\""));
    auto back = replay(snap);
    for (const auto& a : rec->answers()) check_same_answer(a, back->query(a.qname, a.qtype));
    // And once more: the snapshot of the replayed answers replays the same.
    RecordingResolver again(back);
    for (const auto& [n, t] : questions) again.query(n, t);
    auto back2 = replay(write_snapshot(again.answers()));
    for (const auto& a : rec->answers()) check_same_answer(a, back2->query(a.qname, a.qtype));
}

TEST_CASE("write_snapshot keeps TXT bytes exactly", "[dns]") {
    DnsAnswer a;
    a.qname = "bytes.test.";
    a.qtype = RRType::TXT;
    a.status = DnsStatus::ok;
    DnsRecord r;
    r.name = "bytes.test.";
    r.type = RRType::TXT;
    r.ttl = 60;
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    r.strings = {"quote\"back\\slash", all.substr(0, 128), all.substr(128), "", "semi;colon (paren)", std::string(255, 'z')};
    a.records = {r};
    const std::string snap = write_snapshot({a});
    auto got = replay(snap)->query("bytes.test.", RRType::TXT);
    REQUIRE(got.status == DnsStatus::ok);
    REQUIRE(got.records.size() == 1);
    CHECK(got.records[0].strings == r.strings);
    CHECK(got.records[0].ttl == 60);
}

TEST_CASE("write_snapshot keeps big TXT records; beyond what ldns reads back they become ERROR", "[dns]") {
    auto answer = [](int strings) {
        DnsAnswer a;
        a.qname = "big.test.";
        a.qtype = RRType::TXT;
        a.status = DnsStatus::ok;
        DnsRecord r;
        r.name = "big.test.";
        r.type = RRType::TXT;
        r.strings.assign(strings, std::string(255, '\xff'));  // written as \255: four characters a byte
        a.records = {r};
        return a;
    };
    auto ok = replay(write_snapshot({answer(60)}))->query("big.test.", RRType::TXT);
    REQUIRE(ok.status == DnsStatus::ok);
    CHECK(ok.records.at(0).strings.size() == 60);
    const std::string snap = write_snapshot({answer(100)});
    CHECK_THAT(snap, Catch::Contains(";; authscope: ERROR big.test. TXT"));
    CHECK(replay(snap)->query("big.test.", RRType::TXT).status == DnsStatus::error);
}

TEST_CASE("write_snapshot never writes what cannot be read back", "[dns]") {
    DnsAnswer bad;
    bad.qname = "bad.test.";
    bad.qtype = RRType::A;
    bad.status = DnsStatus::ok;
    DnsRecord r;
    r.name = "bad.test.";
    r.type = RRType::A;
    r.target = "not an address\n$INCLUDE /etc/passwd";
    bad.records = {r};
    DnsAnswer badname;
    badname.qname = "a..b\n";
    badname.qtype = RRType::TXT;
    badname.status = DnsStatus::nxdomain;
    const std::string snap = write_snapshot({bad, badname});
    INFO(snap);
    auto back = replay(snap);
    CHECK(back->query("bad.test.", RRType::A).status == DnsStatus::error);
}

TEST_CASE("names with escaped characters survive write -> replay", "[dns]") {
    auto src = replay("semi\\;colon.test. TXT \"a\"\nsp\\032ace.test. A 192.0.2.1\n");
    RecordingResolver rec(src);
    for (const char* n : {"semi\\;colon.test.", "sp\\032ace.test.", "no\\;such.test.", "odd\\ name.test.",
                          "q\\\"uote.test.", "\\$origin.test.", "\\@.test.", "paren\\(.test.", "\\255\\000.test."})
        for (RRType t : {RRType::TXT, RRType::A}) rec.query(n, t);
    REQUIRE(rec.answers().at(0).status == DnsStatus::ok);
    REQUIRE(rec.answers().at(3).status == DnsStatus::ok);
    const std::string snap = write_snapshot(rec.answers());
    INFO(snap);
    auto back = replay(snap);
    for (const auto& a : rec.answers()) check_same_answer(a, back->query(a.qname, a.qtype));
}

TEST_CASE("replay reads snapshots with CRLF line ends", "[dns]") {
    auto r = replay("$TTL 60\r\nx.test. TXT \"a\" \"b\"\r\n;; authscope: NXDOMAIN y.test. TXT\r\n");
    auto a = r->query("x.test.", RRType::TXT);
    REQUIRE(a.status == DnsStatus::ok);
    CHECK(a.records.at(0).strings == std::vector<std::string>{"a", "b"});
    CHECK(r->query("y.test.", RRType::TXT).status == DnsStatus::nxdomain);
}

TEST_CASE("RecordingResolver keeps each question once, in order of first use", "[dns]") {
    auto rec = std::make_shared<RecordingResolver>(fixture_resolver());
    rec->query("example.org.", RRType::TXT);
    rec->query("missing.example.org.", RRType::A);
    rec->query("EXAMPLE.org", RRType::TXT);
    rec->query("example.org.", RRType::MX);
    auto got = rec->answers();
    REQUIRE(got.size() == 3);
    CHECK(got[0].qname == "example.org.");
    CHECK(got[0].qtype == RRType::TXT);
    CHECK(got[1].status == DnsStatus::nxdomain);
    CHECK(got[2].qtype == RRType::MX);
    rec->clear();
    CHECK(rec->answers().empty());

    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i)
                rec->query("n" + std::to_string((i + t) % 50) + ".example.org.", RRType::TXT);
        });
    for (auto& th : threads) th.join();
    CHECK(rec->answers().size() == 50);
}

TEST_CASE("make_resolver: replay from a file, usage errors for a bad --resolver", "[dns]") {
    DnsOptions o;
    o.from_file = kFixtures + "replay.zone";
    CHECK(make_resolver(o)->query("example.org.", RRType::TXT).status == DnsStatus::ok);
    for (const char* bad : {"resolver.example", "127.0.0.1@", "127.0.0.1@0", "127.0.0.1@65536", "127.0.0.1@53x",
                            "::1@port", "1.2.3.4.5", "@53", "[::1"}) {
        DnsOptions b;
        b.resolver = bad;
        INFO(bad);
        CHECK_THROWS_AS(make_resolver(b), UsageError);
    }
    for (const char* good : {"127.0.0.1", "127.0.0.1@5300", "::1", "::1@5300", "[::1]@53", "2001:db8::53@53"}) {
        INFO(good);
        CHECK_NOTHROW(make_live_resolver(good, 1.0, 0));
    }
    CHECK_THROWS_AS(make_live_resolver("127.0.0.1", 0.0, 0), UsageError);
    CHECK_THROWS_AS(make_live_resolver("127.0.0.1", 1.0, -1), UsageError);
    DnsOptions bad_file;
    bad_file.from_file = kFixtures + "malformed.zone";
    CHECK_THROWS_AS(make_resolver(bad_file), InputError);
}

TEST_CASE("live resolver: an invalid name is an error without any query", "[dns]") {
    auto r = make_live_resolver("127.0.0.1@9", 0.2, 0);
    auto a = r->query("bad..name", RRType::TXT);
    CHECK(a.status == DnsStatus::error);
    CHECK_THAT(a.detail, Catch::Contains("not a valid domain name"));
}

// ---- Live tests: run by tests/cli/live_dns.cmake through tests/live/with-nsd, which serves
// fixtures/dns-layer/live.zone on 127.0.0.1 and sets AUTHSCOPE_TEST_RESOLVER / _BLACKHOLE.

TEST_CASE("live: TXT strings, A, AAAA and MX from nsd", "[.live]") {
    auto r = make_live_resolver(require_env("AUTHSCOPE_TEST_RESOLVER"), 2.0, 1);
    auto txt = r->query("split.live.test", RRType::TXT);
    INFO(txt.detail);
    REQUIRE(txt.status == DnsStatus::ok);
    REQUIRE(txt.records.size() == 1);
    CHECK(txt.records[0].strings == std::vector<std::string>{"v=spf1 ", "ip4:192.0.2.0/24 ", "-all"});
    CHECK(txt.records[0].text() == "v=spf1 ip4:192.0.2.0/24 -all");
    CHECK(txt.records[0].ttl == 300);
    auto a = r->query("HOST.live.test.", RRType::A);
    REQUIRE(a.status == DnsStatus::ok);
    CHECK(a.records.at(0).target == "192.0.2.10");
    CHECK(a.records.at(0).name == "host.live.test.");
    auto aaaa = r->query("host.live.test.", RRType::AAAA);
    REQUIRE(aaaa.status == DnsStatus::ok);
    CHECK(aaaa.records.at(0).target == "2001:db8::10");
    auto mx = r->query("live.test.", RRType::MX);
    REQUIRE(mx.status == DnsStatus::ok);
    REQUIRE(mx.records.size() == 2);
    std::set<std::pair<int, std::string>> got;
    for (const auto& m : mx.records) got.emplace(m.preference, m.target);
    CHECK(got == std::set<std::pair<int, std::string>>{{10, "mx1.live.test."}, {20, "mx2.live.test."}});
    auto esc = r->query("escaped.live.test.", RRType::TXT);
    REQUIRE(esc.status == DnsStatus::ok);
    CHECK(esc.records.at(0).strings ==
          std::vector<std::string>{"quote\"back\\slash", "semi;colon", std::string("\0\t\n\x7f\xff", 5), ""});
}

TEST_CASE("live: make_resolver goes live without --dns-from", "[.live]") {
    DnsOptions o;
    o.resolver = require_env("AUTHSCOPE_TEST_RESOLVER");
    o.timeout = 2.0;
    o.retries = 1;
    auto a = make_resolver(o)->query("host.live.test.", RRType::A);
    INFO(a.detail);
    REQUIRE(a.status == DnsStatus::ok);
    CHECK(a.records.at(0).target == "192.0.2.10");
}

TEST_CASE("live: NXDOMAIN and NODATA stay distinct", "[.live]") {
    auto r = make_live_resolver(require_env("AUTHSCOPE_TEST_RESOLVER"), 2.0, 1);
    CHECK(r->query("missing.live.test.", RRType::TXT).status == DnsStatus::nxdomain);
    CHECK(r->query("host.live.test.", RRType::TXT).status == DnsStatus::nodata);
    CHECK(r->query("ent.live.test.", RRType::TXT).status == DnsStatus::nodata);
}

TEST_CASE("live: CNAME chains are followed", "[.live]") {
    auto r = make_live_resolver(require_env("AUTHSCOPE_TEST_RESOLVER"), 2.0, 1);
    auto a = r->query("alias.live.test.", RRType::TXT);
    INFO(a.detail);
    REQUIRE(a.status == DnsStatus::ok);
    REQUIRE(a.cnames.size() == 2);
    CHECK(a.cnames[0].target == "alias2.live.test.");
    CHECK(a.cnames[1].target == "split.live.test.");
    CHECK(a.records.at(0).text() == "v=spf1 ip4:192.0.2.0/24 -all");
    auto d = r->query("dangling.live.test.", RRType::TXT);
    CHECK(d.status == DnsStatus::nxdomain);
    CHECK(d.cnames.size() == 1);
}

TEST_CASE("live: answers larger than the UDP buffer come over TCP", "[.live]") {
    auto r = make_live_resolver(require_env("AUTHSCOPE_TEST_RESOLVER"), 2.0, 1);
    auto big = r->query("big.live.test.", RRType::TXT);
    INFO(big.detail);
    REQUIRE(big.status == DnsStatus::ok);
    REQUIRE(big.records.size() == 24);
    for (const auto& rec : big.records) CHECK(rec.text().size() == 250);
}

TEST_CASE("live: a server that never answers times out", "[.live]") {
    const std::string bh = require_env("AUTHSCOPE_TEST_BLACKHOLE");
    auto r = make_live_resolver(bh, 0.3, 0);
    auto t0 = std::chrono::steady_clock::now();
    auto a = r->query("split.live.test.", RRType::TXT);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(a.status == DnsStatus::timeout);
    CHECK(is_temporary(a.status));
    CHECK_THAT(a.detail, Catch::Contains(bh));
    CHECK(s >= 0.25);
    CHECK(s < 2.0);
    // One retry: two tries of 0.3 s; and the server is tried again on the next question.
    auto r2 = make_live_resolver(bh, 0.3, 1);
    t0 = std::chrono::steady_clock::now();
    CHECK(r2->query("a.live.test.", RRType::A).status == DnsStatus::timeout);
    CHECK(r2->query("b.live.test.", RRType::A).status == DnsStatus::timeout);
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(s >= 1.1);
    CHECK(s < 4.0);
}

TEST_CASE("live: queries from many threads", "[.live]") {
    auto r = make_live_resolver(require_env("AUTHSCOPE_TEST_RESOLVER"), 2.0, 2);
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i)
                if (r->query("host.live.test.", i % 2 ? RRType::A : RRType::AAAA).status == DnsStatus::ok) ++ok;
        });
    for (auto& th : threads) th.join();
    CHECK(ok == 100);
}

TEST_CASE("live: a recorded snapshot replays the same answers", "[.live]") {
    auto rec = std::make_shared<RecordingResolver>(make_live_resolver(require_env("AUTHSCOPE_TEST_RESOLVER"), 2.0, 1));
    auto rec_bh = std::make_shared<RecordingResolver>(make_live_resolver(require_env("AUTHSCOPE_TEST_BLACKHOLE"), 0.2, 0));
    for (const char* n : {"split.live.test.", "alias.live.test.", "dangling.live.test.", "missing.live.test.",
                          "host.live.test.", "ent.live.test.", "escaped.live.test.", "big.live.test."})
        for (RRType t : {RRType::TXT, RRType::A}) rec->query(n, t);
    rec->query("live.test.", RRType::MX);
    rec->query("host.live.test.", RRType::AAAA);
    rec_bh->query("slow.live.test.", RRType::TXT);
    auto answers = rec->answers();
    for (const auto& a : rec_bh->answers()) answers.push_back(a);
    REQUIRE(answers.size() == 19);
    const std::string snap = write_snapshot(answers);
    INFO(snap);
    auto back = replay(snap);
    for (const auto& a : answers) check_same_answer(a, back->query(a.qname, a.qtype));
    CHECK(back->query("slow.live.test.", RRType::TXT).status == DnsStatus::timeout);
}

TEST_CASE("dns: the plain-name fast path gives ldns's canonical form, and declines what ldns rejects", "[dns]") {
    std::uint32_t seed = 7;
    auto rnd = [&](std::uint32_t n) { seed = seed * 1664525u + 1013904223u; return (seed >> 8) % n; };
    const std::string chars = "abcXYZ019-_.";
    std::vector<std::string> names = {".", "a.", "A.B.", "a..b.", ".a.", "a", "_dmarc.Example.COM.",
                                      std::string(63, 'a') + ".", std::string(64, 'a') + ".", "-a-.b_."};
    std::string long_name;  // 254 and 256 characters in labels of 63
    while (long_name.size() < 250) long_name += std::string(std::min<std::size_t>(62, 250 - long_name.size()), 'q') + ".";
    for (std::size_t extra = 0; extra < 8; ++extra) names.push_back(std::string(extra, 'z') + long_name);
    for (int i = 0; i < 3000; ++i) {
        std::string n;
        for (std::uint32_t k = rnd(90); k > 0; --k) n += chars[rnd(static_cast<std::uint32_t>(chars.size()))];
        if (rnd(4)) n += ".";
        names.push_back(n);
    }
    for (const auto& n : names) {
        INFO("name '" << n << "'");
        auto plain = auth::detail::plain_canonical_name(n);
        auto ldns = auth::detail::canonical_name_ldns(n);
        if (plain) {
            REQUIRE(ldns);
            CHECK(*plain == *ldns);
        }
        CHECK(auth::detail::canonical_name(n) == ldns);
    }
}
