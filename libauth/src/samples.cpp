#include "auth/samples.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace fs = std::filesystem;

namespace auth {

namespace {

bool is_from_line(std::string_view line) { return line.substr(0, 5) == "From "; }

// mboxrd (RFC 4155 and the mboxrd convention): ">From ", ">>From " ... lose one '>'.
std::string_view unquote_from(std::string_view line) {
    std::size_t k = 0;
    while (k < line.size() && line[k] == '>') ++k;
    if (k > 0 && line.substr(k, 5) == "From ") line.remove_prefix(1);
    return line;
}

}  // namespace

MboxReader::MboxReader(std::istream& in, std::size_t max_message_bytes) : in_(in), max_(max_message_bytes) {}

bool MboxReader::read_line(std::string_view& line, bool& newline) {
    spill_.clear();
    for (;;) {
        const char* start = buf_.data() + pos_;
        std::size_t avail = buf_.size() - pos_;
        if (const void* nl = std::memchr(start, '\n', avail)) {
            std::size_t len = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
            pos_ += len + 1;
            newline = true;
            if (spill_.empty()) {
                line = std::string_view(start, len);
            } else {
                spill_.append(start, len);
                line = spill_;
            }
            return true;
        }
        spill_.append(start, avail);
        pos_ = buf_.size();
        if (eof_) {
            if (spill_.empty()) return false;
            line = spill_;
            newline = false;
            return true;
        }
        buf_.resize(1u << 16);
        std::streamsize n = in_.rdbuf() ? in_.rdbuf()->sgetn(buf_.data(), static_cast<std::streamsize>(buf_.size())) : 0;
        buf_.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        pos_ = 0;
        if (n <= 0) eof_ = true;
    }
}

// RFC 4155: a message starts at a "From " line at the start of the file or after a blank line;
// that blank line is the separator, not part of the message.
bool MboxReader::next(std::string& bytes, std::string& error) {
    bytes.clear();
    error.clear();
    std::string_view line;
    bool newline = false;
    if (!started_) {
        started_ = true;
        while (read_line(line, newline))  // anything before the first From_ line is not a message
            if (is_from_line(line)) { pending_.assign(line); break; }
    }
    if (pending_.empty()) return false;
    pending_.clear();
    bool held_blank = false, over = false;
    std::string held;
    std::size_t size = 0;
    auto add = [&](std::string_view l, bool nl) {
        size += l.size() + 1;
        if (size > max_) over = true;
        if (over) return;
        bytes.append(l);
        if (nl) bytes.push_back('\n');
    };
    while (read_line(line, newline)) {
        if (held_blank && is_from_line(line)) { pending_.assign(line); break; }
        if (held_blank) { add(held, true); held_blank = false; }
        if (line.empty() || line == "\r") { held.assign(line); held_blank = true; continue; }
        add(unquote_from(line), newline);
    }
    ++count_;
    if (over) {
        bytes.clear();
        error = "message is over the limit of " + std::to_string(max_) + " bytes";
    }
    return true;
}

namespace {

// A stream over bytes already read (the peeked start) followed by the rest of another stream.
class PrefixedBuf : public std::streambuf {
public:
    PrefixedBuf(std::string prefix, std::unique_ptr<std::istream> rest)
        : prefix_(std::move(prefix)), rest_(std::move(rest)) {
        setg(prefix_.data(), prefix_.data(), prefix_.data() + prefix_.size());
    }
protected:
    int_type underflow() override {
        std::streamsize n = rest_->rdbuf()->sgetn(buf_, sizeof buf_);
        if (n <= 0) return traits_type::eof();
        setg(buf_, buf_, buf_ + n);
        return traits_type::to_int_type(buf_[0]);
    }
private:
    std::string prefix_;
    std::unique_ptr<std::istream> rest_;
    char buf_[1 << 16];
};

struct OwningStream : std::istream {
    std::unique_ptr<std::streambuf> owned;
    explicit OwningStream(std::unique_ptr<std::streambuf> b) : std::istream(b.get()), owned(std::move(b)) {}
};

}  // namespace

struct SampleSource::Impl {
    std::vector<std::string> queue;  // paths still to open, in order
    std::size_t next_path = 0;
    // The mbox being read, if any.
    std::unique_ptr<std::istream> mbox_stream;
    std::unique_ptr<MboxReader> mbox;
    std::string mbox_name;
};

SampleSource::SampleSource(std::vector<std::string> paths) : impl_(std::make_unique<Impl>()) {
    if (paths.empty()) paths.push_back("-");
    impl_->queue = std::move(paths);
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

}  // namespace

bool SampleSource::next(Sample& out) {
    Impl& d = *impl_;
    out = Sample{};
    for (;;) {
        if (d.mbox) {
            std::string bytes, err;
            if (d.mbox->next(bytes, err)) {
                out.file = d.mbox_name + "#" + std::to_string(d.mbox->count());
                out.bytes = std::move(bytes);
                out.error = std::move(err);
                return true;
            }
            d.mbox.reset();
            d.mbox_stream.reset();
        }
        if (d.next_path >= d.queue.size()) return false;
        std::string path = d.queue[d.next_path++];
        out.file = path;

        std::unique_ptr<std::istream> in;
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
            in = std::move(f);
        }
        // Peek at the first bytes: an mbox starts with "From ".
        char head[5] = {0, 0, 0, 0, 0};
        in->read(head, 5);
        std::streamsize got = in->gcount();
        std::string start(head, static_cast<std::size_t>(got));
        if (start == "From ") {
            d.mbox_stream = std::make_unique<OwningStream>(std::make_unique<PrefixedBuf>(start, std::move(in)));
            d.mbox = std::make_unique<MboxReader>(*d.mbox_stream);
            d.mbox_name = path;
            continue;
        }
        std::ostringstream rest;
        rest << start;
        if (*in) rest << in->rdbuf();
        out.bytes = rest.str();
        if (in->bad()) out.error = "read error";
        return true;
    }
}

}  // namespace auth
