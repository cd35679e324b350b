// libFuzzer target: a campaign signature from a hostile message (MIME, masking, MinHash, ties,
// redirect unwrapping) and the signature decoder (what a worker process sends back).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/brands.hpp"
#include "auth/campaigns.hpp"
#include "auth/error.hpp"
#include "auth/explain.hpp"
#include "auth/mime.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string in(reinterpret_cast<const char*>(data), size);
    (void)auth::final_destination(in);
    (void)auth::template_minhash(auth::masked_words(in, {"victim@mailbox.example"}));
    try {
        auth::Message m = auth::Message::parse(in);
        static const auth::BrandSet brands;
        auth::ExplainReport r = auth::explain(m, auth::AuthSummary{}, brands);
        auth::SampleSignature s = auth::sample_signature("fuzz", m, auth::decode_mime(m), r, &brands);
        auto j = auth::signature_json(s);
        j["file"] = "fuzz";
        auth::CampaignGrouper g;
        g.add(auth::signature_from_json(j));
        g.add(s);
        for (const auto& c : g.finish()) (void)auth::campaign_json(c);
    } catch (const auth::InputError&) {
    }
    auto j = nlohmann::ordered_json::parse(in, nullptr, false);
    if (!j.is_discarded()) {
        try {
            (void)auth::signature_from_json(j);
        } catch (const auth::InputError&) {
        }
    }
    return 0;
}
