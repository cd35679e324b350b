// `authscope campaigns`: which samples are one campaign, and what ties them. Each sample is cut
// down to a compact signature (a MinHash of its masked template, and exact tie values: the
// sending account on a platform, link and contact infrastructure, replayed DKIM signatures);
// signatures are grouped with union-find over bounded candidate sets (LSH bands for the
// template, an index of exact tie values capped per value).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/brands.hpp"
#include "auth/explain.hpp"
#include "auth/message.hpp"

namespace auth {

// One exact value a sample carries that another sample of the same campaign may share.
// kind: account (a sender's account on a platform: repository, bot, tenant, form, community),
// reply-to, reply-to-domain, link-host, link-url, contact-email, phone, wallet, dkim-signature.
struct TieValue {
    std::string kind;
    std::string value;  // normalised (lower case host, +digits phone ...); defanged when shown
    std::string where;  // where in the sample it was found ("Reply-To", "href in part 2" ...)
};

// What grouping keeps of one sample: small, whatever the message's size.
struct SampleSignature {
    std::string file;
    std::int64_t arrival = -1;              // seconds since 1970 (top Received date, else Date:), -1 unknown
    std::string digest;                     // SHA-256 of the sample's bytes, first 16 bytes in hex
    std::string subject;                    // decoded, at most 160 bytes
    std::vector<std::uint32_t> minhash;     // template MinHash; empty when the text is too short
    std::vector<TieValue> ties;
    std::string sender;                     // the authenticated domain, else the From domain
    std::string dmarc;                      // the DMARC result the sender rests on
    std::string auth_source;                // "checked", "authentication-results:HOST" ...
    std::string recipients;                 // SHA-256 prefix of the sorted To/Cc addresses (replay evidence)
    std::vector<std::string> indicators;    // "url: hxxps://evil[.]example/", defanged, capped
    std::string report_to;                  // abuse address explain names, "" when none
};

struct SignatureOptions {
    std::size_t minhash_size = 64;          // permutations (must be a multiple of the LSH band size)
    std::size_t shingle_words = 4;          // words per shingle
    std::size_t min_shingles = 12;          // fewer distinct shingles: no template signature
    std::size_t max_words = 6000;           // words of decoded text looked at
    std::size_t max_indicators = 8;         // kept per kind and sample
    std::size_t max_ties = 64;              // tie values kept per sample
};

// Builds a sample's signature from the message, an ExplainReport holding at least the sender's
// authentication, authenticated_domain, indicators and report_to (explain()'s, or only those:
// campaign_run.cpp fills just them) and its decoded MIME; `brands` (may be null) names the
// domains that are never a tie. Never throws for hostile input.
SampleSignature sample_signature(const std::string& file, const Message& msg, const DecodedMessage& mime,
                                 const ExplainReport& report, const BrandSet* brands = nullptr,
                                 const SignatureOptions& opts = {});

// The masked word sequence the template MinHash is taken over: names after a greeting, numbers,
// long tokens, URLs, e-mail addresses and the recipients' own addresses and names are replaced
// by <name> <num> <tok> <url> <email> <rcpt>. Exposed for tests.
std::vector<std::string> masked_words(std::string_view text, const std::vector<std::string>& recipients,
                                      std::size_t max_words = 6000);
// MinHash (k permutations) of the w-word shingles of `words`; empty when fewer than min_shingles.
std::vector<std::uint32_t> template_minhash(const std::vector<std::string>& words, std::size_t k = 64,
                                            std::size_t w = 4, std::size_t min_shingles = 12);
// Estimated Jaccard similarity of two MinHash signatures of the same size (0 when either is empty).
double minhash_similarity(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b);

// The signature as JSON (what a worker process sends back) and back. signature_from_json throws
// InputError when the object is not a signature.
nlohmann::ordered_json signature_json(const SampleSignature& s);
SampleSignature signature_from_json(const nlohmann::ordered_json& j);

struct CampaignOptions {
    double min_similarity = 0.6;            // template similarity (est. Jaccard) that ties two samples
    std::size_t band_rows = 4;              // MinHash rows per LSH band
    std::size_t bucket_members = 8;         // members kept per LSH bucket (candidates per band)
    std::size_t max_tie_members = 50;       // a value shared by more samples is platform-wide, not a tie
    // A link host, short link, contact address or Reply-To domain found under more than this many
    // different templates is infrastructure for hire or a recipient's own address, not a tie.
    std::size_t max_weak_templates = 3;
    bool singletons = false;                // also list samples tied to no other (--all)
};

struct CampaignMember {
    std::string file;
    std::int64_t arrival = -1;
    std::string subject;
};

// One value that binds members of a campaign, with the members that share it.
struct CampaignTie {
    std::string kind;
    std::string value;                      // defanged
    std::string evidence;                   // one sentence
    std::vector<std::string> files;         // the members that share it (template: the pairs' members)
};

// One union that joined two members' groups, and why.
struct CampaignMerge {
    std::string a, b;                       // files
    std::string kind, value, evidence;
};

struct CampaignSender {
    std::string domain, dmarc, source;
    std::size_t members = 0;
};

struct Campaign {
    std::string id;                         // "c-" + 16 hex: SHA-256 of the sorted member digests
    std::vector<CampaignMember> members;    // in input order
    std::int64_t first_seen = -1, last_seen = -1;
    std::vector<CampaignTie> ties;
    std::vector<CampaignMerge> merges;      // members - 1 of them
    std::vector<CampaignSender> senders;
    std::vector<std::string> indicators;    // merged, defanged, "kind: value"
    std::vector<std::string> report_to;
};

// Groups signatures as they arrive; memory is the signatures plus bounded indexes.
class CampaignGrouper {
public:
    explicit CampaignGrouper(CampaignOptions opts = {});
    void add(SampleSignature s);
    std::size_t size() const { return sigs_.size(); }
    // The campaigns, biggest first (then earliest first seen, then id). Call once.
    std::vector<Campaign> finish();

private:
    struct Edge {
        std::uint32_t a, b;
        double similarity;
    };
    CampaignOptions opts_;
    std::vector<SampleSignature> sigs_;
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> buckets_;  // LSH band -> members (capped)
    std::vector<Edge> template_edges_;                                       // at most 4 per sample
    bool finished_ = false;
};

nlohmann::ordered_json campaign_json(const Campaign& c);
// The table (biggest first) for people: size, first and last seen, id, ties, first subject.
std::string campaigns_text(const std::vector<Campaign>& cs, std::size_t samples, std::size_t errors);

// "2024-05-01T10:00:00Z", or "" for -1.
std::string iso_time(std::int64_t t);

}  // namespace auth
