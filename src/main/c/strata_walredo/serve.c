/*
 * serve.c: walredo_serve(socket_path), the extension's only SQL function.
 *
 * The page server listens on a Unix-domain socket, starts `postgres --single`
 * on a scratch cluster and feeds it one statement on stdin:
 * SELECT walredo_serve('<dir>/redo.sock'). The call connects back to that
 * socket, serves the connection and returns when the client says X or hangs
 * up; postgres then reads EOF on stdin and exits. One process, one connection:
 * nothing is left running when the page server disappears, and the page
 * server learns the process is ready without polling for a socket file.
 */
#include "strata_walredo.h"

#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(walredo_serve);

#define BEGIN_PAYLOAD 17		/* spc u32, db u32, rel u32, fork u8, blk u32 */
#define APPLY_HEAD 16			/* start_lsn u64, end_lsn u64 */

typedef struct Counters
{
	uint64		requests;
	uint64		records;
	uint64		failures;
} Counters;

static uint32
get32(const char *p)
{
	uint32		v;

	memcpy(&v, p, sizeof(v));
	return wire32(v);
}

static uint64
get64(const char *p)
{
	uint64		v;

	memcpy(&v, p, sizeof(v));
	return wire64(v);
}

static void
reply_hello(Channel *ch)
{
	uint32		hello[3] = {
		wire32(WALREDO_PROTOCOL_VERSION), wire32(PG_VERSION_NUM), wire32(BLCKSZ)
	};

	channel_reply(ch, REPLY_HELLO, (const char *) hello, sizeof(hello), NULL, 0);
	channel_flush(ch);
}

static void
reply_error(Channel *ch)
{
	XLogRecPtr	lsn;
	const char *text = redo_error(&lsn);
	uint64		lsn_wire = wire64(lsn);

	channel_reply(ch, REPLY_ERROR, (const char *) &lsn_wire, sizeof(lsn_wire), text, strlen(text));
}

static void
on_begin(const Message *m)
{
	RedoTarget	target;

	if (m->len != BEGIN_PAYLOAD)
	{
		/* Still a request: its G gets the error. */
		redo_end();
		redo_fail("B payload must be 17 bytes", InvalidXLogRecPtr);
		return;
	}
	target.rnode.spcNode = get32(m->payload);
	target.rnode.dbNode = get32(m->payload + 4);
	target.rnode.relNode = get32(m->payload + 8);
	target.fork = (ForkNumber) (uint8) m->payload[12];
	target.blkno = get32(m->payload + 13);
	redo_begin(&target);
}

static void
on_get(Channel *ch, const Message *m, Counters *counters)
{
	char		page[BLCKSZ];

	if (!redo_is_open())
		redo_fail("G outside a request (no B before it)", InvalidXLogRecPtr);
	else if (m->len != 0)
		redo_fail("G has no payload", InvalidXLogRecPtr);
	else if (!redo_failed())
		redo_get_page(page);

	counters->requests++;
	if (redo_failed())
	{
		counters->failures++;
		reply_error(ch);
	}
	else
		channel_reply(ch, REPLY_PAGE, NULL, 0, page, BLCKSZ);
	redo_end();
}

static void
serve(Channel *ch, Counters *counters)
{
	Message		m;

	while (channel_next(ch, &m))
	{
		switch (m.type)
		{
			case MSG_BEGIN:
				on_begin(&m);
				break;
			case MSG_PAGE:
				if (!redo_is_open())
					redo_fail("P outside a request (no B before it)", InvalidXLogRecPtr);
				else if (m.len != BLCKSZ)
					redo_fail("P payload must be one page", InvalidXLogRecPtr);
				else
					redo_push_page(m.payload);
				break;
			case MSG_APPLY:
				counters->records++;
				if (!redo_is_open())
					redo_fail("A outside a request (no B before it)", InvalidXLogRecPtr);
				else if (m.len < APPLY_HEAD)
					redo_fail("A payload must start with two LSNs", InvalidXLogRecPtr);
				else
					redo_apply(get64(m.payload), get64(m.payload + 8),
							   m.payload + APPLY_HEAD, m.len - APPLY_HEAD);
				break;
			case MSG_GET:
				on_get(ch, &m, counters);
				break;
			case MSG_EXIT:
				channel_flush(ch);
				return;
			default:
				/* Framing we do not understand: nothing later in the stream can be trusted. */
				ereport(ERROR, (errcode(ERRCODE_PROTOCOL_VIOLATION),
								errmsg("walredo: unknown message type 0x%02x", (unsigned char) m.type)));
		}
	}
}

Datum
walredo_serve(PG_FUNCTION_ARGS)
{
	char	   *path = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Channel		ch;
	Counters	counters = {0};
	int			fd;

	/*
	 * Under a postmaster the checkpointer and other backends would see our
	 * scratch relations and the recovery flags we flip. It also keeps this
	 * function from being any use on a real cluster.
	 */
	if (IsUnderPostmaster)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("walredo_serve runs only in a single-user backend (postgres --single)")));

	redo_startup();
	fd = channel_connect(path);
	channel_init(&ch, fd);
	PG_TRY();
	{
		reply_hello(&ch);
		serve(&ch, &counters);
		redo_shutdown();
	}
	PG_FINALLY();
	{
		/* On an ERROR the client must see EOF now, not when the process exits. */
		channel_close(&ch);
	}
	PG_END_TRY();

	ereport(LOG, (errmsg("walredo: served " UINT64_FORMAT " requests, " UINT64_FORMAT
						 " records, " UINT64_FORMAT " failed",
						 counters.requests, counters.records, counters.failures)));
	PG_RETURN_VOID();
}
