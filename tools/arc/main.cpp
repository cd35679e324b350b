// authscope-arc: verify the ARC chain of each sample (RFC 8617): cv=none/pass/fail, each hop's
// sealer, seal, message signature and recorded results.
#include <iostream>
#include <string>

#include "auth/ar.hpp"
#include "auth/arc.hpp"
#include "auth/run.hpp"

int main(int argc, char** argv) {
    auth::ToolSpec spec;
    spec.name = "arc";
    spec.summary = "Verify the ARC chain of each sample (RFC 8617): cv, where it broke, and what each hop recorded.";
    spec.usage = "[options] [SAMPLE...]";
    spec.analyze = [](const auth::SampleContext& ctx) {
        auth::ArcReport rep = auth::verify_arc(ctx.message, ctx.dns);
        auth::Outcome o;
        switch (ctx.options.format) {
        case auth::Format::json: o.json = auth::to_json(rep); break;
        case auth::Format::text: o.text = auth::to_text(rep); break;
        case auth::Format::ar: o.ar = auth::format_authentication_results(ctx.options.authserv_id, auth::to_ar(rep)); break;
        case auth::Format::html: break;  // not offered (ToolSpec::html)
        }
        // 0 only for cv=pass; 4 when a key query failed temporarily; 1 otherwise.
        o.exit = auth::exit_status_for(rep.verdict.result);
        return o;
    };
    return auth::tool_main(spec, argc, argv);
}
