// libarchive adapter: the readers see ArchiveEntry, never a struct archive.
#include "detail/archive_libarchive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "auth/error.hpp"

namespace auth::detail {

bool looks_compressed(const std::string& b) {
    auto starts = [&](const char* m, std::size_t n) { return b.size() >= n && b.compare(0, n, m, n) == 0; };
    return starts("\x1f\x8b", 2) || starts("PK\x03\x04", 4) || starts("PK\x05\x06", 4) || starts("BZh", 3) ||
           starts("\xfd" "7zXZ", 5) || starts("\x28\xb5\x2f\xfd", 4);
}

std::vector<ArchiveEntry> unpack(const std::string& bytes, const ArchiveLimits& limits) {
    std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(), archive_read_free);
    if (!a) throw InputError("out of memory for the archive reader");
    archive_read_support_filter_all(a.get());
    archive_read_support_format_zip(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_raw(a.get());
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
        throw InputError(std::string("cannot open the compressed data: ") + archive_error_string(a.get()));
    std::vector<ArchiveEntry> out;
    std::size_t total = 0;
    struct archive_entry* e = nullptr;
    for (;;) {
        int r = archive_read_next_header(a.get(), &e);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
            const char* msg = archive_error_string(a.get());
            throw InputError(std::string("the compressed data is corrupt: ") + (msg ? msg : "unknown error"));
        }
        if (archive_entry_filetype(e) != AE_IFREG && archive_format(a.get()) != ARCHIVE_FORMAT_RAW) continue;
        if (out.size() >= limits.max_entries)
            throw InputError("the archive has more than " + std::to_string(limits.max_entries) + " members");
        ArchiveEntry entry;
        const char* name = archive_entry_pathname(e);
        entry.name = archive_format(a.get()) == ARCHIVE_FORMAT_RAW ? "" : (name ? name : "");
        char buf[65536];
        for (;;) {
            la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
            if (n == 0) break;
            if (n < 0) {
                if (n == ARCHIVE_WARN) continue;
                // Some senders append junk after a complete gzip member: keep what decoded.
                if (!entry.bytes.empty() && archive_format(a.get()) == ARCHIVE_FORMAT_RAW) break;
                const char* msg = archive_error_string(a.get());
                throw InputError(std::string("the compressed data is corrupt: ") + (msg ? msg : "unknown error"));
            }
            total += static_cast<std::size_t>(n);
            if (total > limits.max_total_bytes)
                throw InputError("the compressed data expands to more than " +
                                 std::to_string(limits.max_total_bytes >> 20) + " MiB (refused as a decompression bomb)");
            entry.bytes.append(buf, static_cast<std::size_t>(n));
        }
        out.push_back(std::move(entry));
        if (archive_format(a.get()) == ARCHIVE_FORMAT_RAW) break;
    }
    if (out.empty()) throw InputError("the archive has no file in it");
    return out;
}

}  // namespace auth::detail
