#include "podrun_system.h"

#include <errno.h>

#ifdef __linux__
#include <sys/epoll.h>

int podrun_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static int control(int epfd, int op, int fd, uint64_t token) {
    struct epoll_event event;
    event.events = EPOLLIN | EPOLLONESHOT;
    event.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &event);
}

int podrun_epoll_add(int epfd, int fd, uint64_t token) { return control(epfd, EPOLL_CTL_ADD, fd, token); }

int podrun_epoll_rearm(int epfd, int fd, uint64_t token) { return control(epfd, EPOLL_CTL_MOD, fd, token); }

int podrun_epoll_remove(int epfd, int fd) {
    struct epoll_event unused = {0};
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused);
}

int podrun_epoll_wait(int epfd, uint64_t *tokens, int capacity, int timeout) {
    struct epoll_event events[64];
    if (capacity > 64)
        capacity = 64;
    int n = epoll_wait(epfd, events, capacity, timeout);
    for (int i = 0; i < n; i++)
        tokens[i] = events[i].data.u64;
    return n;
}

#else

int podrun_epoll_create(void) {
    errno = ENOSYS;
    return -1;
}

int podrun_epoll_add(int epfd, int fd, uint64_t token) {
    (void)epfd, (void)fd, (void)token;
    errno = ENOSYS;
    return -1;
}

int podrun_epoll_rearm(int epfd, int fd, uint64_t token) {
    (void)epfd, (void)fd, (void)token;
    errno = ENOSYS;
    return -1;
}

int podrun_epoll_remove(int epfd, int fd) {
    (void)epfd, (void)fd;
    errno = ENOSYS;
    return -1;
}

int podrun_epoll_wait(int epfd, uint64_t *tokens, int capacity, int timeout) {
    (void)epfd, (void)tokens, (void)capacity, (void)timeout;
    errno = ENOSYS;
    return -1;
}

#endif
