// Most wrappers are header-only; those needing _GNU_SOURCE live here, where it can be set
// before the first system header.
#define _GNU_SOURCE
#include <string.h>

#include "CLinuxShims.h"

void *scanbridge_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}
