#ifndef PODRUN_SYSTEM_H
#define PODRUN_SYSTEM_H

#include <stdint.h>

/* System calls that Swift's Glibc module does not expose (epoll needs <sys/epoll.h>, outside
 * the module map). On other systems every function fails with ENOSYS and callers fall back to
 * poll(2). */

/* A new close-on-exec epoll instance, or -1 (errno set). */
int podrun_epoll_create(void);

/* Watches `fd` for input (EPOLLIN, one-shot): one report, then nothing until re-armed. `token`
 * comes back with the report. 0 or -1 (errno set). */
int podrun_epoll_add(int epfd, int fd, uint64_t token);

/* Re-arms a one-shot registration (reported again at once if input is still pending). */
int podrun_epoll_rearm(int epfd, int fd, uint64_t token);

/* Stops watching `fd` (before it is closed). */
int podrun_epoll_remove(int epfd, int fd);

/* Waits for reports (timeout in ms, -1 = none); fills `tokens` with up to `capacity` of them.
 * The number of tokens, or -1 (errno set, e.g. EINTR). */
int podrun_epoll_wait(int epfd, uint64_t *tokens, int capacity, int timeout);

#endif
