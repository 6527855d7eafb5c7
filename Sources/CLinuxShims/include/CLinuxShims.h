// Linux interfaces Swift cannot import directly (macros, function-like constants), wrapped
// as static inline functions.
#pragma once

#include <sys/timex.h>

/// 1 when the kernel says the system clock is not synchronised (adjtimex TIME_ERROR or
/// STA_UNSYNC), else 0.
static inline int scanbridge_clock_unsynchronized(void) {
    struct timex status = {0};
    int state = adjtimex(&status);
    return (state == TIME_ERROR || (status.status & STA_UNSYNC)) ? 1 : 0;
}
