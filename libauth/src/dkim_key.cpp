#include "auth/dkim_key.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace auth {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// A colon-separated list (h=, s=, t= of key records), items trimmed and lower-cased, empty items dropped.
std::vector<std::string> colon_list(std::string_view v) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= v.size()) {
        std::size_t end = v.find(':', start);
        if (end == std::string_view::npos) end = v.size();
        auto item = trim(v.substr(start, end - start));
        if (!item.empty()) out.push_back(lower(item));
        start = end + 1;
    }
    return out;
}

std::string printable(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
        else out += '?';
        if (out.size() > 40) {
            out += "...";
            break;
        }
    }
    return out;
}

Reason key_syntax(std::string text) { return Reason{"key-syntax", std::move(text)}; }

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Fills key_bits and spki_der for an RSA p= (SubjectPublicKeyInfo, or a bare RSAPublicKey as some
// publishers write it). Returns the reason when p= holds no usable RSA key.
std::optional<Reason> load_rsa(DkimKeyRecord& r) {
    const auto* der = reinterpret_cast<const unsigned char*>(r.public_key.data());
    const long len = static_cast<long>(r.public_key.size());
    const unsigned char* p = der;
    PkeyPtr key(d2i_PUBKEY(nullptr, &p, len));
    if (key && p == der + len) {
        if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
            return Reason{"key-type-mismatch", "The key record says k=rsa but p= holds a key of another type."};
        r.spki_der = r.public_key;
    } else {
        p = der;
        key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, len));
        if (!key || p != der + len)
            return key_syntax("The key record's p= is not a DER-encoded RSA public key.");
        unsigned char* out = nullptr;
        int n = i2d_PUBKEY(key.get(), &out);
        if (n <= 0) return key_syntax("The key record's RSA public key cannot be re-encoded.");
        r.spki_der.assign(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
        OPENSSL_free(out);
        r.rsa_public_key_form = true;
    }
    int bits = EVP_PKEY_get_bits(key.get());
    if (bits <= 0) return key_syntax("The key record's RSA public key has no usable modulus.");
    r.key_bits = static_cast<unsigned>(bits);
    return std::nullopt;
}

// The value of a base64 character (RFC 4648 §4, table 1), -1 for any other octet: a table,
// since b= values are checked for every signature.
struct B64Table {
    signed char v[256];
    B64Table() {
        for (int c = 0; c < 256; ++c) v[c] = -1;
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int k = 0; k < 64; ++k) v[static_cast<unsigned char>(alphabet[k])] = static_cast<signed char>(k);
    }
};
const B64Table kB64;

int b64_value(unsigned char c) { return kB64.v[c]; }

// Octets a tag-value may not contain (RFC 6376 §3.2): ';', controls other than WSP/FWS, DEL.
struct BadValueTable {
    bool bad[256];
    BadValueTable() {
        for (int c = 0; c < 256; ++c) bad[c] = c == ';' || c == 0x7f || (c < 0x21 && !is_wsp(static_cast<char>(c)));
    }
};
const BadValueTable kBadValue;

}  // namespace

const DkimTag* DkimTagList::find(std::string_view name) const {
    for (const auto& t : tags)
        if (t.name == name) return &t;
    return nullptr;
}

// RFC 6376 §3.2: tag-list = tag-spec *( ";" tag-spec ) [ ";" ]; tag-name = ALPHA *ALNUMPUNC;
// tag-value = tval *( 1*(WSP / FWS) tval ), tval = 1*VALCHAR (%x21-3A / %x3C-7E).
DkimTagList parse_dkim_tag_list(std::string_view text) {
    DkimTagList out;
    if (trim(text).empty()) {
        out.error = "the tag list is empty";
        return out;
    }
    std::size_t start = 0;
    std::size_t index = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(';', start);
        const bool last = end == std::string_view::npos;
        if (last) end = text.size();
        std::string_view spec = trim(text.substr(start, end - start));
        ++index;
        if (spec.empty()) {
            // Only a trailing ";" may leave an empty tag-spec.
            if (!last || index == 1) {
                out.error = "empty tag-spec (\";;\" or a leading \";\") at tag " + std::to_string(index);
                return out;
            }
            break;
        }
        auto eq = spec.find('=');
        if (eq == std::string_view::npos) {
            out.error = "tag " + std::to_string(index) + " (\"" + printable(spec) + "\") has no '='";
            return out;
        }
        std::string_view name = trim(spec.substr(0, eq));
        std::string_view value = trim(spec.substr(eq + 1));
        bool name_ok = !name.empty() && std::isalpha(static_cast<unsigned char>(name[0]));
        for (unsigned char c : name) name_ok = name_ok && (std::isalnum(c) || c == '_');
        if (!name_ok) {
            out.error = "invalid tag name \"" + printable(name) + "\"";
            return out;
        }
        for (unsigned char c : value) {
            // VALCHAR or folding whitespace; octets >= 0x80 are tolerated for RFC 8616 (UTF-8) values.
            if (kBadValue.bad[c]) {
                out.error = "invalid character in the value of tag \"" + std::string(name) + "\"";
                return out;
            }
        }
        for (const auto& t : out.tags) {
            if (t.name == name) {
                out.error = "tag \"" + std::string(name) + "\" appears more than once";
                return out;
            }
        }
        out.tags.push_back(DkimTag{std::string(name), std::string(value)});
        if (last) break;
        start = end + 1;
    }
    return out;
}

std::string strip_whitespace(std::string_view s) {
    std::string out(s.size(), '\0');
    std::size_t n = 0;
    for (char c : s)
        if (!is_wsp(c)) out[n++] = c;  // indexed writes: b= values are long and this runs per signature
    out.resize(n);
    return out;
}

namespace {
// RFC 4648 §4, as RFC 6376 §2.4 uses it: whether b64 is base64, and its bytes into out when given.
bool scan_base64(std::string_view b64, std::string* out) {
    unsigned buf = 0;
    int nbits = 0;
    std::size_t pad = 0;
    std::size_t nchars = 0;
    for (unsigned char c : b64) {
        if (c == '=') {
            ++pad;
            continue;
        }
        if (pad) return false;  // data after padding
        int v = b64_value(c);
        if (v < 0) return false;
        ++nchars;
        if (!out) continue;
        buf = (buf << 6) | static_cast<unsigned>(v);
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            *out += static_cast<char>((buf >> nbits) & 0xff);
        }
    }
    if (pad > 2 || nchars % 4 == 1) return false;
    return !(pad && (nchars + pad) % 4 != 0);
}
}  // namespace

std::optional<std::string> decode_base64(std::string_view b64) {
    std::string out;
    out.reserve(b64.size() * 3 / 4);
    if (!scan_base64(b64, &out)) return std::nullopt;
    return out;
}

// The same acceptance as decode_base64, without building the output.
bool valid_base64(std::string_view b64) { return scan_base64(b64, nullptr); }

std::string encode_base64(std::string_view bytes) {
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                     static_cast<unsigned char>(bytes[i + 2]);
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += tbl[v & 63];
    }
    if (i + 1 == bytes.size()) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

bool DkimKeyRecord::testing() const { return std::find(flags.begin(), flags.end(), "y") != flags.end(); }
bool DkimKeyRecord::strict_identity() const { return std::find(flags.begin(), flags.end(), "s") != flags.end(); }
bool DkimKeyRecord::allows_hash(std::string_view hash) const {
    return hashes.empty() || std::find(hashes.begin(), hashes.end(), lower(hash)) != hashes.end();
}
bool DkimKeyRecord::for_email() const {
    if (services.empty()) return true;
    return std::find(services.begin(), services.end(), "*") != services.end() ||
           std::find(services.begin(), services.end(), "email") != services.end();
}

// RFC 6376 §3.6.1 (tags v h k n p s t), RFC 8463 §4.2 (k=ed25519: p= is the raw 32-byte key).
DkimKeyParse parse_dkim_key(std::string_view text) {
    DkimKeyParse out;
    DkimKeyRecord& r = out.record;
    DkimTagList list = parse_dkim_tag_list(text);
    if (!list.ok()) {
        out.error = key_syntax("The key record is not a valid tag list: " + list.error + ".");
        return out;
    }
    bool have_p = false;
    for (std::size_t i = 0; i < list.tags.size(); ++i) {
        const DkimTag& t = list.tags[i];
        if (t.name == "v") {
            // §3.6.1: v= is optional, but when present it MUST be the first tag and "DKIM1".
            if (i != 0) {
                out.error = key_syntax("The key record's v= tag is not the first tag.");
                return out;
            }
            if (t.value != "DKIM1") {
                out.error = key_syntax("The key record's version is \"" + printable(t.value) + "\", not DKIM1.");
                return out;
            }
            r.version = t.value;
        } else if (t.name == "h") {
            r.hashes = colon_list(t.value);
        } else if (t.name == "k") {
            r.key_type = lower(trim(t.value));
        } else if (t.name == "n") {
            r.notes = t.value;
        } else if (t.name == "p") {
            have_p = true;
            r.public_key_b64 = strip_whitespace(t.value);
        } else if (t.name == "s") {
            r.services = colon_list(t.value);
        } else if (t.name == "t") {
            r.flags = colon_list(t.value);
        } else {
            r.unknown_tags.push_back(t.name);  // §3.6.1: unrecognised tags MUST be ignored
        }
    }
    if (!have_p) {
        out.error = key_syntax("The key record has no p= tag (the public key).");
        return out;
    }
    if (r.key_type != "rsa" && r.key_type != "ed25519") {
        out.error = Reason{"unsupported-algorithm",
                           "The key record's key type k=" + printable(r.key_type) + " is not one we know (rsa, ed25519)."};
        return out;
    }
    if (r.public_key_b64.empty()) {
        r.revoked = true;  // §3.6.1: an empty p= means the key has been revoked
        return out;
    }
    auto decoded = decode_base64(r.public_key_b64);
    if (!decoded || decoded->empty()) {
        out.error = key_syntax("The key record's p= is not valid base64.");
        return out;
    }
    r.public_key = std::move(*decoded);
    if (r.key_type == "ed25519") {
        if (r.public_key.size() != 32) {
            out.error = key_syntax("The key record's ed25519 p= is " + std::to_string(r.public_key.size()) +
                                   " bytes, not the raw 32-byte key RFC 8463 §4.2 requires.");
            return out;
        }
        r.key_bits = 256;
        return out;
    }
    if (auto err = load_rsa(r)) out.error = *err;
    return out;
}

}  // namespace auth
