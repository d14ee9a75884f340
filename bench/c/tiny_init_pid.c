/*
 * W3 of the design notes in C, for size comparison with
 * examples/tiny_init_pid.rs (`cargo xtask tiny` builds both): socketpair,
 * fork; the child waits for a ping and sends its credentials
 * (SCM_CREDENTIALS); the parent arms SO_PASSCRED, pings, waits at most 2 s,
 * receives, reaps the child and prints the child's pid as the kernel
 * reported it. Exit status 0 only if that pid is the one fork returned and
 * the child exited 0. Same steps, same timeouts as the Rust program.
 *
 *   musl-gcc -static -Os -s -o tiny_init_pid_musl bench/c/tiny_init_pid.c
 *   gcc -static -Os -s -o tiny_init_pid_glibc bench/c/tiny_init_pid.c
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Milliseconds left until `deadline` (CLOCK_MONOTONIC), 0 once passed. */
static int left_ms(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long long ms = (deadline->tv_sec - now.tv_sec) * 1000LL + (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Sends the data byte `byte`, with the caller's credentials if `creds`. */
static int send_byte(int fd, char byte, int creds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (creds) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
		struct ucred me = { .pid = getpid(), .uid = getuid(), .gid = getgid() };
		memcpy(CMSG_DATA(c), &me, sizeof(me));
	}
	return sendmsg(fd, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* Waits (until `deadline`) for one datagram; returns its first byte or -1,
 * and the credentials in *creds (pid -1 if none came). Descriptors that
 * came along are closed. */
static int recv_byte(int fd, const struct timespec *deadline, struct ucred *creds)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;
	do
		r = poll(&p, 1, left_ms(deadline));
	while (r < 0 && left_ms(deadline) > 0);
	if (r <= 0)
		return -1;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	if (recvmsg(fd, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	creds->pid = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(*creds)))
			memcpy(creds, CMSG_DATA(c), sizeof(*creds));
		if (c->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i + CMSG_LEN(sizeof(int)) <= c->cmsg_len; i += sizeof(int)) {
				int stray;
				memcpy(&stray, CMSG_DATA(c) + i, sizeof(stray));
				close(stray);
			}
	}
	return (unsigned char)byte;
}

int main(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 2;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 2;
	struct ucred creds;
	pid_t pid = fork();
	if (pid == 0) {
		int ok = recv_byte(sv[1], &deadline, &creds) == 'p' && send_byte(sv[1], 'c', 1) == 0;
		_exit(!ok);
	}
	if (pid < 0)
		return 3;
	int on = 1;
	int got = -1;
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0 && send_byte(sv[0], 'p', 0) == 0)
		got = recv_byte(sv[0], &deadline, &creds);
	int status;
	int reaped = waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (got != 'c' || creds.pid == -1)
		return 4;
	printf("%d\n", (int)creds.pid);
	return creds.pid != pid || !reaped;
}
