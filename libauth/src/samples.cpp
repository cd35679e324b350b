#include "auth/samples.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace auth {

namespace {

// The sentence for a sample over the size limit (its size when it is known).
std::string over_limit(std::size_t max, std::size_t size = 0) {
    if (size) return "message is " + std::to_string(size) + " bytes, over the limit of " + std::to_string(max);
    return "message is over the limit of " + std::to_string(max) + " bytes";
}

}  // namespace

MboxReader::MboxReader(std::istream& in, std::size_t max_message_bytes, std::string already_read,
                       std::size_t block_bytes)
    : in_(in), max_(max_message_bytes), block_(block_bytes ? block_bytes : 1) {
    buf_.cap = already_read.size() + block_;
    buf_.p = std::make_unique<char[]>(buf_.cap);
    std::memcpy(buf_.p.get(), already_read.data(), already_read.size());
    buf_.len = already_read.size();
}

// Drops the bytes before keep_from and appends up to one block from the stream.
bool MboxReader::fill(std::size_t keep_from) {
    if (eof_) return false;
    std::memmove(buf_.p.get(), buf_.p.get() + keep_from, buf_.len - keep_from);
    buf_.len -= keep_from;
    pos_ -= keep_from;
    dropped_ += keep_from;
    if (buf_.cap - buf_.len < block_) {  // only a line start longer than a block grows it
        std::size_t cap = std::max(buf_.cap * 2, buf_.len + block_);
        auto grown = std::unique_ptr<char[]>(new char[cap]);
        std::memcpy(grown.get(), buf_.p.get(), buf_.len);
        buf_.p = std::move(grown);
        buf_.cap = cap;
    }
    std::size_t old = buf_.len;
    in_.read(buf_.p.get() + old, static_cast<std::streamsize>(block_));
    std::size_t n = static_cast<std::size_t>(in_.gcount());
    buf_.len = old + n;
    if (in_.bad()) failed_ = true;
    if (n == 0) eof_ = true;
    return n > 0;
}

bool MboxReader::next(std::string& bytes, std::string& error) { return scan(&bytes, nullptr, error); }

bool MboxReader::next_extent(Extent& where, std::string& error) { return scan(nullptr, &where, error); }

// RFC 4155: a message starts at a "From " line at the start of the file or after a blank line;
// that blank line is the separator, not part of the message. With `bytes`, lines are copied in
// whole runs, a run cut only where mboxrd unquoting drops a '>' and at block ends; with `where`,
// the same walk only notes where the message lies.
bool MboxReader::scan(std::string* bytes, Extent* where, std::string& error) {
    if (bytes) bytes->clear();
    error.clear();
    // Moves pos_ past the end of the current line (reading on as needed); false at the end.
    auto skip_line = [&]() {
        for (;;) {
            const void* nl = std::memchr(buf_.data() + pos_, '\n', buf_.size() - pos_);
            if (nl) {
                pos_ = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
                return true;
            }
            pos_ = buf_.size();
            if (!fill(pos_)) return false;
        }
    };
    auto is_from = [&](std::size_t at) { return buf_.compare(at, 5, "From ") == 0; };
    if (!started_) {
        started_ = true;
        for (;;) {  // anything before the first From_ line is not a message
            if (buf_.size() - pos_ < 5 && fill(pos_)) continue;
            if (is_from(pos_)) {
                skip_line();  // a From_ line at the very end still opens an (empty) message
                pending_ = true;
                break;
            }
            if (pos_ >= buf_.size() || !skip_line()) break;
        }
    }
    if (!pending_) return false;
    pending_ = false;

    const std::uint64_t start = dropped_ + pos_;  // the message's offset in the stream
    std::uint64_t end = start;                    // and its end, once known
    std::size_t run = pos_;       // start of the bytes in buf_ not yet taken into the message
    std::size_t size = 0;         // the message's length (unquoted) so far, also when over the limit
    bool over = false, prev_blank = false, quoted = false;
    std::size_t blank_at = 0;     // where the last line, when blank, starts: in the message's bytes
    std::uint64_t blank_abs = 0;  // and in the stream
    // Bytes are taken up to the limit plus two: a blank separator line ("\r\n") is taken before
    // it is known to be one, and must not put a message of exactly the limit over it.
    const std::size_t room = max_ > SIZE_MAX - 2 ? SIZE_MAX : max_ + 2;
    auto take = [&](const char* p, std::size_t n) {
        if (!over && size + n > room) {
            over = true;
            if (bytes) bytes->clear();
        }
        if (!over && bytes) bytes->append(p, n);
        size += n;
    };
    auto flush = [&](std::size_t upto) {
        take(buf_.data() + run, upto - run);
        run = upto;
    };
    auto refill = [&]() {  // keeps the current line's start
        flush(pos_);
        bool more = fill(pos_);
        run = pos_;
        return more;
    };
    auto note_blank = [&](std::size_t line) {
        blank_at = size + (line - run);
        blank_abs = dropped_ + line;
    };
    for (;;) {
        // At a line start. Six bytes (or the end) in the buffer decide a From_ line, and put a
        // blank line's end ("\n" or "\r\n") in view.
        if (buf_.size() - pos_ < 6 && !eof_) {
            refill();
            continue;
        }
        if (pos_ >= buf_.size()) break;  // the end of the stream
        const std::size_t line = pos_;
        if (prev_blank && is_from(line)) {  // the separator: the blank line is not the message's
            flush(line);
            if (bytes && !over) bytes->resize(blank_at);
            end = blank_abs;
            size = blank_at;
            skip_line();
            pending_ = true;
            break;
        }
        std::size_t scan_from = line;  // where to look for the line's end
        const bool gt_line = buf_[line] == '>';
        if (gt_line) {
            // mboxrd: ">From ", ">>From " ... lose one '>'. The first '>' is held back until the
            // run of '>' ends; the others are taken as they come, so that a long run is never
            // held in the buffer (all are '>': the held one may go last).
            flush(line);
            run = line + 1;
            std::size_t k = line + 1;
            for (;;) {
                while (k < buf_.size() && buf_[k] == '>') ++k;
                if (buf_.size() - k >= 5 || eof_) break;
                flush(k);
                pos_ = k;
                fill(pos_);
                run = k = pos_;
            }
            if (is_from(k)) quoted = true;  // the held '>' is dropped
            else take(">", 1);              // it is the message's after all
            scan_from = k;
        }
        const void* nl = std::memchr(buf_.data() + scan_from, '\n', buf_.size() - scan_from);
        if (nl) {
            std::size_t eol = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data());
            prev_blank = !gt_line && (eol == line || (eol == line + 1 && buf_[line] == '\r'));
            if (prev_blank) note_blank(line);
            pos_ = eol + 1;
            continue;
        }
        // No line end in the buffer: at the stream's end this is the last line; else the line
        // is longer than six bytes, so not blank, and goes on in the next blocks.
        prev_blank = false;
        if (eof_) {
            prev_blank = !gt_line && buf_.size() - line == 1 && buf_[line] == '\r';
            if (prev_blank) note_blank(line);
            pos_ = buf_.size();
            continue;
        }
        for (;;) {
            pos_ = buf_.size();
            flush(pos_);
            fill(pos_);
            run = pos_;
            const void* e = std::memchr(buf_.data() + pos_, '\n', buf_.size() - pos_);
            if (e) {
                pos_ = static_cast<std::size_t>(static_cast<const char*>(e) - buf_.data()) + 1;
                break;
            }
            if (eof_) {
                pos_ = buf_.size();
                break;
            }
        }
    }
    if (!pending_) {  // the stream's end: a blank last line is the separator too
        flush(pos_);
        end = dropped_ + pos_;
        if (prev_blank) {
            if (bytes && !over) bytes->resize(blank_at);
            end = blank_abs;
            size = blank_at;
        }
    }
    if (size > max_) over = true;  // the message itself, without its separator
    ++count_;
    if (where) *where = Extent{start, end - start, quoted};
    if (over) {
        if (bytes) bytes->clear();
        error = over_limit(max_);
    }
    return true;
}

void mbox_unquote(std::string& bytes) {
    std::size_t out = 0;
    for (std::size_t p = 0; p < bytes.size();) {
        std::size_t k = p;
        while (k < bytes.size() && bytes[k] == '>') ++k;
        if (k > p && bytes.compare(k, 5, "From ") == 0) ++p;  // drop one '>'
        std::size_t nl = bytes.find('\n', p);
        std::size_t e = nl == std::string::npos ? bytes.size() : nl + 1;
        if (out != p) std::memmove(&bytes[out], &bytes[p], e - p);
        out += e - p;
        p = e;
    }
    bytes.resize(out);
}

struct SampleSource::Impl {
    std::vector<std::string> queue;  // paths still to open, in order
    std::size_t next_path = 0;
    std::size_t max_bytes = 64u << 20;
    bool defer = false;
    // The mbox being read, if any.
    std::unique_ptr<std::istream> mbox_stream;
    std::unique_ptr<MboxReader> mbox;
    std::string mbox_name;
    bool mbox_deferred = false;  // messages located, not read (a regular file, with defer)
    std::uint64_t mbox_dev = 0, mbox_ino = 0;
};

SampleSource::SampleSource(std::vector<std::string> paths, std::size_t max_message_bytes, bool defer_reading)
    : impl_(std::make_unique<Impl>()) {
    if (paths.empty()) paths.push_back("-");
    impl_->queue = std::move(paths);
    impl_->max_bytes = max_message_bytes;
    impl_->defer = defer_reading;
}

SampleSource::~SampleSource() = default;

namespace {

// Every file below dir, sorted; Maildir tmp/ and dot files are skipped.
void walk(const fs::path& dir, std::vector<std::string>& out, std::string& error) {
    std::vector<fs::path> entries;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(it->path());
    if (ec) { error = ec.message(); return; }
    std::sort(entries.begin(), entries.end());
    for (const auto& p : entries) {
        std::string name = p.filename().string();
        if (name.empty() || name[0] == '.') continue;
        std::error_code e2;
        if (fs::is_directory(p, e2)) {
            if (name == "tmp" && fs::is_directory(dir / "cur", e2)) continue;  // Maildir: tmp/ is not delivered
            std::string sub;
            walk(p, out, sub);
        } else if (fs::is_regular_file(p, e2)) {
            out.push_back(p.string());
        }
    }
}

// Appends the rest of `in` to bytes, at most max + 1 bytes in all; false on a read error.
bool read_rest(std::istream& in, std::string& bytes, std::size_t max) {
    while (bytes.size() <= max && in) {
        std::size_t old = bytes.size();
        std::size_t chunk = std::max<std::size_t>(old, 1u << 16);
        chunk = std::min(chunk, max + 1 - old);
        bytes.resize(old + chunk);
        in.read(&bytes[old], static_cast<std::streamsize>(chunk));
        bytes.resize(old + static_cast<std::size_t>(in.gcount()));
    }
    return !in.bad();
}

}  // namespace

bool SampleSource::next(Sample& out) {
    Impl& d = *impl_;
    out.file.clear();
    out.bytes.clear();
    out.error.clear();
    out.path.clear();
    out.in_mbox = out.quoted = false;
    out.offset = out.length = 0;
    out.file_dev = out.file_ino = 0;
    for (;;) {
        if (d.mbox) {
            bool got;
            if (d.mbox_deferred) {
                MboxReader::Extent x;
                got = d.mbox->next_extent(x, out.error);
                if (got && out.error.empty()) {
                    out.path = d.mbox_name;
                    out.in_mbox = true;
                    out.offset = x.offset;
                    out.length = x.length;
                    out.quoted = x.quoted;
                    out.file_dev = d.mbox_dev;
                    out.file_ino = d.mbox_ino;
                }
            } else {
                got = d.mbox->next(out.bytes, out.error);
            }
            if (got) {
                out.file = d.mbox_name + "#" + std::to_string(d.mbox->count());
                return true;
            }
            bool failed = d.mbox->read_failed();
            d.mbox.reset();
            d.mbox_stream.reset();
            if (failed) {
                out.file = d.mbox_name;
                out.error = "read error in the mbox; the messages before it were read";
                return true;
            }
        }
        if (d.next_path >= d.queue.size()) return false;
        std::string path = d.queue[d.next_path++];
        out.file = path;

        std::unique_ptr<std::istream> in;
        std::size_t known_size = 0;
        bool regular = false;
        if (path == "-") {
            in = std::make_unique<std::istream>(std::cin.rdbuf());
        } else {
            std::error_code ec;
            if (fs::is_directory(path, ec)) {
                std::vector<std::string> files;
                std::string err;
                walk(path, files, err);
                if (!err.empty()) { out.error = "cannot read the folder: " + err; return true; }
                if (files.empty()) { out.error = "folder holds no messages"; return true; }
                d.queue.insert(d.queue.begin() + static_cast<long>(d.next_path), files.begin(), files.end());
                continue;
            }
            auto f = std::make_unique<std::ifstream>(path, std::ios::binary);
            if (!*f) { out.error = std::string("cannot open: ") + std::strerror(errno); return true; }
            regular = fs::is_regular_file(path, ec);
            if (regular) known_size = static_cast<std::size_t>(fs::file_size(path, ec));
            if (ec) regular = false, known_size = 0;
            in = std::move(f);
        }
        // Peek at the first bytes: an mbox starts with "From ".
        out.bytes.resize(5);
        in->read(&out.bytes[0], 5);
        out.bytes.resize(static_cast<std::size_t>(in->gcount()));
        if (out.bytes == "From ") {
            d.mbox_stream = std::move(in);
            d.mbox = std::make_unique<MboxReader>(*d.mbox_stream, d.max_bytes, out.bytes);
            d.mbox_name = path;
            d.mbox_deferred = d.defer && regular;  // stdin and pipes cannot be read again
            struct stat st {};
            if (d.mbox_deferred && ::stat(path.c_str(), &st) == 0) {
                d.mbox_dev = static_cast<std::uint64_t>(st.st_dev);
                d.mbox_ino = static_cast<std::uint64_t>(st.st_ino);
            }
            out.bytes.clear();
            continue;
        }
        if (known_size > d.max_bytes) {  // not read at all
            out.bytes.clear();
            out.error = over_limit(d.max_bytes, known_size);
            return true;
        }
        if (regular) {  // read by load_sample(): here, or later in a worker when deferred
            out.bytes.clear();
            out.path = path;
            out.length = known_size;
            if (!d.defer) load_sample(out, d.max_bytes);
            return true;
        }
        bool ok = read_rest(*in, out.bytes, d.max_bytes);  // stdin, a pipe: read here
        if (out.bytes.size() > d.max_bytes) {
            out.bytes.clear();
            out.error = over_limit(d.max_bytes);
        } else if (!ok) {
            out.error = "read error";
        }
        return true;
    }
}

namespace {

// The mbox a thread read its last message from, kept open for the next one (messages of one
// mbox come in a row).
struct OpenMbox {
    std::string path;
    int fd = -1;
    ~OpenMbox() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

void load_sample(Sample& s, std::size_t max_message_bytes) {
    if (s.path.empty() || !s.error.empty()) return;
    std::string path = std::move(s.path);
    s.path.clear();
    s.bytes.clear();
    thread_local OpenMbox last;
    if (s.in_mbox) {
        if (last.fd < 0 || last.path != path) {
            int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                s.error = std::string("cannot open: ") + std::strerror(errno);
                return;
            }
            if (last.fd >= 0) ::close(last.fd);
            last.fd = fd;
            last.path = path;
        }
        // Offsets are only good in the file that was scanned, unchanged before the message: the
        // same inode, and its From_ line still ending just before it.
        struct stat st {};
        char before = 0;
        if (::fstat(last.fd, &st) != 0 || (s.file_ino && (static_cast<std::uint64_t>(st.st_dev) != s.file_dev ||
                                                          static_cast<std::uint64_t>(st.st_ino) != s.file_ino))) {
            s.error = "the mbox was replaced while it was read (its messages are no longer where they were)";
            return;
        }
        if (s.offset == 0 || ::pread(last.fd, &before, 1, static_cast<off_t>(s.offset - 1)) != 1 || before != '\n') {
            s.error = "the mbox changed while it was read (this message is no longer where it was)";
            return;
        }
        s.bytes.resize(static_cast<std::size_t>(s.length));
        std::size_t got = 0;
        while (got < s.bytes.size()) {
            ssize_t k = ::pread(last.fd, &s.bytes[got], s.bytes.size() - got, static_cast<off_t>(s.offset + got));
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) break;
            got += static_cast<std::size_t>(k);
        }
        if (got < s.bytes.size()) {
            s.bytes.clear();
            s.error = "the mbox changed while it was read (this message is no longer where it was)";
        } else if (s.quoted) {
            mbox_unquote(s.bytes);
        }
        return;
    }
    struct Fd {
        int fd;
        ~Fd() {
            if (fd >= 0) ::close(fd);
        }
    } f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) {
        s.error = std::string("cannot open: ") + std::strerror(errno);
        return;
    }
    // The size seen when the file was listed, plus one byte to see it has not grown.
    std::size_t cap = static_cast<std::size_t>(std::min<std::uint64_t>(s.length, max_message_bytes)) + 1;
    s.bytes.resize(cap);
    std::size_t got = 0;
    for (;;) {
        if (got == s.bytes.size()) {
            if (s.bytes.size() > max_message_bytes) break;
            s.bytes.resize(std::min<std::size_t>(s.bytes.size() * 2, max_message_bytes + 1));
        }
        ssize_t k = ::read(f.fd, &s.bytes[got], s.bytes.size() - got);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            s.error = std::string("read error: ") + std::strerror(errno);
            break;
        }
        if (k == 0) break;
        got += static_cast<std::size_t>(k);
    }
    s.bytes.resize(got);
    if (s.error.empty() && got > max_message_bytes)
        s.error = over_limit(max_message_bytes);
    if (!s.error.empty()) s.bytes.clear();
}

}  // namespace auth
