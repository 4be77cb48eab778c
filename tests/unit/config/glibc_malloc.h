// Whether this test binary allocates with glibc's malloc: not under AddressSanitizer, whose own
// allocator ignores mallopt/malloc_trim and reports nothing through mallinfo2.
#pragma once

namespace testconfig {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kGlibcMalloc = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kGlibcMalloc = false;
#else
inline constexpr bool kGlibcMalloc = true;
#endif
#else
inline constexpr bool kGlibcMalloc = true;
#endif

}  // namespace testconfig
