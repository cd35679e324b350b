// Runs one case of the pyspf SPF test suites (RFC 7208 and RFC 4408) through auth::spf_check:
//   spf_conformance SUITE.json SCENARIO-INDEX TEST-NAME
// The scenario's zonedata becomes a replay snapshot (TIMEOUT as the `;; authscope: TIMEOUT`
// directive, SPF-typed records standing for TXT when a name has none). Exit 0 when the result
// is one the suite accepts (and the explanation matches when the suite gives one).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "auth/dns.hpp"
#include "auth/spf.hpp"

namespace {

using nlohmann::json;

// Known deviations: cases where authscope deliberately or unavoidably gives another result than
// the suite expects. Each is still run; it passes only when the deviant result is exactly the one
// listed here (so a change in behaviour is noticed), and it prints the reason.
struct Deviation {
    const char* result;  // the result authscope gives
    const char* reason;
};
// Currently empty: all 203 RFC 7208 cases and all 191 RFC 4408 cases pass. What it took in our
// layer over libspf2 1.2.10 is listed in libspf2_dns.hpp (record selection, syntax check, /0,
// redirect order, void and term limits, explanations).
const std::map<std::string, Deviation> kDeviations = {};

// A master-file name: every byte outside [A-Za-z0-9-_*.] escaped as \DDD (RFC 1035 §5.1).
std::string zone_name(const std::string& n) {
    std::string out;
    for (unsigned char c : n) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*') out += static_cast<char>(c);
        else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\%03u", c);
            out += buf;
        }
    }
    if (out.empty() || out.back() != '.') out += '.';
    return out;
}

// JSON strings hold the YAML's text; code points below 256 stand for the bytes the suite meant.
std::string bytes_of(const std::string& utf8) {
    std::string out;
    for (std::size_t i = 0; i < utf8.size();) {
        unsigned char c = static_cast<unsigned char>(utf8[i]);
        if (c < 0x80) { out += static_cast<char>(c); ++i; continue; }
        unsigned cp = 0;
        int len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
        cp = c & (0xff >> (len + 1));
        for (int k = 1; k < len && i + k < utf8.size(); ++k) cp = (cp << 6) | (utf8[i + k] & 0x3f);
        if (cp < 256) out += static_cast<char>(cp);
        else out += utf8.substr(i, len);
        i += len;
    }
    return out;
}

// One TXT character-string list: quoted, escaped, split at 255 bytes (RFC 1035 §3.3.14).
std::string zone_txt(const std::string& text) {
    std::string out;
    std::string b = bytes_of(text);
    std::size_t pos = 0;
    do {
        std::string part = b.substr(pos, 255);
        pos += 255;
        out += " \"";
        for (unsigned char c : part) {
            if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
            else if (c < 0x20 || c > 0x7e) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\%03u", c);
                out += buf;
            } else out += static_cast<char>(c);
        }
        out += "\"";
    } while (pos < b.size());
    return out;
}

std::string txt_value(const json& v) {
    if (v.is_array()) {
        if (v.empty()) return " \"\"";  // a TXT RR cannot be empty: one empty string stands for it
        std::string out;
        for (const auto& s : v) out += zone_txt(s.get<std::string>());
        return out;
    }
    return zone_txt(v.get<std::string>());
}

std::string snapshot_of(const json& zonedata) {
    std::ostringstream z;
    z << "$TTL 300\n";
    for (auto it = zonedata.begin(); it != zonedata.end(); ++it) {
        const std::string name = zone_name(bytes_of(it.key()));
        bool has_txt = false;
        // pyspf's harness: a query for a type none of whose records precede TIMEOUT times out.
        std::set<std::string> before_timeout;
        bool timeout = false, any_record = false;
        for (const auto& rr : it.value()) {
            if (rr.is_string() && rr.get<std::string>() == "TIMEOUT") { timeout = true; break; }
            if (!rr.is_object()) continue;
            if (rr.contains("TXT")) has_txt = true;  // TXT: NONE too: the name has no TXT
            for (auto r = rr.begin(); r != rr.end(); ++r) {
                if (r.value().is_string() && r.value().get<std::string>() == "NONE") continue;
                before_timeout.insert(r.key() == "SPF" ? "SPF" : r.key());
                any_record = true;
            }
        }
        for (const auto& rr : it.value())
            if (rr.is_object() && rr.contains("TXT")) has_txt = true;
        if (before_timeout.count("SPF") && !has_txt) before_timeout.insert("TXT");
        if (timeout) {
            if (!any_record) z << ";; authscope: TIMEOUT " << name << "\n";
            else
                for (const char* type : {"A", "AAAA", "MX", "PTR", "TXT"})
                    if (!before_timeout.count(type)) z << ";; authscope: TIMEOUT " << name << " " << type << "\n";
        }
        for (const auto& rr : it.value()) {
            if (rr.is_string()) continue;
            for (auto r = rr.begin(); r != rr.end(); ++r) {
                const std::string type = r.key();
                const json& v = r.value();
                if ((type == "TXT" || type == "SPF") && v.is_string() && v.get<std::string>() == "NONE") {
                    if (type == "TXT" && !timeout) z << ";; authscope: NODATA " << name << " TXT\n";
                    continue;
                }
                if (type == "TXT") z << name << " IN TXT" << txt_value(v) << "\n";
                else if (type == "SPF") {
                    // Type 99 is never queried (RFC 7208 §3.1); it stands for TXT when there is none.
                    if (!has_txt) z << name << " IN TXT" << txt_value(v) << "\n";
                } else if (type == "MX") {
                    z << name << " IN MX " << v[0].get<int>() << " " << zone_name(bytes_of(v[1].get<std::string>())) << "\n";
                } else if (type == "A" || type == "AAAA") {
                    z << name << " IN " << type << " " << v.get<std::string>() << "\n";
                } else if (type == "PTR" || type == "CNAME") {
                    z << name << " IN " << type << " " << zone_name(bytes_of(v.get<std::string>())) << "\n";
                }
            }
        }
    }
    return z.str();
}

// A YAML scalar as text (some are numbers: spec: 4.6).
std::string str(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string slug(const std::string& s) {
    std::string out;
    for (char c : s) out += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: spf_conformance SUITE.json SCENARIO-INDEX TEST-NAME\n";
        return 2;
    }
    std::ifstream f(argv[1]);
    json suite = json::parse(f);
    const std::string suite_name = std::string(argv[1]).find("4408") != std::string::npos ? "rfc4408" : "rfc7208";
    const json& sc = suite["scenarios"].at(std::stoul(argv[2]));
    const std::string tname = argv[3];
    const json& t = sc["tests"].at(tname);
    const std::string id = suite_name + "/" + slug(sc["description"].get<std::string>()) + "/" + tname;

    std::string zone = snapshot_of(sc["zonedata"]);
    std::shared_ptr<auth::Resolver> dns;
    try {
        dns = auth::make_replay_resolver_from_text(zone, id);
    } catch (const std::exception& e) {
        std::cout << "FAIL: the snapshot built from the zonedata does not load: " << e.what() << "\n" << zone;
        return 1;
    }
    auth::SpfRequest req{str(t["host"]), bytes_of(str(t["helo"])), bytes_of(str(t["mailfrom"]))};
    auth::SpfCheck c = auth::spf_check(req, *dns);

    std::set<std::string> want;
    if (t["result"].is_array()) for (const auto& r : t["result"]) want.insert(r.get<std::string>());
    else want.insert(t["result"].get<std::string>());
    const std::string got(auth::to_string(c.result));

    std::cout << "case " << id << ": " << (t.contains("description") ? str(t["description"]) : "") << " (spec " << str(t["spec"]) << ")\n";
    std::cout << "  host=" << req.ip << " helo=" << req.helo << " mailfrom=" << req.mail_from << "\n";
    std::cout << "  expected: ";
    for (const auto& w : want) std::cout << w << " ";
    std::cout << "\n  got: " << got << " (" << c.reason.code << ": " << c.reason.text << ")";
    if (!c.mechanism.empty()) std::cout << " by " << c.mechanism;
    std::cout << "\n  lookups=" << c.lookups << " void=" << c.void_lookups << "\n";
    if (!c.explanation.empty()) std::cout << "  explanation: " << c.explanation << "\n";

    auto dev = kDeviations.find(id);
    if (dev != kDeviations.end()) {
        std::cout << "  KNOWN DEVIATION (expects authscope to give " << dev->second.result << "): "
                  << dev->second.reason << "\n";
        if (got == dev->second.result) return 0;
        std::cout << "FAIL: the deviation changed; update the table in spf_conformance.cpp\n";
        return 1;
    }
    bool ok = want.count(got) > 0;
    if (ok && t.contains("explanation") && c.result == auth::Result::fail) {
        // pyspf's harness gives "DEFAULT" when the record's own explanation is not used.
        std::string exp = str(t["explanation"]);
        if (exp == "DEFAULT") exp.clear();
        if (exp != c.explanation) {
            std::cout << "FAIL: explanation '" << c.explanation << "' is not '" << exp << "'\n";
            return 1;
        }
    }
    if (!ok) {
        std::cout << "FAIL\n--- snapshot ---\n" << zone;
        return 1;
    }
    std::cout << "ok\n";
    return 0;
}
