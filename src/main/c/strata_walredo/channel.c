/*
 * channel.c: the service's end of the Unix-domain socket.
 *
 * Input is buffered so that a pipelined burst of small messages costs one
 * recv() instead of two per message. Replies are buffered too and flushed only
 * when we are about to wait for input: the client may have many requests in
 * flight, and answering each one with its own send() would double the system
 * calls for no gain. Flushing before every wait also rules out the deadlock in
 * which both sides block on a full socket buffer.
 *
 * Every wait is a poll() with a short timeout followed by
 * CHECK_FOR_INTERRUPTS(): backend signal handlers use SA_RESTART, so a
 * blocking recv() would sleep through SIGTERM.
 */
#include "strata_walredo.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#define POLL_SLICE_MS 500
#define IN_BUF_INITIAL (256 * 1024)
#define OUT_BUF_INITIAL (64 * 1024)
/* Flush early once this much is queued, so the client can start consuming. */
#define OUT_FLUSH_THRESHOLD (256 * 1024)

static void
wait_for(int fd, short events)
{
	for (;;)
	{
		struct pollfd pfd = {.fd = fd, .events = events};
		int			rc;

		CHECK_FOR_INTERRUPTS();
		rc = poll(&pfd, 1, POLL_SLICE_MS);
		if (rc > 0)
			return;				/* readable, writable, or hung up: the caller finds out which */
		if (rc < 0 && errno != EINTR)
			ereport(ERROR, (errcode_for_socket_access(),
							errmsg("walredo: poll failed: %m")));
	}
}

int
channel_connect(const char *path)
{
	struct sockaddr_un addr;
	int			fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("walredo: socket path \"%s\" is longer than %zu bytes",
							   path, sizeof(addr.sun_path) - 1)));

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	strcpy(addr.sun_path, path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		ereport(ERROR, (errcode_for_socket_access(), errmsg("walredo: socket() failed: %m")));
	if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
	{
		int			saved = errno;

		close(fd);
		errno = saved;
		ereport(ERROR, (errcode_for_socket_access(),
						errmsg("walredo: cannot connect to \"%s\": %m", path)));
	}
	return fd;
}

void
channel_init(Channel *ch, int fd)
{
	ch->fd = fd;
	ch->in_cap = IN_BUF_INITIAL;
	ch->in = MemoryContextAlloc(TopMemoryContext, ch->in_cap);
	ch->in_start = ch->in_end = 0;
	ch->out_cap = OUT_BUF_INITIAL;
	ch->out = MemoryContextAlloc(TopMemoryContext, ch->out_cap);
	ch->out_len = 0;
}

void
channel_flush(Channel *ch)
{
	size_t		sent = 0;

	while (sent < ch->out_len)
	{
		ssize_t		n = send(ch->fd, ch->out + sent, ch->out_len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0)
			sent += n;
		else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			wait_for(ch->fd, POLLOUT);
		else if (n < 0 && errno != EINTR)
			ereport(ERROR, (errcode_for_socket_access(),
							errmsg("walredo: cannot send reply: %m")));
	}
	ch->out_len = 0;
}

/*
 * Makes sure `want` bytes are buffered from in_start on. Returns false on a
 * clean end of stream before the first byte; EOF in the middle of a message
 * is an error because the client died mid-request.
 */
static bool
fill(Channel *ch, size_t want)
{
	while (ch->in_end - ch->in_start < want)
	{
		ssize_t		n;

		if (ch->in_cap - ch->in_start < want)
		{
			/* Slide what we have to the front, and grow for an oversized message. */
			size_t		have = ch->in_end - ch->in_start;

			memmove(ch->in, ch->in + ch->in_start, have);
			ch->in_start = 0;
			ch->in_end = have;
			if (ch->in_cap < want)
			{
				ch->in = repalloc_huge(ch->in, want);
				ch->in_cap = want;
			}
		}
		n = recv(ch->fd, ch->in + ch->in_end, ch->in_cap - ch->in_end, MSG_DONTWAIT);
		if (n > 0)
			ch->in_end += n;
		else if (n == 0)
		{
			if (ch->in_end == ch->in_start)
				return false;
			ereport(ERROR, (errcode(ERRCODE_PROTOCOL_VIOLATION),
							errmsg("walredo: client closed the connection in the middle of a message")));
		}
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
		{
			/* About to sleep: let the client see every answer we owe it first. */
			channel_flush(ch);
			wait_for(ch->fd, POLLIN);
		}
		else if (errno != EINTR)
			ereport(ERROR, (errcode_for_socket_access(),
							errmsg("walredo: cannot receive: %m")));
	}
	return true;
}

/* The next whole message, or false when the client closed the connection between messages. */
bool
channel_next(Channel *ch, Message *msg)
{
	uint32		len;

	if (!fill(ch, MSG_HEADER_SIZE))
		return false;
	msg->type = ch->in[ch->in_start];
	memcpy(&len, ch->in + ch->in_start + 1, sizeof(len));
	len = wire32(len);
	/* A corrupt length would have us buffer up to 4 GB; no WAL record is near 1 GB. */
	if (len > MaxAllocSize)
		ereport(ERROR, (errcode(ERRCODE_PROTOCOL_VIOLATION),
						errmsg("walredo: message '%c' claims %u bytes, more than the %zu allowed",
							   msg->type, len, (size_t) MaxAllocSize)));
	if (!fill(ch, MSG_HEADER_SIZE + (size_t) len))
		return false;
	msg->len = len;
	msg->payload = ch->in + ch->in_start + MSG_HEADER_SIZE;
	ch->in_start += MSG_HEADER_SIZE + (size_t) len;
	return true;
}

/* Queues a reply made of a small fixed head and a body; either may be empty. */
void
channel_reply(Channel *ch, char type, const char *head, size_t head_len,
			  const char *body, size_t body_len)
{
	size_t		need = MSG_HEADER_SIZE + head_len + body_len;
	uint32		len = wire32((uint32) (head_len + body_len));

	if (ch->out_len + need > ch->out_cap)
	{
		channel_flush(ch);
		if (need > ch->out_cap)
		{
			ch->out = repalloc(ch->out, need);
			ch->out_cap = need;
		}
	}
	ch->out[ch->out_len] = type;
	memcpy(ch->out + ch->out_len + 1, &len, sizeof(len));
	if (head_len > 0)
		memcpy(ch->out + ch->out_len + MSG_HEADER_SIZE, head, head_len);
	if (body_len > 0)
		memcpy(ch->out + ch->out_len + MSG_HEADER_SIZE + head_len, body, body_len);
	ch->out_len += need;
	if (ch->out_len >= OUT_FLUSH_THRESHOLD)
		channel_flush(ch);
}

void
channel_close(Channel *ch)
{
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
	if (ch->in)
		pfree(ch->in);
	if (ch->out)
		pfree(ch->out);
	ch->in = ch->out = NULL;
}
