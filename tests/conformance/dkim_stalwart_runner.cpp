// Runs one Stalwart mail-auth DKIM case (resources/dkim/NNN.txt: "name TXT-value" lines, a blank
// line, then the message with LF endings) through auth::verify_dkim with a replay resolver.
// Stalwart's own test (src/dkim/verify.rs, dkim_verify) expects the last result to pass; every
// signature in these files is valid, so we require every signature to pass, and the same result
// whether the message is read with LF endings (as stored) or converted to CRLF.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "auth/dkim.hpp"
#include "auth/dns.hpp"
#include "auth/message.hpp"

namespace {

// Evaluation times. Stalwart verifies every case at 1667843664 and does not judge t= in the future;
// we do (RFC 6376 §3.5 t=: "Verifiers MAY ignore signatures with a timestamp in the future"), and
// 004 was signed at t=1667862801, after that instant. So each case is judged at a time its own
// signatures allow: 005 (x=1667930064) at Stalwart's 1667843664 as the suite's README says; the
// others (no x=) at the real current time.
const std::map<std::string, std::time_t> kEvaluateAt = {{"005", 1667843664}};

// Cases we deliberately do not follow: none.
const std::map<std::string, std::string> kDeviations = {};

std::string zone_from_lines(const std::string& dns) {
    std::string zone, line;
    std::istringstream in(dns);
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto sp = line.find(' ');
        if (sp == std::string::npos) continue;
        std::string name = line.substr(0, sp), value = line.substr(sp + 1), txt;
        // RFC 1035 character-strings hold at most 255 octets: split longer values.
        for (std::size_t k = 0; k < value.size(); k += 255) {
            txt += " \"";
            for (char c : value.substr(k, 255)) {
                if (c == '"' || c == '\\') txt += '\\';
                txt += c;
            }
            txt += '"';
        }
        zone += name + ". 300 IN TXT" + txt + "\n";
    }
    return zone;
}

std::string to_crlf(const std::string& s) {
    std::string out;
    for (std::size_t k = 0; k < s.size(); ++k) {
        if (s[k] == '\n' && (k == 0 || s[k - 1] != '\r')) out += '\r';
        out += s[k];
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: dkim_stalwart_runner CASE.txt\n";
        return 2;
    }
    std::string path = argv[1];
    std::string name = path.substr(path.find_last_of('/') + 1);
    name = name.substr(0, name.find('.'));
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string text = ss.str();
    auto split = text.find("\n\n");
    if (!f || split == std::string::npos) {
        std::cerr << path << ": not a DNS-lines / blank line / message case\n";
        return 2;
    }
    if (auto d = kDeviations.find(name); d != kDeviations.end()) {
        std::cout << "deliberate deviation, not checked: " << d->second << "\n";
        return 0;
    }
    try {
        auto dns = auth::make_replay_resolver_from_text(zone_from_lines(text.substr(0, split)), path);
        auth::DkimOptions opts;
        auto t = kEvaluateAt.find(name);
        opts.now = t != kEvaluateAt.end() ? t->second : std::time(nullptr);  // one instant for both forms
        std::string raw = text.substr(split + 2);
        int failures = 0;
        std::string first_json;
        for (const std::string& form : {std::string("LF"), std::string("CRLF")}) {
            auth::Message msg = auth::Message::parse(form == "LF" ? raw : to_crlf(raw));
            auth::DkimReport rep = auth::verify_dkim(msg, *dns, opts);
            std::cout << form << ": " << auth::to_text(rep);
            if (rep.signatures.empty()) {
                std::cout << "FAIL: no signature found\n";
                ++failures;
            }
            for (const auto& s : rep.signatures) {
                if (s.verdict.result != auth::Result::pass) {
                    std::cout << "FAIL: signature " << s.index + 1 << " is " << auth::to_string(s.verdict.result) << "\n";
                    ++failures;
                }
            }
            auth::Json j = auth::to_json(rep);
            j.erase("bare_lf_converted");
            if (first_json.empty()) first_json = j.dump();
            else if (j.dump() != first_json) {
                std::cout << "FAIL: the CRLF form gives a different result from the LF form\n";
                ++failures;
            }
        }
        return failures ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << path << ": " << e.what() << "\n";
        return 1;
    }
}
