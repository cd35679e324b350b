#include "detail/worker_pool.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

namespace auth::detail {

namespace {

// ---- The wire format: native-endian integers, strings as a 64-bit length and the bytes.
// Both ends are this same program (a fork), so no portability is needed, only bounds checks.

void put_u32(std::string& s, std::uint32_t v) { s.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put_u64(std::string& s, std::uint64_t v) { s.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put_str(std::string& s, std::string_view v) {
    put_u64(s, v.size());
    s.append(v);
}

struct Reader {
    std::string_view s;
    std::size_t p = 0;
    bool u32(std::uint32_t& v) {
        if (s.size() - p < sizeof v) return false;
        std::memcpy(&v, s.data() + p, sizeof v);
        p += sizeof v;
        return true;
    }
    bool u64(std::uint64_t& v) {
        if (s.size() - p < sizeof v) return false;
        std::memcpy(&v, s.data() + p, sizeof v);
        p += sizeof v;
        return true;
    }
    bool str(std::string& v) {
        std::uint64_t n = 0;
        if (!u64(n) || n > s.size() - p) return false;
        v.assign(s.data() + p, static_cast<std::size_t>(n));
        p += static_cast<std::size_t>(n);
        return true;
    }
    // A count of items that each take at least `min_bytes`: bounded by what is left.
    bool count(std::uint32_t& n, std::size_t min_bytes) { return u32(n) && n <= (s.size() - p) / min_bytes; }
};

void put_record(std::string& s, const DnsRecord& r) {
    put_str(s, r.name);
    put_u32(s, static_cast<std::uint32_t>(r.type));
    put_u32(s, r.ttl);
    put_u32(s, static_cast<std::uint32_t>(r.strings.size()));
    for (const auto& t : r.strings) put_str(s, t);
    put_str(s, r.target);
    put_u32(s, r.preference);
    put_str(s, r.rdata);
}

bool get_record(Reader& in, DnsRecord& r) {
    std::uint32_t type = 0, n = 0, pref = 0;
    if (!in.str(r.name) || !in.u32(type) || type > 0xffff || !in.u32(r.ttl) || !in.count(n, 8)) return false;
    r.type = static_cast<RRType>(type);
    r.strings.resize(n);
    for (auto& t : r.strings)
        if (!in.str(t)) return false;
    if (!in.str(r.target) || !in.u32(pref) || pref > 0xffff || !in.str(r.rdata)) return false;
    r.preference = static_cast<std::uint16_t>(pref);
    return true;
}

// Every wake-up of another process costs an inter-processor interrupt (on a virtual machine, an
// exit to the hypervisor): requests and replies travel in batches. A worker holds up to kDepth
// samples and answers after kBatch of them, when it has nothing queued, or after kLinger.
constexpr std::size_t kDepth = 24;
constexpr std::size_t kBatch = 8;
constexpr auto kLinger = std::chrono::milliseconds(20);
// Sample bytes (stdin: they travel with the request) and results waiting for their turn that
// the first process may hold; past this, no new sample is handed out until some are done.
constexpr std::size_t kMaxHeldBytes = std::size_t(64) << 20;
// After this many failed forks in a row (a second apart) for the solo process of a suspect,
// suspects are given up as soon as their fork fails.
constexpr int kForkTries = 5;
constexpr std::size_t kRecordMinBytes = 8 + 4 + 4 + 4 + 8 + 4 + 8;
constexpr std::uint64_t kMaxFrame = std::uint64_t(1) << 32;  // a reply or request over 4 GiB is not ours

// ---- Blocking I/O for the worker side.

bool read_full(int fd, char* p, std::size_t n) {
    while (n > 0) {
        ssize_t k = ::read(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        p += k;
        n -= static_cast<std::size_t>(k);
    }
    return true;
}

bool write_full(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        p += k;
        n -= static_cast<std::size_t>(k);
    }
    return true;
}

// A request: u64 head length, the head (seq, file, error, bytes length), then the bytes.
// reply_at_once: the worker answers this sample before reading another (no batching).
std::string request_head(std::uint64_t seq, const Sample& s, bool reply_at_once) {
    std::string h;
    put_u64(h, 0);
    put_u64(h, seq);
    put_str(h, s.file);
    put_str(h, s.error);
    put_str(h, s.path);
    put_u32(h, (s.in_mbox ? 1u : 0u) | (s.quoted ? 2u : 0u) | (reply_at_once ? 4u : 0u));
    put_u64(h, s.offset);
    put_u64(h, s.length);
    put_u64(h, s.file_dev);
    put_u64(h, s.file_ino);
    put_u64(h, s.bytes.size());
    std::uint64_t len = h.size() - 8;
    std::memcpy(&h[0], &len, 8);
    return h;
}

bool readable_now(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

// Reply frames: u64 length, then a type byte: 'R' and an encoded Rendered, or 'T' and the u64
// seq of a sample that went over the time limit (the worker exits after it).
constexpr char kResult = 'R';
constexpr char kTimedOut = 'T';

// What the SIGALRM handler of a worker writes: the replies it holds, then a 'T' frame. Set up
// before each sample; only async-signal-safe calls in the handler.
int g_fd = -1;
const char* g_pending = nullptr;
std::size_t g_pending_len = 0;
char g_timeout_frame[8 + 1 + 8];

void write_all_raw(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return;
        p += k;
        n -= static_cast<std::size_t>(k);
    }
}

extern "C" void on_sample_timeout(int) {
    write_all_raw(g_fd, g_pending, g_pending_len);
    write_all_raw(g_fd, g_timeout_frame, sizeof g_timeout_frame);
    _exit(4);
}

// The worker: reads a sample, works it, queues the reply, until the parent closes the socket.
[[noreturn]] void worker_main(int fd, const PoolCallbacks& cb, unsigned timeout) {
    try {
        std::signal(SIGPIPE, SIG_IGN);  // a DNS server resetting a TCP connection must not kill it
        if (timeout) std::signal(SIGALRM, on_sample_timeout);
        g_fd = fd;
        Sample s;
        std::string head, frames;
        std::size_t pending = 0;
        auto first_pending = std::chrono::steady_clock::now();
        auto flush_frames = [&]() {
            if (!write_full(fd, frames.data(), frames.size())) _exit(0);
            frames.clear();
            pending = 0;
        };
        for (;;) {
            if (pending > 0 && (pending >= kBatch || !readable_now(fd) ||
                                std::chrono::steady_clock::now() - first_pending > kLinger))
                flush_frames();
            std::uint64_t len = 0;
            if (!read_full(fd, reinterpret_cast<char*>(&len), 8)) _exit(0);  // the parent is done
            if (len > (1u << 24)) _exit(2);
            head.resize(static_cast<std::size_t>(len));
            if (!read_full(fd, head.data(), head.size())) _exit(2);
            Reader in{head};
            std::uint64_t seq = 0, blen = 0;
            std::uint32_t flags = 0;
            if (!in.u64(seq) || !in.str(s.file) || !in.str(s.error) || !in.str(s.path) || !in.u32(flags) ||
                !in.u64(s.offset) || !in.u64(s.length) || !in.u64(s.file_dev) || !in.u64(s.file_ino) ||
                !in.u64(blen) || blen > kMaxFrame)
                _exit(2);
            s.in_mbox = flags & 1u;
            s.quoted = flags & 2u;
            s.bytes.resize(static_cast<std::size_t>(blen));
            if (!read_full(fd, s.bytes.data(), s.bytes.size())) _exit(2);
            if (timeout) {
                std::uint64_t tlen = 9;
                std::memcpy(g_timeout_frame, &tlen, 8);
                g_timeout_frame[8] = kTimedOut;
                std::memcpy(g_timeout_frame + 9, &seq, 8);
                g_pending = frames.data();
                g_pending_len = frames.size();
                std::atomic_signal_fence(std::memory_order_seq_cst);  // visible to the handler
                ::alarm(timeout);
            }
            Rendered r = cb.work(s);
            if (timeout) ::alarm(0);
            std::size_t at = frames.size();
            frames.append(8, '\0');
            frames.push_back(kResult);
            frames += encode_rendered(seq, r);
            std::uint64_t flen = frames.size() - at - 8;
            std::memcpy(&frames[at], &flen, 8);
            if (pending++ == 0) first_pending = std::chrono::steady_clock::now();
            if (flags & 4u) flush_frames();
        }
    } catch (...) {
        _exit(3);
    }
}

struct Job {
    std::uint64_t seq = 0;
    Sample sample;           // kept until its reply comes, to be given to another worker if need be
    std::string head;
    std::size_t sent = 0;    // bytes of head + sample.bytes written
    int tries = 0;           // times it went back unsent
    std::size_t total() const { return head.size() + sample.bytes.size(); }
};
using JobPtr = std::unique_ptr<Job>;

struct Worker {
    pid_t pid = -1;
    int fd = -1;
    bool solo = false;                      // a fresh process for one suspect, retired after it
    std::deque<JobPtr> jobs;                // in the order sent; the worker answers in that order
    std::size_t unsent = 0;                 // index of the first job not wholly written
    std::string in;                         // reply bytes read, not yet decoded
    bool dead = false;
    bool timed_out = false;                 // it sent a 'T' frame: its other jobs were not started
    bool closed_for_writing = false;        // a write failed: it is exiting
    std::string why;                        // how it ended, for the lost sample
};

std::string describe_exit(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char* name = strsignal(sig);
        return "its worker process was killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : "");
    }
    if (WIFEXITED(status)) return "its worker process exited with status " + std::to_string(WEXITSTATUS(status));
    return "its worker process ended";
}

class Pool {
public:
    Pool(const PoolOptions& o, const PoolCallbacks& cb)
        : max_(o.workers ? o.workers : 1), window_(o.window ? o.window : 1), timeout_(o.sample_timeout),
          tick_ms_(cb.tick ? o.tick_ms : -1), cb_(cb) {}
    ~Pool() { shutdown(); }

    void run() {
        for (;;) {
            const std::uint64_t before = progress_;
            dispatch();
            if (normal_workers() == 0 && !can_fork_now() && (!requeue_.empty() || !input_done_)) work_here();
            while (!ready_.empty() && ready_.begin()->first == next_emit_) {
                held_ -= std::min(held_, result_size(ready_.begin()->second));
                cb_.emit(ready_.begin()->second);
                ready_.erase(ready_.begin());
                ++next_emit_;
                ++progress_;
            }
            if (input_done_ && requeue_.empty() && suspects_.empty() && next_emit_ == next_seq_) break;
            // Emitting may have opened the window: only wait when a worker has something to do.
            bool busy = false;
            for (auto& w : workers_) busy = busy || !w->jobs.empty();
            if (busy) wait_and_move();
            else if (progress_ == before && !can_fork_now()) std::this_thread::sleep_until(fork_retry_at_);  // only a fork can move things
        }
        shutdown();
    }

private:
    // Suspects first, each alone in a fresh process; then samples given back by a worker that
    // timed out or died before it had them whole; then new samples, up to kDepth per worker and
    // no further ahead of the output than the window.
    void dispatch() {
        bool solo_busy = false;
        for (auto& w : workers_) solo_busy = solo_busy || w->solo;
        if (!suspects_.empty() && !solo_busy && can_fork_now()) {
            if (Worker* w = spawn(true)) {
                solo_fork_failures_ = 0;
                JobPtr job = std::move(suspects_.front());
                suspects_.pop_front();
                job->sent = 0;
                job->head = request_head(job->seq, job->sample, true);
                w->jobs.push_back(std::move(job));
                ++progress_;
            } else if (++solo_fork_failures_ >= kForkTries) {  // a row of failures: give up on the rest
                JobPtr job = std::move(suspects_.front());
                suspects_.pop_front();
                lose(*job, "its worker process died, and no new process could be started to check it alone: " +
                               fork_error_);
            }
        }
        for (;;) {
            bool fresh = requeue_.empty();
            if (fresh && (input_done_ || next_seq_ - next_emit_ >= window_)) return;
            if (fresh && held_ >= kMaxHeldBytes && next_seq_ > next_emit_) return;  // something is in flight
            Worker* w = pick();
            if (!w) return;
            JobPtr job;
            if (!fresh) {
                job = std::move(requeue_.front());
                requeue_.pop_front();
                job->sent = 0;
            } else {
                job = std::make_unique<Job>();
                if (!cb_.next(job->sample)) {
                    input_done_ = true;
                    return;
                }
                job->seq = next_seq_++;
                job->head = request_head(job->seq, job->sample, false);
                held_ += job->sample.bytes.size();
            }
            w->jobs.push_back(std::move(job));
            ++progress_;
        }
    }

    std::size_t normal_workers() const {
        std::size_t n = 0;
        for (auto& w : workers_) n += !w->solo;
        return n;
    }

    bool can_fork_now() const { return std::chrono::steady_clock::now() >= fork_retry_at_; }

    // The least busy worker with room, forking one more when every worker is busy and the
    // limit allows.
    Worker* pick() {
        Worker* best = nullptr;
        for (auto& w : workers_)
            if (!w->solo && !w->timed_out && !w->closed_for_writing && w->jobs.size() < kDepth &&
                (!best || w->jobs.size() < best->jobs.size()))
                best = w.get();
        if ((!best || !best->jobs.empty()) && normal_workers() < max_ && can_fork_now())
            if (Worker* fresh = spawn(false)) return fresh;
        return best;
    }

    Worker* spawn(bool solo) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return fork_failed("socketpair");
        std::cout.flush();
        std::cerr.flush();
        std::fflush(nullptr);
        pid_t pid = ::fork();
        if (pid < 0) {
            int e = errno;
            ::close(sv[0]);
            ::close(sv[1]);
            errno = e;
            return fork_failed("fork");
        }
        if (pid == 0) {
            ::close(sv[0]);
            for (auto& w : workers_) ::close(w->fd);  // else a worker would not see its parent end
            worker_main(sv[1], cb_, timeout_);
        }
        ::close(sv[1]);
        ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);
        auto w = std::make_unique<Worker>();
        w->pid = pid;
        w->fd = sv[0];
        w->solo = solo;
        workers_.push_back(std::move(w));
        return workers_.back().get();
    }

    // A fork that fails (a process or descriptor limit) is tried again a second later.
    Worker* fork_failed(const char* what) {
        fork_error_ = std::string(what) + ": " + std::strerror(errno);
        fork_retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        return nullptr;
    }

    // No worker could be started: the next sample is worked in this process, as with --jobs 1
    // (no --sample-timeout there).
    void work_here() {
        JobPtr job;
        if (!requeue_.empty()) {
            job = std::move(requeue_.front());
            requeue_.pop_front();
            held_ -= std::min(held_, job->sample.bytes.size());
        } else {
            if (next_seq_ - next_emit_ >= window_ || (held_ >= kMaxHeldBytes && next_seq_ > next_emit_)) return;
            job = std::make_unique<Job>();
            if (!cb_.next(job->sample)) {
                input_done_ = true;
                return;
            }
            job->seq = next_seq_++;
        }
        held_ += keep(job->seq, cb_.work(job->sample));
        ++progress_;
    }

    void wait_and_move() {
        std::vector<pollfd> fds;
        for (auto& w : workers_) {
            short ev = POLLIN;
            if (w->unsent < w->jobs.size() && !w->closed_for_writing) ev |= POLLOUT;
            fds.push_back({w->fd, ev, 0});
        }
        if (::poll(fds.data(), fds.size(), tick_ms_) < 0) {
            if (errno == EINTR) return;
            for (auto& w : workers_) mark_dead(*w, std::string("poll failed: ") + std::strerror(errno));
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            Worker& w = *workers_[i];
            // Replies first: a worker that has exited may have left replies (or a 'T' frame) to read.
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) receive(w);
            if (fds[i].revents & POLLOUT) send_some(w);
        }
        if (cb_.tick) cb_.tick();
        for (std::size_t i = workers_.size(); i-- > 0;) {
            if (workers_[i]->dead) bury(i);
            else if (workers_[i]->solo && workers_[i]->jobs.empty()) retire(i);
        }
    }

    // Writes what is queued for a worker, all jobs in one call where the socket takes them.
    void send_some(Worker& w) {
        while (!w.dead && !w.closed_for_writing && w.unsent < w.jobs.size()) {
            iovec iov[64];
            std::size_t n = 0;
            for (std::size_t i = w.unsent; i < w.jobs.size() && n + 2 <= 64; ++i) {
                Job& j = *w.jobs[i];
                std::size_t sent = i == w.unsent ? j.sent : 0;
                if (sent < j.head.size()) iov[n++] = {j.head.data() + sent, j.head.size() - sent};
                std::size_t body = sent > j.head.size() ? sent - j.head.size() : 0;
                if (body < j.sample.bytes.size())
                    iov[n++] = {j.sample.bytes.data() + body, j.sample.bytes.size() - body};
            }
            msghdr m{};
            m.msg_iov = iov;
            m.msg_iovlen = n;
            ssize_t k = ::sendmsg(w.fd, &m, MSG_NOSIGNAL);
            if (k < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) return;
                // The worker is gone (or going): what it wrote before is still to be read, and
                // its end of the socket tells when it is over.
                w.closed_for_writing = true;
                return;
            }
            // Credit what was written to the jobs in order.
            std::size_t left = static_cast<std::size_t>(k);
            while (w.unsent < w.jobs.size()) {
                Job& j = *w.jobs[w.unsent];
                std::size_t room = j.total() - j.sent;
                if (left < room) {
                    j.sent += left;
                    break;
                }
                j.sent = j.total();
                left -= room;
                ++w.unsent;
            }
        }
    }

    void receive(Worker& w) {
        bool eof = false;
        for (;;) {
            std::size_t old = w.in.size();
            w.in.resize(old + (1u << 16));
            ssize_t k = ::read(w.fd, &w.in[old], 1u << 16);
            w.in.resize(old + (k > 0 ? static_cast<std::size_t>(k) : 0));
            if (k == (1u << 16)) continue;
            if (k > 0) break;  // drained for now: poll says when more comes
            if (k < 0 && errno == EINTR) continue;
            if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            eof = true;
            break;
        }
        std::size_t off = 0;
        while (!w.dead && w.in.size() - off >= 8) {
            std::uint64_t len = 0;
            std::memcpy(&len, w.in.data() + off, 8);
            if (len == 0 || len > kMaxFrame) {
                mark_dead(w, "its worker process sent a malformed reply");
                break;
            }
            if (w.in.size() - off - 8 < len) break;
            std::string_view payload = std::string_view(w.in).substr(off + 9, static_cast<std::size_t>(len) - 1);
            const char type = w.in[off + 8];
            off += 8 + static_cast<std::size_t>(len);
            std::uint64_t seq = 0;
            Rendered r;
            bool ok = type == kResult ? decode_rendered(payload, seq, r)
                                      : type == kTimedOut && payload.size() == 8 && (std::memcpy(&seq, payload.data(), 8), true);
            if (!ok || w.jobs.empty() || w.unsent == 0 || w.jobs.front()->seq != seq) {
                mark_dead(w, "its worker process sent a malformed reply");
                break;
            }
            JobPtr job = std::move(w.jobs.front());
            w.jobs.pop_front();
            --w.unsent;
            held_ -= std::min(held_, job->sample.bytes.size());
            if (type == kResult) {
                held_ += keep(seq, std::move(r));
            } else {
                held_ += keep(seq, cb_.lost(job->sample, "the analysis took longer than " + std::to_string(timeout_) +
                                                              " s (--sample-timeout)"));
                w.timed_out = true;
            }
        }
        w.in.erase(0, std::min(off, w.in.size()));
        if (eof && !w.dead) mark_dead(w, "");
    }

    static std::size_t result_size(const Rendered& r) { return r.out.size() + r.err.size(); }

    // Files a result to be emitted in its turn; returns the bytes it holds.
    std::size_t keep(std::uint64_t seq, Rendered r) {
        std::size_t n = result_size(r);
        ready_[seq] = std::move(r);
        if (cb_.done) cb_.done();
        return n;
    }

    void lose(Job& j, const std::string& why) {
        held_ -= std::min(held_, j.sample.bytes.size());
        held_ += keep(j.seq, cb_.lost(j.sample, why));
    }

    void mark_dead(Worker& w, std::string why) {
        if (w.dead) return;
        w.dead = true;
        w.why = std::move(why);
    }

    // Reaps a dead worker and decides what becomes of the samples it had. Replies come in
    // batches and a sample may harm its process without killing it at once, so when a worker
    // dies any sample it was given whole may be the cause: each is worked again alone, in a
    // fresh process. A fresh process that dies names its one sample. Samples not wholly sent,
    // and those behind a sample that timed out, were never started: they go to another worker.
    void bury(std::size_t i) {
        std::unique_ptr<Worker> w = std::move(workers_[i]);
        workers_.erase(workers_.begin() + static_cast<long>(i));
        ::close(w->fd);
        int status = 0;
        if (!w->why.empty()) ::kill(w->pid, SIGKILL);  // a malformed reply: it may still run
        while (::waitpid(w->pid, &status, 0) < 0 && errno == EINTR) {}
        std::string why = w->why.empty() ? describe_exit(status) : w->why;
        std::deque<JobPtr> suspects, innocent;
        for (auto& jp : w->jobs) {
            Job& j = *jp;
            bool whole = j.sent == j.total();
            if (w->solo) {  // a suspect stays one until a fresh process dies with it whole
                if (whole || ++j.tries > 2) lose(j, why);
                else suspects.push_back(std::move(jp));
            } else if (w->timed_out || (!whole && ++j.tries <= 2)) {
                innocent.push_back(std::move(jp));
            } else {
                suspects.push_back(std::move(jp));
            }
        }
        for (auto it = innocent.rbegin(); it != innocent.rend(); ++it) requeue_.push_front(std::move(*it));
        for (auto it = suspects.rbegin(); it != suspects.rend(); ++it) suspects_.push_front(std::move(*it));
    }

    // A solo worker that has answered: it may have been harmed by its sample, so it goes.
    void retire(std::size_t i) {
        std::unique_ptr<Worker> w = std::move(workers_[i]);
        workers_.erase(workers_.begin() + static_cast<long>(i));
        ::close(w->fd);
        int status = 0;
        while (::waitpid(w->pid, &status, 0) < 0 && errno == EINTR) {}
    }

    void shutdown() {
        for (auto& w : workers_) ::close(w->fd);  // each worker reads the end and exits
        for (auto& w : workers_) {
            int status = 0;
            while (::waitpid(w->pid, &status, 0) < 0 && errno == EINTR) {}
        }
        workers_.clear();
    }

    unsigned max_;
    std::size_t window_;
    unsigned timeout_;
    int tick_ms_;  // poll's timeout: -1 (none) without a tick callback
    const PoolCallbacks& cb_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::deque<JobPtr> requeue_;   // samples to give to another worker (never started)
    std::deque<JobPtr> suspects_;  // samples held by a worker that died: each to run alone
    std::map<std::uint64_t, Rendered> ready_;
    std::uint64_t next_seq_ = 0, next_emit_ = 0;
    std::size_t held_ = 0;  // bytes of samples in flight and of results in ready_
    bool input_done_ = false;
    std::chrono::steady_clock::time_point fork_retry_at_{};
    std::string fork_error_;
    int solo_fork_failures_ = 0;
    std::uint64_t progress_ = 0;  // samples handed out, worked here or emitted: to tell a stall
};

}  // namespace

std::string encode_rendered(std::uint64_t seq, const Rendered& r) {
    std::string s;
    s.reserve(r.out.size() + r.err.size() + 64);
    put_u64(s, seq);
    put_u32(s, static_cast<std::uint32_t>(r.exit));
    put_str(s, r.out);
    put_str(s, r.err);
    put_u32(s, static_cast<std::uint32_t>(r.answers.size()));
    for (const auto& a : r.answers) {
        put_str(s, a.qname);
        put_u32(s, static_cast<std::uint32_t>(a.qtype));
        put_u32(s, static_cast<std::uint32_t>(a.status));
        put_u32(s, static_cast<std::uint32_t>(a.records.size()));
        for (const auto& rec : a.records) put_record(s, rec);
        put_u32(s, static_cast<std::uint32_t>(a.cnames.size()));
        for (const auto& rec : a.cnames) put_record(s, rec);
        put_str(s, a.detail);
    }
    return s;
}

bool decode_rendered(std::string_view payload, std::uint64_t& seq, Rendered& r) {
    Reader in{payload};
    std::uint32_t exit = 0, n = 0;
    if (!in.u64(seq) || !in.u32(exit) || exit > 255 || !in.str(r.out) || !in.str(r.err)) return false;
    r.exit = static_cast<int>(exit);
    if (!in.count(n, 8 + 4 + 4 + 4 + 4 + 8)) return false;
    r.answers.resize(n);
    for (auto& a : r.answers) {
        std::uint32_t type = 0, status = 0, nrec = 0;
        if (!in.str(a.qname) || !in.u32(type) || type > 0xffff || !in.u32(status) ||
            status > static_cast<std::uint32_t>(DnsStatus::error))
            return false;
        a.qtype = static_cast<RRType>(type);
        a.status = static_cast<DnsStatus>(status);
        if (!in.count(nrec, kRecordMinBytes)) return false;
        a.records.resize(nrec);
        for (auto& rec : a.records)
            if (!get_record(in, rec)) return false;
        if (!in.count(nrec, kRecordMinBytes)) return false;
        a.cnames.resize(nrec);
        for (auto& rec : a.cnames)
            if (!get_record(in, rec)) return false;
        if (!in.str(a.detail)) return false;
    }
    return in.p == payload.size();
}

void run_in_processes(const PoolOptions& opts, const PoolCallbacks& cb) {
    Pool pool(opts, cb);
    pool.run();
}

}  // namespace auth::detail
