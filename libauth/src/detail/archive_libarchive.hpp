// Decompression with libarchive for report attachments: gzip, zip (and what else libarchive
// reads), with size limits against decompression bombs.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace auth::detail {

struct ArchiveEntry {
    std::string name;   // the member's name ("" for a plain compressed stream)
    std::string bytes;
};

struct ArchiveLimits {
    std::size_t max_total_bytes = 64u << 20;   // all members together, uncompressed
    std::size_t max_entries = 64;
};

// True when the bytes start like a compressed stream or archive libarchive should open
// (gzip, zip, bzip2, xz, zstd).
bool looks_compressed(const std::string& bytes);

// Unpacks every regular member (or the one decompressed stream). Throws InputError when the
// data is corrupt or a limit is exceeded.
std::vector<ArchiveEntry> unpack(const std::string& bytes, const ArchiveLimits& limits = {});

}  // namespace auth::detail
