// libFuzzer target: ARC (auth/arc.hpp). The input is a whole message: its ARC sets are parsed and
// verified (RFC 8617 §5.2) against a fixed snapshot holding the fixtures' sealer keys, so that the
// canonicalisation and the signature checks run too; the three field parsers also get the raw bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "auth/arc.hpp"
#include "auth/dns.hpp"
#include "auth/error.hpp"
#include "auth/message.hpp"
#include "auth/run.hpp"

namespace {
std::shared_ptr<auth::Resolver> resolver() {
    static std::shared_ptr<auth::Resolver> r = auth::make_replay_resolver_from_text(
        "s1024._domainkey.example.org. 3600 IN TXT \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDETW28D7uGyT1/1SS5J38QU7dxHuWvYnG3+h25GOjSLAnW1qHgDT8oGb+tn8H18wxj4l9PIwWbt928hWN60hkv/+ZON6ljRJuBtTpOcjujHeJxAKSKZ24OPkmMGt75yIldAzyVooIiH3n5FfwmYajPLIXsH8uuvdakMBVbUsYvYQIDAQAB\"\n"
        "s2048._domainkey.example.net. 3600 IN TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxpl5St+iyqBVA2r2wHEeq4Hkt3lUXx47YLakiIf86ln2UsB6Y/gYYfESySHz6u95Sk+ltqI/TLQkLdgJxIv8HWbwz2MeSLxGb8C0+LZ9cy6+RDpUt2oFXjFAew9QrG2HKeuwzZgEE46SHvD7KPi71+oNQ0WZJdzLtFiuW+ySR1EBTKSY47YCuqNU0Kl8MWXoe\" \"mDI7MEjFU+t86fxLJz0GI55r3NNII7USh2Qv7gwD96ljJRs1lZ7a/fhvpO1jYXzY/Xni/OeWB/Bj9o6BjbSL0uv0FHa1UXvsWTFGyhCRE2W3OO1/V1L3E9p3ulVXmAMZHI/M2rjuZVVvpcXC+uK2QIDAQAB\"\n"
        "ed._domainkey.example.org. 3600 IN TXT \"v=DKIM1; k=ed25519; p=TQO037HzhWYW/RWsj/NmVTIWndWofjiWWKgsEQtN9pM=\"\n",
        "fuzz");
    return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    (void)auth::parse_arc_seal(text);
    (void)auth::parse_arc_message_signature(text);
    (void)auth::parse_arc_authentication_results(text);
    try {
        auth::Message msg = auth::Message::parse(std::move(text));
        auth::ArcReport r = auth::verify_arc(msg, *resolver());
        (void)auth::json_line(auth::to_json(r));  // as the runner prints it (invalid UTF-8 replaced)
        (void)auth::to_text(r);
        (void)auth::to_ar(r);
        for (const auto& h : r.hops) (void)auth::arc_results_for(r, h.sealer);
    } catch (const auth::InputError&) {
    }
    return 0;
}
