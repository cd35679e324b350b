// authscope-dns: look up and lint a domain's SPF, DMARC and DKIM key records.
#include <iostream>

#include "auth/dnslint.hpp"
#include "auth/error.hpp"
#include "auth/run.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    static std::vector<std::string> selectors;
    auth::ToolSpec spec;
    spec.name = "dns";
    spec.summary = "Look up and lint the SPF, DMARC and DKIM key records of each DOMAIN.";
    spec.usage = "[--selector S]... [options] DOMAIN...";
    spec.add_options = [](po::options_description& d) {
        d.add_options()("selector,s", po::value<std::vector<std::string>>(&selectors)->composing(),
                        "DKIM selector to check (repeatable): S._domainkey.DOMAIN");
    };
    spec.run = [](const po::variables_map&, auth::CommonOptions& opts) {
        if (opts.inputs.empty()) throw auth::UsageError("give at least one DOMAIN");
        if (opts.format == auth::Format::ar) throw auth::UsageError("--format ar is not available for dns (no message is authenticated)");
        auto dns = auth::open_session_dns(opts);
        int status = auth::kExitPass;
        for (const auto& domain : opts.inputs) {
            auth::RecordingResolver rec(dns);
            auth::DomainLint l = auth::lint_domain(domain, selectors, rec);
            auth::Outcome o;
            o.json = auth::lint_json(l);
            o.json["dns"] = auth::dns_evidence_json(rec.answers());
            o.text = auth::lint_text(l);
            o.exit = auth::lint_exit(l);
            auth::print_outcome(std::cout, opts.format, "dns", domain, o);
            status = auth::worst_exit(status, o.exit);
        }
        std::cout.flush();
        auth::finish_session_dns(opts, dns);
        return status;
    };
    return auth::tool_main(spec, argc, argv);
}
