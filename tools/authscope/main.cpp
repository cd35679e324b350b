// authscope: the front command. `authscope TOOL ARGS...` runs authscope-TOOL ARGS..., git-style.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

struct ToolInfo {
    const char* name;
    const char* summary;
};
const ToolInfo kTools[] = {
    {"dkim", "verify every DKIM signature of a sample (RFC 6376, RFC 8463, RFC 8301)"},
    {"arc", "verify a sample's ARC chain: cv, where it broke, what each hop recorded (RFC 8617)"},
    {"spf", "evaluate SPF for a sample's connecting IP, HELO and MAIL FROM (RFC 7208)"},
    {"dmarc", "DMARC: identifier alignment, policy and disposition (RFC 9989, RFC 7489)"},
    {"explain", "why mail that authenticates as a brand can still be abusive"},
    {"report", "write an ARF abuse report; read ARF and DMARC reports"},
    {"campaigns", "group samples into campaigns, with the ties that bind them"},
    {"dns", "look up and lint a domain's SPF, DMARC and DKIM key records"},
};

std::string self_dir() {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    buf[n] = 0;
    std::string p(buf);
    auto slash = p.rfind('/');
    return slash == std::string::npos ? std::string{} : p.substr(0, slash);
}

bool executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

void usage(std::ostream& o) {
    o << "Usage: authscope TOOL [options] [SAMPLE...]\n"
         "Email-authentication forensics: SPF, DKIM and DMARC on saved samples, with the reasons\n"
         "and the DNS answers each result rests on.\n\nTools:\n";
    std::string dir = self_dir();
    for (const auto& t : kTools) {
        bool here = executable(dir + "/authscope-" + t.name);
        o << "  " << t.name << std::string(10 - std::strlen(t.name), ' ') << t.summary << (here ? "" : " (not built)")
          << "\n";
    }
    o << "\nCommon options: --format text|json|ar, --json, --dns-from FILE.zone, --dns-record FILE.zone,\n"
         "--resolver ADDR[@PORT], --jobs N. 'authscope TOOL --help' for a tool's own options; man authscope.\n"
         "Exit status: 0 pass, 1 not pass, 2 usage error, 3 unreadable or malformed input, 4 temporary DNS failure.\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(std::cerr);
        return 2;
    }
    std::string tool = argv[1];
    if (tool == "--help" || tool == "-h" || tool == "help") {
        usage(std::cout);
        return 0;
    }
    if (tool == "--version") {
        std::cout << "authscope " << AUTHSCOPE_VERSION << "\n";
        return 0;
    }
    bool known = false;
    for (const auto& t : kTools) known = known || tool == t.name;
    if (!known || tool.find('/') != std::string::npos) {
        std::cerr << "authscope: '" << tool << "' is not a tool (see authscope --help)\n";
        return 2;
    }
    std::string exe = "authscope-" + tool;
    std::vector<char*> args;
    args.push_back(const_cast<char*>(exe.c_str()));
    for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
    args.push_back(nullptr);
    // Prefer the tool installed beside this program, then PATH.
    std::string beside = self_dir() + "/" + exe;
    if (executable(beside)) execv(beside.c_str(), args.data());
    execvp(exe.c_str(), args.data());
    std::cerr << "authscope: cannot run " << exe << ": " << std::strerror(errno) << "\n";
    return 2;
}
