/*
 * strata_walredo: a WAL redo service inside a single-user PostgreSQL 15 backend.
 *
 * The page server hands us a target block, an optional base image and raw WAL
 * records; we replay them with PostgreSQL's own rm_redo routines and hand the
 * page back. PROTOCOL.md describes the socket protocol; the top of redo.c
 * explains the design. This header is the seam between the four parts:
 *   serve.c   the SQL-callable entry point and the message loop,
 *   channel.c buffered, interruptible socket I/O,
 *   records.c the allow-list, record sanity checks and block remapping,
 *   redo.c    everything that touches recovery, buffers and smgr.
 */
#ifndef STRATA_WALREDO_H
#define STRATA_WALREDO_H

#include "postgres.h"

#include "access/rmgr.h"
#include "access/xlogdefs.h"
#include "access/xlogreader.h"
#include "common/relpath.h"
#include "port/pg_bswap.h"
#include "storage/block.h"
#include "storage/relfilenode.h"

/* Bumped whenever a message changes; the client refuses a server it does not know. */
#define WALREDO_PROTOCOL_VERSION 1

/* Message and reply types (PROTOCOL.md). */
#define MSG_BEGIN 'B'
#define MSG_PAGE 'P'
#define MSG_APPLY 'A'
#define MSG_GET 'G'
#define MSG_EXIT 'X'
#define REPLY_HELLO 'V'
#define REPLY_PAGE 'R'
#define REPLY_ERROR 'E'

/* type u8 + payload length u32 */
#define MSG_HEADER_SIZE 5

/* Our framing is little-endian whatever the host; WAL records stay in host order. */
#ifdef WORDS_BIGENDIAN
#define wire32(x) pg_bswap32(x)
#define wire64(x) pg_bswap64(x)
#else
#define wire32(x) (x)
#define wire64(x) (x)
#endif

/* ---- channel.c ---- */

typedef struct Channel
{
	int			fd;
	char	   *in;				/* received bytes not yet consumed */
	size_t		in_cap;
	size_t		in_start;
	size_t		in_end;
	char	   *out;			/* replies not yet sent */
	size_t		out_cap;
	size_t		out_len;
} Channel;

typedef struct Message
{
	char		type;
	uint32		len;
	const char *payload;		/* valid until the next channel_next() */
} Message;

extern int	channel_connect(const char *path);
extern void channel_init(Channel *ch, int fd);
extern bool channel_next(Channel *ch, Message *msg);
extern void channel_reply(Channel *ch, char type, const char *head, size_t head_len,
						  const char *body, size_t body_len);
extern void channel_flush(Channel *ch);
extern void channel_close(Channel *ch);

/* ---- redo.c ---- */

/* One request: the block whose page we rebuild. */
typedef struct RedoTarget
{
	RelFileNode rnode;
	ForkNumber	fork;
	BlockNumber blkno;
} RedoTarget;

/* What remapping found out about one record. */
typedef struct RecordPlan
{
	RmgrId		rmid;
	int			others;			/* references to blocks other than the target */
	bool		initialises_target;
} RecordPlan;

extern void redo_startup(void);
extern void redo_shutdown(void);
extern void redo_begin(const RedoTarget *target);
extern void redo_push_page(const char *page);
extern void redo_apply(XLogRecPtr start_lsn, XLogRecPtr end_lsn, const char *record, uint32 len);
extern void redo_get_page(char *page_out);
extern void redo_end(void);
extern void redo_fail(const char *message, XLogRecPtr lsn);
extern bool redo_is_open(void);
extern bool redo_failed(void);
extern const char *redo_error(XLogRecPtr *lsn);

/* ---- records.c ---- */

extern const char *record_name(const DecodedXLogRecord *rec);
extern const char *record_check(const DecodedXLogRecord *rec);
extern const char *record_remap(DecodedXLogRecord *rec, const RedoTarget *t, bool target_valid,
								RelFileNode scratch_s, RelFileNode scratch_j, RecordPlan *plan);

#endif
