#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "auth/brands.hpp"
#include "auth/campaigns.hpp"
#include "auth/explain.hpp"
#include "auth/mime.hpp"

using namespace auth;

namespace {

SampleSignature sign(const std::string& file, const std::string& raw) {
    Message m = Message::parse(raw);
    BrandSet brands;
    ExplainReport r = explain(m, AuthSummary{}, brands);
    return sample_signature(file, m, decode_mime(m), r, &brands);
}

bool has_tie(const SampleSignature& s, const std::string& kind, const std::string& value) {
    return std::any_of(s.ties.begin(), s.ties.end(), [&](const TieValue& t) { return t.kind == kind && t.value == value; });
}

bool has_kind(const SampleSignature& s, const std::string& kind) {
    return std::any_of(s.ties.begin(), s.ties.end(), [&](const TieValue& t) { return t.kind == kind; });
}

std::string text_of(int variant, const std::string& name) {
    std::string t = "Hello " + name + ",\n";
    if (variant == 0)
        t += "Your mailbox storage is full and incoming messages will be rejected from today onwards. "
             "To keep receiving mail you must confirm your account ownership with the link below. "
             "Accounts that are not confirmed within two days are closed and their data removed for good. "
             "Thank you for choosing our service and for keeping your account details up to date.\n";
    else
        t += "A payment to your supplier could not be completed because the bank details have changed recently. "
             "Please review the attached remittance advice and send the transfer to the new account. "
             "Our finance team is waiting for your confirmation before the end of the business day. "
             "Kind regards from the accounts payable department of the head office.\n";
    return t;
}

SampleSignature sig_with(const std::string& file, std::vector<TieValue> ties, std::vector<std::uint32_t> mh = {}) {
    SampleSignature s;
    s.file = file;
    s.digest = file;  // distinct per sample
    s.ties = std::move(ties);
    s.minhash = std::move(mh);
    return s;
}

}  // namespace

TEST_CASE("masked_words masks the parts that vary between copies of one template", "[campaigns]") {
    auto w = masked_words("Dear Carol, your code is 493021. Visit https://x.example/a?b=1 or write to help@x.example "
                          "- sent to alice@mailbox.example abcdefghijklmnopqrstuvwxyzabcdef",
                          {"alice@mailbox.example"});
    std::vector<std::string> want = {"dear", "<name>", "your", "code", "is", "<num>", "visit", "<url>", "or", "write",
                                     "to", "<email>", "sent", "to", "<rcpt>", "<tok>"};
    CHECK(w == want);
    // The recipient's own name in the text is masked too, and runs of one mask collapse.
    auto v = masked_words("alice 12 34 56 rest", {"alice@mailbox.example"});
    CHECK(v == std::vector<std::string>{"<rcpt>", "<num>", "rest"});
}

TEST_CASE("template_minhash: copies with other names and numbers agree, other texts do not", "[campaigns]") {
    auto a = template_minhash(masked_words(text_of(0, "Alice") + " ref 1234", {}));
    auto b = template_minhash(masked_words(text_of(0, "Bruno") + " ref 98765", {}));
    auto c = template_minhash(masked_words(text_of(1, "Alice"), {}));
    REQUIRE(a.size() == 64);
    CHECK(minhash_similarity(a, b) == 1.0);
    CHECK(minhash_similarity(a, c) < 0.2);
    CHECK(template_minhash(masked_words("too short to say anything", {})).empty());
    CHECK(minhash_similarity(a, {}) == 0.0);
}

TEST_CASE("sample_signature: platform accounts, Reply-To and unwrapped link hosts are ties", "[campaigns]") {
    std::string gh =
        "Received: from out.github.example by mx.example; Mon, 02 Sep 2024 08:00:00 +0000\n"
        "From: Airdrop <notifications@github.com>\n"
        "Reply-To: acme/tools <reply+ABCDEF@reply.github.com>\n"
        "To: someone@mailbox.example\n"
        "Subject: [acme/tools] Claim (Issue #1)\n"
        "List-ID: acme/tools <tools.acme.github.com>\n"
        "X-GitHub-Sender: claim-bot[bot]\n"
        "\n" + text_of(0, "Alice") +
        "https://github.com/acme/tools/issues/1 https://click.example.org/r?u=https%3A%2F%2Fclaim.evil.example%2Fx\n";
    SampleSignature s = sign("gh.eml", gh);
    CHECK(has_tie(s, "account", "github:user/claim-bot[bot]"));
    CHECK(has_tie(s, "account", "github:repo/acme/tools"));
    CHECK(has_tie(s, "link-host", "claim.evil.example"));
    CHECK_FALSE(has_tie(s, "link-host", "github.com"));        // the platform's own
    CHECK_FALSE(has_tie(s, "link-host", "click.example.org"));  // the redirector, unwrapped
    CHECK_FALSE(has_kind(s, "reply-to"));                       // the platform's reply address with a token
    CHECK(s.arrival == 1725264000);
    CHECK(s.minhash.size() == 64);
    CHECK(s.digest.size() == 32);

    std::string circle =
        "From: Ledger <no-reply@notification.circle.so>\n"
        "Reply-To: Ledger <someone.scam@bluewin.ch>\n"
        "To: victim@mailbox.example\n"
        "Subject: 2FA\n"
        "\n" + text_of(1, "Bob") +
        "https://email.notification.circle.so/c/abc https://acme-six.circle.so/x/y.png call +1 888 555 0199\n";
    SampleSignature c = sign("circle.eml", circle);
    CHECK(has_tie(c, "account", "circle.so:acme-six"));
    CHECK_FALSE(has_tie(c, "account", "circle.so:email"));
    CHECK(has_tie(c, "reply-to", "someone.scam@bluewin.ch"));
    CHECK_FALSE(has_kind(c, "reply-to-domain"));  // a free-mail domain ties nothing
    CHECK_FALSE(has_kind(c, "link-host"));

    std::string tenant =
        "From: Billing <billing@acmetrial123.onmicrosoft.com>\n"
        "Reply-To: desk@refund-desk.example\n"
        "To: victim@mailbox.example\nSubject: x\n\nshort\n";
    SampleSignature t = sign("t.eml", tenant);
    CHECK(has_tie(t, "account", "onmicrosoft.com:acmetrial123"));
    CHECK(has_tie(t, "reply-to-domain", "refund-desk.example"));
    CHECK(t.minhash.empty());  // too little text for a template
}

TEST_CASE("sample_signature: an identical DKIM b= is one tie value", "[campaigns]") {
    std::string h = "DKIM-Signature: v=1; a=rsa-sha256; d=Bank.example; s=s1; h=from; bh=x=;\n b=AAAABBBBCCCC\n DDDDEEEEFFFF==\n";
    SampleSignature a = sign("a.eml", h + "From: a@bank.example\nTo: one@x.example\n\nhi\n");
    SampleSignature b = sign("b.eml", h + "From: a@bank.example\nTo: two@x.example\n\nhi\n");
    REQUIRE(a.ties.size() >= 1);
    auto find_dkim = [](const SampleSignature& s) {
        for (const auto& t : s.ties)
            if (t.kind == "dkim-signature") return t.value;
        return std::string();
    };
    CHECK(find_dkim(a).rfind("d=bank.example b=", 0) == 0);
    CHECK(find_dkim(a) == find_dkim(b));
    CHECK(a.recipients != b.recipients);
    CampaignGrouper g;
    g.add(a);
    g.add(b);
    auto cs = g.finish();
    REQUIRE(cs.size() == 1);
    REQUIRE(cs[0].merges.size() == 1);
    CHECK(cs[0].merges[0].kind == "dkim-signature");
    CHECK(cs[0].merges[0].evidence.find("replay") != std::string::npos);
}

TEST_CASE("signature JSON round trip", "[campaigns]") {
    SampleSignature s = sig_with("x.eml", {{"phone", "+18885550199", "text part 1"}}, {1, 2, 0xffffffffu});
    s.arrival = 42;
    s.subject = "Subject";
    s.indicators = {"url: hxxps://a[.]example/"};
    s.report_to = "abuse@a.example";
    auto j = signature_json(s);
    j["file"] = "x.eml";
    SampleSignature r = signature_from_json(j);
    CHECK(r.file == "x.eml");
    CHECK(r.arrival == 42);
    CHECK(r.minhash == s.minhash);
    REQUIRE(r.ties.size() == 1);
    CHECK(r.ties[0].value == "+18885550199");
    CHECK(r.indicators == s.indicators);
    nlohmann::ordered_json bad = {{"result", "signature"}, {"arrival", "x"}};
    CHECK_THROWS(signature_from_json(bad));
}

TEST_CASE("CampaignGrouper: exact ties merge with their evidence; a platform-wide value does not", "[campaigns]") {
    CampaignOptions o;
    o.max_tie_members = 3;
    CampaignGrouper g(o);
    g.add(sig_with("1", {{"link-host", "evil.example", "text"}, {"link-host", "cdn.shared.example", "text"}}));
    g.add(sig_with("2", {{"link-host", "evil.example", "text"}, {"link-host", "cdn.shared.example", "text"}}));
    g.add(sig_with("3", {{"link-host", "cdn.shared.example", "text"}}));
    g.add(sig_with("4", {{"link-host", "cdn.shared.example", "text"}, {"phone", "+15550001", "text"}}));
    g.add(sig_with("5", {{"phone", "+15550001", "text"}}));
    auto cs = g.finish();
    // cdn.shared.example is in 4 samples (over the cap of 3): it ties nothing.
    REQUIRE(cs.size() == 2);
    CHECK(cs[0].members.size() == 2);
    CHECK(cs[1].members.size() == 2);
    std::vector<std::string> firsts = {cs[0].members[0].file, cs[1].members[0].file};
    std::sort(firsts.begin(), firsts.end());
    CHECK(firsts == std::vector<std::string>{"1", "4"});
    for (const auto& c : cs) {
        REQUIRE(c.merges.size() == 1);
        CHECK_FALSE(c.merges[0].evidence.empty());
        for (const auto& t : c.ties) CHECK(t.value != "cdn.shared.example");
    }
}

TEST_CASE("CampaignGrouper: templates merge near-duplicates; ids follow content, not names or order", "[campaigns]") {
    auto t0 = template_minhash(masked_words(text_of(0, "A"), {}));
    auto t1 = template_minhash(masked_words(text_of(1, "A"), {}));
    auto run = [&](bool reversed, const std::string& prefix, bool all) {
        CampaignOptions o;
        o.singletons = all;
        CampaignGrouper g(o);
        std::vector<SampleSignature> v = {sig_with("a", {}, t0), sig_with("b", {}, t0), sig_with("c", {}, t1)};
        v[0].digest = "d0";
        v[1].digest = "d1";
        v[2].digest = "d2";
        if (reversed) std::reverse(v.begin(), v.end());
        for (auto& s : v) {
            s.file = prefix + s.file;
            g.add(s);
        }
        return g.finish();
    };
    auto x = run(false, "", false);
    auto y = run(true, "renamed-", false);
    REQUIRE(x.size() == 1);
    REQUIRE(y.size() == 1);
    CHECK(x[0].id == y[0].id);
    CHECK(x[0].id.size() == 18);
    REQUIRE(x[0].merges.size() == 1);
    CHECK(x[0].merges[0].kind == "template");
    REQUIRE(x[0].ties.size() == 1);
    CHECK(x[0].ties[0].kind == "template");
    auto z = run(false, "", true);
    REQUIRE(z.size() == 2);  // with singletons: the campaign, then c alone
    CHECK(z[1].members.size() == 1);
    CHECK(campaign_json(z[1])["result"] == "single");
    CHECK(campaign_json(z[0])["result"] == "campaign");
}

TEST_CASE("campaigns_text: the table, biggest first", "[campaigns]") {
    Campaign a;
    a.id = "c-1";
    a.members = {{"x", 0, "Hello"}, {"y", 86400, "Hello"}};
    a.first_seen = 0;
    a.last_seen = 86400;
    a.ties = {{"phone", "+1", "e", {"x", "y"}}};
    std::string t = campaigns_text({a}, 5, 1);
    CHECK(t.find("1 campaign of 2 or more samples (2 of 5 samples), 1 sample not read") == 0);
    CHECK(t.find("1970-01-01  1970-01-02  c-1") != std::string::npos);
    CHECK(t.find("phone") != std::string::npos);
    CHECK(iso_time(-1).empty());
    CHECK(iso_time(1725264000) == "2024-09-02T08:00:00Z");
}
