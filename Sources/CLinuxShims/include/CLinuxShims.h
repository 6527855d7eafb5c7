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

#include <linux/input.h>
#include <sys/ioctl.h>
#include <time.h>

/// EVIOCGRAB: while grabbed, the scanner's key events reach only this file descriptor (not
/// the console, X or Wayland). 0 or -1 with errno.
static inline int scanbridge_evdev_grab(int fd, int grab) { return ioctl(fd, EVIOCGRAB, grab); }

/// EVIOCSCLOCKID: stamp events with CLOCK_MONOTONIC, so inter-key gaps do not jump with the
/// wall clock. Fails harmlessly on nodes that are not evdev (e.g. under umockdev).
static inline int scanbridge_evdev_use_monotonic_clock(int fd) {
    int clock = CLOCK_MONOTONIC;
    return ioctl(fd, EVIOCSCLOCKID, &clock);
}

/// EVIOCGNAME into `buffer` (NUL-terminated); -1 with errno when the node does not answer.
static inline int scanbridge_evdev_name(int fd, char *buffer, unsigned int length) {
    return ioctl(fd, EVIOCGNAME(length), buffer);
}

#include <stddef.h>

/// glibc's memmem (a GNU extension Swift's Glibc module does not declare): the first
/// occurrence of `needle` in `haystack`, or NULL.
void *scanbridge_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);
