#include "auth/run.hpp"

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "auth/error.hpp"
#include "auth/html.hpp"
#include "detail/json_writer.hpp"
#include "detail/progress.hpp"
#include "detail/worker_pool.hpp"

namespace po = boost::program_options;

namespace auth {

namespace {

// An exception that reaches the runner, or a worker that dies, is a bug in authscope, never an
// answer about the sample: the message says so, distinct from every input error.
const std::string kInternalError = "internal error (a bug in authscope, please report it): ";

// Control characters in a file name or message would break the one-line error contract.
std::string visible(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (c < 32 || c == 127) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

Format parse_format(const std::string& f, bool html) {
    if (f == "text") return Format::text;
    if (f == "json") return Format::json;
    if (f == "ar") return Format::ar;
    if (f == "html" && html) return Format::html;
    throw UsageError("--format must be text, json" + std::string(html ? ", ar or html" : " or ar") + ", not '" + f + "'");
}

using detail::Rendered;

Rendered error_outcome(const std::string& tool, const CommonOptions& opts, const std::string& file,
                       const std::string& what) {
    Rendered r;
    std::ostringstream e;
    print_error(e, tool, file, what);
    r.err = e.str();
    r.exit = kExitBadInput;
    if (opts.format == Format::json) {
        r.out = json_line(error_json(tool, file, what)) + "\n";
    } else if (opts.format == Format::html) {
        r.out = html_error_section(file, what);
    }
    return r;
}

// Analyses one sample (its bytes move into the Message). keep_answers: return the DNS answers
// used, for a worker process whose parent records the snapshot.
Rendered process(const std::string& tool, const CommonOptions& opts, const Analyzer& analyze,
                 const std::shared_ptr<Resolver>& dns, Sample& sample, bool keep_answers = false) {
    try {
        load_sample(sample);  // a sample the source left in place (--jobs N) is read here, in the worker
        if (!sample.error.empty()) return error_outcome(tool, opts, sample.file, sample.error);
        Message msg = Message::parse(std::move(sample.bytes));
        RecordingResolver rec(dns);
        SampleContext ctx{sample.file, msg, rec, opts};
        Outcome o = analyze(ctx);
        if (opts.format == Format::json) {
            if (!msg.warnings().empty() && !o.json.contains("warnings")) o.json["warnings"] = msg.warnings();
            if (!o.json.contains("dns")) o.json["dns"] = dns_evidence_json(rec.answers());
        } else if (opts.format == Format::text) {
            for (const auto& w : msg.warnings()) o.text += "  note: " + w + "\n";
        }
        Rendered r;
        std::ostringstream out;
        print_outcome(out, opts.format, tool, sample.file, o);
        r.out = out.str();
        r.exit = o.exit;
        if (keep_answers) r.answers = rec.answers();
        sample.bytes = msg.take_bytes();  // the caller reads the next sample into the same buffer
        return r;
    } catch (const InputError& e) {
        return error_outcome(tool, opts, sample.file, e.what());
    } catch (const std::exception& e) {
        return error_outcome(tool, opts, sample.file, kInternalError + e.what());
    }
}

// The thread pool (CommonOptions::workers == threads): samples read here, analysed on `jobs`
// threads, emitted in input order; at most 4 samples per thread are held at once.
void run_in_threads(unsigned jobs, const std::function<bool(Sample&)>& next, std::vector<Sample> first,
                    const std::function<Rendered(Sample&)>& work, const std::function<void(Rendered&)>& emit) {
    struct Slot {
        Sample sample;
        Rendered result;
        bool done = false;
    };
    std::mutex mu;
    std::condition_variable cv_work, cv_done;
    std::deque<std::shared_ptr<Slot>> window, tasks;
    bool closing = false;
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < jobs; ++i) {
        pool.emplace_back([&] {
            for (;;) {
                std::shared_ptr<Slot> slot;
                {
                    std::unique_lock<std::mutex> lk(mu);
                    cv_work.wait(lk, [&] { return closing || !tasks.empty(); });
                    if (tasks.empty()) return;
                    slot = tasks.front();
                    tasks.pop_front();
                }
                Rendered r = work(slot->sample);
                {
                    std::lock_guard<std::mutex> lk(mu);
                    slot->result = std::move(r);
                    slot->sample = Sample{};
                    slot->done = true;
                }
                cv_done.notify_all();
            }
        });
    }
    const std::size_t max_window = jobs * 4;
    auto flush = [&](bool all) {
        std::unique_lock<std::mutex> lk(mu);
        for (;;) {
            while (!window.empty() && window.front()->done) {
                auto slot = window.front();
                window.pop_front();
                lk.unlock();
                emit(slot->result);
                lk.lock();
            }
            if (window.empty() || (!all && window.size() < max_window)) return;
            cv_done.wait(lk);
        }
    };
    std::size_t given = 0;
    for (;;) {
        auto slot = std::make_shared<Slot>();
        if (given < first.size()) slot->sample = std::move(first[given++]);
        else if (!next(slot->sample)) break;
        {
            std::lock_guard<std::mutex> lk(mu);
            window.push_back(slot);
            tasks.push_back(slot);
        }
        cv_work.notify_one();
        flush(false);
    }
    flush(true);
    {
        std::lock_guard<std::mutex> lk(mu);
        closing = true;
    }
    cv_work.notify_all();
    for (auto& t : pool) t.join();
}

}  // namespace

std::string json_line(const Json& j) {
    std::string s;
    detail::append_json(s, j);
    return s;
}

Json dns_evidence_json(const std::vector<DnsAnswer>& answers) {
    Json arr = Json::array();
    for (const auto& a : answers) {
        Json q;
        q["name"] = a.qname;
        q["type"] = to_string(a.qtype);
        q["status"] = to_string(a.status);
        Json recs = Json::array();
        for (const auto& c : a.cnames) recs.push_back(c.name + " CNAME " + c.target);
        for (const auto& r : a.records) {
            if (r.type == RRType::TXT || r.type == RRType::SPF) recs.push_back(r.text());
            else if (r.type == RRType::MX) recs.push_back(std::to_string(r.preference) + " " + r.target);
            else recs.push_back(r.target);
        }
        q["answers"] = recs;
        if (!a.detail.empty()) q["detail"] = a.detail;
        arr.push_back(q);
    }
    return arr;
}

Json error_json(const std::string& tool, const std::string& file, const std::string& what) {
    Json j;
    j["tool"] = tool;
    j["file"] = file;
    j["result"] = "error";
    j["error"] = what;
    return j;
}

void print_error(std::ostream& err, const std::string& tool, const std::string& file, const std::string& what) {
    err << "authscope-" << tool << ": ";
    if (!file.empty()) err << visible(file) << ": ";
    err << visible(what) << "\n";
}

void print_outcome(std::ostream& out, Format f, const std::string& tool, const std::string& file, Outcome& o) {
    switch (f) {
    case Format::text:
        out << o.text;
        if (!o.text.empty() && o.text.back() != '\n') out << "\n";
        break;
    case Format::json: {
        // "tool" and "file" first, then the tool's own keys in its order.
        std::string line = "{\"tool\":";
        detail::append_json_string(line, tool);
        line += ",\"file\":";
        detail::append_json_string(line, file);
        if (o.json.is_object()) {
            for (auto it = o.json.begin(); it != o.json.end(); ++it) {
                if (it.key() == "tool" || it.key() == "file") continue;
                line.push_back(',');
                detail::append_json_string(line, it.key());
                line.push_back(':');
                detail::append_json(line, it.value());
            }
        }
        line += "}\n";
        out << line;
        break;
    }
    case Format::ar:
        out << o.ar << "\n";
        break;
    case Format::html:
        out << o.html;
        break;
    }
}

std::shared_ptr<Resolver> open_session_dns(const CommonOptions& opts) {
    if (!opts.dns.from_file.empty() && !opts.dns.record_file.empty())
        throw UsageError("--dns-from and --dns-record cannot be used together (replay never queries the network)");
    auto base = make_resolver(opts.dns);
    if (opts.dns.record_file.empty()) return base;
    return std::make_shared<RecordingResolver>(base);
}

void finish_session_dns(const CommonOptions& opts, const std::shared_ptr<Resolver>& dns) {
    if (opts.dns.record_file.empty()) return;
    auto* rec = dynamic_cast<RecordingResolver*>(dns.get());
    if (!rec) return;
    std::string tmp = opts.dns.record_file + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) throw InputError(opts.dns.record_file + ": cannot write the DNS snapshot");
        f << write_snapshot(rec->answers());
        if (!f) throw InputError(opts.dns.record_file + ": cannot write the DNS snapshot");
    }
    if (std::rename(tmp.c_str(), opts.dns.record_file.c_str()) != 0)
        throw InputError(opts.dns.record_file + ": cannot write the DNS snapshot");
}

// Reads samples in order, analyses them in opts.jobs worker processes (or threads), prints in
// input order. One sample, or --jobs 1, is analysed in this process. A few samples per worker
// are held at once, so memory does not grow with an mbox's size.
int run_samples(const std::string& tool, const CommonOptions& opts, const Analyzer& analyze, std::ostream& out,
                std::ostream& err) {
    auto dns = open_session_dns(opts);
    auto* session_rec = opts.dns.record_file.empty() ? nullptr : dynamic_cast<RecordingResolver*>(dns.get());
    unsigned jobs = opts.jobs ? opts.jobs : std::max(1u, std::thread::hardware_concurrency());
    // With workers, files and mbox messages are only located here and read by the workers.
    SampleSource src(opts.inputs, MessageLimits{}.max_message_bytes, jobs > 1);
    int status = kExitPass;
    bool first_text = true;
    std::unique_ptr<detail::Progress> progress;  // a run of more than one sample, when wanted
    bool pool_counts = false;                    // the worker pool says when each sample is done
    auto emit = [&](Rendered& r) {
        if (progress) progress->before_output(!r.out.empty(), !r.err.empty());
        if (opts.format == Format::text && !r.out.empty()) {
            if (!first_text) out << "\n";
            first_text = false;
        }
        out << r.out;
        if (!r.err.empty()) err << r.err;  // cerr is tied to cout: even an empty write flushes stdout
        status = worst_exit(status, r.exit);
        if (session_rec)
            for (const auto& a : r.answers) session_rec->add(a);
        if (progress) {
            if (detail::stdout_is_terminal()) out.flush();
            if (!pool_counts) progress->done();
        }
    };
    auto next = [&](Sample& s) {
        bool got = src.next(s);
        if (progress) got ? progress->found() : progress->input_done();
        return got;
    };

    // One page around every sample's section.
    if (opts.format == Format::html) out << html_page_begin("authscope " + tool + " evidence");

    // Two samples read ahead tell whether there is anything to share out.
    std::vector<Sample> first(2);
    std::size_t have = 0;
    while (have < 2 && src.next(first[have])) ++have;
    first.resize(have);
    if (have == 2 && detail::progress_wanted(opts.progress, err))
        progress = std::make_unique<detail::Progress>(err, tool, &err == &std::cerr && detail::stderr_is_terminal(),
                                                      &out == &std::cout && detail::stdout_is_terminal(), 2);

    if (jobs == 1 || have < 2) {
        for (auto& s : first) {
            Rendered r = process(tool, opts, analyze, dns, s);
            emit(r);
        }
        if (have == 2) {
            Sample s;
            while (next(s)) {
                Rendered r = process(tool, opts, analyze, dns, s);
                emit(r);
            }
        }
    } else if (opts.workers == Workers::threads) {
        run_in_threads(jobs, next, std::move(first), [&](Sample& s) { return process(tool, opts, analyze, dns, s); },
                       emit);
    } else {
        // Workers query the session's source directly and send back the answers they used; the
        // snapshot then holds them in input order, whatever order the workers ran in.
        std::shared_ptr<Resolver> worker_dns = session_rec ? session_rec->inner() : dns;
        std::size_t given = 0;
        detail::PoolCallbacks cb;
        cb.next = [&](Sample& s) {
            if (given < first.size()) {
                s = std::move(first[given++]);
                return true;
            }
            return next(s);
        };
        cb.work = [&](Sample& s) { return process(tool, opts, analyze, worker_dns, s, session_rec != nullptr); };
        cb.lost = [&](const Sample& s, const std::string& why) {
            return error_outcome(tool, opts, s.file,
                                 kInternalError + "the analysis stopped (" + why + "); the other samples go on");
        };
        cb.emit = emit;
        if (progress) {
            pool_counts = true;
            cb.done = [&] { progress->done(); };
            cb.tick = [&] { progress->tick(); };
        }
        out.flush();
        err.flush();
        detail::PoolOptions po;
        po.workers = jobs;
        po.window = std::size_t(jobs) * 64;
        po.sample_timeout = opts.sample_timeout;
        detail::run_in_processes(po, cb);
    }
    if (progress) progress->finish();
    if (opts.format == Format::html) out << html_page_end();
    out.flush();
    finish_session_dns(opts, dns);
    return status;
}

int tool_main(const ToolSpec& spec, int argc, char** argv) {
    const std::string prog = "authscope-" + spec.name;
    try {
        CommonOptions opts;
        std::string format = "text";
        po::options_description desc("Options");
        desc.add_options()
            ("help,h", "show this help and exit")
            ("version", "show the version and exit")
            ("format", po::value<std::string>(&format)->default_value("text"),
             spec.html ? "output: text, json, ar (an Authentication-Results header) or html (one inert evidence page)"
                       : "output: text, json or ar (an Authentication-Results header)")
            ("json", "short for --format json")
            ("dns-from", po::value<std::string>(&opts.dns.from_file), "answer DNS only from this snapshot zone file; never the network")
            ("dns-record", po::value<std::string>(&opts.dns.record_file), "query live DNS and write every answer used to this snapshot zone file")
            ("resolver", po::value<std::string>(&opts.dns.resolver), "live DNS server ADDR[@PORT] (default: /etc/resolv.conf)")
            ("dns-timeout", po::value<double>(&opts.dns.timeout)->default_value(5.0), "seconds to wait for each DNS try")
            ("dns-retries", po::value<int>(&opts.dns.retries)->default_value(2), "DNS tries after the first")
            ("jobs,j", po::value<unsigned>(&opts.jobs)->default_value(0), "samples checked in parallel, in worker processes (0: one per core)")
            ("sample-timeout", po::value<unsigned>(&opts.sample_timeout)->default_value(600),
             "seconds a worker process may spend on one sample before it is given up as an error (0: no limit)")
            ("authserv-id", po::value<std::string>(&opts.authserv_id)->default_value("authscope"), "authserv-id for --format ar")
            ("progress", "show a progress line on stderr even when it is not a terminal (runs of several samples)")
            ("no-progress", "never show the progress line (default: shown when stderr is a terminal)");
        if (spec.add_options) spec.add_options(desc);
        po::options_description hidden;
        hidden.add_options()("input", po::value<std::vector<std::string>>(&opts.inputs), "inputs")
            ("list-options", "for the shell completion generator: each option, whether it takes a value, its choices");
        po::options_description all;
        all.add(desc).add(hidden);
        po::positional_options_description pos;
        pos.add("input", -1);
        po::variables_map vm;
        try {
            po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
            po::notify(vm);
        } catch (const po::error& e) {
            throw UsageError(e.what());
        }
        if (vm.count("help")) {
            std::cout << "Usage: " << prog << " " << spec.usage << "\n" << spec.summary << "\n\n" << desc
                      << "\nExit status: 0 pass, 1 not pass, 2 usage error, 3 unreadable or malformed input,"
                         " 4 temporary DNS failure.\nSee man " << prog << ".\n";
            return kExitPass;
        }
        if (vm.count("list-options")) {
            // One line per option: its name, "value" or "flag", and for --format the words it takes.
            for (const auto& o : desc.options()) {
                const bool value = o->semantic()->max_tokens() > 0;
                std::string choices = o->long_name() == "format" ? (spec.html ? "\ttext json ar html" : "\ttext json ar") : "";
                std::cout << "--" << o->long_name() << (value ? "\tvalue" : "\tflag") << choices << "\n";
                std::string shown = o->canonical_display_name(po::command_line_style::allow_dash_for_short);
                if (shown.size() == 2 && shown[0] == '-') std::cout << shown << (value ? "\tvalue" : "\tflag") << "\n";
            }
            return kExitPass;
        }
        if (vm.count("version")) {
            std::cout << prog << " (authscope) " << AUTHSCOPE_VERSION << "\n";
            return kExitPass;
        }
        opts.format = vm.count("json") ? Format::json : parse_format(format, spec.html);
        if (vm.count("progress") && vm.count("no-progress")) throw UsageError("--progress and --no-progress cannot be used together");
        if (vm.count("progress") || vm.count("no-progress")) opts.progress = vm.count("progress") ? 1 : 0;
        if (opts.dns.timeout <= 0 || opts.dns.timeout > 300) throw UsageError("--dns-timeout must be between 0 and 300 seconds");
        if (opts.dns.retries < 0 || opts.dns.retries > 10) throw UsageError("--dns-retries must be between 0 and 10");
        if (opts.jobs > 256) throw UsageError("--jobs must be at most 256");
        if (opts.sample_timeout > 86400) throw UsageError("--sample-timeout must be at most 86400 seconds");
        int status;
        if (spec.run) status = spec.run(vm, opts);
        else status = run_samples(spec.name, opts, spec.analyze, std::cout, std::cerr);
        std::cout.flush();
        return status;
    } catch (const UsageError& e) {
        print_error(std::cerr, spec.name, "", std::string(e.what()) + " (see " + prog + " --help)");
        return kExitUsage;
    } catch (const InputError& e) {
        print_error(std::cerr, spec.name, "", e.what());
        return kExitBadInput;
    } catch (const std::exception& e) {
        print_error(std::cerr, spec.name, "", kInternalError + e.what());
        return kExitBadInput;
    }
}

}  // namespace auth
